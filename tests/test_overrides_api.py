"""Counsel's overrides are the legal team's answer: the status clients poll and the
analyses they read carry them, not only the engine's result."""

import io

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from cases import actions
from cases.analysis import summarise
from cases.models import Analysis, Case


@pytest.fixture
def demo(catalogue):
    call_command("load_demo", stdout=io.StringIO())


def _client(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_summary_counts_the_effective_answer():
    item = {"reach": "control", "route": "direct", "conflicts": ["EU-GDPR-ART48"], "comity_motion": False}
    result = {"doctrine": "control-based", "items": [item, dict(item)], "deadlines": {}}
    plain = summarise(result)
    assert plain["reachable"] == 2 and plain["routes"] == {"direct": 2} and plain["overridden"] == 0
    overridden = summarise(result, {1: ("none", "mlat"), 7: ("none", "mlat")})  # 7: no such holding
    assert overridden["reachable"] == 1 and overridden["routes"] == {"direct": 1, "mlat": 1}
    assert overridden["overridden"] == 1
    assert overridden["conflicts"] == ["EU-GDPR-ART48"]  # the engine's finding stays


def test_status_and_analyses_report_counsels_override(demo, counsel_user, viewer_user):
    case = Case.objects.get(demand__reference="COPO-2026-0142")
    analysis = Analysis.objects.filter(case=case).latest("pk")
    client = _client(viewer_user)
    before = client.get(f"/api/v1/cases/{case.pk}/status/")
    assert before.json()["analysis"]["routes"] == {"agreement": 2, "mlat": 1}
    assert before.json()["analysis"]["overridden"] == 0
    index = next(i for i, item in enumerate(analysis.result["items"]) if item["route"] == "agreement")
    reachable = before.json()["analysis"]["reachable"]

    actions.override_holding(
        analysis=analysis, item=index, reach="none", route="mlat", reason="The COPO does not reach it.", by=counsel_user
    )
    after = client.get(f"/api/v1/cases/{case.pk}/status/", HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200  # the ETag changed with the override
    summary = after.json()["analysis"]
    assert summary["routes"] == {"agreement": 1, "mlat": 2} and summary["overridden"] == 1
    assert summary["reachable"] == reachable - 1

    # A later override of the same holding replaces the earlier one.
    actions.override_holding(
        analysis=analysis,
        item=index,
        reach="control",
        route="agreement",
        reason="On reflection it does.",
        by=counsel_user,
    )
    summary = client.get(f"/api/v1/cases/{case.pk}/status/").json()["analysis"]
    assert summary["routes"] == {"agreement": 2, "mlat": 1} and summary["overridden"] == 1

    analyses = client.get(f"/api/v1/cases/{case.pk}/analyses/").json()
    latest = next(a for a in analyses if a["id"] == analysis.pk)
    assert [(o["item"], o["reach"], o["route"], o["by"]) for o in latest["overrides"]] == [
        (index, "none", "mlat", counsel_user.username),
        (index, "control", "agreement", counsel_user.username),
    ]
    assert latest["result"]["items"][index]["route"] == "agreement"  # the engine's answer stays on record


def test_analyses_read_overrides_in_a_fixed_number_of_queries(demo, counsel_user, viewer_user):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    case = Case.objects.get(demand__reference="COPO-2026-0142")
    analysis = Analysis.objects.filter(case=case).latest("pk")
    client = _client(viewer_user)
    client.get(f"/api/v1/cases/{case.pk}/analyses/")  # the first also reads the roles, kept on the user
    counts = []
    for index in (0, 1, 2):
        # An override must change the answer: the engine already says none/mlat for one of them.
        engine = analysis.result["items"][index]
        reach, route = ("none", "mlat") if engine["route"] != "mlat" else ("control", "agreement")
        actions.override_holding(
            analysis=analysis, item=index, reach=reach, route=route, reason="Checked.", by=counsel_user
        )
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/api/v1/cases/{case.pk}/analyses/").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] == counts[2], counts
