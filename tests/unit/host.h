/* Facts built in memory for model and planner tests: a host with 8 GB
 * available, nofile 1024/524288 and every other limit far away. */
#ifndef SOCKCAP_TEST_HOST_H
#define SOCKCAP_TEST_HOST_H

#include <stdio.h>
#include <string.h>

#include "facts.h"
#include "parse.h"

static inline void host_set(struct facts *f, enum fact_id id, uint64_t a, uint64_t b, uint64_t c)
{
	f->f[id].status = FACT_OK;
	f->f[id].v[0] = a;
	f->f[id].v[1] = b;
	f->f[id].v[2] = c;
	f->f[id].path = fact_defs[id].path;
}

static inline void host_fail(struct facts *f, enum fact_id id, enum fact_status st)
{
	f->f[id].status = st;
	f->f[id].path = fact_defs[id].path;
}

static inline void host_cache(struct facts *f, enum slab_cache k, uint64_t objsize, uint64_t per,
			      uint64_t pages)
{
	f->cache[k] = (struct cache_size){SIZE_SLABINFO, objsize, per, pages};
}

static inline void host_facts(struct facts *f)
{
	memset(f, 0, sizeof(*f));
	for (int i = 0; i < FACT_COUNT; i++)
		host_fail(f, (enum fact_id)i, FACT_MISSING);
	f->page_size = 4096;
	host_set(f, F_MEM_TOTAL, 8388608, 0, 0); /* kB: 8 GiB */
	host_set(f, F_MEM_AVAILABLE, 8000000, 0, 0);
	host_set(f, F_NOFILE, 1024, 524288, 0);
	host_set(f, F_NR_OPEN, 1048576, 0, 0);
	host_set(f, F_FILE_MAX, 9223372036854775807ULL, 0, 0);
	host_set(f, F_FILE_NR, 1000, 0, 9223372036854775807ULL);
	host_set(f, F_EPOLL_WATCHES, 10000000, 0, 0);
	host_set(f, F_TCP_MEM, 90000, 120000, 180000);
	host_set(f, F_TCP_RMEM, 4096, 131072, 6291456);
	host_set(f, F_TCP_WMEM, 4096, 16384, 4194304);
	host_set(f, F_PORT_RANGE, 32768, 60999, 0);
	host_set(f, F_CG_MEM_MAX, U64_UNLIMITED, 0, 0);
	host_cache(f, CACHE_TCP, 2368, 13, 8);
	host_cache(f, CACHE_SOCK_INODE, 832, 19, 4);
	host_cache(f, CACHE_FILP, 192, 21, 1);
	host_cache(f, CACHE_DENTRY, 192, 21, 1);
	host_cache(f, CACHE_EPOLL_EPI, 128, 32, 1);
	host_cache(f, CACHE_EPOLL_PWQ, 64, 64, 1);
	host_cache(f, CACHE_EP_HEAD, 16, 256, 1);
	host_cache(f, CACHE_BIND_BUCKET, 128, 32, 1);
	host_cache(f, CACHE_BIND2_BUCKET, 128, 32, 1);
}

#endif
