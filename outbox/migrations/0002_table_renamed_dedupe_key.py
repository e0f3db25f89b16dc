from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("outbox", "0001_initial")]

    operations = [
        migrations.AlterModelTable(name="outboxmessage", table=None),
        migrations.AddField(
            model_name="outboxmessage",
            name="dedupe_key",
            field=models.CharField(
                blank=True,
                help_text="At most one pending message per key: a second enqueue with the key joins the first.",
                max_length=200,
                null=True,
            ),
        ),
        migrations.AddConstraint(
            model_name="outboxmessage",
            constraint=models.UniqueConstraint(
                condition=models.Q(("sent_at__isnull", True)), fields=("dedupe_key",), name="outbox_pending_dedupe_once"
            ),
        ),
    ]
