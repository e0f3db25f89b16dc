"""The case list: filters, sorting, pages, its query count."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import AppealStatus, ContemptStatus, Deadline, Status
from cases.tests.builders import full_case
from tests.factories import (
    AccountFactory,
    CaseFactory,
    DemandFactory,
    EntityFactory,
    InstrumentFactory,
    JurisdictionFactory,
)


def test_list_query_count_is_pinned(client, viewer_user, version, django_assert_num_queries):
    """1 session, 2 user, 3 the user's groups (roles), 4 count, 5 the page of cases with
    the next deadline, counsel and sign-off keys, 6 the page's signed and latest analyses
    (the sign-off column), 7 issuers and 8 instruments for the filter form, 9 the
    header's unread notifications, 10 the queues' counts (one aggregate)."""
    client.force_login(viewer_user)
    full_case(version, "ONE")
    with django_assert_num_queries(10):
        response = client.get(reverse("cases:list"))
    assert len(response.context["page"]) == 1
    for i in range(49):
        full_case(version, f"MANY-{i}", accounts=1, analyses=1)
    with django_assert_num_queries(10):
        response = client.get(reverse("cases:list"), {"sort": "deadline", "q": "many", "due": "overdue"})
    assert len(response.context["page"]) == 49
    with django_assert_num_queries(10):  # a queue filters the same queries
        response = client.get(reverse("cases:list"), {"queue": "awaiting_sign_off", "sort": "-deadline"})
    assert len(response.context["page"]) == 50


def test_list_shows_next_deadline_with_overdue_highlighted(client, viewer_user, version):
    case = full_case(version)
    client.force_login(viewer_user)
    response = client.get(reverse("cases:list"))
    row = response.context["page"][0]
    assert row == case and row.next_deadline_at < timezone.now()
    assert 'class="overdue"' in response.content.decode()


@pytest.fixture
def varied(version):
    """Four cases that differ in every filterable way."""
    gb = JurisdictionFactory(code="GB", name="United Kingdom")
    copo = InstrumentFactory(code="GB-COPO", jurisdiction=gb)
    now = timezone.now()
    cases = {
        "warrant": CaseFactory(demand__reference="13-MAG-2814"),
        "copo": CaseFactory(demand__reference="COPO-1", demand__instrument=copo, demand__issuing_jurisdiction=gb),
        "appeal": CaseFactory(
            demand__reference="APPEAL-1",
            status=Status.LITIGATING,
            appeal_status=AppealStatus.ARGUED,
            contempt_status=ContemptStatus.HELD,
        ),
        "closed": CaseFactory(demand__reference="CLOSED-1", status=Status.CLOSED, outcome="moot"),
    }
    AccountFactory(demand=cases["copo"].demand, identifier="suspect.one@example.net")
    for name, delta in [("warrant", -2), ("copo", 2), ("appeal", 5)]:
        Deadline.objects.create(
            case=cases[name],
            kind=Deadline.Kind.RESPONSE,
            due_at=now + dt.timedelta(days=delta),
            source=Deadline.Source.COMPUTED,
        )
    # A met deadline is not "next".
    Deadline.objects.create(
        case=cases["closed"],
        kind=Deadline.Kind.RESPONSE,
        due_at=now - dt.timedelta(days=9),
        source=Deadline.Source.COMPUTED,
        state=Deadline.State.MET,
    )
    return cases


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, {"warrant", "copo", "appeal", "closed"}),
        ({"status": "open"}, {"warrant", "copo", "appeal"}),
        ({"status": "closed"}, {"closed"}),
        ({"appeal_status": "argued"}, {"appeal"}),
        ({"contempt_status": "held"}, {"appeal"}),
        ({"issuer": "GB"}, {"copo"}),
        ({"instrument": "GB-COPO"}, {"copo"}),
        ({"due": "overdue"}, {"warrant"}),
        ({"due": "3"}, {"copo"}),
        ({"due": "7"}, {"copo", "appeal"}),
        ({"q": "mag-28"}, {"warrant"}),
        ({"q": "SUSPECT.ONE"}, {"copo"}),
        ({"q": "nobody"}, set()),
    ],
)
def test_list_filters(client, viewer_user, varied, params, expected):
    client.force_login(viewer_user)
    response = client.get(reverse("cases:list"), params)
    names = {name for name, case in varied.items() if case in list(response.context["page"])}
    assert names == expected


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("reference", ["13-MAG-2814", "APPEAL-1", "CLOSED-1", "COPO-1"]),
        ("-reference", ["COPO-1", "CLOSED-1", "APPEAL-1", "13-MAG-2814"]),
        ("deadline", ["13-MAG-2814", "COPO-1", "APPEAL-1", "CLOSED-1"]),  # none last
        ("-deadline", ["APPEAL-1", "COPO-1", "13-MAG-2814", "CLOSED-1"]),
        ("created", ["13-MAG-2814", "COPO-1", "APPEAL-1", "CLOSED-1"]),
        ("", ["CLOSED-1", "APPEAL-1", "COPO-1", "13-MAG-2814"]),
        ("status", ["CLOSED-1", "13-MAG-2814", "COPO-1", "APPEAL-1"]),
    ],
)
def test_list_sorts(client, viewer_user, varied, sort, expected):
    client.force_login(viewer_user)
    response = client.get(reverse("cases:list"), {"sort": sort} if sort else {})
    assert [c.demand.reference for c in response.context["page"]] == expected


def test_list_bad_filter_value_is_an_error_not_a_crash(client, viewer_user, varied):
    client.force_login(viewer_user)
    response = client.get(reverse("cases:list"), {"due": "yesterday", "sort": "'; DROP"})
    assert response.status_code == 200 and response.context["filter"].form.errors


def test_list_paginates_by_50(client, viewer_user):
    instrument, issuer = InstrumentFactory(), JurisdictionFactory()
    entity, court = EntityFactory(), None
    for i in range(51):
        CaseFactory(
            demand=DemandFactory(
                reference=f"P-{i:03d}",
                instrument=instrument,
                issuing_jurisdiction=issuer,
                served_entity=entity,
                court=court,
            )
        )
    client.force_login(viewer_user)
    first = client.get(reverse("cases:list"), {"sort": "reference"})
    assert len(first.context["page"]) == 50 and first.context["page"].has_next()
    second = client.get(reverse("cases:list"), {"sort": "reference", "page": 2})
    assert [c.demand.reference for c in second.context["page"]] == ["P-050"]
    assert "sort=reference&amp;page=2" in first.content.decode()


def test_list_htmx_request_gets_only_the_results(client, viewer_user, varied):
    client.force_login(viewer_user)
    response = client.get(reverse("cases:list"), {"status": "closed"}, headers={"HX-Request": "true"})
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="results">') and "CLOSED-1" in body and "<html" not in body
