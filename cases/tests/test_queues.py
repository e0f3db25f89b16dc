"""The queues: which open cases each holds, their counts in one query, the case list's
tabs (`?queue=`), emergencies first, and the dashboard built from them."""

import datetime as dt

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from cases import actions, queues
from cases.models import Analysis, Case, Deadline, Status
from cases.tests.builders import result
from conftest import PASSWORD, _persona
from tests.factories import CaseFactory

NOW = timezone.now()


def _analysed(case: Case, version, *, signed_by=None) -> Analysis:
    analysis = Analysis.objects.create(
        case=case, as_of=dt.date(2026, 1, 1), catalogue_version=version, result=result(), fingerprint="f"
    )
    if signed_by is not None:
        actions.sign_off_analysis(case=case, analysis_id=analysis.pk, note="", by=signed_by)
    return analysis


def _deadline(case: Case, hours: float, state=Deadline.State.OPEN) -> Deadline:
    return Deadline.objects.create(
        case=case,
        kind=Deadline.Kind.CUSTOM,
        label=f"in {hours} h",
        due_at=NOW + dt.timedelta(hours=hours),
        source=Deadline.Source.MANUAL,
        state=state,
    )


@pytest.fixture
def docket(version, counsel_user):
    """One case per thing a queue tells apart, named for it."""
    other = _persona("olga.counsel", "counsel")
    cases = {
        "mine": CaseFactory(demand__reference="MINE", counsel=counsel_user),
        "theirs": CaseFactory(demand__reference="THEIRS", counsel=other),
        "unassigned": CaseFactory(demand__reference="UNASSIGNED"),
        "closed": CaseFactory(demand__reference="CLOSED", status=Status.CLOSED, outcome="moot"),
        "emergency": CaseFactory(demand__reference="EMERGENCY", demand__emergency=True, counsel=other),
        "closed_emergency": CaseFactory(
            demand__reference="OLD-EMERGENCY", demand__emergency=True, status=Status.CLOSED, outcome="moot"
        ),
        "due": CaseFactory(demand__reference="DUE", counsel=other),
        "later": CaseFactory(demand__reference="LATER", counsel=other),
        "overdue": CaseFactory(demand__reference="OVERDUE", counsel=other),
        "met": CaseFactory(demand__reference="MET", counsel=other),
        "unsigned": CaseFactory(demand__reference="UNSIGNED", counsel=other),
        "signed": CaseFactory(demand__reference="SIGNED", counsel=other),
        "resigned": CaseFactory(demand__reference="REPLACED", counsel=other),
    }
    _deadline(cases["due"], 10)
    _deadline(cases["later"], 100)
    _deadline(cases["overdue"], -2)
    _deadline(cases["closed"], -2)
    _deadline(cases["met"], -2, state=Deadline.State.MET)
    _analysed(cases["unsigned"], version)
    _analysed(cases["signed"], version, signed_by=counsel_user)
    _analysed(cases["resigned"], version, signed_by=counsel_user)
    _analysed(cases["resigned"], version)  # a newer analysis: its sign-off no longer stands
    return cases


EXPECTED = {
    "mine": {"mine"},
    "unassigned": {"unassigned"},
    "awaiting_sign_off": {"unsigned", "resigned"},
    "emergency": {"emergency"},
    "due_72h": {"due"},
    "overdue": {"overdue"},
    "customer_notice": set(),  # no expired order here (tests in test_ndo_record.py)
    "preservation_expiring": set(),  # none of these is a preservation (tests in test_preservation_record.py)
}


def _names(docket, queryset) -> set[str]:
    by_pk = {case.pk: name for name, case in docket.items()}
    return {by_pk[pk] for pk in queryset.values_list("pk", flat=True)}


def test_each_queue_holds_its_open_cases(docket, counsel_user):
    assert list(queues.QUEUES) == list(EXPECTED)
    for name, expected in EXPECTED.items():
        found = _names(docket, Case.objects.filter(queues.QUEUES[name].of(counsel_user, NOW)))
        assert found == expected, name


def test_the_counts_are_one_query_whatever_the_number_of_cases(docket, counsel_user, django_assert_num_queries):
    with django_assert_num_queries(1):
        counts = queues.counts(counsel_user, NOW)
    assert counts == {name: len(expected) for name, expected in EXPECTED.items()}
    for _ in range(20):
        CaseFactory(counsel=counsel_user)
    with django_assert_num_queries(1):
        assert queues.counts(counsel_user, NOW)["mine"] == 21


def test_mine_is_each_persons_own(docket, viewer_user):
    assert queues.counts(viewer_user, NOW)["mine"] == 0


# --- the case list -------------------------------------------------------------------------


def test_the_list_offers_the_queues_with_counts_and_filters_by_one(client, docket, counsel_user):
    client.force_login(counsel_user)
    response = client.get(reverse("cases:list"))
    assert [(q["name"], q["count"]) for q in response.context["queues"]] == [
        (name, len(expected)) for name, expected in EXPECTED.items()
    ]
    body = response.content.decode()
    assert f'href="{reverse("cases:list")}?queue=mine"' in body and 'id="queue-mine"' in body
    for name, expected in EXPECTED.items():
        response = client.get(reverse("cases:list"), {"queue": name})
        assert response.status_code == 200
        assert {c.demand.reference for c in response.context["page"]} == {docket[n].demand.reference for n in expected}
        assert f'id="queue-{name}" title=' in response.content.decode()
        assert 'aria-current="page">' + dict(queues.QUEUE_CHOICES)[name] in response.content.decode()


def test_an_unknown_queue_is_a_400_that_names_it_on_the_page(client, viewer_user, docket):
    client.force_login(viewer_user)
    response = client.get(reverse("cases:list"), {"queue": "urgent"})
    assert response.status_code == 400
    assert "queue: Select a valid choice. urgent is not one of the available choices." in response.content.decode()


def test_a_queue_combines_with_the_other_filters(client, counsel_user, docket):
    client.force_login(counsel_user)
    response = client.get(reverse("cases:list"), {"queue": "awaiting_sign_off", "q": "unsigned"})
    assert [c.demand.reference for c in response.context["page"]] == ["UNSIGNED"]


def test_open_emergencies_sort_first_whatever_the_sort(client, viewer_user, docket):
    client.force_login(viewer_user)
    for sort in ("", "reference", "-reference", "deadline", "-created"):
        page = client.get(reverse("cases:list"), {"sort": sort} if sort else {}).context["page"]
        references = [c.demand.reference for c in page]
        assert references[0] == "EMERGENCY", sort
        assert "OLD-EMERGENCY" in references[1:]  # a closed emergency is not first


# --- the dashboard, the first page after login --------------------------------------------


def test_login_leads_to_the_dashboard(client, counsel_user):
    assert settings.LOGIN_REDIRECT_URL == "home" and reverse("home") == "/"
    response = client.post(reverse("login"), {"username": counsel_user.username, "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == "/"
    assert response.templates[0].name == "cases/dashboard.html"


def test_the_dashboard_is_built_from_the_queues(client, counsel_user, docket):
    client.force_login(counsel_user)
    response = client.get(reverse("home"))
    assert [(q["name"], q["count"]) for q in response.context["queues"]] == [
        (name, len(expected)) for name, expected in EXPECTED.items()
    ]
    body = response.content.decode()
    for name in EXPECTED:
        assert f'href="{reverse("cases:list")}?queue={name}"' in body
    # The open emergencies at the top, before the queues.
    assert [c.demand.reference for c in response.context["emergencies"]] == ["EMERGENCY"]
    assert body.index('id="emergencies"') < body.index('id="queues"') < body.index("Open cases")


def test_the_dashboards_queries_are_pinned(client, viewer_user, docket, version, django_assert_num_queries):
    """1 session, 2 user, 3 groups; 4 the queues' counts; 5 the open emergencies; 6 due
    soon; 7 overdue; 8 open cases by status; 9 litigation; 10 demands per country;
    11 the header's unread notifications."""
    client.force_login(viewer_user)
    with django_assert_num_queries(11):
        client.get(reverse("home"))
    for i in range(30):
        case = CaseFactory(demand__emergency=i % 2 == 0)
        _deadline(case, i - 10)
        _analysed(case, version)
    with django_assert_num_queries(11):
        response = client.get(reverse("home"))
    assert len(response.context["emergencies"]) == 10  # the first ten, by next deadline
