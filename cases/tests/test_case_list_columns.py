"""The case list's columns (issue 15): served date, emergency, counsel and sign-off,
on every queue tab, in a number of queries that does not grow with the rows."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.models import Analysis, Deadline
from cases.queues import QUEUES
from tests.factories import CaseFactory

SERVED = dt.datetime(2026, 3, 2, 14, 30, tzinfo=dt.UTC)


def analyse(case, version, *, signed_by=None, voided=False, day=1):
    now = timezone.now()
    return Analysis.objects.create(
        case=case,
        as_of=dt.date(2026, 1, day),
        catalogue_version=version,
        result={"doctrine": "control-based", "items": [], "deadlines": {}, "reasons": []},
        fingerprint=str(day),
        signed_off_by=signed_by,
        signed_off_at=now if signed_by else None,
        sign_off_voided_at=now if voided else None,
        sign_off_voided_reason="counsel overrode a holding" if voided else "",
    )


@pytest.fixture
def four(version, counsel_user):
    """Signed, voided, replaced by a newer analysis (voided too), awaiting, and not analysed."""
    cases = {
        "signed": CaseFactory(demand__reference="SIGNED-1", demand__served_at=SERVED, demand__emergency=True,
                              counsel=counsel_user, status="counsel_review"),
        "voided": CaseFactory(demand__reference="VOIDED-1", status="counsel_review"),
        "replaced": CaseFactory(demand__reference="REPLACED-1", status="counsel_review"),
        "awaiting": CaseFactory(demand__reference="AWAITING-1", demand__served_at=None, status="counsel_review"),
        "unanalysed": CaseFactory(demand__reference="INTAKE-1"),
    }  # fmt: skip
    analyse(cases["signed"], version, signed_by=counsel_user)
    analyse(cases["voided"], version, signed_by=counsel_user, voided=True)
    analyse(cases["replaced"], version, signed_by=counsel_user, day=1)
    analyse(cases["replaced"], version, day=2)
    analyse(cases["awaiting"], version)
    return cases


def row_of(page: str, reference: str) -> str:
    start = page.index(f">{reference}</a>")
    return page[start : page.index("</tr>", start)]


def test_each_row_shows_served_emergency_counsel_and_sign_off(client, viewer_user, four):
    client.force_login(viewer_user)
    response = client.get(reverse("cases:list"))
    assert response.status_code == 200
    page = response.content.decode()
    header = page[page.index('id="case-table"') : page.index("</thead>")]
    for name in ("Served", "Emergency", "Counsel", "Sign-off"):
        assert f"<th>{name}</th>" in header
    signed = row_of(page, "SIGNED-1")
    assert '<time datetime="2026-03-02T14:30:00+00:00">2 Mar 2026, 14:30 UTC</time>' in signed
    assert '<span class="pill emergency">Emergency</span>' in signed  # a word, not a colour alone
    assert "carl.counsel" in signed
    assert 'class="pill sign-off-signed" title="Signed off by carl.counsel on' in signed and ">Signed</span>" in signed
    assert ">Voided</span>" in row_of(page, "VOIDED-1") and "no longer stands" in row_of(page, "VOIDED-1")
    assert ">Voided</span>" in row_of(page, "REPLACED-1") and "a newer analysis" in row_of(page, "REPLACED-1")
    awaiting = row_of(page, "AWAITING-1")
    assert ">Awaiting</span>" in awaiting and "not recorded" in awaiting and "unassigned" in awaiting
    assert 'class="pill emergency"' not in awaiting
    assert "not analysed" in row_of(page, "INTAKE-1")


def test_times_are_in_the_users_zone(client, viewer_user, four):
    from accounts.models import Profile

    Profile.objects.update_or_create(user=viewer_user, defaults={"time_zone": "America/New_York"})
    client.force_login(viewer_user)
    page = client.get(reverse("cases:list")).content.decode()
    assert "2 Mar 2026, 09:30 EST" in row_of(page, "SIGNED-1")


def test_the_sign_off_column_says_what_the_case_file_says(client, viewer_user, four):
    client.force_login(viewer_user)
    for name, case in four.items():
        words = client.get(reverse("cases:detail", args=[case.pk])).context["sign_off"]
        listed = {c.pk: c for c in client.get(reverse("cases:list")).context["page"]}[case.pk].sign_off
        assert (listed.state if listed else None) == (words.state if words else None), name


def _many(n: int, version, counsel_user, start: int) -> None:
    now = timezone.now()
    for i in range(start, start + n):
        case = CaseFactory(demand__reference=f"MANY-{i:03d}", demand__emergency=i % 2 == 0, status="counsel_review",
                           counsel=counsel_user if i % 3 else None)  # fmt: skip
        analyse(case, version, signed_by=counsel_user if i % 4 == 0 else None)
        Deadline.objects.create(
            case=case, kind=Deadline.Kind.RESPONSE, source=Deadline.Source.COMPUTED,
            due_at=now + dt.timedelta(hours=(i % 5) * 30 - 30),
        )  # fmt: skip


def _queries(client, params) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("cases:list"), params)
    assert response.status_code == 200
    return len(captured), len(response.context["page"])


def test_the_query_count_does_not_grow_with_the_rows_on_any_tab(client, counsel_user, version):
    """At 5 and at 30 cases, every queue tab and a sorted, searched list: the same number
    of queries (10 for a page with rows: see test_case_list's pinned count)."""
    client.force_login(counsel_user)
    tabs = [{}, {"sort": "-deadline", "q": "many"}] + [{"queue": name} for name in QUEUES]
    _many(5, version, counsel_user, 0)
    small = {str(tab): _queries(client, tab) for tab in tabs}
    _many(25, version, counsel_user, 5)
    large = {str(tab): _queries(client, tab) for tab in tabs}
    for tab in tabs:
        (q_small, rows_small), (q_large, _) = small[str(tab)], large[str(tab)]
        assert q_small == q_large, tab
        if rows_small:
            assert q_small == 10, tab
    assert large[str({})] == (10, 30) and large[str({"queue": "emergency"})][1] == 15


def test_a_closed_case_without_a_sign_off_is_not_awaiting_one(client, viewer_user, version):
    """No sign-off can come once a case is closed: the list and its CSV say "closed
    unsigned", as the case file says "Closed without counsel's sign-off"."""
    closed = CaseFactory(demand__reference="CLOSED-1", status="closed", outcome="moot")
    analyse(closed, version)
    client.force_login(viewer_user)
    row = row_of(client.get(reverse("cases:list")).content.decode(), "CLOSED-1")
    assert ">Closed unsigned</span>" in row and ">Awaiting</span>" not in row
    text = b"".join(client.get(reverse("cases:export_csv")).streaming_content).decode("utf-8")
    assert ",closed unsigned," in text.splitlines()[1]
    assert client.get(reverse("cases:detail", args=[closed.pk])).context["sign_off"].case_closed
