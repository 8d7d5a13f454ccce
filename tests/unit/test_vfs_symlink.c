/* VFS: symbolic links — symlink, readlink, lstat and path lookup through
 * links (chains, loops, dangling links, relative targets, intermediate
 * components), O_NOFOLLOW, and their durability. */
#include "scn_test.h"
#include "vfs_test.h"

/* readlink through the system call: the bytes land in user memory. */
static ssize_t vt_readlink(const char *path, char *out, size_t len)
{
	uaddr_t ub = vt_ubuf(len ? len : 1);
	ssize_t r = simk_readlink(vt_ustr(path), ub, len);
	if (r > 0)
		vt_uget(ub, out, (size_t)r);
	return r;
}

static void t_basic(void *arg)
{
	(void)arg;
	vt_setup();
	int fd = vt_open("/f", O_CREAT | O_RDWR, 0644);
	VEQ(vt_write_str(fd, "hello"), 5);
	VEQ(simk_symlink(vt_ustr("/f"), vt_ustr("/l")), 0);
	VEQ(simk_symlink(vt_ustr("/f"), vt_ustr("/l")), -EEXIST);
	VEQ(simk_symlink(vt_ustr("/x"), vt_ustr("/f")), -EEXIST);
	VEQ(simk_symlink(vt_ustr(""), vt_ustr("/e")), -ENOENT);
	VEQ(simk_symlink(vt_ustr("/f"), vt_ustr("/nodir/l")), -ENOENT);
	char buf[64] = {0};
	VEQ(vt_readlink("/l", buf, sizeof(buf)), 2);
	VCHECK(memcmp(buf, "/f", 2) == 0);
	memset(buf, 0, sizeof(buf));
	VEQ(vt_readlink("/l", buf, 1), 1); /* truncated, no NUL */
	VEQ(buf[0], '/');
	VEQ(buf[1], 0);
	VEQ(vt_readlink("/f", buf, sizeof(buf)), -EINVAL);
	VEQ(vt_readlink("/", buf, sizeof(buf)), -EINVAL);
	VEQ(vt_readlink("/l", buf, 0), -EINVAL);
	VEQ(vt_readlink("/missing", buf, sizeof(buf)), -ENOENT);
	/* stat follows, lstat does not */
	struct simk_stat st, lst;
	VEQ(vt_stat("/l", &st), 0);
	VEQ(st.st_mode, SIMK_S_IFREG | 0644);
	VEQ(st.st_size, 5);
	uaddr_t ust = vt_ubuf(sizeof(lst));
	VEQ(simk_lstat(vt_ustr("/l"), ust), 0);
	vt_uget(ust, &lst, sizeof(lst));
	VEQ(lst.st_mode, SIMK_S_IFLNK | 0777);
	VEQ(lst.st_size, 2);
	VEQ(lst.st_nlink, 1);
	VCHECK(lst.st_ino != st.st_ino);
	VEQ(simk_lstat(vt_ustr("/f"), ust), 0); /* lstat of a non-link is stat */
	vt_uget(ust, &lst, sizeof(lst));
	VEQ(lst.st_ino, st.st_ino);
	VEQ(simk_lstat(vt_ustr("/missing"), ust), -ENOENT);
	/* open through the link reads the target */
	int lfd = vt_open("/l", O_RDONLY, 0);
	VCHECK(lfd >= 0);
	VEQ(vt_pread(lfd, buf, sizeof(buf), 0), 5);
	VCHECK(memcmp(buf, "hello", 5) == 0);
	VEQ(vt_fstat(lfd).st_ino, st.st_ino);
	VEQ(simk_close(lfd), 0);
	VEQ(vt_open("/l", O_RDONLY | O_NOFOLLOW, 0), -ELOOP);
	VEQ(vt_open("/l", O_CREAT | O_EXCL | O_RDWR, 0644), -EEXIST);
	/* chmod follows */
	VEQ(simk_chmod(vt_ustr("/l"), 0600), 0);
	VEQ(vt_stat("/f", &st), 0);
	VEQ(st.st_mode, SIMK_S_IFREG | 0600);
	/* unlink removes the link, not the target */
	VEQ(simk_unlink(vt_ustr("/l")), 0);
	VEQ(vt_stat("/f", &st), 0);
	VEQ(st.st_nlink, 1);
	VEQ(vt_readlink("/l", buf, sizeof(buf)), -ENOENT);
	VEQ(simk_close(fd), 0);
}

Test(vfs_symlink, symlink_readlink_lstat_and_what_follows)
{
	VT_RUN1(t_basic);
}

static void t_lookup(void *arg)
{
	(void)arg;
	vt_setup();
	struct simk_stat st, want;
	VEQ(simk_mkdir(vt_ustr("/a"), 0755), 0);
	VEQ(simk_mkdir(vt_ustr("/a/b"), 0755), 0);
	VEQ(simk_close(vt_open("/a/b/f", O_CREAT | O_RDWR, 0644)), 0);
	VEQ(vt_stat("/a/b/f", &want), 0);
	/* an intermediate component: /d -> /a/b, so /d/f is /a/b/f */
	VEQ(kvfs_symlink("/a/b", "/d"), 0);
	VEQ(vt_stat("/d/f", &st), 0);
	VEQ(st.st_ino, want.st_ino);
	VEQ(vt_stat("/d/", &st), 0); /* a trailing slash follows the link */
	VCHECK((st.st_mode & SIMK_S_IFMT) == SIMK_S_IFDIR);
	/* ".." after a link is the target's parent (physical walk) */
	VEQ(vt_stat("/d/../b/f", &st), 0);
	VEQ(st.st_ino, want.st_ino);
	/* relative targets resolve from the link's directory */
	VEQ(kvfs_symlink("b/f", "/a/rel"), 0);
	VEQ(vt_stat("/a/rel", &st), 0);
	VEQ(st.st_ino, want.st_ino);
	VEQ(kvfs_symlink("../b/f", "/a/b/up"), 0);
	VEQ(vt_stat("/a/b/up", &st), 0);
	VEQ(st.st_ino, want.st_ino);
	VEQ(kvfs_symlink(".", "/a/b/self"), 0);
	VEQ(vt_stat("/a/b/self/self/f", &st), 0);
	VEQ(st.st_ino, want.st_ino);
	/* a chain: c1 -> c2 -> c3 -> /a/b/f, and through a relative link to a dir */
	VEQ(kvfs_symlink("/c2", "/c1"), 0);
	VEQ(kvfs_symlink("c3", "/c2"), 0);
	VEQ(kvfs_symlink("/d/f", "/c3"), 0);
	VEQ(vt_stat("/c1", &st), 0);
	VEQ(st.st_ino, want.st_ino);
	/* a file in a component that is a link to a file is ENOTDIR */
	VEQ(vt_stat("/c1/x", &st), -ENOTDIR);
	VEQ(vt_stat("/c1/", &st), -ENOTDIR);
	/* dangling: ENOENT when followed, the link itself with lstat */
	VEQ(kvfs_symlink("/a/none", "/dang"), 0);
	VEQ(vt_stat("/dang", &st), -ENOENT);
	VEQ(kvfs_lstat("/dang", &st), 0);
	VEQ(st.st_mode & SIMK_S_IFMT, SIMK_S_IFLNK);
	VEQ(vt_stat("/dang/x", &st), -ENOENT);
	VEQ(kvfs_symlink("/nodir/x", "/dang2"), 0);
	VEQ(vt_open("/dang2", O_CREAT | O_RDWR, 0644), -ENOENT);
	/* O_CREAT through a dangling link creates its target */
	int fd = vt_open("/dang", O_CREAT | O_RDWR, 0644);
	VCHECK(fd >= 0);
	VEQ(simk_close(fd), 0);
	VEQ(vt_stat("/a/none", &st), 0);
	VEQ(vt_stat("/dang", &want), 0);
	VEQ(st.st_ino, want.st_ino);
	/* mkdir on a link's name is EEXIST, rmdir of a link ENOTDIR */
	VEQ(simk_mkdir(vt_ustr("/d"), 0755), -EEXIST);
	VEQ(simk_rmdir(vt_ustr("/d")), -ENOTDIR);
	/* rename moves the link itself; its relative target moves with it */
	VEQ(kvfs_rename("/a/rel", "/rel"), 0);
	VEQ(vt_stat("/rel", &st), -ENOENT); /* "b/f" from / does not exist */
	char buf[16];
	VEQ(kvfs_readlink("/rel", buf, sizeof(buf)), 3);
	VEQ(vt_stat("/a/b/f", &want), 0);
	VEQ(want.st_nlink, 1); /* renaming the link did not touch the file */
}

Test(vfs_symlink, lookup_follows_chains_intermediate_and_relative_links)
{
	VT_RUN1(t_lookup);
}

static void t_loops(void *arg)
{
	(void)arg;
	vt_setup();
	struct simk_stat st;
	VEQ(kvfs_symlink("/self", "/self"), 0);
	VEQ(vt_stat("/self", &st), -ELOOP);
	VEQ(vt_stat("/self/x", &st), -ELOOP);
	VEQ(vt_open("/self", O_CREAT | O_RDWR, 0644), -ELOOP);
	VEQ(kvfs_lstat("/self", &st), 0);
	VEQ(kvfs_symlink("l2", "/l1"), 0);
	VEQ(kvfs_symlink("l1", "/l2"), 0);
	VEQ(vt_stat("/l1", &st), -ELOOP);
	struct vnode *vn;
	VEQ(vfs_lookup("/l2", &vn), -ELOOP);
	VEQ(vfs_lookup_flags("/l2", false, &vn), 0);
	vn_rele(vn);
	VEQ(simk_unlink(vt_ustr("/l1")), 0); /* a loop can be removed */
	VEQ(vt_stat("/l2", &st), -ENOENT);
	/* a chain of exactly 40 links resolves, 41 is ELOOP */
	VEQ(simk_close(vt_open("/end", O_CREAT | O_RDWR, 0644)), 0);
	char name[16], target[16];
	for (int i = 1; i <= 41; i++) {
		snprintf(name, sizeof(name), "/n%d", i);
		if (i == 1)
			snprintf(target, sizeof(target), "/end");
		else
			snprintf(target, sizeof(target), "n%d", i - 1);
		VEQ(kvfs_symlink(target, name), 0);
	}
	VEQ(vt_stat("/n40", &st), 0);
	VEQ(vt_stat("/n41", &st), -ELOOP);
	VEQ(kvfs_lstat("/n41", &st), 0);
	/* a target that would make the path too long */
	char longt[VFS_PATH_MAX + 1];
	memset(longt, 'a', sizeof(longt));
	longt[VFS_PATH_MAX] = '\0'; /* 1024 bytes: no room for the NUL */
	VEQ(kvfs_symlink(longt, "/toolong"), -ENAMETOOLONG);
	longt[VFS_PATH_MAX - 1] = '\0'; /* 1023 bytes: fits */
	VEQ(kvfs_symlink(longt, "/long"), 0);
	VEQ(vt_stat("/long/x", &st), -ENAMETOOLONG);
}

Test(vfs_symlink, loops_and_long_chains_are_eloop_long_targets_enametoolong)
{
	VT_RUN1(t_loops);
}

/* Links and targets survive a power cut after fsync, with every block size
 * (a 1022-byte target spans two 512-byte blocks); unsynced links may go
 * but never come back damaged. */
static void t_durable(void *arg)
{
	(void)arg;
	vt_setup();
	char longt[VFS_PATH_MAX];
	memset(longt, 'z', sizeof(longt));
	longt[0] = '/';
	longt[VFS_PATH_MAX - 2] = '\0';
	VEQ(simk_mkdir(vt_ustr("/d"), 0755), 0);
	int fd = vt_open("/d/f", O_CREAT | O_RDWR, 0644);
	VEQ(kvfs_symlink("f", "/d/rel"), 0);
	VEQ(kvfs_symlink(longt, "/long"), 0);
	VEQ(kvfs_symlink("/d", "/dl"), 0);
	VEQ(simk_fsync(fd), 0);
	VEQ(simk_close(fd), 0);
	VEQ(kvfs_symlink("/d/f", "/late"), 0); /* never synced */
	vt_crash_remount(0);
	struct simk_stat st, want;
	VEQ(vt_stat("/d/f", &want), 0);
	VEQ(vt_stat("/dl/rel", &st), 0);
	VEQ(st.st_ino, want.st_ino);
	char buf[VFS_PATH_MAX];
	VEQ(kvfs_readlink("/long", buf, sizeof(buf)), VFS_PATH_MAX - 2);
	VCHECK(memcmp(buf, longt, VFS_PATH_MAX - 2) == 0);
	VEQ(kvfs_lstat("/long", &st), 0);
	VEQ(st.st_size, VFS_PATH_MAX - 2);
	VEQ(st.st_mode, SIMK_S_IFLNK | 0777);
	int r = kvfs_readlink("/late", buf, sizeof(buf));
	VCHECK(r == -ENOENT || (r == 4 && memcmp(buf, "/d/f", 4) == 0));
	/* unlink a durable link, sync, cut: it stays gone and its blocks come back */
	struct vfs_stats s0 = vt_stats();
	VEQ(simk_unlink(vt_ustr("/long")), 0);
	fd = vt_open("/d/f", O_RDWR, 0);
	VEQ(simk_fsync(fd), 0);
	VEQ(simk_close(fd), 0);
	vt_crash_remount(0);
	VEQ(kvfs_lstat("/long", &st), -ENOENT);
	VCHECK(vt_stats().free_blocks > s0.free_blocks);
	VEQ(vt_stat("/dl/rel", &st), 0);
}

static void run_durable(uint32_t bsize)
{
	vt_config_default();
	vt_cfg.mnt.block_size = bsize;
	struct simk *s = vt_sim(1);
	simk_thread_create(simk_proc_create(s, "p"), "t", t_durable, NULL);
	VT_RUN_PASS(s);
	simk_destroy(s);
}

Test(vfs_symlink, links_survive_a_power_cut_after_fsync_512)
{
	run_durable(512);
}

Test(vfs_symlink, links_survive_a_power_cut_after_fsync_4096)
{
	run_durable(4096);
}

/* The scenario ops symlink, readlink and lstat, and the constants. */
static const char scn_symlink[] = "seed 1\n"
				  "device disk capacity=4096 latency=20us\n"
				  "fs root disk block=512\n"
				  "buffer b 100\n"
				  "thread t\n"
				  "  local r = mkdir \"/d\"\n"
				  "  local fd = open \"/d/f\" O_CREAT + O_RDWR\n"
				  "  r = write fd b 10\n"
				  "  expect r == 10\n"
				  "  r = symlink \"f\" \"/d/l\"\n"
				  "  expect r == 0\n"
				  "  r = symlink \"/d\" \"/dl\"\n"
				  "  expect r == 0\n"
				  "  r = symlink \"x/../../nope\" \"/dang\"\n"
				  "  expect r == 0\n"
				  "  r = symlink \"/loop2\" \"/loop1\"\n"
				  "  r = symlink \"/loop1\" \"/loop2\"\n"
				  "  local sz\n"
				  "  r = stat \"/dl/l\" size=sz\n"
				  "  expect r == 0\n"
				  "  expect sz == 10\n"
				  "  local m\n"
				  "  r = lstat \"/dl/l\" mode=m size=sz\n"
				  "  expect r == 0\n"
				  "  expect sz == 1\n"
				  "  expect m == S_IFLNK + 0x1ff\n"
				  "  r = readlink \"/dl/l\"\n"
				  "  expect r == 1\n"
				  "  r = readlink \"/d/f\"\n"
				  "  expect r == -EINVAL\n"
				  "  r = stat \"/dang\"\n"
				  "  expect r == -ENOENT\n"
				  "  r = stat \"/loop1\"\n"
				  "  expect r == -ELOOP\n"
				  "  r = open \"/dl/l\" O_RDONLY + O_NOFOLLOW\n"
				  "  expect r == -ELOOP\n"
				  "  r = fsync fd\n"
				  "  expect r == 0\n"
				  "  r = close fd\n"
				  "  r = power_cut\n"
				  "  r = mount\n"
				  "  expect r == 0\n"
				  "  r = stat \"/dl/l\" size=sz\n"
				  "  expect r == 0\n"
				  "  expect sz == 10\n"
				  "  r = readlink \"/loop2\" len=3\n"
				  "  expect r == 3\n"
				  "  r = unlink \"/dl/l\"\n"
				  "  expect r == 0\n"
				  "  r = stat \"/d/f\"\n"
				  "  expect r == 0\n";

Test(vfs_symlink, scenario_ops_symlink_readlink_lstat)
{
	assert_passes(scn_symlink);
	/* the ops return what they claim: a wrong expectation fails */
	char *bad = strdup(scn_symlink);
	char *at = strstr(bad, "  r = readlink \"/dl/l\"\n  expect r == 1");
	cr_assert_not_null(at);
	at = strstr(at, "== 1");
	at[3] = '2';
	struct scn_result r = scn_run_text(bad);
	cr_assert_eq(r.out, SIMK_FAIL_EXPECT, "outcome %d: %s", r.out, r.reason);
	cr_assert(strstr(r.reason, "r == 2") != NULL, "%s", r.reason);
	free(bad);
}

/* A trailing slash after a link: the calls that look a name up follow it
 * (stat, lstat, readlink), those that make or remove the entry do not —
 * the link itself is not a directory, so rmdir, unlink and rename say
 * ENOTDIR and mkdir and symlink EEXIST (Linux); the directory it points
 * to is untouched. lstat reports the link's own type. */
static void t_trailing_slash(void *arg)
{
	(void)arg;
	vt_setup();
	VEQ(kvfs_mkdir("/d", 0755), 0);
	VEQ(kvfs_symlink("/d", "/l"), 0);
	int fd = vt_open("/f", O_CREAT | O_RDWR, 0644);
	VEQ(simk_close(fd), 0);
	VEQ(kvfs_rmdir("/l/"), -ENOTDIR);
	VEQ(kvfs_unlink("/l/"), -ENOTDIR);
	VEQ(kvfs_rename("/l/", "/m"), -ENOTDIR);
	VEQ(kvfs_rename("/f", "/l/"), -ENOTDIR);
	VEQ(kvfs_mkdir("/l/", 0755), -EEXIST);
	VEQ(kvfs_mkdir("/f/", 0755), -EEXIST);
	VEQ(kvfs_symlink("/x", "/l/"), -EEXIST);
	VEQ(kvfs_link("/f", "/l/"), -ENOTDIR);
	struct simk_stat st;
	VEQ(kvfs_stat("/d", &st), 0); /* still there */
	VEQ(st.st_type, FT_DIR);
	VEQ(kvfs_lstat("/l/", &st), 0); /* the slash follows: the directory */
	VEQ(st.st_type, FT_DIR);
	VEQ(kvfs_lstat("/l", &st), 0);
	VEQ(st.st_type, FT_SYMLINK);
	VEQ(st.st_mode & SIMK_S_IFMT, SIMK_S_IFLNK);
	char buf[8];
	VEQ(kvfs_readlink("/l/", buf, sizeof(buf)), -EINVAL); /* the directory is no link */
	/* a lookup through "link/" follows it: link's source is the
	 * directory (EPERM), open with O_NOFOLLOW opens it */
	VEQ(kvfs_link("/l/", "/n"), -EPERM);
	fd = vt_open("/l/", O_RDONLY | O_NOFOLLOW, 0);
	VCHECK(fd >= 0);
	VEQ(vt_fstat(fd).st_type, FT_DIR);
	VEQ(simk_close(fd), 0);
	/* a directory renamed onto "link/" does not replace its target */
	VEQ(kvfs_mkdir("/e", 0755), 0);
	VEQ(kvfs_rename("/e", "/l/"), -ENOTDIR);
	VEQ(kvfs_stat("/e", &st), 0);
	VEQ(kvfs_stat("/d", &st), 0);
	/* a dangling link with a slash is an existing name to mkdir and
	 * symlink: its target is not created */
	VEQ(kvfs_symlink("/nowhere", "/dl"), 0);
	VEQ(kvfs_mkdir("/dl/", 0755), -EEXIST);
	VEQ(kvfs_symlink("/x", "/dl/"), -EEXIST);
	VEQ(kvfs_lstat("/nowhere", &st), -ENOENT);
	/* below a file: -ENOTDIR (no entry exists to be EEXIST) */
	VEQ(kvfs_mkdir("/f/x", 0755), -ENOTDIR);
	VEQ(kvfs_symlink("/x", "/f/y"), -ENOTDIR);
	/* without the slash the entry calls name the link itself */
	VEQ(kvfs_rmdir("/l"), -ENOTDIR);
	VEQ(kvfs_rename("/l", "/m"), 0);
	VEQ(kvfs_unlink("/m"), 0);
	VEQ(kvfs_stat("/d", &st), 0);
	VEQ(kvfs_rmdir("/d/"), 0);
}

Test(vfs_symlink, a_trailing_slash_after_a_link_follows_it_only_for_lookups)
{
	VT_RUN1(t_trailing_slash);
}
