"""Emergency demands: counsel is told at once, in the app and by e-mail (after commit,
through the outbox), once; the case file and the API status mark the emergency."""

import datetime as dt
import smtplib

import pytest
import yaml
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from cases import actions
from cases.models import Case, Deadline, Notification
from cases.tasks import email_emergency_notice, send_deadline_reminders
from conftest import _persona
from jurisdictions.models import ControllingEntity, DataLocation, LegalInstrument
from outbox.models import OutboxMessage
from requests_app.models import Demand, Holding, TargetAccount
from requests_app.tests.test_intake import payload

pytestmark = pytest.mark.django_db

EMAIL_TASK = "cases.tasks.email_emergency_notice"


@pytest.fixture
def data_map(catalogue):
    msft = ControllingEntity.objects.create(name="Microsoft Corporation", country_id="US", offers_services_in=["*"])
    ireland = ControllingEntity.objects.create(
        name="Microsoft Ireland Operations Limited", country_id="IE", parent=msft
    )
    ireland.designated_for.add(msft)
    return {
        "msft": msft,
        "ireland": ireland,
        "quincy": DataLocation.objects.create(name="Quincy", country_id="US", operated_by=msft),
        "dublin": DataLocation.objects.create(name="Dublin", country_id="IE", operated_by=ireland),
    }


@pytest.fixture
def counsel_team(counsel_user):
    """Three members of counsel, one of whom has left (inactive), and one without an address."""
    from accounts import roles

    return {
        "carl": counsel_user,
        "dana": _persona("dana.counsel", roles.COUNSEL, email="dana@example.com"),
        "noemail": _persona("nia.counsel", roles.COUNSEL),
        "left": _persona("leo.counsel", roles.COUNSEL, email="leo@example.com", is_active=False),
    }


def _epo(data_map, *, reference="EPO-DE-URGENT-1", emergency=True) -> tuple[Demand, list]:
    served = timezone.now() - dt.timedelta(hours=1)
    demand = Demand(
        reference=reference,
        instrument=LegalInstrument.objects.get(code="EU-EPO"),
        issuing_jurisdiction_id="DE",
        issuing_authority="Staatsanwaltschaft Berlin",
        served_entity=data_map["ireland"],
        served_at=served,
        received_at=served,
        emergency=emergency,
    )
    holdings = [Holding(category="content", data_location=data_map["dublin"], controlled_by=data_map["ireland"])]
    return demand, [actions.AccountToLog(account=TargetAccount(identifier="target@example.com"), holdings=holdings)]


def _log(data_map, by, *, counsel=None, **kwargs) -> Case:
    demand, accounts = _epo(data_map, **kwargs)
    return actions.log_demand(demand=demand, accounts=accounts, by=by, via="in a test", counsel=counsel)


def _notified(case) -> set[str]:
    return set(Notification.objects.filter(case=case, kind="emergency").values_list("user__username", flat=True))


def test_an_emergency_epo_logged_at_intake_tells_every_active_counsel_at_once(
    client, intake_user, viewer_user, counsel_team, data_map, django_capture_on_commit_callbacks
):
    client.force_login(intake_user)
    data = payload(data_map, instrument="EU-EPO", issuing_jurisdiction="DE", emergency="on", reference="EPO-8H")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(reverse("demands:new"), data)
        assert response.status_code == 302, response.context["intake"].demand.errors
        # In the app at once, in the intake's own transaction; nothing e-mailed before commit.
        case = Case.objects.get(demand__reference="EPO-8H")
        assert _notified(case) == {"carl.counsel", "dana.counsel", "nia.counsel"}  # no intake, viewer, leaver
    assert callbacks, "the e-mail waits for the commit"
    # After commit the outbox ran the e-mail task in-process: one e-mail per address.
    assert sorted(m.to[0] for m in mail.outbox) == ["carl@example.com", "dana@example.com"]
    message = mail.outbox[0]
    assert message.subject == "[Lexloci] Emergency demand logged: EU-EPO EPO-8H from U.S. Attorney, S.D.N.Y."
    assert f"/cases/{case.pk}/" in message.body and "emergency European Production Order" in message.body
    sent = OutboxMessage.objects.get(task=EMAIL_TASK)
    assert (sent.args, sent.dedupe_key, sent.sent_at is not None) == ([case.pk], f"emergency:{case.pk}", True)
    notices = Notification.objects.filter(case=case)
    assert all(n.emailed_at is not None for n in notices if n.email_to)
    assert notices.get(user=counsel_team["noemail"]).emailed_at is None  # in the app only
    assert all(n.deadline_id is None and n.read_at is None for n in notices)


def test_the_assigned_counsel_alone_is_told(intake_user, counsel_team, data_map, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = _log(data_map, intake_user, counsel=counsel_team["dana"])
    assert _notified(case) == {"dana.counsel"}
    assert [m.to for m in mail.outbox] == [["dana@example.com"]]


def test_an_assigned_counsel_who_has_left_means_every_active_counsel(
    intake_user, counsel_team, data_map, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = _log(data_map, intake_user, counsel=counsel_team["left"])
    assert _notified(case) == {"carl.counsel", "dana.counsel", "nia.counsel"}


def test_once_per_demand_however_often_it_is_announced(
    intake_user, counsel_team, data_map, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = _log(data_map, intake_user)
    assert len(mail.outbox) == 2
    with django_capture_on_commit_callbacks(execute=True):
        assert actions.notify_of_emergency(case=Case.objects.select_related("demand__instrument").get(pk=case.pk)) == []
    assert email_emergency_notice(case.pk) == 0  # the task delivered twice: nothing more
    send_deadline_reminders()  # nor does the periodic job send it again (it reminds of the 8 hours)
    assert Notification.objects.filter(case=case, kind="emergency").count() == 3
    assert len([m for m in mail.outbox if "Emergency demand" in m.subject]) == 2
    assert OutboxMessage.objects.filter(task=EMAIL_TASK).count() == 1


def test_a_demand_that_is_no_emergency_tells_no_one(
    intake_user, counsel_team, data_map, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = _log(data_map, intake_user, emergency=False)
    assert not Notification.objects.filter(case=case).exists() and mail.outbox == []
    assert not OutboxMessage.objects.filter(task=EMAIL_TASK).exists()


def test_an_email_that_fails_is_sent_by_the_next_reminder_run(
    intake_user, counsel_user, data_map, django_capture_on_commit_callbacks, monkeypatch
):
    def refuse(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("mail server went away")

    with monkeypatch.context() as patch:
        patch.setattr("cases.tasks.send_mail", refuse)
        with django_capture_on_commit_callbacks(execute=True):
            case = _log(data_map, intake_user)
    notice = Notification.objects.get(case=case, kind="emergency")
    assert notice.emailed_at is None and mail.outbox == []
    send_deadline_reminders()
    notice.refresh_from_db()
    assert notice.emailed_at is not None
    assert [m.to for m in mail.outbox if "Emergency demand" in m.subject] == [["carl@example.com"]]


# --- Marked where it appears: the case file and the API status ----------------------------------


def _response_deadline(case, hours: float) -> Deadline:
    return Deadline.objects.create(
        case=case, kind="response", due_at=timezone.now() + dt.timedelta(hours=hours), source="computed"
    )


def test_the_case_file_marks_the_emergency_and_counts_down_to_its_response(
    client, viewer_user, intake_user, counsel_user, data_map
):
    case = _log(data_map, intake_user)
    client.force_login(viewer_user)
    url = reverse("cases:detail", args=[case.pk])
    body = client.get(url).content.decode()
    assert 'id="emergency"' in body and '<span class="pill emergency">Emergency</span>' in body
    assert "once the analysis has run" in body and "data-countdown-to" not in body

    deadline = _response_deadline(case, 7.5)
    body = client.get(url).content.decode()
    due = deadline.due_at.astimezone(dt.UTC)
    assert f'data-countdown-to="{due.isoformat()}"' in body
    assert "7\xa0hours, 29\xa0minutes left" in body or "7\xa0hours, 30\xa0minutes left" in body  # server-rendered
    assert "js/countdown.js" in body  # the live countdown, served from this site

    deadline.due_at = timezone.now() - dt.timedelta(minutes=90)
    deadline.save()
    body = client.get(url).content.decode()
    assert 'class="countdown overdue"' in body and "overdue by 1\xa0hour, 30\xa0minutes" in body

    Case.objects.filter(pk=case.pk).update(status="closed", outcome="moot")
    body = client.get(url).content.decode()
    assert "This emergency case is closed." in body and "data-countdown-to" not in body


def test_a_case_that_is_no_emergency_has_no_marker(client, viewer_user, intake_user, data_map):
    case = _log(data_map, intake_user, emergency=False)
    _response_deadline(case, 5)
    client.force_login(viewer_user)
    body = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert 'id="emergency"' not in body and "countdown.js" not in body


def test_the_api_status_says_emergency_and_the_schema_has_it(viewer_user, intake_user, data_map):
    urgent = _log(data_map, intake_user)
    ordinary = _log(data_map, intake_user, reference="EPO-DE-ORDINARY", emergency=False)
    api = APIClient()
    api.force_authenticate(viewer_user)
    assert api.get(f"/api/v1/cases/{urgent.pk}/status/").json()["emergency"] is True
    assert api.get(f"/api/v1/cases/{ordinary.pk}/status/").json()["emergency"] is False
    schema = yaml.safe_load(api.get("/api/schema/").content)
    status = schema["components"]["schemas"]["CaseStatus"]
    assert status["properties"]["emergency"]["type"] == "boolean" and "emergency" in status["required"]


def test_with_no_counsel_at_all_the_emergency_is_still_logged(
    intake_user, data_map, django_capture_on_commit_callbacks
):
    """Nobody to tell is no reason to refuse the demand."""
    assert not get_user_model().objects.filter(groups__name="counsel").exists()
    with django_capture_on_commit_callbacks(execute=True):
        case = _log(data_map, intake_user)
    assert Case.objects.filter(pk=case.pk).exists() and not Notification.objects.exists()


def test_the_memo_opens_with_the_emergency_and_its_response_deadline(intake_user, data_map):
    import io

    import pypdf

    from cases import export

    def memo_text(case) -> str:
        pdf = pypdf.PdfReader(io.BytesIO(export.memo_pdf(export.case_record(case.pk))))
        return " ".join(" ".join(p.extract_text().split()) for p in pdf.pages)

    urgent = _log(data_map, intake_user)
    assert "Emergency demand" in memo_text(urgent)  # before the analysis gives it a deadline
    response = _response_deadline(urgent, 7.5)
    due = response.due_at.astimezone(dt.UTC)  # the memo's reader has no zone yet: UTC
    assert f"Emergency demand: response due {due.day} {due:%b %Y, %H:%M} UTC" in memo_text(urgent)
    ordinary = _log(data_map, intake_user, reference="EPO-DE-ORDINARY-1", emergency=False)
    assert "Emergency demand" not in memo_text(ordinary)
