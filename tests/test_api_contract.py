"""The API keeps the contract its OpenAPI schema publishes: schemathesis against the
running app (pytest-django's live server, on this run's database), with every check and
every phase (examples, coverage, fuzzing, stateful), configured by the project's
schemathesis.toml as the command line is. It fails on any failed check and
unless every operation was reached: answered by its own logic (not 401, 403, 404 or 405),
the workflow steps through the schema's links from the case list.

A smaller budget than a full run (see schemathesis.toml for the command), so that it
stays within a couple of minutes; the full run finds the same classes of problems.
"""

import datetime as dt
import io
import re
import socket
import tomllib
from collections import Counter, defaultdict
from pathlib import Path

import pytest
import schemathesis
from django.core.management import call_command
from django.db import connections
from django.utils import timezone
from rest_framework import fields, relations, serializers
from schemathesis.config import SchemathesisConfig
from schemathesis.engine import Status, events, from_schema
from schemathesis.engine.run import PhaseName

from accounts.models import ApiToken
from cases import actions
from cases.models import Case

CONFIG = Path(__file__).resolve().parent.parent / "schemathesis.toml"

# The suite's budget: examples per operation and phase, and stateful scenarios.
BUDGET = {
    "seed": 20260105,
    "workers": 1,  # one request at a time: SQLite's in-memory test database is shared with the server
    "generation": {"max-examples": 10},
    "phases": {"stateful": {"generation": {"max-examples": 100}}},
}

WORKFLOW_STEPS = {
    f"POST /api/v1/cases/{{id}}/{step}/"
    for step in (
        "transition",
        "record-event",
        "add-deadline",
        "move-deadline",
        "complete-deadline",
        "cancel-deadline",
        "sign-off",
        "assign",
    )
}


def _merge(into: dict, extra: dict) -> dict:
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = value
    return into


# --- The check schemathesis.toml promises for the operations it lets refuse valid data --


def _drf_messages() -> re.Pattern:
    """DRF's own messages about a value's type, format, length, range or choice: a
    refusal with one of these is a value the schema should not have allowed."""
    templates = set()
    for module in (fields, relations, serializers):
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, fields.Field):
                for cls in value.__mro__:
                    templates.update(str(m) for m in getattr(cls, "default_error_messages", {}).values())
    templates.add("Must be {label}.")  # accounts.api.RequestSerializer
    alternatives = [re.sub(r"\\\{\w+\\\}", ".*", re.escape(t)) for t in templates]
    return re.compile("|".join(f"(?:{a})" for a in sorted(alternatives)), re.DOTALL)


DRF_MESSAGES = _drf_messages()


@schemathesis.check
def refused_for_a_rule_not_a_format(ctx, response, case):
    """A 400 to data the schema allows must name a rule the schema cannot state (the
    case's state, relations between fields), never a type or format it does state."""
    if response.status_code != 400 or case.meta is None or not case.meta.generation.mode.is_positive:
        return None
    try:
        problems = response.json()["error"]["fields"]
    except (ValueError, KeyError, TypeError):
        return None
    for name, messages in problems.items():
        for message in messages:
            if DRF_MESSAGES.fullmatch(message):
                raise AssertionError(f"A value the schema allows was refused for its type or format: {name}: {message}")
    return None


# --- The run ----------------------------------------------------------------------------


@pytest.fixture
def api_key(catalogue, django_user_model):
    from django.contrib.auth.models import Group

    from accounts import roles

    call_command("load_demo", stdout=io.StringIO())
    user = django_user_model.objects.create_user("contract-client")
    user.groups.add(Group.objects.get_or_create(name=roles.API_CLIENT)[0])
    # An open manual deadline on every open case, so that each case's status names one
    # for the deadline steps (the demo's are mostly met or computed).
    for case in Case.objects.exclude(status="closed"):
        actions.add_deadline(
            case=case,
            kind="custom",
            label="Produce the records",
            due_at=timezone.now() + dt.timedelta(days=7),
            by=user,
            expected_version=None,
        )
    return ApiToken.issue(user=user, name="contract", scope=ApiToken.Scope.READ_WRITE)[1]


def test_the_api_keeps_its_published_contract(live_server, api_key, monkeypatch):
    # Answers without Nagle's delay (40 ms a request otherwise, waiting for the client's ACK).
    live_server.thread.httpd.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    # The server's threads close their connections after each request: schemathesis keeps
    # its HTTP connection alive past the test, which would hold PostgreSQL's test database.
    monkeypatch.setitem(connections.settings["default"], "CONN_MAX_AGE", 0)
    headers = {"Authorization": f"Token {api_key}"}
    data = _merge(tomllib.loads(CONFIG.read_text()), {**BUDGET, "headers": headers})
    config = SchemathesisConfig.from_dict(data, base_dir=str(CONFIG.parent))
    config.projects.override.checks.update(included_check_names=["all"])  # as `--checks all`
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/schema/?format=json", config=config, headers=headers)
    operations = {result.ok().label for result in schema.get_all_operations()}

    answered: dict[str, Counter] = defaultdict(Counter)
    linked: set[str] = set()
    failures: list[str] = []
    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            recorder = event.recorder
            for case_id, interaction in recorder.interactions.items():
                node = recorder.cases[case_id]
                label = node.value.operation.label
                status = interaction.response.status_code if interaction.response is not None else None
                answered[label][status] += 1
                if event.phase == PhaseName.STATEFUL_TESTING and node.is_transition_applied and status != 404:
                    linked.add(label)
            for checks in recorder.checks.values():
                for check in checks:
                    if check.status == Status.FAILURE:
                        info = check.failure_info
                        failures.append(
                            f"{check.name}: {info.failure.title}\n{info.failure.message}\n{info.code_sample}"
                        )
        elif isinstance(event, events.NonFatalError | events.FatalError):
            failures.append(f"{type(event).__name__}: {getattr(event, 'value', None) or event.exception}")

    assert not failures, "\n\n".join(dict.fromkeys(failures))
    unreached = {
        label: dict(statuses)
        for label, statuses in ((label, answered.get(label, Counter())) for label in sorted(operations))
        if not any(code is not None and code not in (401, 403, 404, 405) and code < 500 for code in statuses)
    }
    assert not unreached, f"operations never answered by their own logic: {unreached}"
    assert WORKFLOW_STEPS <= operations
    assert WORKFLOW_STEPS <= linked, f"steps not reached through the links: {sorted(WORKFLOW_STEPS - linked)}"
