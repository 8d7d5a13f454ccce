"""VFS scenarios (scenarios/vfs/): pipes, O_DIRECT, fsync ordering, fork
sharing an open file's offset, the file calls; explored under random and
PCT schedules, deterministic, and device faults reaching the scenario."""
import pytest

from conftest import SCENARIOS, assert_same_hash_across_builds

VFS = SCENARIOS / "vfs"
ALL = ["pipe-blocking-reader.scn", "pipe-epipe.scn", "odirect.scn", "fsync-ordering.scn",
       "fork-offset.scn", "files.scn", "mount-points.scn", "symlinks.scn",
       "sb-readback-power-cut.scn", "crash-atomic-save.scn"]
# teaching examples of a bug (tests/py/test_exploration.py)
FAILING = ["crash-inplace-save.scn"]


def test_every_vfs_scenario_is_covered():
    assert {p.name for p in VFS.glob("*.scn")} == set(ALL + FAILING)


@pytest.mark.parametrize("scenario", ALL)
def test_passes_with_its_own_options(simk, scenario):
    r = simk("run", VFS / scenario, "--quiet")
    assert r.code == 0 and r.passed, r


@pytest.mark.parametrize("scenario", ALL)
@pytest.mark.parametrize("policy", ["random", "pct"])
def test_passes_under_explored_schedules(simk, scenario, policy):
    r = simk("explore", VFS / scenario, "--runs", 300, "--policy", policy)
    assert r.code == 0, r
    assert "all passed" in r.last


@pytest.mark.parametrize("scenario", ALL)
def test_deterministic(simk, scenario):
    r = simk("check-determinism", VFS / scenario)
    assert r.code == 0, r


@pytest.mark.parametrize("name", ["O0", "asan", "clang"])
@pytest.mark.parametrize("scenario", ["fsync-ordering.scn", "files.scn", "odirect.scn",
                                      "pipe-blocking-reader.scn", "mount-points.scn"])
def test_same_hash_across_builds(simk, name, scenario):
    assert_same_hash_across_builds(simk, name, VFS / scenario)


def test_blocking_reader_wakes_at_the_write(simk, scn):
    """The reader really slept: make it expect to return before the write."""
    text = (VFS / "pipe-blocking-reader.scn").read_text()
    r = simk("run", scn(text.replace("expect t >= 1ms", "expect t < 1ms")), "--quiet")
    assert r.code == 1 and "t < 1ms" in r.last, r


def test_fsync_ordering_sees_both_outcomes(simk, scn):
    """Across seeds the power cut lands before and after the fsync returns;
    the durability checks hold either way (the scenario passes), and each
    outcome does happen (forcing the other one fails some seed)."""
    text = (VFS / "fsync-ordering.scn").read_text()
    for want in ("1", "0"):
        forced = text.replace("  local r = mount\n", f"  expect synced == {want}\n  local r = mount\n")
        assert forced != text
        r = simk("explore", scn(forced), "--runs", 300)
        assert r.code == 1 and f"synced == {want}" in r.last, r


def test_epipe_without_the_signal_check_still_reports_sigpipe(simk, scn):
    text = (VFS / "pipe-epipe.scn").read_text()
    r = simk("run", scn(text.replace("expect r == SIGPIPE", "expect r == 0")), "--quiet")
    assert r.code == 1 and "(13 == 0" in r.last, r


def test_device_write_errors_reach_the_scenario(simk):
    """Every device write fails: the filesystem cannot be made, open -EIO."""
    r = simk("run", VFS / "odirect.scn", "--fault", "blk/write/eio:p=1", "--quiet")
    assert r.code == 1 and "fd >= 0 (-5 >= 0" in r.last, r


def test_device_faults_never_break_the_kernel(simk):
    """Under random read/write/flush errors, lost interrupts and a full queue
    the scenario may fail its expectations, but never panics or leaks."""
    for fault in ("blk/read/eio:p=0.2", "blk/write/eio:p=0.1", "blk/flush/eio:p=0.3",
                  "blk/complete/lost:p=0.1", "blk/queue/full:p=0.5", "blk/write/torn:p=0.3",
                  "kmem/alloc/enomem:p=0.05"):
        for scenario in ("files.scn", "odirect.scn", "fsync-ordering.scn"):
            r = simk("explore", VFS / scenario, "--runs", 40, "--fault", fault)
            assert r.code in (0, 1), (fault, scenario, r)


def test_ops_are_listed(simk):
    r = simk("help", "ops")
    assert r.code == 0
    for op in ("open", "pread", "pwrite", "fsync", "pipe", "power_cut", "expect_file",
               "buf_pattern", "device", "fs", "buffer"):
        assert op in r.out, op


@pytest.mark.parametrize("opts", ["block=3", "block=256", "block=8192 inodes=1", "cache=3",
                                  "block=-4096"])
def test_bad_fs_options_fail_the_declaration(simk, scn, opts):
    """Options vfs_mount would refuse are reported at the `fs` line before
    any thread runs, not as -EINVAL from the first file operation."""
    p = scn(f"device disk capacity=4096\nfs root disk {opts}\nthread t\n"
            "  local fd = open \"/x\" O_CREAT + O_RDWR\n  expect fd >= 0\n")
    r = simk("run", p, "--quiet")
    assert r.code == 2 and r.m is None, r
    assert f"{p}:2:4: cannot create fs root: Invalid argument" in r.err, r.err


def test_unmount_with_nothing_mounted_is_einval(simk, scn):
    p = scn("device disk capacity=4096\nfs root disk\nthread t\n  local r = unmount\n"
            "  expect r == -EINVAL\n  local fd = open \"/x\" O_CREAT + O_RDWR\n"
            "  r = unmount\n  expect r == -EBUSY\n  r = close fd\n  r = unmount\n"
            "  expect r == 0\n  r = unmount\n  expect r == -EINVAL\n")
    r = simk("run", p, "--quiet")
    assert r.code == 0 and r.passed, r


def test_two_fs_on_one_device_fail_the_declaration(simk, scn):
    p = scn("device disk capacity=4096\nfs root disk\nfs other disk\nthread t\n"
            "  local r = 0\n")
    r = simk("run", p, "--quiet")
    assert r.code == 2 and r.m is None, r
    assert f"{p}:3:4: cannot create fs other: Device or resource busy" in r.err, r.err


def test_more_than_eight_fs_fail_the_declaration(simk, scn):
    decls = "".join(f"device d{i} capacity=2048\nfs f{i} d{i}\n" for i in range(9))
    p = scn(decls + "thread t\n  local r = 0\n")
    r = simk("run", p, "--quiet")
    assert r.code == 2 and r.m is None, r
    assert f"{p}:18:4: cannot create fs f8: No space left on device" in r.err, r.err


def test_mount_elsewhere_mounts_root_first_and_unmount_paths(simk, scn):
    """`mount FS PATH` before any file operation mounts "/" first; a path
    that is no mounted root cannot be unmounted; "/" goes last."""
    p = scn("device disk capacity=4096\ndevice disk2 capacity=2048\nfs root disk\n"
            "fs data disk2\nthread t\n"
            "  local r = mount data \"/nope\"\n  expect r == -ENOENT\n"
            "  r = mkdir \"/m\"\n  r = mount data \"/m\"\n  expect r == 0\n"
            "  r = mount data \"/m\"\n  expect r == -EBUSY\n"
            "  r = unmount \"/m/..\"\n  expect r == -EBUSY\n"
            "  r = mkdir \"/m/sub\"\n  r = unmount \"/m/sub\"\n  expect r == -EINVAL\n"
            "  r = unmount \"/m\"\n  expect r == 0\n  r = unmount\n  expect r == 0\n"
            "  r = mount data \"/m\"\n  expect r == -EINVAL\n")
    r = simk("run", p, "--quiet")
    assert r.code == 0 and r.passed, r


def test_a_refused_first_mount_does_not_count(simk, scn):
    """The first file operation's mount of "/" fails (the format's first
    write): the operations after it do not try again (nothing is mounted),
    and a later `mount` still formats as declared instead of recovering a
    device that was never formatted."""
    p = scn("fault blk/write/eio:nth=1\ndevice disk capacity=4096\nfs root disk\nthread t\n"
            "  local fd = open \"/x\" O_CREAT + O_RDWR\n  expect fd == -EIO\n"
            "  fd = open \"/x\" O_CREAT + O_RDWR\n  expect fd == -ENOENT\n"
            "  local r = mount\n  expect r == 0\n"
            "  fd = open \"/x\" O_CREAT + O_RDWR\n  expect fd >= 0\n")
    r = simk("run", p, "--quiet")
    assert r.code == 0 and r.passed, r


def test_mount_elsewhere_reports_the_root_mount_error(simk, scn):
    """`mount FS PATH` mounts "/" first; when that fails, its errno is the
    result (here a never-formatted device declared format=0)."""
    p = scn("device disk capacity=4096\ndevice disk2 capacity=2048\nfs root disk format=0\n"
            "fs data disk2\nthread t\n"
            "  local r = mount data \"/m\"\n  expect r == -EUCLEAN\n")
    r = simk("run", p, "--quiet")
    assert r.code == 0 and r.passed, r


def test_power_cut_kills_every_mounted_fs_and_each_recovers(simk, scn):
    """`power_cut` is the machine's: the filesystem mounted on /m dies too
    (its open file gives -EIO); `mount` recovers "/" and then /m."""
    p = scn("device disk capacity=4096\ndevice disk2 capacity=2048\nfs root disk\n"
            "fs data disk2\nthread t\n"
            "  local r = mkdir \"/m\"\n  local fd = open \"/keep\" O_CREAT + O_RDWR\n"
            "  r = fsync fd\n  expect r == 0\n  r = close fd\n"
            "  r = mount data \"/m\"\n  expect r == 0\n"
            "  fd = open \"/m/f\" O_CREAT + O_RDWR\n  r = fsync fd\n  expect r == 0\n"
            "  local cut = power_cut\n  r = fsync fd\n  expect r == -EIO\n  r = close fd\n"
            "  r = mount data \"/m\"\n  expect r == -EINVAL\n"
            "  r = mount\n  expect r == 0\n  r = stat \"/m/f\"\n  expect r == -ENOENT\n"
            "  r = mount data \"/m\"\n  expect r == 0\n  r = stat \"/m/f\"\n  expect r == 0\n")
    r = simk("run", p, "--quiet")
    assert r.code == 0 and r.passed, r


def test_fsynced_file_survives_a_commit_of_unknown_outcome_and_a_torn_cut(simk):
    """sb-readback-power-cut.scn: commits whose superblock reached the disk
    but could not be read back (blk/read/eio) no longer let the next commit
    write over the tree the disk's newest superblock points to; /base,
    fsync'd before any fault, survives a torn power cut and the remount
    (2 seeds in 400 lost it: the remount was -EIO)."""
    for policy in ("random", "pct"):
        r = simk("explore", VFS / "sb-readback-power-cut.scn", "--runs", 400, "--policy", policy)
        assert r.code == 0 and "all passed" in r.last, r


def test_the_readback_scenario_meets_commits_of_unknown_outcome(simk):
    """The scenario above exercises the path it is about: some seed has a
    commit whose superblock write was sent and whose outcome is unknown
    (`vfs:commit_unknown`), and the filesystem keeps that tree."""
    for seed in range(1, 200):
        r = simk("run", VFS / "sb-readback-power-cut.scn", "--seed", seed)
        assert r.code == 0, r
        if "vfs:commit_unknown" in r.out:
            assert "vfs:keep_unknown_tree" in r.out
            return
    pytest.fail("no commit of unknown outcome in 200 seeds")


@pytest.mark.parametrize("policy", ["random", "pct", "fifo"])
def test_power_cut_at_any_moment_of_the_first_mount_stops_it(simk, scn, policy):
    """The cut lands anywhere in the format of the first mount (device
    timing varies by seed), also between two of its requests: the mount
    fails with -EIO or had finished before; the next `mount` formats again
    or recovers, never -EBUSY (the format used to go on after the cut and
    leave the filesystem mounted)."""
    p = scn("device disk capacity=4096 latency=10us latency_max=100us\nfs root disk\n"
            "shared cut = 0\n"
            "thread a\n  local r = mount\n  expect r == 0 || r == -EIO\n"
            "  while cut == 0\n    delay 10us\n"
            "  r = mount\n  expect r == 0\n"
            "  local fd = open \"/x\" O_CREAT + O_RDWR\n  expect fd >= 0\n"
            "  r = fsync fd\n  expect r == 0\n"
            "thread b\n  delay 150us\n  local t = power_cut\n  cut = 1\n")
    r = simk("explore", p, "--runs", 400, "--policy", policy)
    assert r.code == 0 and "all passed" in r.last, r


FIRST_MOUNT_RACE = """device disk latency=20us latency_max=200us
fs root disk

thread a
  local fd = open "/a" O_CREAT + O_RDWR
  expect fd >= 0
  local r = fsync fd
  expect r == 0

thread b
  local fd = open "/b" O_CREAT + O_RDWR
  expect fd >= 0

thread c
  local ctx = io_setup 4
  local fd = open "/c" O_CREAT + O_RDWR + O_DIRECT
  expect fd >= 0
  local cb = iocb IOCB_CMD_PWRITE fd len=4096
  local r = io_submit ctx cb
  expect r == 1
  r = io_getevents ctx 1 1
  expect r == 1
  r = io_destroy ctx

thread d
  local r = mkdir "/dir"
  expect r == 0
  r = stat "/dir"
  expect r == 0
"""


@pytest.mark.parametrize("policy", ["fifo", "random", "pct"])
def test_every_thread_waits_for_the_first_mount(simk, scn, policy):
    """The first file operation mounts "/" and sleeps on its I/O; the file
    operations of the other threads wait for that mount instead of finding
    nothing mounted (open -ENOENT, io_submit -EBADF, even under fifo)."""
    r = simk("explore", scn(FIRST_MOUNT_RACE), "--runs", 300, "--policy", policy)
    assert r.code == 0 and "all passed" in r.last, r


def test_threads_waiting_for_a_failed_first_mount_get_its_error(simk, scn):
    """The first mount fails (the format's first write): every thread that
    waited for it gets its -EIO; an operation after it finds nothing
    mounted (a refused implicit mount is not retried)."""
    p = scn("fault blk/write/eio:nth=1\ndevice disk latency=20us\nfs root disk\n"
            "shared done = 0\n"
            "thread a\n  local fd = open \"/a\" O_CREAT + O_RDWR\n  expect fd == -EIO\n"
            "  done += 1\n"
            "thread b\n  local fd = open \"/b\" O_CREAT + O_RDWR\n  expect fd == -EIO\n"
            "  done += 1\n"
            "thread late\n  while done < 2\n    delay 10us\n"
            "  local fd = open \"/c\" O_CREAT + O_RDWR\n  expect fd == -ENOENT\n")
    r = simk("run", p, "--quiet")
    assert r.code == 0 and r.passed, r


@pytest.mark.parametrize("policy", ["random", "pct"])
def test_a_buffered_write_into_a_hole_a_direct_write_is_filling_waits(simk, scn, policy):
    """A direct write into a hole allocates its block and links it when it
    completes; a buffered write to the same block through another
    descriptor meanwhile allocated a second block, and the direct write's
    completion panicked (KASSERT "direct write raced an allocation"). It
    now waits for the direct write, as a second direct write does."""
    p = scn("device disk latency=100us\nfs root disk\nbuffer b 4096\nbuffer c 100 fill=7\n"
            "thread a\n  local fd = open \"/f\" O_CREAT + O_RDWR + O_DIRECT\n"
            "  local r = pwrite fd b 4096 8192\n  expect r == 4096\n"
            "thread w\n  delay 50us\n  local fd = open \"/f\" O_RDWR\n"
            "  if fd >= 0\n    local r = pwrite fd c 100 8192\n    expect r == 100\n"
            "finally\n  local s = 0\n  local r = stat \"/f\" size=s\n  expect s == 12288\n")
    r = simk("explore", p, "--runs", 300, "--policy", policy)
    assert r.code == 0 and "all passed" in r.last, r


def test_power_cut_during_the_first_mount_fails_it(simk, scn):
    """Nothing is mounted yet while "/" is being formatted: `power_cut`
    cuts the first filesystem's device, tearing the write in flight, and
    the mount fails with -EIO."""
    p = scn("device disk capacity=4096 latency=20us\nfs root disk\n"
            "thread a\n  local r = mount\n  expect r == -EIO\n"
            "thread b\n  delay 10us\n  local t = power_cut tear=1\n  expect t >= 0\n")
    r = simk("run", p, "--quiet")
    assert r.code == 0 and r.passed, r
