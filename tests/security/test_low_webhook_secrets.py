"""Webhook signing secrets are encrypted at rest (cases/webhook_security.py): the column
holds a Fernet token under a key derived from WEBHOOK_SECRET_KEY (or SECRET_KEY), the
model gives the plain secret (`endpoint.secret`), signatures verify with it, and the
migration encrypted the rows it found."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from cases import webhooks
from cases.models import WebhookEndpoint
from cases.tests.test_webhooks import Receiver
from cases.webhook_security import decrypt_secret, encrypt_secret
from tests.factories import EventFactory


def stored(endpoint: WebhookEndpoint) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM cases_webhookendpoint WHERE id = %s", [endpoint.pk])
        return cursor.fetchone()[0]


@pytest.fixture
def receiver():
    r = Receiver()
    r.thread.start()
    yield r
    r.server.shutdown()
    r.server.server_close()
    r.thread.join(timeout=5)


def test_the_column_holds_a_token_not_the_secret(db):
    endpoint = WebhookEndpoint.objects.create(name="a", url="https://hooks.example/in")
    plain = endpoint.secret
    assert plain.startswith("whsec_") and len(plain) == 70
    column = stored(endpoint)
    assert plain not in column and plain.removeprefix("whsec_") not in column and column.startswith("gAAAAA")
    assert WebhookEndpoint.objects.get(pk=endpoint.pk).secret == plain  # read back in clear
    assert decrypt_secret(column) == plain


def test_a_rotated_secret_is_stored_encrypted_too(db):
    endpoint = WebhookEndpoint.objects.create(name="a", url="https://hooks.example/in")
    endpoint.secret = "whsec_" + "ab" * 32  # as the admin's rotate action does
    endpoint.save(update_fields=["secret"])
    assert "ab" * 32 not in stored(endpoint)
    assert WebhookEndpoint.objects.get(pk=endpoint.pk).secret == "whsec_" + "ab" * 32


def test_the_signature_verifies_with_the_plain_secret(db, settings, receiver):
    settings.DEBUG = True  # the receiver is plain http on loopback
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    endpoint = WebhookEndpoint.objects.create(name="a", url=receiver.url)
    plain = WebhookEndpoint.objects.get(pk=endpoint.pk).secret
    delivery = webhooks.deliver(endpoint_id=endpoint.pk, event_id=EventFactory().pk)
    assert delivery.delivered_at is not None
    headers, body = receiver.requests[0]
    assert webhooks.verify(plain, headers["X-Lexloci-Signature"], body)
    assert not webhooks.verify(stored(endpoint), headers["X-Lexloci-Signature"], body)


def test_the_key_comes_from_webhook_secret_key_with_fallbacks(settings):
    settings.WEBHOOK_SECRET_KEY = "first key, from the environment"
    token = encrypt_secret("whsec_x")
    assert decrypt_secret(token) == "whsec_x"
    settings.WEBHOOK_SECRET_KEY = "second key"
    with pytest.raises(ImproperlyConfigured, match="WEBHOOK_SECRET_KEY_FALLBACKS"):
        decrypt_secret(token)
    settings.WEBHOOK_SECRET_KEY_FALLBACKS = ["first key, from the environment"]
    assert decrypt_secret(token) == "whsec_x"


def test_without_it_the_key_is_derived_from_secret_key(settings):
    settings.WEBHOOK_SECRET_KEY = ""
    settings.SECRET_KEY = "s" * 50
    token = encrypt_secret("whsec_y")
    assert decrypt_secret(token) == "whsec_y"
    settings.SECRET_KEY = "t" * 50
    with pytest.raises(ImproperlyConfigured):
        decrypt_secret(token)
    settings.SECRET_KEY_FALLBACKS = ["s" * 50]
    assert decrypt_secret(token) == "whsec_y"


@pytest.mark.django_db(transaction=True)
def test_the_migration_encrypts_existing_secrets_and_drops_the_answers():
    executor = MigrationExecutor(connection)
    before, after = [("cases", "0014_emergency_notification")], [("cases", "0015_webhook_hardening")]
    executor.migrate(before)
    old = executor.loader.project_state(before).apps
    endpoint = old.get_model("cases", "WebhookEndpoint").objects.create(
        name="legacy", url="https://hooks.example/in", secret="whsec_" + "cd" * 32
    )
    try:
        executor = MigrationExecutor(connection)
        executor.migrate(after)
        with connection.cursor() as cursor:
            cursor.execute("SELECT secret FROM cases_webhookendpoint WHERE id = %s", [endpoint.pk])
            column = cursor.fetchone()[0]
            columns = [c.name for c in connection.introspection.get_table_description(cursor, "cases_webhookdelivery")]
        assert "cd" * 32 not in column and decrypt_secret(column) == "whsec_" + "cd" * 32
        assert "response_excerpt" not in columns and "duration" in columns
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
