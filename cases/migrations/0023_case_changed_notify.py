"""PostgreSQL tells listeners which case's status ETag changed (cases/etag_cache.py):
a NOTIFY on `lexloci_case_changed` with the case's id whenever its `version` or
`updated_at` changes or it is deleted, and "*" when the table is truncated. Nothing
on SQLite, where the status ETag is always read from the row."""

from django.db import migrations

CHANNEL = "lexloci_case_changed"

FORWARD = f"""
CREATE OR REPLACE FUNCTION cases_case_notify_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        PERFORM pg_notify('{CHANNEL}', '*');
        RETURN NULL;
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM pg_notify('{CHANNEL}', OLD.id::text);
        RETURN OLD;
    END IF;
    PERFORM pg_notify('{CHANNEL}', NEW.id::text);
    RETURN NEW;
END $$;
CREATE TRIGGER cases_case_etag_changed AFTER UPDATE ON cases_case FOR EACH ROW
    WHEN (OLD.version IS DISTINCT FROM NEW.version OR OLD.updated_at IS DISTINCT FROM NEW.updated_at)
    EXECUTE FUNCTION cases_case_notify_changed();
CREATE TRIGGER cases_case_etag_deleted AFTER DELETE ON cases_case FOR EACH ROW
    EXECUTE FUNCTION cases_case_notify_changed();
CREATE TRIGGER cases_case_etag_truncated AFTER TRUNCATE ON cases_case FOR EACH STATEMENT
    EXECUTE FUNCTION cases_case_notify_changed();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS cases_case_etag_changed ON cases_case;
DROP TRIGGER IF EXISTS cases_case_etag_deleted ON cases_case;
DROP TRIGGER IF EXISTS cases_case_etag_truncated ON cases_case;
DROP FUNCTION IF EXISTS cases_case_notify_changed();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("cases", "0022_case_report_flags")]

    operations = [migrations.RunPython(forward, backward, elidable=False)]
