"""Finding M7 (b): the database itself protects the audit record.

On PostgreSQL (skipped on SQLite; in CI, LEXLOCI_REQUIRE_SERVICES=1, it must run): a
fresh database owned by a fresh owner role, migrated as that owner through
MIGRATION_DATABASE_URL, `grant_app_role --create` for a fresh app role, then the
app's own flow run by `manage.py` as the app role (demo demands logged and analysed,
a sign-off, an override that voids it, a sign-off again), and psycopg connected as
the app role to try what the app must never do to the record.

The roles and the database are named per run and dropped afterwards.
"""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from psycopg import errors, sql

from cases.database_role import PROTECTED, grants, history_models, protected_tables, statements

ROOT = Path(__file__).resolve().parent.parent.parent

# The app's flow as the app role: every write here is one the app makes in production.
FLOW = """
from django.contrib.auth import get_user_model
from cases import actions
from cases.models import Analysis, Case, HoldingOverride

counsel = get_user_model().objects.get(username="counsel")
case = Case.objects.open().filter(analyses__isnull=False).distinct().order_by("pk").first()
analysis = Analysis.objects.filter(case=case).newest_first().first()
actions.sign_off_analysis(case=case, analysis_id=analysis.pk, note="M7: signed as the app role", by=counsel)
row = analysis.result["items"][0]
reach = next(v for v, _ in HoldingOverride._meta.get_field("reach").choices if v != row["reach"])
actions.override_holding(analysis=analysis, item=0, reach=reach, route=row["route"], reason="M7", by=counsel)
analysis.refresh_from_db()
assert analysis.sign_off_voided_at is not None, "the override voids the sign-off"
case.refresh_from_db()
actions.sign_off_analysis(case=case, analysis_id=analysis.pk, note="M7: signed again", by=counsel)
print("flow ok", case.pk, analysis.pk)
"""


def _skip_or_fail(reason: str):
    if os.environ.get("LEXLOCI_REQUIRE_SERVICES") == "1":
        pytest.fail(f"this run requires PostgreSQL: {reason}")
    pytest.skip(f"needs PostgreSQL: {reason}")


def _url(server: dict, user: str, password: str, database: str) -> str:
    return f"postgres://{user}:{password}@{server['HOST'] or '127.0.0.1'}:{server['PORT'] or 5432}/{database}"


def _manage(*argv: str, env: dict, timeout: int = 300) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *argv], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert result.returncode == 0, f"manage.py {' '.join(argv)}:\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.fixture(scope="module")
def roles():
    """A fresh database migrated by its owner, and an app role granted by it."""
    server = settings.DATABASES["default"]
    if server["ENGINE"] != "django.db.backends.postgresql":
        _skip_or_fail("DATABASE_URL does not point at PostgreSQL")
    suffix = secrets.token_hex(4)
    names = {
        "database": f"lexloci_m7_{suffix}",
        "owner": f"lexloci_m7_owner_{suffix}",
        "app": f"lexloci_m7_app_{suffix}",
    }
    passwords = {"owner": secrets.token_hex(12), "app": secrets.token_hex(12)}
    admin = psycopg.connect(
        host=server["HOST"] or "127.0.0.1",
        port=server["PORT"] or 5432,
        user=server["USER"],
        password=server["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )
    ident = {key: sql.Identifier(name) for key, name in names.items()}
    admin.execute(
        sql.SQL("CREATE ROLE {} LOGIN CREATEROLE PASSWORD {}").format(ident["owner"], sql.Literal(passwords["owner"]))
    )
    admin.execute(sql.SQL("CREATE DATABASE {} OWNER {}").format(ident["database"], ident["owner"]))
    urls = {key: _url(server, names[key], passwords[key], names["database"]) for key in ("owner", "app")}
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_POOL", "MIGRATION_DATABASE_URL")}
    env.update(DEBUG="1", DATABASE_URL=urls["app"])
    try:
        owner_env = {**env, "MIGRATION_DATABASE_URL": urls["owner"]}
        _manage("migrate", "--noinput", env=owner_env)
        granted = _manage("grant_app_role", "--create", env=owner_env)
        again = _manage("grant_app_role", "--create", env=owner_env)  # idempotent
        # From here on, only the app role: DATABASE_URL, no owner URL in sight.
        _manage("load_catalogue", env=env)
        _manage("load_demo", env=env)
        flow = _manage("shell", "-c", FLOW, env=env)
        yield {"names": names, "urls": urls, "granted": granted, "again": again, "flow": flow}
    finally:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(ident["database"]))
        admin.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(ident["app"]))
        admin.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(ident["owner"]))
        admin.close()


@pytest.fixture
def app_db(roles):
    """psycopg connected as the app role; each statement in its own transaction."""
    with psycopg.connect(roles["urls"]["app"], autocommit=True) as conn:
        yield conn


def _refused(conn, statement) -> str:
    with pytest.raises(errors.InsufficientPrivilege) as refused:
        conn.execute(statement)
    return str(refused.value).splitlines()[0]


HISTORY_TABLES = sorted(m._meta.db_table for m in history_models())
ATTACKS = {
    "truncate": "TRUNCATE {t}",
    "delete": "DELETE FROM {t}",
    "update": "UPDATE {t} SET {c} = {c}",
    "alter": "ALTER TABLE {t} DISABLE TRIGGER ALL",
    "drop": "DROP TABLE {t}",
}
# A column of each table the app's role may not update.
NOT_GRANTED = {"cases_caseevent": "note", "cases_analysis": "result", "cases_holdingoverride": "reason"}
PROTECTED_TABLES = [*NOT_GRANTED, *HISTORY_TABLES]


def test_the_app_role_ran_the_apps_flow(roles):
    assert "flow ok" in roles["flow"], roles["flow"]
    assert roles["granted"] == roles["again"]
    assert "read and append only on" in roles["granted"]


@pytest.mark.parametrize("attack", ATTACKS)
@pytest.mark.parametrize("table", PROTECTED_TABLES)
def test_the_app_role_cannot_rewrite_the_record(app_db, table, attack):
    column = NOT_GRANTED.get(table, "history_change_reason")
    message = _refused(app_db, ATTACKS[attack].format(t=table, c=column))
    assert "permission denied" in message or "must be owner" in message, message


def test_the_timelines_trigger_cannot_be_dropped(app_db):
    message = _refused(app_db, "DROP TRIGGER caseevent_append_only ON cases_caseevent")
    assert message == "must be owner of relation cases_caseevent"
    assert _refused(app_db, "DROP FUNCTION lexloci_caseevent_append_only()").startswith("must be owner of function")


@pytest.mark.parametrize("table", PROTECTED_TABLES)
def test_the_app_role_appends_to_the_record(app_db, table):
    """INSERT works: a copy of an existing row less its key, where the flow made one; a
    table the flow leaves empty (the case record's productions, documents, correspondence
    and disclosure decisions) is checked by its privileges: INSERT, and no UPDATE or DELETE."""
    if app_db.execute(sql.SQL("SELECT count(*) FROM {t}").format(t=sql.Identifier(table))).fetchone()[0] == 0:
        granted = app_db.execute(
            "SELECT has_table_privilege(current_user, %s, 'INSERT'), has_table_privilege(current_user, %s, 'UPDATE'),"
            " has_table_privilege(current_user, %s, 'DELETE')",
            [table, table, table],
        ).fetchone()
        assert granted == (True, False, False), f"{table}: INSERT, UPDATE, DELETE granted {granted}"
        return
    columns = [
        row[0]
        for row in app_db.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = %s AND is_identity = 'NO' "
            "AND column_default IS NULL ORDER BY ordinal_position",
            [table],
        )
    ]
    listed = sql.SQL(", ").join(map(sql.Identifier, columns))
    with app_db.transaction(force_rollback=True):
        inserted = app_db.execute(
            sql.SQL("INSERT INTO {t} ({c}) SELECT {c} FROM {t} LIMIT 1").format(t=sql.Identifier(table), c=listed)
        )
        assert inserted.rowcount == 1, f"{table} has no row to copy"


def test_the_app_role_updates_only_the_granted_columns_of_an_analysis(app_db):
    with app_db.transaction(force_rollback=True):
        updated = app_db.execute("UPDATE cases_analysis SET sign_off_note = 'M7', summary = summary")
        assert updated.rowcount > 0
    for column in ("result", "fingerprint", "as_of", "case_id", "created_at", "catalogue_version_id"):
        update = sql.SQL("UPDATE cases_analysis SET {c} = {c}").format(c=sql.Identifier(column))
        assert _refused(app_db, update).startswith("permission denied")
    # SELECT ... FOR UPDATE (void_sign_off, sign_off_analysis) needs UPDATE on a column: it has some.
    with app_db.transaction(force_rollback=True):
        app_db.execute("SELECT id FROM cases_analysis FOR UPDATE").fetchall()


def test_the_app_role_owns_nothing_and_creates_nothing(roles, app_db):
    app = roles["names"]["app"]
    owned = app_db.execute(
        "SELECT count(*) FROM pg_class WHERE relowner = (SELECT oid FROM pg_roles WHERE rolname = %s)", [app]
    ).fetchone()
    assert owned == (0,)
    assert _refused(app_db, "CREATE TABLE m7_probe (id int)").startswith("permission denied for schema")
    owners = {row[0] for row in app_db.execute("SELECT tableowner FROM pg_tables WHERE schemaname = 'public'")}
    assert owners == {roles["names"]["owner"]}, "migrate ran as MIGRATION_DATABASE_URL's role"
    assert _refused(app_db, "UPDATE django_migrations SET app = app").startswith("permission denied")


def test_a_table_a_later_migration_adds_is_appendable_only_until_granted(roles, app_db):
    with psycopg.connect(roles["urls"]["owner"], autocommit=True) as owner:
        owner.execute("CREATE TABLE m7_later (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, note text)")
    app_db.execute("INSERT INTO m7_later (note) VALUES ('appended')")
    assert app_db.execute("SELECT note FROM m7_later").fetchall() == [("appended",)]
    assert _refused(app_db, "DELETE FROM m7_later").startswith("permission denied")


def test_the_grants_cover_every_table_and_protect_the_record():
    """Without a database: what statements() would grant, table by table."""
    protected = protected_tables()
    assert set(HISTORY_TABLES) <= set(protected) and set(NOT_GRANTED) <= set(protected)
    assert protected["cases_analysis"] == (
        "summary",
        "reaches_content",  # the report's flags, set again after an override
        "reaches_abroad",
        "signed_off_by_id",
        "signed_off_at",
        "sign_off_note",
        "sign_off_voided_at",
        "sign_off_voided_reason",
    )
    by_table = {g.table: g for g in grants()}
    for table in protected:
        assert by_table[table].privileges == ("SELECT", "INSERT"), table
    assert by_table["cases_case"].privileges == ("SELECT", "INSERT", "UPDATE", "DELETE")
    assert by_table["django_migrations"].privileges == ("SELECT",)
    sql_text = "\n".join(statements("app", "public", quote=lambda name: f'"{name}"'))
    assert "TRUNCATE" not in sql_text and "TRIGGER" not in sql_text
    assert 'GRANT SELECT, INSERT ON TABLE "public"."cases_caseevent" TO "app"' in sql_text
    assert all(model._meta.db_table in protected for model in PROTECTED)
