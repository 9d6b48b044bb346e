/* The root-prefixing reader: whole files of every size, one read for a file
 * the kernel writes as one record, proc/slabinfo to EOF. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <dirent.h>
#include <unistd.h>

#include "facts.h"
#include "source.h"
#include "suite.h"

static char root[64];

static void make_root(void)
{
	char path[128];

	snprintf(root, sizeof(root), "/tmp/sockcap-source.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(root));
	snprintf(path, sizeof(path), "%s/proc", root);
	ck_assert_int_eq(mkdir(path, 0755), 0);
}

static void remove_root(void)
{
	char cmd[160];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	ck_assert_int_eq(system(cmd), 0);
}

static void write_file(const char *rel, const char *data, size_t len)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(data, 1, len, f), len);
	ck_assert_int_eq(fclose(f), 0);
}

START_TEST(files_of_every_size_come_whole)
{
	static const size_t sizes[] = {0, 1, 4095, 4096, 4097, 8192, 12345, 70000};
	struct source src;
	char *data = malloc(70000);

	ck_assert_ptr_nonnull(data);
	for (size_t i = 0; i < 70000; i++)
		data[i] = (char)('a' + i % 26);
	make_root();
	src = source_root(root);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct text t;

		write_file("proc/meminfo", data, sizes[i]);
		write_file("proc/slabinfo", data, sizes[i]);
		ck_assert_int_eq(src.read(&src, "proc/meminfo", &t), FACT_OK);
		ck_assert_uint_eq(t.len, sizes[i]);
		ck_assert(memcmp(t.data, data, sizes[i]) == 0);
		ck_assert_int_eq(t.data[t.len], '\0');
		text_free(&t);
		ck_assert_int_eq(src.read(&src, "proc/slabinfo", &t), FACT_OK);
		ck_assert_uint_eq(t.len, sizes[i]);
		ck_assert(memcmp(t.data, data, sizes[i]) == 0);
		text_free(&t);
	}
	remove_root();
	free(data);
}
END_TEST

/* A FIFO whose writer stays open shows how far the reader reads: after the
 * bytes there are, a further read fails with EAGAIN (O_NONBLOCK). */
static int fifo_with(const char *rel, const char *bytes)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	fd = open(path, O_RDWR | O_NONBLOCK);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, bytes, strlen(bytes)), (ssize_t)strlen(bytes));
	return fd;
}

/* A pipe whose writer stays open shows how far the reader reads: after the
 * bytes there are, a further read fails with EAGAIN. */
static int pipe_with(const char *bytes, int *writer)
{
	int p[2];

	ck_assert_int_eq(pipe2(p, O_NONBLOCK), 0);
	ck_assert_int_eq(write(p[1], bytes, strlen(bytes)), (ssize_t)strlen(bytes));
	*writer = p[1];
	return p[0];
}

START_TEST(a_one_record_file_ends_at_its_first_short_read)
{
	struct text t;
	int w, r = pipe_with("0.00 0.01 0.05 1/123 4567\n", &w);

	ck_assert_int_eq(read_fd(r, true, true, &t), FACT_OK);
	ck_assert_str_eq(t.data, "0.00 0.01 0.05 1/123 4567\n");
	text_free(&t);
	close(w);
}
END_TEST

START_TEST(a_many_record_file_is_read_on_to_eof)
{
	struct text t;
	int w, r = pipe_with("slabinfo - version: 2.1\n", &w);

	/* It asked again after the short read: EAGAIN, so not a readable file. */
	ck_assert_int_eq(read_fd(r, false, true, &t), FACT_INVALID);
	ck_assert_ptr_null(t.data);
	close(w);
}
END_TEST

/* Under a root, a FIFO, a device or a socket in place of a file is never
 * read: its bytes stay where they are (reading /proc/kmsg consumes the
 * kernel log; a FIFO's reader takes what a writer meant for another). */
START_TEST(a_fifo_in_the_tree_is_not_read)
{
	struct source src;
	struct text t;
	char back[64] = "";
	int fd;

	make_root();
	src = source_root(root);
	fd = fifo_with("proc/loadavg", "0.00 0.01 0.05 1/123 4567\n");
	ck_assert_int_eq(src.read(&src, "proc/loadavg", &t), FACT_INVALID);
	ck_assert_ptr_null(t.data);
	ck_assert_int_eq(read(fd, back, sizeof(back) - 1), 26);
	ck_assert_str_eq(back, "0.00 0.01 0.05 1/123 4567\n");
	close(fd);
	remove_root();
}
END_TEST

START_TEST(files_named_on_the_command_line_are_read_to_eof)
{
	char path[256];
	struct text t;
	int fd;

	make_root();
	fd = fifo_with("proc/profile.yaml", "name: x\n");
	snprintf(path, sizeof(path), "%s/proc/profile.yaml", root);
	ck_assert_int_eq(file_read(path, &t), FACT_INVALID);
	close(fd);
	remove_root();
}
END_TEST

START_TEST(a_missing_file_and_a_directory_have_their_statuses)
{
	struct source src;
	struct text t;

	make_root();
	src = source_root(root);
	ck_assert_int_eq(src.read(&src, "proc/nothing", &t), FACT_MISSING);
	ck_assert_ptr_null(t.data);
	ck_assert_int_eq(src.read(&src, "proc", &t), FACT_INVALID);
	ck_assert_ptr_null(t.data);
	remove_root();
}
END_TEST

static const char slab_header[] =
	"slabinfo - version: 2.1\n"
	"# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab> : "
	"tunables <limit> <batchcount> <sharedfactor> : slabdata <active_slabs> <num_slabs> "
	"<sharedavail>\n";
static const char tcp_row[] = "TCP 26 26 2368 13 8 : tunables 0 0 0 : slabdata 2 2 0\n";

/* Large NUMA hosts list thousands of caches: 16,000 rows (about 1.7 MiB)
 * before the TCP row; the sizes still come from slabinfo, read a line at a
 * time. */
START_TEST(a_slabinfo_over_a_mebibyte_is_parsed_whole)
{
	static struct facts f;
	const size_t rows = 16000;
	size_t cap = sizeof(slab_header) + rows * 112 + sizeof(tcp_row), len = 0;
	char *data = malloc(cap);
	struct source src;

	ck_assert_ptr_nonnull(data);
	len += (size_t)snprintf(data, cap, "%s", slab_header);
	for (size_t i = 0; i < rows; i++)
		len += (size_t)snprintf(data + len, cap - len,
					"kmalloc-rcl-node%-10zu %8u %8u %6u %4u %4u : tunables 0 0 0 : "
					"slabdata %6u %6u 0\n",
					i, 100u, 128u, 64u, 64u, 1u, 2u, 2u);
	len += (size_t)snprintf(data + len, cap - len, "%s", tcp_row);
	ck_assert_uint_gt(len, (size_t)(1u << 20) + (1u << 19));
	make_root();
	write_file("proc/slabinfo", data, len);
	src = source_root(root);
	ck_assert_int_eq(facts_read_pid(&src, 4096, 0, &f), FACTS_OK);
	ck_assert_int_eq(f.slabinfo_status, FACT_OK);
	ck_assert_int_eq(f.cache[CACHE_TCP].from, SIZE_SLABINFO);
	ck_assert_uint_eq(f.cache[CACHE_TCP].objsize, 2368);
	ck_assert_uint_eq(f.cache[CACHE_TCP].objperslab, 13);
	ck_assert_uint_eq(f.cache[CACHE_TCP].pagesperslab, 8);
	remove_root();
	free(data);
}
END_TEST

/* The one bound left in reading slabinfo: a line longer than
 * SOURCE_LINE_MAX. Hitting it is a note, never a silent switch. */
START_TEST(a_slabinfo_line_too_long_is_a_note)
{
	static struct facts f;
	static char data[sizeof(slab_header) + SOURCE_LINE_MAX + 200];
	struct source src;
	size_t len = (size_t)snprintf(data, sizeof(data), "%s", slab_header);

	memset(data + len, 'z', SOURCE_LINE_MAX + 10);
	len += SOURCE_LINE_MAX + 10;
	data[len++] = '\n';
	len += (size_t)snprintf(data + len, sizeof(data) - len, "%s", tcp_row);
	make_root();
	write_file("proc/slabinfo", data, len);
	src = source_root(root);
	facts_read_pid(&src, 4096, 0, &f);
	ck_assert_int_eq(f.slabinfo_status, FACT_INVALID);
	ck_assert_uint_eq(f.notes.n, 1);
	ck_assert_str_eq(f.notes.text[0],
			 "proc/slabinfo: not a readable file, or a line longer than 4096 bytes");
	remove_root();
}
END_TEST

/* This process's descriptors, counted by the root source of "/": by one
 * stat on Linux 6.2+ (and then as many as reading the directory finds),
 * by reading it before. A copied tree is always read. */
START_TEST(descriptors_are_counted_by_stat_where_procfs_keeps_the_count)
{
	struct source host = source_root("/"), tree;
	struct utsname u;
	unsigned major = 0, minor = 0;
	uint64_t n = 0, listed = 0;
	enum count_from from;
	struct dirent *e;
	int extra[3];
	DIR *d;

	for (int i = 0; i < 3; i++)
		ck_assert_int_ge(extra[i] = dup(2), 0);
	ck_assert_int_eq(uname(&u), 0);
	ck_assert_int_eq(sscanf(u.release, "%u.%u", &major, &minor), 2);
	ck_assert_int_eq(host.count(&host, "proc/self/fd", &n, &from), FACT_OK);
	ck_assert_int_eq(from, major > 6 || (major == 6 && minor >= 2) ? COUNT_STAT_SIZE : COUNT_READDIR);
	d = opendir("/proc/self/fd");
	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d)) != NULL)
		listed += e->d_name[0] != '.';
	closedir(d);
	/* either way, the descriptor open on the directory is one of them */
	ck_assert_uint_eq(n, listed);
	for (int i = 0; i < 3; i++)
		close(extra[i]);

	make_root();
	{
		char path[256];

		snprintf(path, sizeof(path), "%s/proc/42", root);
		ck_assert_int_eq(mkdir(path, 0755), 0);
		snprintf(path, sizeof(path), "%s/proc/42/fd", root);
		ck_assert_int_eq(mkdir(path, 0755), 0);
	}
	write_file("proc/42/fd/0", "", 0);
	write_file("proc/42/fd/1", "", 0);
	tree = source_root(root);
	ck_assert_int_eq(tree.count(&tree, "proc/42/fd", &n, &from), FACT_OK);
	ck_assert_uint_eq(n, 2);
	ck_assert_int_eq(from, COUNT_READDIR);
	remove_root();
}

/* Symbolic links under a root resolve inside it, through openat2 and
 * through the walk used without it: an absolute link names the root's own
 * file, ".." stops at the root. */
static void links_stay_inside(int (*open_in)(int, const char *, int))
{
	char path[256], buf[64];
	int rfd, fd;
	ssize_t n;

	make_root();
	write_file("proc/meminfo", "MemTotal: 1 kB\n", 15);
	snprintf(path, sizeof(path), "%s/proc/abs", root);
	ck_assert_int_eq(symlink("/proc/meminfo", path), 0);
	snprintf(path, sizeof(path), "%s/proc/up", root);
	ck_assert_int_eq(symlink("../../../../../../proc/meminfo", path), 0);
	snprintf(path, sizeof(path), "%s/proc/self", root);
	ck_assert_int_eq(symlink("/proc/self", path), 0);
	rfd = open(root, O_PATH | O_DIRECTORY);
	ck_assert_int_ge(rfd, 0);
	for (int i = 0; i < 3; i++) {
		static const char *const via[] = {"proc/abs", "proc/up", "proc/../../proc/meminfo"};

		fd = open_in(rfd, via[i], O_RDONLY);
		ck_assert_msg(fd >= 0, "%s", via[i]);
		n = read(fd, buf, sizeof(buf) - 1);
		ck_assert_int_eq(n, 15);
		buf[n] = '\0';
		ck_assert_str_eq(buf, "MemTotal: 1 kB\n");
		close(fd);
	}
	/* /proc/self under the root is the link itself: a loop, not the host. */
	ck_assert_int_lt(open_in(rfd, "proc/self/limits", O_RDONLY), 0);
	ck_assert_int_eq(errno, ELOOP);
	close(rfd);
	remove_root();
}

START_TEST(links_resolve_inside_the_root)
{
	links_stay_inside(in_root_open);
}
END_TEST

START_TEST(links_resolve_inside_the_root_without_openat2)
{
	links_stay_inside(in_root_walk_open);
}
END_TEST

static void make_dir(const char *rel)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	ck_assert_int_eq(mkdir(path, 0755), 0);
}

static void make_link(const char *target, const char *rel)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	ck_assert_int_eq(symlink(target, path), 0);
}

/* Reads name in d and checks it holds want. */
static void dir_reads(const struct source_dir *d, const char *name, const char *want)
{
	struct text t;

	ck_assert_int_eq(source_dir_read(d, name, &t), FACT_OK);
	ck_assert_str_eq(t.data, want);
	text_free(&t);
}

/* A directory held open reads what the whole path reads, step by step. */
START_TEST(a_held_directory_reads_what_its_path_reads)
{
	struct source tree;
	struct source_dir d;
	struct text t;

	make_root();
	make_dir("cg");
	make_dir("cg/a");
	make_dir("cg/a/b");
	write_file("cg/memory.max", "max\n", 4);
	write_file("cg/a/memory.max", "100\n", 4);
	write_file("cg/a/b/memory.max", "200\n", 4);
	tree = source_root(root);
	ck_assert_int_eq(source_dir_open(&tree, "cg/ignored", 2, &d), FACT_OK);
	ck_assert_str_eq(d.path, "cg");
	dir_reads(&d, "memory.max", "max\n");
	ck_assert_int_eq(source_dir_down(&d, "a/ignored", 1), FACT_OK);
	ck_assert_str_eq(d.path, "cg/a");
	dir_reads(&d, "memory.max", "100\n");
	ck_assert_int_eq(source_dir_down(&d, "b", 1), FACT_OK);
	dir_reads(&d, "memory.max", "200\n");
	ck_assert_int_eq(source_dir_read(&d, "memory.current", &t), FACT_MISSING);
	/* once a step is missing, so is every step below it */
	ck_assert_int_eq(source_dir_down(&d, "c", 1), FACT_MISSING);
	ck_assert_int_eq(source_dir_down(&d, "b", 1), FACT_MISSING);
	ck_assert_int_eq(source_dir_read(&d, "memory.max", &t), FACT_MISSING);
	ck_assert_ptr_null(t.data);
	source_dir_close(&d);
	remove_root();
}
END_TEST

/* Steps and reads resolve as whole paths do under a root: a link to a
 * directory is followed inside the root (an absolute one from the root),
 * ".." stops at the root, a file linked to the host's is the root's own,
 * and a FIFO is not read. */
START_TEST(a_held_directory_stays_inside_the_root)
{
	struct source tree;
	struct source_dir d;
	struct text t;
	char path[256];

	make_root();
	make_dir("cg");
	make_dir("real");
	write_file("real/memory.max", "300\n", 4);
	write_file("proc/meminfo", "MemTotal: 1 kB\n", 15);
	make_link("/real", "cg/abs");
	make_link("../real", "cg/rel");
	make_link("/proc/meminfo", "real/linked");
	snprintf(path, sizeof(path), "%s/real/fifo", root);
	ck_assert_int_eq(mkfifo(path, 0644), 0);
	tree = source_root(root);
	for (int i = 0; i < 2; i++) {
		ck_assert_int_eq(source_dir_open(&tree, "cg", 2, &d), FACT_OK);
		ck_assert_int_eq(source_dir_down(&d, i ? "rel" : "abs", 3), FACT_OK);
		dir_reads(&d, "memory.max", "300\n");
		dir_reads(&d, "linked", "MemTotal: 1 kB\n");
		ck_assert_int_eq(source_dir_read(&d, "fifo", &t), FACT_INVALID);
		source_dir_close(&d);
	}
	ck_assert_int_eq(source_dir_open(&tree, "cg", 2, &d), FACT_OK);
	for (int i = 0; i < 8; i++)
		ck_assert_int_eq(source_dir_down(&d, "..", 2), FACT_OK);
	ck_assert_int_eq(source_dir_down(&d, "proc", 4), FACT_OK);
	dir_reads(&d, "meminfo", "MemTotal: 1 kB\n");
	source_dir_close(&d);
	remove_root();
}
END_TEST

/* A source without open_at (the tests' in-memory hosts) is read by path. */
static enum fact_status only_cg_read(const struct source *src, const char *relpath,
				     struct text *out)
{
	(void)src;
	if (strcmp(relpath, "cg/a/memory.max") != 0) {
		out->data = NULL;
		out->len = 0;
		return FACT_MISSING;
	}
	out->data = strdup("7\n");
	out->len = 2;
	return FACT_OK;
}

static bool only_cg_is_dir(const struct source *src, const char *relpath)
{
	(void)src;
	return strcmp(relpath, "cg") == 0 || strcmp(relpath, "cg/a") == 0;
}

START_TEST(a_source_without_open_at_is_read_by_path)
{
	struct source mem = {.read = only_cg_read, .is_dir = only_cg_is_dir, .root_fd = -1};
	struct source_dir d;
	struct text t;

	ck_assert_int_eq(source_dir_open(&mem, "cg", 2, &d), FACT_OK);
	ck_assert_int_eq(d.fd, -1);
	ck_assert_int_eq(source_dir_read(&d, "memory.max", &t), FACT_MISSING);
	ck_assert_int_eq(source_dir_down(&d, "a", 1), FACT_OK);
	dir_reads(&d, "memory.max", "7\n");
	ck_assert_int_eq(source_dir_down(&d, "b", 1), FACT_MISSING);
	source_dir_close(&d);
}
END_TEST

/* Socket descriptors are told by their links, for at most max entries:
 * the cost is bounded whatever the directory holds. */
START_TEST(links_are_read_for_at_most_max_entries)
{
	struct source host = source_root("/");
	int sv[150][2];
	uint64_t n = 0, seen = 0;

	for (int i = 0; i < 150; i++)
		ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv[i]), 0);
	ck_assert_int_eq(host.count_links(&host, "proc/self/fd", "socket:", 100000, &n, &seen),
			 FACT_OK);
	ck_assert_uint_ge(n, 300);
	ck_assert_uint_gt(seen, n);
	ck_assert_int_eq(host.count_links(&host, "proc/self/fd", "socket:", 256, &n, &seen),
			 FACT_OK);
	ck_assert_uint_eq(seen, 256);
	/* the first descriptors (stdio, the test's own files) are no sockets */
	ck_assert_uint_lt(n, 256);
	ck_assert_uint_ge(n, 256 - 16);
	for (int i = 0; i < 150; i++) {
		close(sv[i][0]);
		close(sv[i][1]);
	}
}
END_TEST

Suite *suite(void)
{
	Suite *s = suite_create("source");
	TCase *t = tcase_create("read");

	tcase_add_test(t, files_of_every_size_come_whole);
	tcase_add_test(t, a_one_record_file_ends_at_its_first_short_read);
	tcase_add_test(t, a_many_record_file_is_read_on_to_eof);
	tcase_add_test(t, a_fifo_in_the_tree_is_not_read);
	tcase_add_test(t, links_resolve_inside_the_root);
	tcase_add_test(t, links_resolve_inside_the_root_without_openat2);
	tcase_add_test(t, a_held_directory_reads_what_its_path_reads);
	tcase_add_test(t, a_held_directory_stays_inside_the_root);
	tcase_add_test(t, a_source_without_open_at_is_read_by_path);
	tcase_add_test(t, links_are_read_for_at_most_max_entries);
	tcase_add_test(t, files_named_on_the_command_line_are_read_to_eof);
	tcase_add_test(t, a_missing_file_and_a_directory_have_their_statuses);
	tcase_add_test(t, a_slabinfo_over_a_mebibyte_is_parsed_whole);
	tcase_add_test(t, a_slabinfo_line_too_long_is_a_note);
	tcase_add_test(t, descriptors_are_counted_by_stat_where_procfs_keeps_the_count);
	suite_add_tcase(s, t);
	return s;
}
