"""Hardening: CSP on every page, secure cookies and HSTS with DEBUG off, CSRF on every
form, login throttling, uploads checked by content and size, no secrets or customer
identifiers in logs, and a record (events, analyses, history) nobody can edit."""

import io
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import NoReverseMatch, reverse
from rest_framework.test import APIClient

from accounts.models import ApiToken
from cases.models import Case, CaseEvent
from config.log_redaction import REDACTED, RedactingFilter, redact
from conftest import PASSWORD
from requests_app.documents import MAX_DOCUMENT_BYTES
from requests_app.forms import DemandForm
from tests.security.pdfs import clean_pdf

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def demo(catalogue):
    call_command("load_demo", stdout=io.StringIO())
    return Case.objects.select_related("demand").get(demand__reference="13-MAG-2814")


# --- Content-Security-Policy ------------------------------------------------------------

PAGES = [
    ("home", {}),
    ("cases:list", {}),
    ("cases:detail", {"pk": "case"}),
    ("cases:analysis", {"pk": "case"}),
    ("catalogue:index", {}),
    ("catalogue:what_if", {}),
    ("demands:new", {}),
    ("reports:transparency", {}),
    ("password_change", {}),
    ("admin:index", {}),
    ("admin:cases_case_changelist", {}),
]


def test_every_page_carries_a_content_security_policy(demo, admin_user_):
    client = Client()
    client.force_login(admin_user_)
    seen = 0
    for name, kwargs in PAGES:
        response = client.get(reverse(name, kwargs={k: demo.pk for k in kwargs}))
        assert response.status_code == 200, name
        policy = response.headers.get("Content-Security-Policy", "")
        assert "default-src 'self'" in policy and "object-src 'none'" in policy, (name, policy)
        assert "frame-ancestors 'none'" in policy
        seen += 1
    # Error pages and the login page too.
    for response in (Client().get("/login/"), client.get("/cases/999999999/"), Client().get("/healthz")):
        assert "Content-Security-Policy" in response.headers, response.status_code
    assert seen == len(PAGES)


# --- production settings ----------------------------------------------------------------


def _production(*code: str) -> subprocess.CompletedProcess:
    # Only the deployment's variables: none a test run may have set (DJANGO_ALLOW_ASYNC_UNSAFE).
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("DJANGO_") and k not in {"DEBUG", "DATABASE_URL", "REDIS_URL"}
    }
    env.update(
        DEBUG="0",
        SECRET_KEY=os.urandom(32).hex(),
        ALLOWED_HOSTS="lexloci.example",
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    return subprocess.run(
        [sys.executable, *code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_debug_off_means_secure_cookies_hsts_and_https():
    result = _production(
        "-c",
        "import django, json; from django.conf import settings as s; django.setup(); print(json.dumps(["
        "s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.SECURE_HSTS_SECONDS, "
        "s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_SSL_REDIRECT, s.SECURE_CONTENT_TYPE_NOSNIFF, s.X_FRAME_OPTIONS]))",
    )
    assert result.returncode == 0, result.stderr
    secure, csrf_secure, httponly, hsts, subdomains, redirect, nosniff, frames = json.loads(result.stdout)
    assert secure and csrf_secure and httponly and subdomains and redirect and nosniff
    assert hsts >= 31536000 and frames == "DENY"


def test_deploy_checks_are_clean_with_debug_off():
    result = _production("manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr


def test_https_responses_carry_hsts(settings, client):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_SSL_REDIRECT = False
    response = client.get("/login/", secure=True)
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


# --- CSRF ------------------------------------------------------------------------------


def test_login_form_without_csrf_token_is_refused():
    response = Client(enforce_csrf_checks=True).post("/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403


def test_intake_form_without_csrf_token_is_refused(demo, intake_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(intake_user)
    before = Case.objects.count()
    response = client.post("/demands/new/", {"reference": "CSRF-1"})
    assert response.status_code == 403
    assert Case.objects.count() == before


@pytest.mark.parametrize(
    "path",
    ["/cases/{pk}/events/", "/cases/{pk}/tracks/status/analysis/", "/cases/{pk}/sign-off/", "/catalogue/what-if/"],
)
def test_workflow_forms_without_csrf_token_are_refused(demo, counsel_user, path):
    client = Client(enforce_csrf_checks=True)
    client.force_login(counsel_user)
    events = CaseEvent.objects.count()
    response = client.post(path.format(pk=demo.pk), {"event-kind": "note", "event-occurred_on": "2026-01-01"})
    assert response.status_code == 403
    assert CaseEvent.objects.count() == events


def test_api_with_a_session_needs_csrf_too(demo, counsel_user):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(counsel_user)
    response = client.post(
        f"/api/v1/cases/{demo.pk}/record-event/",
        {"kind": "note", "occurred_on": "2026-01-01", "expected_version": demo.version},
        format="json",
    )
    assert response.status_code == 403


# --- login throttling ------------------------------------------------------------------


def _login(client, username, password, path="/login/"):
    return client.post(path, {"username": username, "password": password})


def test_five_failures_lock_the_username_even_for_the_right_password(counsel_user, settings):
    client = Client()
    for _ in range(settings.LOGIN_THROTTLE_FAILURES):
        assert _login(client, "carl.counsel", "wrong-password").status_code == 200
    locked = _login(client, "carl.counsel", PASSWORD)
    assert locked.status_code == 429
    assert "Too many failed logins" in locked.text
    assert "_auth_user_id" not in client.session
    # Another user from the same address is not locked out (the address's own limit is higher).
    assert settings.LOGIN_THROTTLE_ADDRESS_FAILURES > settings.LOGIN_THROTTLE_FAILURES
    assert _login(Client(), "vera.viewer", "wrong").status_code == 200


def test_lock_is_per_address(counsel_user, settings):
    for _ in range(settings.LOGIN_THROTTLE_FAILURES):
        _login(Client(REMOTE_ADDR="10.0.0.1"), "carl.counsel", "wrong-password")
    assert _login(Client(REMOTE_ADDR="10.0.0.1"), "carl.counsel", PASSWORD).status_code == 429
    assert _login(Client(REMOTE_ADDR="10.0.0.2"), "carl.counsel", PASSWORD).status_code == 302


def test_a_success_resets_the_count(counsel_user, settings):
    client = Client()
    for _ in range(settings.LOGIN_THROTTLE_FAILURES - 1):
        _login(client, "carl.counsel", "wrong-password")
    assert _login(client, "carl.counsel", PASSWORD).status_code == 302
    client.logout()
    for _ in range(settings.LOGIN_THROTTLE_FAILURES - 1):
        _login(client, "carl.counsel", "wrong-password")
    assert _login(client, "carl.counsel", PASSWORD).status_code == 302


def test_admin_login_is_throttled_too(admin_user_, settings):
    client = Client()
    for _ in range(settings.LOGIN_THROTTLE_FAILURES):
        _login(client, "ada.admin", "wrong-password", "/admin/login/")
    response = _login(client, "ada.admin", PASSWORD, "/admin/login/")
    assert response.status_code == 200 and "Too many failed logins" in response.text
    assert "_auth_user_id" not in client.session


def test_the_count_is_shared_by_every_process(counsel_user, settings):
    """The count lives in the database: failures seen by other processes (here
    written straight through the module another worker would use) count too."""
    from accounts import security

    for _ in range(settings.LOGIN_THROTTLE_FAILURES - 1):
        security.record_failure("carl.counsel", "127.0.0.1")
    assert _login(Client(), "carl.counsel", "wrong-password").status_code == 200
    assert _login(Client(), "carl.counsel", PASSWORD).status_code == 429


def test_an_admin_unlocks_by_deleting_the_row(counsel_user, admin_user_, settings):
    from accounts.models import LoginThrottle

    for _ in range(settings.LOGIN_THROTTLE_FAILURES):
        _login(Client(), "carl.counsel", "wrong-password")
    # The lock is the count of that user name at that address (accounts/security.py).
    row = LoginThrottle.objects.get(username="carl.counsel", kind=LoginThrottle.Kind.USER_AT_ADDRESS)
    assert row.locked_until is not None and row.address == "127.0.0.1"
    assert row.failures == settings.LOGIN_THROTTLE_FAILURES  # the count stays visible while locked
    assert "carl" not in row.key  # the key is a digest
    admin = Client()
    admin.force_login(admin_user_)
    assert admin.get("/admin/accounts/loginthrottle/").status_code == 200
    response = admin.post(f"/admin/accounts/loginthrottle/{row.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302 and not LoginThrottle.objects.filter(pk=row.pk).exists()
    assert _login(Client(), "carl.counsel", PASSWORD).status_code == 302


def test_a_window_that_has_passed_starts_the_count_again(counsel_user, settings):
    import time_machine

    with time_machine.travel("2026-11-23 09:00 +0000", tick=False) as clock:
        for _ in range(settings.LOGIN_THROTTLE_FAILURES - 1):
            _login(Client(), "carl.counsel", "wrong-password")
        clock.shift(settings.LOGIN_THROTTLE_WINDOW + 1)
        assert _login(Client(), "carl.counsel", "wrong-password").status_code == 200
        assert _login(Client(), "carl.counsel", PASSWORD).status_code == 302


def test_concurrent_failures_are_all_counted(postgres, transactional_db, settings):
    """Failures from several connections at once lose no count (the row is locked)."""
    import threading

    from django.db import connections

    from accounts import security
    from accounts.models import LoginThrottle

    errors = []

    def fail():
        try:
            security.record_failure("carl.counsel", "10.9.9.9")
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=fail) for _ in range(settings.LOGIN_THROTTLE_FAILURES - 1)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    # Each failure counts on all three rows (the name at the address, the address, the name).
    counts = dict(LoginThrottle.objects.values_list("kind", "failures"))
    assert counts == dict.fromkeys(LoginThrottle.Kind.values, settings.LOGIN_THROTTLE_FAILURES - 1)


# --- uploads ---------------------------------------------------------------------------


def _document_errors(upload) -> list[str]:
    form = DemandForm(data={}, files={"document": upload})
    form.is_valid()
    return form.errors.get("document", [])


def test_upload_must_be_a_pdf_by_content_not_by_name(db):
    fake = SimpleUploadedFile("warrant.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    assert any("not a PDF" in e for e in _document_errors(fake))
    real = SimpleUploadedFile("scan.pdf", clean_pdf(), content_type="application/octet-stream")
    assert len(_document_errors(real)) == 0
    named_wrong = SimpleUploadedFile("scan.exe", clean_pdf(), content_type="application/pdf")
    assert len(_document_errors(named_wrong)) == 1


def test_upload_over_ten_megabytes_is_refused(db):
    big = SimpleUploadedFile("big.pdf", b"%PDF-1.7\n" + b"0" * MAX_DOCUMENT_BYTES, content_type="application/pdf")
    assert any("the limit is 10 MB" in e for e in _document_errors(big))


# --- logs ------------------------------------------------------------------------------


def test_redaction_of_tokens_authorization_and_emails():
    line = (
        "GET /api/v1/cases/ Authorization: Token llk_abcdefghijkl_SECRETsecret123 "
        "from alice.smith+x@example.co.uk key=hunter2 {'HTTP_AUTHORIZATION': 'Token llk_zz_zz'}"
    )
    cleaned = redact(line)
    for secret in ("llk_", "SECRETsecret123", "alice.smith", "example.co.uk", "hunter2"):
        assert secret not in cleaned, cleaned
    assert REDACTED in cleaned and "/api/v1/cases/" in cleaned


def test_log_records_are_redacted_by_the_configured_handler(caplog):
    handler = logging.getLogger().handlers[0] if logging.getLogger().handlers else None
    assert django_settings.LOGGING["handlers"]["console"]["filters"] == ["redact"]
    record = logging.LogRecord(
        "cases", logging.WARNING, __file__, 1, "token %s for %s", ("llk_aaaaaaaaaaaa_bbbb", "bob@example.com"), None
    )
    try:
        raise ValueError("bad account carol@example.org")
    except ValueError:
        record.exc_info = sys.exc_info()
    assert RedactingFilter().filter(record)
    text = logging.Formatter().format(record)
    assert "llk_" not in text and "bob@example.com" not in text and "carol@example.org" not in text
    if handler is not None:
        assert any(isinstance(f, RedactingFilter) for f in handler.filters)


def test_api_request_logs_carry_no_token_or_identifier(demo, api_user, caplog):
    _, key = ApiToken.issue(user=api_user, name="logs", scope="read")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}x")
    with caplog.at_level(logging.WARNING):
        assert client.get("/api/v1/cases/?q=target@example.com").status_code == 401
    logged = "\n".join(RedactingFilter().filter(r) and r.getMessage() for r in caplog.records)
    assert key not in logged and "target@example.com" not in logged


# --- the record cannot be edited ------------------------------------------------------


def test_admin_refuses_to_change_or_delete_case_events_and_analyses(demo, admin_user_):
    client = Client()
    client.force_login(admin_user_)
    event = CaseEvent.objects.filter(case=demo).first()
    analysis = demo.analyses.first()
    before = (CaseEvent.objects.count(), demo.analyses.count())
    for model, obj in (("caseevent", event), ("analysis", analysis)):
        assert client.post(f"/admin/cases/{model}/{obj.pk}/delete/", {"post": "yes"}).status_code == 403
        assert client.post(f"/admin/cases/{model}/add/", {}).status_code == 403
        change = client.post(f"/admin/cases/{model}/{obj.pk}/change/", {"note": "rewritten", "kind": "note"})
        assert change.status_code == 403
        # The change page shows the record read-only: no save button, no delete link.
        page = client.get(f"/admin/cases/{model}/{obj.pk}/change/")
        assert page.status_code == 200 and 'name="_save"' not in page.text
    assert client.post("/admin/cases/caseevent/", {"action": "delete_selected", "_selected_action": [event.pk]})
    assert (CaseEvent.objects.count(), demo.analyses.count()) == before
    event.refresh_from_db()
    assert event.note != "rewritten"


def test_audit_history_has_no_admin_of_its_own(demo):
    for model in ("historicalcase", "historicaldemand", "historicaltargetaccount", "historicalholding"):
        with pytest.raises(NoReverseMatch):
            reverse(f"admin:cases_{model}_changelist")
        with pytest.raises(NoReverseMatch):
            reverse(f"admin:requests_app_{model}_changelist")


def test_case_history_cannot_be_reverted_through_the_admin(demo, admin_user_):
    """simple_history's history form would write a case's old track fields back
    without an event: it must be refused."""
    client = Client()
    client.force_login(admin_user_)
    historical = demo.history.order_by("history_id").first()
    url = f"/admin/cases/case/{demo.pk}/history/{historical.history_id}/"
    events = CaseEvent.objects.filter(case=demo).count()
    status_before = Case.objects.values_list("status", "version").get(pk=demo.pk)
    client.post(url, {"counsel": "", "_save": "Save"})
    assert Case.objects.values_list("status", "version").get(pk=demo.pk) == status_before
    assert CaseEvent.objects.filter(case=demo).count() == events


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
@pytest.mark.parametrize(
    "path",
    ["/api/v1/cases/{pk}/events/", "/api/v1/cases/{pk}/", "/api/v1/demands/{demand}/", "/api/v1/cases/{pk}/analyses/"],
)
def test_api_has_no_way_to_edit_or_delete_the_record(demo, api_user, method, path):
    _, key = ApiToken.issue(user=api_user, name="rw", scope="read-write")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    before = (CaseEvent.objects.count(), demo.analyses.count())
    url = path.format(pk=demo.pk, demand=demo.demand_id)
    response = getattr(client, method)(url, {"note": "x", "status": "closed"}, format="json")
    if (path, method) == ("/api/v1/demands/{demand}/", "patch"):
        # The one edit: correcting the facts (cases.actions.amend_demand), with a reason and the version.
        assert response.status_code == 400
        assert {"reason", "expected_version"} <= set(response.json()["error"]["fields"])
    else:
        assert response.status_code == 405
    assert (CaseEvent.objects.count(), demo.analyses.count()) == before


# ------------------------------------------------------- database unavailable


def _database_down(*args, **kwargs):
    from django.db import OperationalError

    raise OperationalError("connection to server at 127.0.0.1, port 5432 failed: Connection refused")


def test_database_outage_is_a_503_with_retry_after_on_the_api(db, viewer_user, monkeypatch):
    monkeypatch.setattr("cases.api.case_status", _database_down)
    client = APIClient()
    client.raise_request_exception = False
    client.force_authenticate(viewer_user)
    response = client.get("/api/v1/cases/1/status/")
    assert response.status_code == 503 and response["Retry-After"] == "5"
    assert response.json()["error"]["code"] == "unavailable"
    assert "retry in 5 seconds" in response.json()["error"]["message"]


def test_database_outage_is_a_503_page_that_needs_no_database(db, viewer_user, monkeypatch):
    client = Client(raise_request_exception=False)
    client.force_login(viewer_user)
    monkeypatch.setattr("cases.views.lists.case_list_queryset", _database_down)
    response = client.get("/cases/")
    assert response.status_code == 503 and response["Retry-After"] == "5"
    assert b"Unavailable for a moment" in response.content


def test_a_bug_is_still_a_500_not_a_503(db, viewer_user, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr("cases.api.case_status", broken)
    client = APIClient()
    client.raise_request_exception = False
    client.force_authenticate(viewer_user)
    response = client.get("/api/v1/cases/1/status/")
    assert response.status_code == 500 and "Retry-After" not in response
    assert response.json()["error"] == {"status": 500, "code": "error", "message": "Server error.", "fields": {}}


def test_the_admin_issues_a_token_once_and_refuses_a_past_expiry(admin_user_, api_user):
    client = Client()
    client.force_login(admin_user_)
    form = {"name": "ticketing", "user": api_user.pk, "scope": "read"}
    past = client.post("/admin/accounts/apitoken/add/", {**form, "expires_at_0": "2020-01-01", "expires_at_1": "00:00"})
    assert past.status_code == 200 and "This date has passed" in past.content.decode()
    assert not ApiToken.objects.filter(name="ticketing").exists()
    issued = client.post("/admin/accounts/apitoken/add/", {**form, "expires_at_0": "", "expires_at_1": ""}, follow=True)
    assert issued.status_code == 200 and ApiToken.objects.filter(name="ticketing").count() == 1
    assert "Copy it now: it is shown this once" in issued.content.decode()  # in the response itself (M4)
