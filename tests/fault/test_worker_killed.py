"""(c) A worker killed (SIGKILL) in the middle of an analysis: the half-done analysis
rolls back and the task runs again (late ack; reject_on_worker_lost), once.

The worker is `tests.fault.slow_worker`: the project's worker with an analysis that
pauses inside its transaction, so the kill lands mid-analysis."""

import os
import signal
import time

import pytest

from tests.fault import harness

pytestmark = [pytest.mark.fault, pytest.mark.time_limit(120)]


def _setup(fault_db, logdir, **extra):
    port = harness.free_port()
    redis = harness.start_redis(port, logdir)
    marks = logdir / "marks"
    marks.mkdir()
    env = harness.base_env(
        fault_db["url"], f"redis://127.0.0.1:{port}/0", LEXLOCI_FAULT_MARKS=str(marks), LEXLOCI_FAULT_DELAY="4", **extra
    )
    app = harness.App(env, logdir)
    app.procs["redis"] = redis
    return app, marks, f"FAULT-C-{port}-"


def _started(marks, case_id: int) -> list[int]:
    """The pids that began analysing this case, in order."""
    found = sorted(marks.glob(f"started-*-{case_id}-*"), key=lambda p: int(p.name.rsplit("-", 1)[1]))
    return [int(p.name.split("-")[1]) for p in found]


def _log_and_wait_for_start(app, fault_db, marks, reference) -> int:
    api = harness.Api(app.url, fault_db["tokens"]["read-write"])
    response = api.post("/api/v1/demands/", harness.demand_body(reference))
    assert response.status_code == 201, response.text
    case_id = response.json()["case"] if isinstance(response.json().get("case"), int) else None
    if case_id is None:
        case_id = harness.scalar(
            fault_db["url"],
            "SELECT c.id FROM cases_case c JOIN requests_app_demand d ON d.id = c.demand_id WHERE d.reference = %s",
            (reference,),
        )
    harness.wait_for(lambda: _started(marks, case_id), 30, "the analysis to start")
    return case_id


def _report(label, url, prefix, case_id, marks, killed_at, started):
    rows = harness.analyses_per_case(url, prefix)
    twice = harness.duplicate_analyses(url, prefix)
    runs = _started(marks, case_id)
    print(
        f"\n[fault c] {label}: analysis stored {time.monotonic() - killed_at:.1f}s after the kill, "
        f"runs {len(runs)} (pids {runs}); lost analyses: {sum(1 for _, n in rows if n == 0)}, "
        f"duplicate analyses: {len(twice)}; took {time.monotonic() - started:.1f}s"
    )
    assert rows == [(case_id, 1)] and twice == []
    assert len(runs) >= 2


def test_pool_process_killed_mid_analysis_is_redelivered(fault_db, logdir):
    """Prefork: the pool process dies, the parent rejects the message back to the queue."""
    started = time.monotonic()
    app, marks, prefix = _setup(fault_db, logdir)
    url = fault_db["url"]
    with harness.processes(app):
        app.start_web(workers=1)
        app.start_worker(pool="prefork", module="tests.fault.slow_worker")
        app.start_relay()
        case_id = _log_and_wait_for_start(app, fault_db, marks, f"{prefix}POOL")
        child = _started(marks, case_id)[0]
        assert child != app.procs["worker"].pid  # the pool process, not the parent
        os.kill(child, signal.SIGKILL)
        killed_at = time.monotonic()
        assert harness.analyses_per_case(url, prefix) == [(case_id, 0)]  # rolled back
        harness.wait_for(
            lambda: harness.analyses_per_case(url, prefix) == [(case_id, 1)], 60, "the redelivered analysis"
        )
        time.sleep(1)
        _report("pool process SIGKILLed", url, prefix, case_id, marks, killed_at, started)


def test_whole_worker_killed_mid_analysis_completes_after_restart(fault_db, logdir):
    """Solo pool, the whole worker SIGKILLed: the unacknowledged message is restored
    from Redis once its visibility timeout passes (shortened here: see slow_worker)."""
    started = time.monotonic()
    app, marks, prefix = _setup(fault_db, logdir, LEXLOCI_FAULT_VISIBILITY="3")
    url = fault_db["url"]
    with harness.processes(app):
        app.start_web(workers=1)
        app.start_worker(pool="solo", module="tests.fault.slow_worker")
        app.start_relay()
        case_id = _log_and_wait_for_start(app, fault_db, marks, f"{prefix}SOLO")
        app.procs.pop("worker").kill()
        killed_at = time.monotonic()
        assert harness.analyses_per_case(url, prefix) == [(case_id, 0)]
        app.start_worker(pool="solo", module="tests.fault.slow_worker")
        harness.wait_for(
            lambda: harness.analyses_per_case(url, prefix) == [(case_id, 1)], 60, "the analysis after restart"
        )
        time.sleep(1)
        _report("whole worker SIGKILLed and restarted", url, prefix, case_id, marks, killed_at, started)
