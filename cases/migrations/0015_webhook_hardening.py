# Webhooks hardened (cases/webhook_security.py): URLs validated to public https receivers,
# signing secrets encrypted at rest, and the delivery log keeps status and duration, not
# the receiver's answer.

from django.core.exceptions import ImproperlyConfigured
from django.db import migrations, models

import cases.models
import cases.webhook_security
import django.core.validators


def clear_answers(apps, schema_editor):
    """The old rows' receiver answers go before the column does (they may hold what an
    internal service said to a URL that should never have been allowed)."""
    apps.get_model("cases", "WebhookDelivery").objects.exclude(response_excerpt="").update(response_excerpt="")


def _is_token(secret: str) -> bool:
    try:
        cases.webhook_security.decrypt_secret(secret)
    except ImproperlyConfigured:
        return False
    return True


def encrypt_secrets(apps, schema_editor):
    """Each endpoint's clear secret becomes a token (a secret already a token is left)."""
    WebhookEndpoint = apps.get_model("cases", "WebhookEndpoint")
    for pk, secret in WebhookEndpoint.objects.values_list("pk", "secret"):
        if not _is_token(secret):
            WebhookEndpoint.objects.filter(pk=pk).update(secret=cases.webhook_security.encrypt_secret(secret))


def decrypt_secrets(apps, schema_editor):
    WebhookEndpoint = apps.get_model("cases", "WebhookEndpoint")
    for pk, secret in WebhookEndpoint.objects.values_list("pk", "secret"):
        if _is_token(secret):
            WebhookEndpoint.objects.filter(pk=pk).update(secret=cases.webhook_security.decrypt_secret(secret))


class Migration(migrations.Migration):

    dependencies = [
        ('cases', '0014_emergency_notification'),
    ]

    operations = [
        migrations.RunPython(clear_answers, migrations.RunPython.noop),
        migrations.RemoveField(
            model_name='webhookdelivery',
            name='response_excerpt',
        ),
        migrations.AddField(
            model_name='webhookdelivery',
            name='duration',
            field=models.DurationField(blank=True, help_text='How long the last attempt took.', null=True),
        ),
        # A token is longer than the clear secret's 80 characters: text first, then the
        # rows are encrypted through the plain text field, then the field says so.
        migrations.AlterField(
            model_name='webhookendpoint',
            name='secret',
            field=models.TextField(default=cases.models._webhook_secret, editable=False),
        ),
        migrations.RunPython(encrypt_secrets, decrypt_secrets),
        migrations.AlterField(
            model_name='webhookendpoint',
            name='secret',
            field=cases.webhook_security.EncryptedSecretField(default=cases.models._webhook_secret, editable=False),
        ),
        migrations.AlterField(
            model_name='webhookendpoint',
            name='url',
            field=models.URLField(help_text='Where the changes are POSTed: an https URL of a receiver on the public internet.', max_length=500, validators=[django.core.validators.URLValidator(schemes=['http', 'https']), cases.webhook_security.validate_webhook_url]),
        ),
    ]
