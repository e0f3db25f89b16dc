"""(b) Redis accepting connections but never answering: requests still succeed within
2 s (nothing talks to the broker during a request); the relay fails, keeps the rows
and publishes them once a working broker is there."""

import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.fault import harness

pytestmark = [pytest.mark.fault, pytest.mark.time_limit(150)]

LIMIT = 2.0


def test_requests_answer_within_two_seconds_while_redis_hangs(fault_db, logdir):
    started = time.monotonic()
    hole = harness.Blackhole()
    url = fault_db["url"]
    prefix = f"FAULT-B-{hole.port}-"
    app = harness.App(harness.base_env(url, f"redis://127.0.0.1:{hole.port}/0"), logdir)
    try:
        with harness.processes(app):
            app.start_web()
            app.start_relay()
            api = harness.Api(app.url, fault_db["tokens"]["read-write"], timeout=LIMIT + 3)
            case_id = harness.scalar(url, "SELECT min(id) FROM cases_case")

            def call(i: int) -> tuple[str, int, float]:
                t0 = time.monotonic()
                kind = ("post", "list", "status", "demands")[i % 4]
                if kind == "post":
                    response = api.post("/api/v1/demands/", harness.demand_body(f"{prefix}{i:04d}"))
                elif kind == "list":
                    response = api.get("/api/v1/cases/?page_size=20")
                elif kind == "status":
                    response = api.get(f"/api/v1/cases/{case_id}/status/")
                else:
                    response = api.get("/api/v1/demands/?page_size=20")
                return kind, response.status_code, time.monotonic() - t0

            with ThreadPoolExecutor(4) as pool:
                results = list(pool.map(call, range(160)))
            latencies = sorted(latency for *_, latency in results)
            slow = [(kind, status, round(lat, 2)) for kind, status, lat in results if lat >= LIMIT]
            failed = [(kind, status) for kind, status, _ in results if status >= 300]
            posted = sum(1 for kind, status, _ in results if kind == "post" and status == 201)
            # The relay did reach the hanging broker, gave up on its timeouts and kept the rows.
            harness.wait_for(
                lambda: harness.scalar(url, "SELECT count(*) FROM outbox_outboxmessage WHERE last_error <> ''") > 0,
                20,
                "the relay's timed-out publish",
            )
            assert hole.accepted > 0
            errors = harness.query(url, "SELECT DISTINCT last_error FROM outbox_outboxmessage WHERE last_error <> ''")

            # A working broker later: everything accepted during the hang is analysed.
            app.procs.pop("relay").stop()
            port = harness.free_port()
            app.procs["redis"] = harness.start_redis(port, logdir)
            app.env = {**app.env, "REDIS_URL": f"redis://127.0.0.1:{port}/0"}
            app.start_worker()
            app.start_relay()
            harness.wait_for(
                lambda: len(rows := harness.analyses_per_case(url, prefix)) == posted and all(n for _, n in rows),
                90,
                "the analyses once the broker answers",
                interval=0.5,
            )
            rows = harness.analyses_per_case(url, prefix)
            saved = harness.scalar(
                url, "SELECT count(*) FROM requests_app_demand WHERE reference LIKE %s", (prefix + "%",)
            )
            twice = harness.duplicate_analyses(url, prefix)
    finally:
        hole.close()
    p50, p99 = latencies[len(latencies) // 2], latencies[int(len(latencies) * 0.99) - 1]
    print(
        f"\n[fault b] redis hanging: {len(results)} requests, max {latencies[-1]:.2f}s, p50 {p50 * 1000:.0f} ms, "
        f"p99 {p99 * 1000:.0f} ms, over {LIMIT}s: {len(slow)}, failed: {len(failed)}; relay errors: "
        f"{[e[0][:60] for e in errors]}; demands acknowledged {posted}, saved {saved}, lost {posted - saved}, "
        f"without analysis {sum(1 for _, n in rows if not n)}, duplicate analyses {len(twice)}; "
        f"took {time.monotonic() - started:.1f}s"
    )
    assert slow == [] and failed == []
    assert saved == posted == 40
    assert twice == [] and all(n == 1 for _, n in rows)
