"""Login throttles count three ways (accounts/security.py); a revoked token records who
revoked it; and no two user names differ only in case (the login compares them
case-insensitively): a unique index on the upper-cased name, which the user admin's
forms check first with the full comparison (NFKC, case-folded)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def refuse_names_differing_in_case(apps, schema_editor):
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    seen: dict[str, str] = {}
    for name in User.objects.order_by("pk").values_list("username", flat=True):
        upper = name.upper()
        if upper in seen:
            raise RuntimeError(
                f"The user names {seen[upper]!r} and {name!r} differ only in case, which logins no longer tell "
                "apart: rename one of them (Django admin, Users) and migrate again."
            )
        seen[upper] = name


# auth.User is Django's; the index on its table lives here, with the login that needs it.
FOLDED_NAME_INDEX = "accounts_user_username_upper_uniq"


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0002_tables_renamed'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.AddField(
            model_name='apitoken',
            name='revoked_by',
            field=models.ForeignKey(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='loginthrottle',
            name='kind',
            field=models.CharField(choices=[('user-at-address', 'User name at one address'), ('user', 'User name, from any address'), ('address', 'Address, for any user name')], default='user-at-address', editable=False, max_length=16),
        ),
        migrations.AlterField(
            model_name='loginthrottle',
            name='key',
            field=models.CharField(editable=False, help_text='SHA-256 of kind|username|address.', max_length=64, unique=True),
        ),
        migrations.AlterField(
            model_name='loginthrottle',
            name='username',
            field=models.CharField(blank=True, editable=False, help_text='As compared: NFKC, case-folded. Blank: any.', max_length=150),
        ),
        migrations.RunPython(refuse_names_differing_in_case, migrations.RunPython.noop),
        migrations.RunSQL(
            f"CREATE UNIQUE INDEX {FOLDED_NAME_INDEX} ON auth_user (UPPER(username))",
            f"DROP INDEX {FOLDED_NAME_INDEX}",
        ),
    ]
