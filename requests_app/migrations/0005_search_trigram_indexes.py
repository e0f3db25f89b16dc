"""The case list's search ("Reference or account", `icontains`) through trigram
indexes on PostgreSQL: a GIN index with `gin_trgm_ops` on the expression Django's
`icontains` compares (`UPPER(column::text)`), for the demand's reference and the
target account's identifier. SQLite has no such index; its searches stay scans (the
embedded default holds a small team's cases)."""

from django.db import migrations

INDEXES = {
    "demand_reference_trgm": ("requests_app_demand", "reference"),
    "targetaccount_identifier_trgm": ("requests_app_targetaccount", "identifier"),
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, (table, column) in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ((UPPER({column}::text)) gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("requests_app", "0004_case_record")]

    operations = [migrations.RunPython(create, drop)]
