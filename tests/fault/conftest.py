"""Fixtures for the fault tests: a prepared template database (migrated, catalogue and
demo loaded, tokens issued) copied per test, a log directory, and a hard time limit.

Fault tests run only when selected with `-m fault`; any other run (`make test`,
`-m "not browser"`) leaves them out, so the normal suite never starts services."""

import os
import signal
import uuid

import pytest

from tests.fault import harness

TEMPLATE = f"lexloci_fault_tpl_{os.getpid()}"


def pytest_collection_modifyitems(config, items):
    markexpr = config.getoption("markexpr", "") or ""
    if "fault" in markexpr.replace("not fault", ""):
        return
    kept = [item for item in items if item.get_closest_marker("fault") is None]
    if len(kept) != len(items):
        config.hook.pytest_deselected(items=[item for item in items if item not in kept])
        items[:] = kept


@pytest.fixture(autouse=True)
def _time_limit(request):
    """Each fault test is bounded: SIGALRM ends it with a failure after its limit."""
    marker = request.node.get_closest_marker("time_limit")
    limit = int(marker.args[0]) if marker else 120

    def expired(signum, frame):
        raise TimeoutError(f"{request.node.name} exceeded its {limit}s time limit")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(limit)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


@pytest.fixture(scope="session")
def fault_template(tmp_path_factory):
    """One prepared database per session; each test copies it (CREATE DATABASE ... TEMPLATE)."""
    harness.admin_sql(f"DROP DATABASE IF EXISTS {TEMPLATE}")
    harness.admin_sql(f"CREATE DATABASE {TEMPLATE}")
    try:
        tokens = harness.prepare_database(harness.pg_url(TEMPLATE))
        yield {"name": TEMPLATE, "url": harness.pg_url(TEMPLATE), "tokens": tokens}
    finally:
        harness.admin_sql(f"DROP DATABASE IF EXISTS {TEMPLATE} WITH (FORCE)")


@pytest.fixture
def fault_db(fault_template):
    """This test's own database on the shared server, a copy of the template."""
    name = f"lexloci_fault_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    harness.admin_sql(f"CREATE DATABASE {name} TEMPLATE {fault_template['name']}")
    try:
        yield {"name": name, "url": harness.pg_url(name), "tokens": fault_template["tokens"]}
    finally:
        harness.admin_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def logdir(tmp_path):
    path = tmp_path / "logs"
    path.mkdir()
    return path
