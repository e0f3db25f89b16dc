"""Who sees which page, and the dashboard."""

import pytest
from django.urls import reverse

from cases.models import AppealStatus, ContemptStatus, Status
from cases.tests.builders import READERS, REFUSED, full_case
from tests.factories import (
    CaseFactory,
    JurisdictionFactory,
)

# ----------------------------------------------------------------------- roles


PAGES = [
    ("home", lambda case: reverse("home")),
    ("list", lambda case: reverse("cases:list")),
    ("detail", lambda case: reverse("cases:detail", args=[case.pk])),
    ("analysis", lambda case: reverse("cases:analysis", args=[case.pk])),
]


@pytest.mark.parametrize("persona", READERS)
@pytest.mark.parametrize(("page", "url"), PAGES)
def test_readers_see_the_pages(client, request, persona, page, url, version):
    case = full_case(version)
    client.force_login(request.getfixturevalue(persona))
    assert client.get(url(case)).status_code == 200


@pytest.mark.parametrize("persona", REFUSED)
@pytest.mark.parametrize(("page", "url"), PAGES)
def test_others_are_refused(client, request, persona, page, url, version):
    case = full_case(version)
    client.force_login(request.getfixturevalue(persona))
    response = client.get(url(case))
    assert response.status_code == 403
    assert case.demand.reference not in response.content.decode()


@pytest.mark.parametrize(("page", "url"), PAGES)
def test_anonymous_is_sent_to_login(client, page, url, version):
    case = full_case(version)
    response = client.get(url(case))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_missing_case_is_404(client, viewer_user):
    client.force_login(viewer_user)
    assert client.get(reverse("cases:detail", args=[999])).status_code == 404


def test_login_logout_and_password_change_still_work(client, viewer_user):
    from conftest import PASSWORD

    response = client.post(reverse("login"), {"username": viewer_user.username, "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("password_change")).status_code == 200
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("cases:list")).status_code == 302


# ------------------------------------------------------------------- dashboard


def test_dashboard_counts_deadlines_litigation_and_countries(client, viewer_user, version):
    overdue = full_case(version, "OVERDUE-1")
    litigating = CaseFactory(
        demand__reference="LIT-1", status=Status.LITIGATING, appeal_status=AppealStatus.NOTICE_FILED
    )
    CaseFactory(
        demand__reference="CLOSED-1", status=Status.CLOSED, outcome="moot", contempt_status=ContemptStatus.VACATED
    )
    gb = JurisdictionFactory(code="GB", name="United Kingdom")
    CaseFactory(demand__reference="GB-1", demand__issuing_jurisdiction=gb)
    client.force_login(viewer_user)
    response = client.get(reverse("home"))
    ctx = response.context
    assert [d.case for d in ctx["overdue"]] == [overdue]
    assert [d.label for d in ctx["due_soon"]] == ["Call the AUSA"]
    assert ctx["litigation"] == [litigating]
    assert ctx["open_total"] == 3
    bars = {bar["code"]: bar["n"] for bar in ctx["chart"]["bars"]}
    assert bars == {"US": 3, "GB": 1}
    body = response.content.decode()
    assert "<svg" in body and "United Kingdom" in body and "style=" not in body


# ------------------------------------------------------------------- case list
