"""Fault points named on the command line or in a scenario must exist: a
typo is a usage error (exit 2) that lists the known points, not a run that
silently injects nothing."""


def test_cli_rejects_an_unknown_fault_point(simk, scn):
    r = simk("run", scn("thread t\n  yield\n"), "--quiet", "--fault", "blk/wirte/eio:p=0.5")
    assert r.code == 2, r
    assert "unknown fault point 'blk/wirte/eio'" in r.err and "blk/write/eio" in r.err, r


def test_scenario_rejects_an_unknown_fault_point(simk, scn):
    p = scn("fault kmem/alloc/enomen:nth=1\nthread t\n  yield\n")
    r = simk("run", p, "--quiet")
    assert r.code == 2, r
    assert f"{p}:1:7: unknown fault point 'kmem/alloc/enomen'" in r.err, r


def test_a_known_fault_point_is_accepted(simk, scn):
    r = simk("run", scn("thread t\n  yield\n"), "--quiet", "--fault", "blk/write/eio:p=0.5")
    assert r.code == 0, r


def test_help_faults_lists_every_declared_point(simk):
    r = simk("help", "faults")
    assert r.code == 0, r
    for point in ["kmem/alloc/enomem", "blk/read/eio", "blk/write/eio", "blk/flush/eio",
                  "blk/write/torn", "blk/complete/delay", "blk/complete/lost",
                  "blk/queue/full"]:
        assert f"  {point}\n" in r.out, r.out
