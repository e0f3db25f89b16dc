"""(a) Redis stopped while 200 demands are logged through the API, then restarted:
every demand is saved, every analysis is eventually stored, none twice."""

import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.fault import harness

pytestmark = [pytest.mark.fault, pytest.mark.time_limit(150)]

DEMANDS = 200


def test_demands_logged_while_redis_is_down_are_all_analysed_once(fault_db, logdir):
    started = time.monotonic()
    port = harness.free_port()
    redis = harness.start_redis(port, logdir)
    env = harness.base_env(fault_db["url"], f"redis://127.0.0.1:{port}/0")
    app = harness.App(env, logdir)
    url = fault_db["url"]
    prefix = f"FAULT-A-{port}-"
    with harness.processes(app):
        app.start_web()
        app.start_worker()
        app.start_relay()
        api = harness.Api(app.url, fault_db["tokens"]["read-write"])

        # The pipeline works before the fault: one demand, analysed through the broker.
        assert api.post("/api/v1/demands/", harness.demand_body(f"{prefix}WARMUP")).status_code == 201
        harness.wait_for(lambda: harness.analyses_per_case(url, prefix)[0][1] == 1, 30, "the warm-up analysis")

        redis.stop()
        assert not harness.port_open(port)

        def log(i: int) -> tuple[str, int, float]:
            ref = f"{prefix}{i:04d}"
            t0 = time.monotonic()
            response = api.post("/api/v1/demands/", harness.demand_body(ref))
            return ref, response.status_code, time.monotonic() - t0

        with ThreadPoolExecutor(8) as pool:
            results = list(pool.map(log, range(DEMANDS)))
        statuses = [status for _, status, _ in results]
        slowest = max(latency for *_, latency in results)
        assert statuses.count(201) == DEMANDS, {s: statuses.count(s) for s in set(statuses)}
        # The relay tried, failed and kept the rows for later.
        harness.wait_for(
            lambda: harness.scalar(url, "SELECT count(*) FROM outbox_outboxmessage WHERE last_error <> ''") > 0,
            15,
            "a failed publish recorded on an outbox row",
        )
        pending = harness.scalar(url, "SELECT count(*) FROM outbox_outboxmessage WHERE sent_at IS NULL")
        assert pending >= DEMANDS

        redis = harness.start_redis(port, logdir)
        app.procs["redis"] = redis
        restarted = time.monotonic()

        def all_analysed() -> bool:
            rows = harness.analyses_per_case(url, prefix)
            return len(rows) == DEMANDS + 1 and all(n >= 1 for _, n in rows)

        harness.wait_for(all_analysed, 100, "every demand's analysis after Redis came back", interval=0.5)
        caught_up = time.monotonic() - restarted
        time.sleep(2)  # a late duplicate delivery would show up now

        saved = harness.scalar(url, "SELECT count(*) FROM requests_app_demand WHERE reference LIKE %s", (prefix + "%",))
        rows = harness.analyses_per_case(url, prefix)
        missing = [case for case, n in rows if n == 0]
        twice = harness.duplicate_analyses(url, prefix)
        more_than_one = [case for case, n in rows if n != 1]
        unsent = harness.scalar(url, "SELECT count(*) FROM outbox_outboxmessage WHERE sent_at IS NULL")
        attempts = harness.scalar(url, "SELECT max(attempts) FROM outbox_outboxmessage")
    print(
        f"\n[fault a] redis down for {DEMANDS} demands: {statuses.count(201)} acknowledged, {saved - 1} saved; "
        f"slowest request {slowest:.2f}s; analyses caught up {caught_up:.1f}s after restart "
        f"(max publish attempts {attempts}); lost demands: {DEMANDS + 1 - saved}, cases without analysis: "
        f"{len(missing)}, duplicate analyses: {len(twice)}, unsent outbox rows: {unsent}; "
        f"took {time.monotonic() - started:.1f}s"
    )
    assert saved == DEMANDS + 1
    assert missing == [] and twice == [] and more_than_one == []
    assert unsent == 0
