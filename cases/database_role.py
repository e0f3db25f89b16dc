"""The app's database role: what the web and worker processes may do to each table,
so that PostgreSQL itself keeps the audit record (finding M7).

Two roles: the owner, which migrations run as (MIGRATION_DATABASE_URL), owns every
table, sequence and trigger; the app's role (DATABASE_URL) owns nothing. The app's
role gets SELECT, INSERT, UPDATE and DELETE on the app's tables and USAGE on their
sequences, except on the audit record (`protected_tables`): the timeline, the
analyses, counsel's overrides and every history table, where it may read and add
rows, and update only the columns the app itself updates (an analysis's summary and
its sign-off), never delete or truncate. Not owning them, it cannot drop their
triggers (cases/migrations/0002) either. `django_migrations` is read-only to it.

`manage.py grant_app_role` applies `statements()`, as the owner, after `migrate`.
Tables a migration adds before it is run again get SELECT and INSERT only (the
default privileges): a new table of the audit record is never writable by mistake.
"""

from collections.abc import Iterator
from dataclasses import dataclass

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.db.migrations.recorder import MigrationRecorder
from simple_history.models import HistoricalChanges

from cases.models import Analysis, CaseEvent, HoldingOverride, WhatIfRun

# The audit record, in one place: each protected model and the fields of it the app
# may update (grep `update_fields=` and `.update(` on them in cases/analysis.py and
# cases/actions/review.py). Every simple_history table is protected too, with none.
PROTECTED: dict[type[models.Model], tuple[str, ...]] = {
    CaseEvent: (),  # the timeline: append-only
    HoldingOverride: (),  # a later override supersedes, never replaces
    WhatIfRun: (),  # a re-run as of a date is kept as it ran
    Analysis: (
        "summary",  # resummarise() after an override
        "reaches_content",  # refresh_report_flags() after an override
        "reaches_abroad",
        "signed_off_by",  # sign_off_analysis, _carry_sign_off
        "signed_off_at",
        "sign_off_note",
        "sign_off_voided_at",  # void_sign_off, _replace_sign_off, a new sign-off clears it
        "sign_off_voided_reason",
    ),
}
READ_ONLY_TABLES = (MigrationRecorder.Migration._meta.db_table,)  # only the owner migrates

FULL = ("SELECT", "INSERT", "UPDATE", "DELETE")
APPEND = ("SELECT", "INSERT")


@dataclass(frozen=True)
class Grant:
    table: str
    privileges: tuple[str, ...]
    update_columns: tuple[str, ...] = ()  # column-level UPDATE, on top of `privileges`


def history_models() -> list[type[models.Model]]:
    return [m for m in apps.get_models() if issubclass(m, HistoricalChanges)]


def _column(model: type[models.Model], name: str) -> str:
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field) or not field.column:
        raise ImproperlyConfigured(f"{model.__name__}.{name} is not a column: fix cases.database_role.PROTECTED")
    return field.column


def protected_tables() -> dict[str, tuple[str, ...]]:
    """Table name -> the columns the app's role may update in it."""
    tables = {
        model._meta.db_table: tuple(_column(model, name) for name in fields) for model, fields in PROTECTED.items()
    }
    tables.update({model._meta.db_table: () for model in history_models()})
    return tables


def grants() -> list[Grant]:
    """Every table of the installed models (many-to-many tables included), and
    django_migrations, with what the app's role may do to it."""
    protected = protected_tables()
    tables = {m._meta.db_table for m in apps.get_models(include_auto_created=True) if m._meta.managed}
    result = []
    for table in sorted(tables | set(READ_ONLY_TABLES)):
        if table in READ_ONLY_TABLES:
            result.append(Grant(table, ("SELECT",)))
        elif table in protected:
            result.append(Grant(table, APPEND, protected[table]))
        else:
            result.append(Grant(table, FULL))
    return result


def statements(role: str, schema: str, *, quote) -> Iterator[str]:
    """The SQL that gives `role` exactly `grants()` in `schema`, from any previous
    state: everything revoked first, then granted. `quote` quotes an identifier."""
    r, s = quote(role), quote(schema)
    yield f"REVOKE ALL ON ALL TABLES IN SCHEMA {s} FROM {r}"  # with any column privileges
    yield f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {s} FROM {r}"
    yield f"REVOKE CREATE ON SCHEMA {s} FROM {r}"
    yield f"GRANT USAGE ON SCHEMA {s} TO {r}"
    for grant in grants():
        table = f"{s}.{quote(grant.table)}"
        yield f"GRANT {', '.join(grant.privileges)} ON TABLE {table} TO {r}"
        if grant.update_columns:
            columns = ", ".join(quote(c) for c in grant.update_columns)
            yield f"GRANT UPDATE ({columns}) ON TABLE {table} TO {r}"
    # nextval() for every insert; the protected tables' sequences too (they take rows).
    yield f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA {s} TO {r}"
    # Tables and sequences the owner creates later: readable and appendable until
    # grant_app_role runs again and gives them their place above.
    yield f"ALTER DEFAULT PRIVILEGES IN SCHEMA {s} REVOKE ALL ON TABLES FROM {r}"
    yield f"ALTER DEFAULT PRIVILEGES IN SCHEMA {s} REVOKE ALL ON SEQUENCES FROM {r}"
    yield f"ALTER DEFAULT PRIVILEGES IN SCHEMA {s} GRANT {', '.join(APPEND)} ON TABLES TO {r}"
    yield f"ALTER DEFAULT PRIVILEGES IN SCHEMA {s} GRANT USAGE ON SEQUENCES TO {r}"
