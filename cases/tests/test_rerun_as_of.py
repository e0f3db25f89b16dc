"""Re-running a case as of another date: kept as a what-if run on the case file, never
as the case's analysis."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.actions.what_if import rerun_as_of
from cases.analysis import analyse_case
from cases.models import Analysis, CaseEvent, Deadline, WhatIfRun
from cases.tests.builders import full_case
from jurisdictions.models import ControllingEntity, Court, DataLocation, LegalInstrument
from tests.factories import AccountFactory, CaseFactory, DemandFactory


@pytest.fixture
def warrant_case(catalogue):
    """The Microsoft Ireland warrant (S.D.N.Y.), analysed as of 2018-03-24 (control-based
    again after the CLOUD Act), with its computed deadlines."""
    msft = ControllingEntity.objects.create(name="Microsoft Corporation", country_id="US", offers_services_in=["*"])
    ireland = ControllingEntity.objects.create(
        name="Microsoft Ireland Operations Limited", country_id="IE", parent=msft
    )
    ireland.designated_for.add(msft)
    dublin = DataLocation.objects.create(name="Dublin", country_id="IE", operated_by=ireland)
    demand = DemandFactory(
        reference="13-MAG-2814",
        instrument=LegalInstrument.objects.get(code="US-SCA-WARRANT"),
        court=Court.objects.get(name="S.D.N.Y."),
        served_entity=msft,
        served_at=dt.datetime(2018, 3, 24, tzinfo=dt.UTC),
    )
    account = AccountFactory(demand=demand, identifier="target@example.com")
    account.holdings.create(category="content", data_location=dublin, controlled_by=msft)
    case = CaseFactory(demand=demand)
    analyse_case(case=case, as_of=dt.date(2018, 3, 24))
    return case


@pytest.fixture
def signed_case(warrant_case, counsel_user):
    Analysis.objects.filter(case=warrant_case).update(signed_off_at=timezone.now(), signed_off_by=counsel_user)
    return warrant_case


def url(case) -> str:
    return reverse("cases:what_if", args=[case.pk])


def snapshot(case) -> dict:
    """What a re-run must leave as it is: the analyses with their sign-off, the
    deadlines, the timeline and the case row."""
    case.refresh_from_db()
    return {
        "analyses": list(Analysis.objects.filter(case=case).order_by("pk").values()),
        "deadlines": list(Deadline.objects.filter(case=case).order_by("pk").values()),
        "events": list(CaseEvent.objects.filter(case=case).order_by("pk").values_list("pk", flat=True)),
        "case": (case.status, case.version, case.updated_at),
    }


def test_a_rerun_is_stored_as_a_what_if_and_the_analysis_is_untouched(client, counsel_user, signed_case):
    before = snapshot(signed_case)
    client.force_login(counsel_user)
    response = client.post(url(signed_case), {"as_of": "2016-07-15"})
    run = WhatIfRun.objects.get()
    assert response.status_code == 302 and response.url == reverse("cases:what_if_run", args=[signed_case.pk, run.pk])
    assert (run.case, run.as_of, run.created_by) == (signed_case, dt.date(2016, 7, 15), counsel_user)
    assert run.analysis == signed_case.latest_analysis and run.catalogue_version_id == run.analysis.catalogue_version_id
    # The Second Circuit's Microsoft Ireland decision: storage-based on 2016-07-15.
    assert run.result["doctrine"] == "storage-based"
    assert (run.result["items"][0]["reach"], run.result["items"][0]["route"]) == ("none", "mlat")
    # The case's analysis, sign-off, deadlines and timeline are as they were.
    assert snapshot(signed_case) == before
    assert signed_case.latest_analysis.sign_off_stands and signed_case.latest_analysis.doctrine == "control-based"


def test_the_run_page_shows_the_answer_and_how_it_differs(client, viewer_user, counsel_user, signed_case):
    run = rerun_as_of(case=signed_case, as_of=dt.date(2016, 7, 15), by=counsel_user)
    client.force_login(viewer_user)
    response = client.get(reverse("cases:what_if_run", args=[signed_case.pk, run.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert 'id="what-if-result"' in body and "storage-based" in body
    changes = response.context["run"].comparison["changes"]
    assert "doctrine control-based → storage-based" in changes
    assert "Holding 1 (content, IE): reach control → none; route direct → mlat" in changes
    assert "Holding 1 (content, IE): reach control → none; route direct → mlat" in body
    # The list on the re-runs page: date, who, a link, one line.
    listing = client.get(url(signed_case))
    row = listing.context["runs"][0]
    assert row.comparison["in_words"].startswith("Differs: Doctrine control-based → storage-based; ")
    text = listing.content.decode()
    assert "2016-07-15" in text and counsel_user.username in text
    assert reverse("cases:what_if_run", args=[signed_case.pk, run.pk]) in text
    # A viewer sees the runs but is offered no form.
    assert listing.context["form"] is None and 'id="rerun-form"' not in text


def test_same_answer_says_so(client, counsel_user, signed_case):
    client.force_login(counsel_user)
    client.post(url(signed_case), {"as_of": "2018-03-30"})
    listing = client.get(url(signed_case))
    assert listing.context["runs"][0].comparison == {
        "same": True,
        "changes": [],
        "in_words": "Same answer as the current analysis.",
    }
    assert "Same answer" in listing.content.decode()


def test_the_case_file_links_to_the_reruns(client, viewer_user, signed_case):
    client.force_login(viewer_user)
    body = client.get(reverse("cases:detail", args=[signed_case.pk])).content.decode()
    assert f'href="{url(signed_case)}" id="rerun-link"' in body


@pytest.fixture
def gb_case(catalogue):
    """A UK production order for traffic data the Irish subsidiary holds in Ireland,
    analysed as of 2021-03-01: the UK is out of the GDPR area, so Art. 48 conflicts."""
    nimbus = ControllingEntity.objects.create(name="Nimbus Mail Inc.", country_id="US", offers_services_in=["*"])
    ireland = ControllingEntity.objects.create(name="Nimbus Mail Ireland Ltd", country_id="IE", parent=nimbus)
    ireland.designated_for.add(nimbus)
    dublin = DataLocation.objects.create(name="Dublin (Nimbus)", country_id="IE", operated_by=ireland)
    demand = DemandFactory(
        reference="GB-2021-1",
        instrument=LegalInstrument.objects.get(code="GB-IPA-CD"),
        issuing_jurisdiction_id="GB",
        court=None,
        served_entity=nimbus,
        served_at=None,
    )
    account = AccountFactory(demand=demand, identifier="target@example.com")
    account.holdings.create(category="traffic", data_location=dublin, controlled_by=ireland)
    case = CaseFactory(demand=demand)
    analyse_case(case=case, as_of=dt.date(2021, 3, 1))
    return case


def test_a_date_before_a_membership_ended_changes_the_answer(client, counsel_user, gb_case):
    """On 2020-12-31 the UK was still in the GDPR area (the transition period): no
    conflict; the analysis in force (2021-03-01) has EU-GDPR-ART48."""
    assert gb_case.latest_analysis.result["items"][0]["conflicts"] == ["EU-GDPR-ART48"]
    client.force_login(counsel_user)
    client.post(url(gb_case), {"as_of": "2020-12-31"})
    run = WhatIfRun.objects.get(case=gb_case)
    assert run.result["items"][0]["conflicts"] == []
    listing = client.get(url(gb_case))
    assert listing.context["runs"][0].comparison["changes"] == [
        "Holding 1 (traffic, IE): conflict EU-GDPR-ART48 no longer in force"
    ]
    assert gb_case.latest_analysis.result["items"][0]["conflicts"] == ["EU-GDPR-ART48"]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "Pick the day to re-run the case as of."),
        ("2021-02-30", "Enter a date, YYYY-MM-DD."),
        ("yesterday", "Enter a date, YYYY-MM-DD."),
        ("1066-10-14", "Pick a day between 1900-01-01 and 2100-12-31."),
    ],
)
def test_a_bad_date_is_refused_naming_the_field(client, counsel_user, signed_case, value, message):
    before = snapshot(signed_case)
    client.force_login(counsel_user)
    response = client.post(url(signed_case), {"as_of": value})
    assert response.status_code == 400
    assert response.context["form"].errors["as_of"] == [message]
    assert f"Re-run as of: {message}" in response.content.decode()
    assert not WhatIfRun.objects.exists() and snapshot(signed_case) == before


@pytest.mark.parametrize("persona", ["intake_user", "viewer_user", "api_user", "outsider_user"])
def test_only_counsel_reruns(client, request, persona, signed_case):
    client.force_login(request.getfixturevalue(persona))
    assert client.post(url(signed_case), {"as_of": "2016-07-15"}).status_code == 403
    assert not WhatIfRun.objects.exists()


@pytest.mark.parametrize("persona", ["api_user", "outsider_user"])
def test_others_cannot_see_the_reruns(client, request, persona, counsel_user, signed_case):
    run = rerun_as_of(case=signed_case, as_of=dt.date(2016, 7, 15), by=counsel_user)
    client.force_login(request.getfixturevalue(persona))
    assert client.get(url(signed_case)).status_code == 403
    assert client.get(reverse("cases:what_if_run", args=[signed_case.pk, run.pk])).status_code == 403


def test_a_run_of_another_case_is_not_found(client, counsel_user, signed_case, gb_case):
    run = rerun_as_of(case=gb_case, as_of=dt.date(2020, 12, 31), by=counsel_user)
    client.force_login(counsel_user)
    assert client.get(reverse("cases:what_if_run", args=[signed_case.pk, run.pk])).status_code == 404


def test_the_reruns_page_in_a_fixed_number_of_queries(client, counsel_user, signed_case, django_assert_num_queries):
    for day in (dt.date(2014, 4, 25), dt.date(2016, 7, 15), dt.date(2018, 6, 1)):
        rerun_as_of(case=signed_case, as_of=day, by=counsel_user)
    client.force_login(counsel_user)
    # session, user, the user's roles, the case (with its demand), the analysis in
    # force, the runs (with who ran them and the catalogue version), the header's
    # unread notifications. Not one more per run.
    with django_assert_num_queries(7):
        response = client.get(url(signed_case))
    assert len(response.context["runs"]) == 3


def test_a_reader_who_cannot_re_run_is_told_who_can(client, viewer_user, version):
    """The viewer sees the kept re-runs, no form, and a word on who re-runs a case."""
    case = full_case(version)
    client.force_login(viewer_user)
    detail = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert ">Re-runs as of other dates</a>" in detail and "Re-run as of…" not in detail
    page = client.get(reverse("cases:what_if", args=[case.pk])).content.decode()
    assert 'id="rerun-counsel-only"' in page and 'id="rerun-form"' not in page
