"""API tokens, login throttles and outbox messages moved from the cases app to the
accounts and outbox apps: the tables are taken over and renamed, and no row is lost."""

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

# Before the move: the cases app at its last migration that had them, the new apps not there.
BEFORE = [("cases", "0010_api_token_name"), ("accounts", None), ("outbox", None)]


def _migrate(targets):
    """Migrate to `targets`; the models as they stand there (None: an app unapplied)."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state([t for t in targets if t[1] is not None]).apps


@pytest.mark.django_db(transaction=True)
def test_rows_written_under_the_old_schema_survive_the_move():
    executor = MigrationExecutor(connection)
    leaves = executor.loader.graph.leaf_nodes()
    old = _migrate(BEFORE)  # the schema as it was: the models in the cases app
    user = old.get_model("auth", "User").objects.create(username="client-system")
    now = timezone.now()
    old.get_model("cases", "ApiToken").objects.create(
        name="Case tracker", user=user, prefix="abcdef123456", digest="d" * 64, scope="read-write"
    )
    old.get_model("cases", "LoginThrottle").objects.create(
        key="k" * 64, username="viewer", address="127.0.0.1", failures=3, window_ends=now + dt.timedelta(minutes=5)
    )
    old.get_model("cases", "OutboxMessage").objects.create(
        task="cases.tasks.analyse_case", args=[7], kwargs={}, available_at=now
    )

    new = _migrate(leaves)

    token = new.get_model("accounts", "ApiToken").objects.get()
    assert (token.name, token.prefix, token.scope, token.user.username) == (
        "Case tracker",
        "abcdef123456",
        "read-write",
        "client-system",
    )
    throttle = new.get_model("accounts", "LoginThrottle").objects.get()
    assert (throttle.username, throttle.failures) == ("viewer", 3)
    message = new.get_model("outbox", "OutboxMessage").objects.get()
    assert (message.task, message.args, message.sent_at, message.dedupe_key) == (
        "cases.tasks.analyse_case",
        [7],
        None,
        None,
    )
    tables = set(connection.introspection.table_names())
    assert {"accounts_apitoken", "accounts_loginthrottle", "outbox_outboxmessage"} <= tables
    assert not {"cases_apitoken", "cases_loginthrottle", "cases_outboxmessage"} & tables
