"""The case list's columns on the case (emergency, list_rank, next deadline), filled
from the demands and deadlines, and the indexes each sort of the list reads."""

from django.conf import settings
from django.db import migrations, models


def fill(apps, schema_editor):
    """Each case's emergency flag and reference from its demand, and its next open deadline: three
    UPDATEs, whatever the number of cases."""
    Case = apps.get_model("cases", "Case")
    Deadline = apps.get_model("cases", "Deadline")
    Demand = apps.get_model("requests_app", "Demand")
    Case.objects.filter(demand__emergency=True).update(emergency=True)
    Case.objects.update(
        reference=models.Subquery(Demand.objects.filter(pk=models.OuterRef("demand_id")).values("reference")[:1])
    )
    first = Deadline.objects.filter(case=models.OuterRef("pk"), state="open").order_by("due_at", "pk")
    Case.objects.filter(models.Exists(first)).update(
        next_deadline_at=models.Subquery(first.values("due_at")[:1]),
        next_deadline_kind=models.Subquery(first.values("kind")[:1]),
    )


def deadline_desc_index(apps, schema_editor):
    """The list's "latest deadline first" sort keeps cases without one last: an index
    in that order (DESC NULLS LAST), which PostgreSQL has and SQLite's CREATE INDEX
    cannot say (SQLite sorts the few rows it is given)."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS case_list_deadline_desc ON cases_case "
            "(list_rank, next_deadline_at DESC NULLS LAST, id DESC)"
        )


def drop_deadline_desc_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS case_list_deadline_desc")


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0018_whatifrun"),
        ("requests_app", "0004_case_record"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="emergency",
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.AddField(
            model_name="case",
            name="next_deadline_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="case",
            name="next_deadline_kind",
            field=models.CharField(blank=True, editable=False, max_length=20, null=True),
        ),
        migrations.AddField(
            model_name="case",
            name="reference",
            field=models.CharField(blank=True, editable=False, max_length=100),
        ),
        migrations.AddField(
            model_name="case",
            name="list_rank",
            field=models.GeneratedField(
                db_persist=True,
                expression=models.Case(
                    models.When(
                        models.Q(models.Q(("status", "closed"), _negated=True), ("emergency", True)),
                        then=models.Value(0),
                    ),
                    default=models.Value(1),
                    output_field=models.SmallIntegerField(),
                ),
                output_field=models.SmallIntegerField(),
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(fields=["list_rank", "-created_at", "-id"], name="case_list_newest"),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(fields=["list_rank", "created_at", "id"], name="case_list_oldest"),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(fields=["list_rank", "next_deadline_at", "id"], name="case_list_deadline"),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(fields=["list_rank", "status", "id"], name="case_list_status"),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(fields=["list_rank", "reference", "id"], name="case_list_reference"),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(fields=["list_rank", "-reference", "-id"], name="case_list_reference_desc"),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(fields=["list_rank", "-status", "-id"], name="case_list_status_desc"),
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(fields=["next_deadline_at"], name="case_next_deadline"),
        ),
        migrations.RunPython(deadline_desc_index, drop_deadline_desc_index),
    ]
