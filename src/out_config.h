/* Configuration files for a plan: each is ready to install as it is, and
 * starts with comments saying what made it, for which target and profile,
 * and why each value. */
#ifndef SOCKCAP_OUT_CONFIG_H
#define SOCKCAP_OUT_CONFIG_H

#include <stdio.h>

#include "plan.h"
#include "profile.h"

#define SYSCTL_D_PATH "/etc/sysctl.d/90-sockcap.conf"
#define LIMITS_D_PATH "/etc/security/limits.d/90-sockcap.conf"
#define MODULES_LOAD_PATH "/etc/modules-load.d/90-sockcap.conf"
#define MODPROBE_D_PATH "/etc/modprobe.d/90-sockcap.conf"

/* sysctl.d: "key = value", single spaces, no inline comments. */
void config_sysctl(const struct plan *pl, const struct profile *p, FILE *out);
/* limits.d: soft and hard lines for '*' and for root (pam_limits never
 * applies '*' to root). */
void config_limits(const struct plan *pl, const struct profile *p, FILE *out);
/* A unit drop-in: [Service] LimitNOFILE=soft:hard. */
void config_systemd(const struct plan *pl, const struct profile *p, FILE *out);
/* modules-load.d: the modules whose sysctls the plan sets, one per line,
 * loaded at boot before systemd-sysctl runs. */
void config_modules_load(const struct plan *pl, const struct profile *p, FILE *out);
/* modprobe.d: "options MODULE param=value" for what a module reads when it
 * loads (nf_conntrack hashsize). */
void config_modprobe(const struct plan *pl, const struct profile *p, FILE *out);
/* An Ansible task list: the module files first (a net.netfilter sysctl
 * needs its module loaded), then ansible.posix.sysctl (fs.nr_open before any
 * limit above it), then community.general.pam_limits. */
void config_ansible(const struct plan *pl, const struct profile *p, FILE *out);

/* The file a recommendation belongs in, for grouping ("/etc/sysctl.d/..."). */
const char *config_file_of(const struct plan *pl, const struct recommendation *r);

#endif
