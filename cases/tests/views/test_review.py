"""Counsel's sign-off, from the case file."""

import pytest
from django.urls import reverse

from cases.models import Analysis, CaseEvent
from cases.tests.builders import REFUSED, full_case

# --------------------------------------------------------------------- sign-off


def test_counsel_signs_off_the_latest_analysis(client, counsel_user, version):
    case = full_case(version)
    latest = case.analyses.order_by("-created_at", "-pk").first()
    client.force_login(counsel_user)
    response = client.post(
        reverse("cases:sign_off", args=[case.pk]), {"analysis": latest.pk, "note": "Checked the Dublin holding."}
    )
    assert response.status_code == 302
    latest.refresh_from_db()
    assert latest.signed_off_by == counsel_user and latest.signed_off_at is not None
    assert latest.sign_off_note == "Checked the Dublin holding."
    assert CaseEvent.objects.filter(case=case, kind="analysis_signed_off", by=counsel_user).exists()
    body = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert 'id="signed-off"' in body and 'id="sign-off-form"' not in body


def test_sign_off_of_an_older_analysis_is_refused(client, counsel_user, version):
    case = full_case(version)
    older = case.analyses.order_by("created_at", "pk").first()
    client.force_login(counsel_user)
    client.post(reverse("cases:sign_off", args=[case.pk]), {"analysis": older.pk, "note": "ok"})
    assert not Analysis.objects.filter(case=case, signed_off_at__isnull=False).exists()


def test_sign_off_needs_a_note(client, counsel_user, version):
    case = full_case(version)
    latest = case.analyses.order_by("-created_at", "-pk").first()
    client.force_login(counsel_user)
    response = client.post(
        reverse("cases:sign_off", args=[case.pk]), {"analysis": latest.pk, "note": ""}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 422 and "This field is required" in response.content.decode()
    assert not Analysis.objects.filter(signed_off_at__isnull=False).exists()


@pytest.mark.parametrize("persona", ["intake_user", "viewer_user", *REFUSED])
def test_sign_off_is_refused_to_all_but_counsel(client, request, persona, version):
    case = full_case(version)
    latest = case.analyses.order_by("-created_at", "-pk").first()
    client.force_login(request.getfixturevalue(persona))
    response = client.post(reverse("cases:sign_off", args=[case.pk]), {"analysis": latest.pk, "note": "x"})
    assert response.status_code == 403
    assert not Analysis.objects.filter(signed_off_at__isnull=False).exists()


def test_sign_off_is_post_only(client, counsel_user, version):
    case = full_case(version)
    client.force_login(counsel_user)
    assert client.get(reverse("cases:sign_off", args=[case.pk])).status_code == 405
