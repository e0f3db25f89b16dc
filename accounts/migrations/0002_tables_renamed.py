from django.db import migrations


class Migration(migrations.Migration):
    """The tables take the app's name; their rows, indexes and constraints are kept."""

    dependencies = [("accounts", "0001_initial")]

    operations = [
        migrations.AlterModelTable(name="apitoken", table=None),
        migrations.AlterModelTable(name="loginthrottle", table=None),
    ]
