"""Case events are append-only, in the database itself.

PostgreSQL refuses any UPDATE or DELETE of a row of cases_caseevent (TRUNCATE, which
only the test runner's flush uses, stays possible). SQLite refuses UPDATE; its
DELETE is refused by the application (no delete path exists in UI, API or admin),
because the test runner empties SQLite tables with DELETE.
"""

from django.db import migrations

PG_FORWARD = """
CREATE OR REPLACE FUNCTION lexloci_caseevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION USING
        MESSAGE = 'case events are append-only: ' || TG_OP || ' refused on cases_caseevent',
        ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER caseevent_append_only
    BEFORE UPDATE OR DELETE ON cases_caseevent
    FOR EACH ROW EXECUTE FUNCTION lexloci_caseevent_append_only();
"""
PG_REVERSE = """
DROP TRIGGER IF EXISTS caseevent_append_only ON cases_caseevent;
DROP FUNCTION IF EXISTS lexloci_caseevent_append_only();
"""
SQLITE_FORWARD = """
CREATE TRIGGER caseevent_append_only BEFORE UPDATE ON cases_caseevent
BEGIN
    SELECT RAISE(ABORT, 'case events are append-only: UPDATE refused on cases_caseevent');
END;
"""
SQLITE_REVERSE = "DROP TRIGGER IF EXISTS caseevent_append_only;"


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FORWARD)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_FORWARD)


def reverse(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_REVERSE)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_REVERSE)


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]

    operations = [migrations.RunPython(forward, reverse)]
