"""Counsel's overrides of a holding's answer, from the case file."""

import pytest
from django.urls import reverse

from cases.models import CaseEvent
from cases.tests.builders import REFUSED, full_case

# -------------------------------------------------------------------- overrides


def _override(client, case, analysis, **data):
    return client.post(reverse("cases:override", args=[case.pk, analysis.pk]), data)


def test_counsel_overrides_a_holding_with_a_reason(client, counsel_user, version):
    from cases.models import HoldingOverride

    case = full_case(version)
    latest = case.analyses.order_by("-created_at", "-pk").first()
    client.force_login(counsel_user)
    response = _override(client, case, latest, item=0, reach="none", route="mlat", reason="Stored abroad: Microsoft")
    assert response.status_code == 302
    override = HoldingOverride.objects.get()
    assert (override.analysis, override.account, override.category, override.storage) == (
        latest,
        "target@example.com",
        "content",
        "IE",
    )
    assert (override.reach, override.route, override.by) == ("none", "mlat", counsel_user)
    event = CaseEvent.objects.get(case=case, kind="holding_overridden")
    assert event.data["engine"] == {"reach": "control", "route": "direct"} and event.note == "Stored abroad: Microsoft"
    response = client.get(reverse("cases:detail", args=[case.pk]))
    row = response.context["rows"][0]
    assert row["override"] == override
    assert "Overridden by carl.counsel" in response.content.decode()


def test_override_needs_a_reason_and_a_real_holding(client, counsel_user, version):
    from cases.models import HoldingOverride

    case = full_case(version)
    latest = case.analyses.order_by("-created_at", "-pk").first()
    client.force_login(counsel_user)
    response = _override(client, case, latest, item=0, reach="none", route="mlat", reason="  ")
    assert response.status_code == 302  # Post/Redirect/Get: shown on the case file
    response = client.get(response["Location"])
    row = response.context["rows"][0]
    assert row["open"] and row["form"].errors["reason"]
    response = _override(client, case, latest, item=7, reach="none", route="mlat", reason="x")
    assert response.status_code == 302  # Post/Redirect/Get: shown on the case file
    response = client.get(response["Location"])
    response = _override(client, case, latest, item=0, reach="maybe", route="mlat", reason="x")
    assert response.status_code == 302  # Post/Redirect/Get: shown on the case file
    response = client.get(response["Location"])
    assert not HoldingOverride.objects.exists()


def test_override_of_an_older_analysis_is_refused(client, counsel_user, version):
    from cases.models import HoldingOverride

    case = full_case(version)
    older = case.analyses.order_by("created_at", "pk").first()
    client.force_login(counsel_user)
    response = _override(client, case, older, item=0, reach="none", route="mlat", reason="x")
    assert response.status_code == 302 and not HoldingOverride.objects.exists()


@pytest.mark.parametrize("persona", ["intake_user", "viewer_user", *REFUSED])
def test_override_is_refused_to_all_but_counsel(client, request, persona, version):
    from cases.models import HoldingOverride

    case = full_case(version)
    latest = case.analyses.order_by("-created_at", "-pk").first()
    client.force_login(request.getfixturevalue(persona))
    response = _override(client, case, latest, item=0, reach="none", route="mlat", reason="x")
    assert response.status_code == 403 and not HoldingOverride.objects.exists()
    if persona in ("intake_user", "viewer_user"):
        assert "Override…" not in client.get(reverse("cases:detail", args=[case.pk])).content.decode()
