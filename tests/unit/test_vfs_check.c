/* VFS: vfs_check() passes on a busy filesystem (writes, a commit, direct
 * writes in flight) and catches each kind of corruption of the block
 * allocator against the tree, and of the file accounting. */
#include "vfs_test.h"

#include "vfs/simfs.h"
#include "vfs/vfs_priv.h"

/* A file of two blocks (4 KiB each by default); its vnode. */
static struct vnode *two_block_file(void)
{
	vt_setup();
	int fd = vt_open("/f", O_CREAT | O_RDWR, 0644);
	static uint8_t data[8192];
	VEQ(vt_pwrite(fd, data, sizeof(data), 0), (ssize_t)sizeof(data));
	struct file *fp;
	VEQ(fd_get(sim_proc_current(), fd, &fp), 0);
	struct vnode *vn = fp->vnode;
	file_put(fp);
	VCHECK(vn->map[0] != 0);
	VCHECK(vn->map[1] != 0);
	vt_check_all(); /* consistent: no false alarm */
	return vn;
}

static void t_sane(void *arg)
{
	(void)arg;
	two_block_file();
	int fd = vt_open("/f", O_RDWR, 0);
	VEQ(sys_fsync(fd), 0);
	vt_check_all();
	VEQ(sys_ftruncate(fd, 100), 0);
	vt_check_all();
	VEQ(sys_unlink(vt_ustr("/f")), 0);
	VEQ(sys_close(fd), 0);
	vt_check_all();
}

Test(vfs_check, passes_through_writes_commits_truncate_and_unlink)
{
	VT_RUN1(t_sane);
}

static void t_lost_block(void *arg)
{
	(void)arg;
	struct vnode *vn = two_block_file();
	vn->fs->mem_map[vn->map[1]] = 0; /* the tree uses it, the allocator says free */
	vt_check_all();
}

Test(vfs_check, catches_a_used_block_the_allocator_thinks_free)
{
	vt_run_expect_check_failure(t_lost_block, "is free in the allocator but used by the tree");
}

static void t_leaked_block(void *arg)
{
	(void)arg;
	struct simfs *fs = two_block_file()->fs;
	uint32_t b = fs->nblocks - 1; /* the last block: free on a nearly empty disk */
	VCHECK(!fs->mem_map[b]);
	fs->mem_map[b] = 1;
	fs->nbusy++;
	vt_check_all();
}

Test(vfs_check, catches_a_busy_block_nothing_uses)
{
	vt_run_expect_check_failure(t_leaked_block,
				    "is busy in the allocator but unused by the tree");
}

static void t_shared_block(void *arg)
{
	(void)arg;
	struct vnode *vn = two_block_file();
	vn->map[1] = vn->map[0];
	vt_check_all();
}

Test(vfs_check, catches_a_block_mapped_twice)
{
	vt_run_expect_check_failure(t_shared_block, "used twice (again as a mapped block of inode");
}

static void t_nbusy(void *arg)
{
	(void)arg;
	two_block_file()->fs->nbusy--;
	vt_check_all();
}

Test(vfs_check, catches_a_busy_count_off_by_one)
{
	vt_run_expect_check_failure(t_nbusy, "blocks busy, nbusy");
}

static void t_files(void *arg)
{
	(void)arg;
	two_block_file();
	vfs_st()->files_live++;
	vt_check_all();
}

Test(vfs_check, catches_file_accounting_drift)
{
	vt_run_expect_check_failure(t_files, "1 files listed, files_live 2");
}
