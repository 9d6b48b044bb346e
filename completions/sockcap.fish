# fish completion for sockcap(8).
# Install as ~/.config/fish/completions/sockcap.fish or in
# /usr/share/fish/vendor_completions.d/.

# No file names unless an option asks for them.
complete -c sockcap -f

# One command, before or after the options.
set -l sockcap_commands audit plan sysctl limits systemd modules-load modprobe ansible facts profiles calibrate nagios
complete -c sockcap -n "not __fish_seen_subcommand_from $sockcap_commands" \
    -a audit -d 'capacity, every limit, the binding one, live usage, warnings, advice (default)'
complete -c sockcap -n "not __fish_seen_subcommand_from $sockcap_commands" \
    -a plan -d 'the changes that reach --target N (default: what memory can carry)'
complete -c sockcap -n "not __fish_seen_subcommand_from $sockcap_commands" \
    -a sysctl -d 'the plan as /etc/sysctl.d/90-sockcap.conf'
complete -c sockcap -n "not __fish_seen_subcommand_from $sockcap_commands" \
    -a limits -d 'the plan as /etc/security/limits.d/90-sockcap.conf'
complete -c sockcap -n "not __fish_seen_subcommand_from $sockcap_commands" \
    -a systemd -d 'the plan as a unit drop-in ([Service] LimitNOFILE=)'
complete -c sockcap -n "not __fish_seen_subcommand_from $sockcap_commands" \
    -a modules-load -d "the plan's modules to load at boot (modules-load.d)"
complete -c sockcap -n "not __fish_seen_subcommand_from $sockcap_commands" \
    -a modprobe -d "the plan's module options (modprobe.d)"
complete -c sockcap -n "not __fish_seen_subcommand_from $sockcap_commands" \
    -a ansible -d 'the plan as an Ansible task list'
complete -c sockcap -n "not __fish_seen_subcommand_from $sockcap_commands" \
    -a facts -d 'every fact read, with its source path and status'
complete -c sockcap -n "not __fish_seen_subcommand_from $sockcap_commands" \
    -a profiles -d 'the workload profiles, built in and from --profile FILE'
complete -c sockcap -n "not __fish_seen_subcommand_from $sockcap_commands" \
    -a calibrate -d 'measure what a socket costs on this kernel with loopback sockets'
complete -c sockcap -n "not __fish_seen_subcommand_from $sockcap_commands" \
    -a nagios -d 'a monitoring-plugins check: status line, perfdata, exit 0-3'

complete -c sockcap -s r -l root -x -a '(__fish_complete_directories)' \
    -d 'read DIR/proc and DIR/sys instead of /proc and /sys'
# Built-in profile names, then *.yaml and *.yml files and directories.
function __sockcap_profiles
    printf '%s\tbuilt-in profile\n' idle websocket http proxy bulk threads
    set -l token (commandline -ct | string replace -r -- '^(--profile=|-p)' '')
    for f in (complete -C "__fish_command_without_completions $token" |
            string replace -r -- '\t.*' '' | string match -r -- '^.*(?:/|\.ya?ml)$')
        if string match -q -- '*/' $f
            printf '%s\tdirectory\n' $f
        else
            printf '%s\tprofile file\n' $f
        end
    end
end
complete -c sockcap -s p -l profile -x -k -a '(__sockcap_profiles)' \
    -d 'workload profile: a built-in name or a YAML file'
# A count: nothing to offer.
complete -c sockcap -s t -l target -x -d 'connections to plan for (250000, 250k, 1.5M)'
complete -c sockcap -s f -l format -x -a 'text json yaml prometheus' -d 'output format'
complete -c sockcap -l pid -x -a '(__fish_complete_pids)' \
    -d "subject: running process PID (a master's workers when it has them)"
# Service units installed on this host.
function __sockcap_units
    for d in /etc/systemd/system /run/systemd/system /usr/local/lib/systemd/system \
        /usr/lib/systemd/system /lib/systemd/system
        test -d $d; and for f in $d/*.service
            basename $f
        end
    end
end
complete -c sockcap -l unit -x -a '(__sockcap_units)' \
    -d 'subject: systemd service NAME, running or not'
complete -c sockcap -l user -x -a '(__fish_complete_users)' \
    -d 'subject: a login session of user NAME (pam_limits)'
complete -c sockcap -l processes -x -d 'worker processes sharing the connections (default: those found, else 1)'
complete -c sockcap -l app-bytes -x -d 'user-space bytes per connection (4096, 8K, 1.5MiB)'
complete -c sockcap -l upstreams -x -d 'distinct upstream address:port pairs (default 1)'
complete -c sockcap -l dropin -x -d "the unit drop-in's file name (NAME.conf)"
complete -c sockcap -l reserve -x -d 'memory the default plan leaves to the system (2G, 15%)'
# Calibration files: *.json and directories to descend into.
function __sockcap_json_files
    set -l token (commandline -ct | string replace -r -- '^--calibration=' '')
    for f in (complete -C "__fish_command_without_completions $token" |
            string replace -r -- '\t.*' '' | string match -r -- '^.*(?:/|\.json)$')
        if string match -q -- '*/' $f
            printf '%s\tdirectory\n' $f
        else
            printf '%s\tcalibration file\n' $f
        end
    end
end
complete -c sockcap -l calibration -x -a '(__sockcap_json_files)' \
    -d "use the per-socket costs measured by 'calibrate --save FILE'"
# calibrate's own options, offered unless another command is given.
set -l sockcap_others audit plan sysctl limits systemd modules-load modprobe ansible facts profiles nagios
complete -c sockcap -n "not __fish_seen_subcommand_from $sockcap_others" \
    -l connections -x -d 'calibrate: connection pairs to open (10 to 50000, default 4000; with --pid 1000)'
complete -c sockcap -n "not __fish_seen_subcommand_from $sockcap_others" \
    -l send -x -d 'calibrate --pid: text each connection sends and leaves unanswered'
complete -c sockcap -n "not __fish_seen_subcommand_from $sockcap_others" \
    -l save -r -F -d 'calibrate: write the calibration to FILE (JSON, atomically)'
# nagios's own options, offered unless another command is given.
set -l sockcap_not_nagios audit plan sysctl limits systemd modules-load modprobe ansible facts profiles calibrate
complete -c sockcap -n "not __fish_seen_subcommand_from $sockcap_not_nagios" \
    -s w -l warning -x -d 'nagios: WARNING when the connections in use are outside RANGE'
complete -c sockcap -n "not __fish_seen_subcommand_from $sockcap_not_nagios" \
    -s c -l critical -x -d 'nagios: CRITICAL when the connections in use are outside RANGE'
complete -c sockcap -n "not __fish_seen_subcommand_from $sockcap_not_nagios" \
    -l timeout -x -d 'nagios: UNKNOWN after SECONDS (default 10)'
complete -c sockcap -s o -l output -r -F -d 'write to FILE atomically instead of standard output'
complete -c sockcap -l check -d 'exit 1 when the capacity is below the target or changes are pending'
complete -c sockcap -l color -x -a 'auto always never' -d 'colour the text output'
complete -c sockcap -s h -l help -d 'print the help and exit'
complete -c sockcap -s V -l version -d 'print the version and exit'
