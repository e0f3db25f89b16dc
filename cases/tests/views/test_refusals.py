"""Each refusal an action raises is shown the same way on every page: a message, the
form kept, never a 500. And an override must change the answer."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cases import actions
from cases.models import CaseEvent, HoldingOverride, Status
from cases.tests.builders import full_case


def _close(case, counsel_user):
    actions.change_status(
        case=case,
        to=Status.CLOSED,
        outcome="withdrawn",
        occurred_on=case.demand.created_at.date(),
        by=counsel_user,
        expected_version=None,
    )
    case.refresh_from_db()
    assert case.status == Status.CLOSED


@pytest.mark.parametrize("htmx", [False, True])
def test_a_sign_off_from_a_stale_page_on_a_closed_case_is_a_message_not_a_500(client, counsel_user, version, htmx):
    case = full_case(version)
    latest = case.latest_analysis
    _close(case, counsel_user)  # closed in another tab after this page was drawn
    client.force_login(counsel_user)
    headers = {"HX-Request": "true"} if htmx else {}
    response = client.post(
        reverse("cases:sign_off", args=[case.pk]), {"analysis": latest.pk, "note": "Checked."}, headers=headers
    )
    latest.refresh_from_db()
    assert latest.signed_off_at is None
    if htmx:
        assert response.status_code == 422
        assert "The case is closed" in response.content.decode()
    else:
        assert response.status_code == 302
        shown = [str(m) for m in response.wsgi_request._messages]
        assert any("The case is closed" in m for m in shown), shown


def test_an_override_from_a_stale_page_on_a_closed_case_is_a_message_not_a_500(client, counsel_user, version):
    case = full_case(version)
    latest = case.latest_analysis
    _close(case, counsel_user)
    client.force_login(counsel_user)
    response = client.post(
        reverse("cases:override", args=[case.pk, latest.pk]),
        {"item": 0, "reach": "none", "route": "mlat", "reason": "Stored abroad."},
    )
    assert response.status_code == 302  # Post/Redirect/Get: shown on the case file
    response = client.get(response["Location"])
    body = response.content.decode()
    assert "The case is closed" in body  # a closed case offers no override form any more: the message says why
    assert not HoldingOverride.objects.exists()


def test_an_override_identical_to_the_engines_answer_is_refused(client, counsel_user, version):
    case = full_case(version)
    latest = case.latest_analysis  # the engine said control/direct for item 0
    client.force_login(counsel_user)
    response = client.post(
        reverse("cases:override", args=[case.pk, latest.pk]),
        {"item": 0, "reach": "control", "route": "direct", "reason": "Agree."},
    )
    assert response.status_code == 302  # Post/Redirect/Get: shown on the case file
    response = client.get(response["Location"])
    body = response.content.decode()
    assert "already the engine&#x27;s answer" in body
    assert response.context["rows"][0]["form"].data["reason"] == "Agree."  # the form is kept, as typed
    assert not HoldingOverride.objects.exists()
    assert not CaseEvent.objects.filter(case=case, kind="holding_overridden").exists()


def test_an_override_identical_to_the_one_in_force_is_refused_but_a_return_to_the_engine_is_not(counsel_user, version):
    case = full_case(version)
    latest = case.latest_analysis
    step = {"analysis": latest, "item": 0, "reason": "Stored abroad.", "by": counsel_user}
    actions.override_holding(reach="none", route="mlat", **step)
    with pytest.raises(ValidationError) as refused:
        actions.override_holding(reach="none", route="mlat", **step)
    assert "already the override in force" in str(refused.value)
    # Back to the engine's answer is a change of the answer in force: recorded.
    actions.override_holding(reach="control", route="direct", **step)
    assert HoldingOverride.objects.count() == 2


def test_an_appeal_step_from_a_stale_page_on_a_closed_case_says_the_case_is_closed(client, counsel_user, version):
    case = full_case(version)
    version_seen = case.version
    _close(case, counsel_user)
    client.force_login(counsel_user)
    response = client.post(
        reverse("cases:change_track", args=[case.pk, "appeal", "notice_filed"]),
        {"appeal-notice_filed-version": case.version, "appeal-notice_filed-occurred_on": "2026-01-05"},
    )
    assert version_seen < case.version
    assert response.status_code == 302  # Post/Redirect/Get: shown on the case file
    response = client.get(response["Location"])
    assert "The case is closed" in response.content.decode()
