"""A short (10 s) run of bench/load_mixed.py: reads, intake and transitions with
`expected_version` (409s retried) on gunicorn and PostgreSQL; no 5xx, and the rows in
the database are exactly the 201s the clients saw."""

import importlib.util
import time

import pytest

from tests.fault import harness

pytestmark = [pytest.mark.fault, pytest.mark.time_limit(90)]


def _bench():
    spec = importlib.util.spec_from_file_location("load_mixed", harness.ROOT / "bench" / "load_mixed.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_mixed_load_has_no_5xx_and_writes_exactly_what_it_acknowledged(fault_db, logdir):
    started = time.monotonic()
    port = harness.free_port()
    app = harness.App(harness.base_env(fault_db["url"], f"redis://127.0.0.1:{port}/0"), logdir)
    app.procs["redis"] = harness.start_redis(port, logdir)
    with harness.processes(app):
        app.start_web(workers=3, threads=4)
        app.start_worker()
        app.start_relay()
        figures = _bench().run_load(app.url, fault_db["tokens"]["read-write"], fault_db["url"], seconds=10, clients=6)
    print(f"\n[fault load] {figures}; took {time.monotonic() - started:.1f}s")
    assert figures["5xx"] == 0 and figures["client_errors"] == {}
    assert figures["demands_expected"] == figures["demands_found"] > 0
    assert figures["transitions_expected"] == figures["transitions_found"] > 0
    assert figures["transitions_given_up"] == 0
