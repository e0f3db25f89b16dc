"""The case file: what it shows, its query count, the analysis panel polling."""

import datetime as dt

from django.urls import reverse

from cases.models import Analysis
from cases.tests.builders import full_case, result, result_v3
from tests.factories import (
    CaseFactory,
    EventFactory,
)

# -------------------------------------------------------------------- case file


def test_case_file_query_count_is_pinned(client, viewer_user, version, django_assert_num_queries):
    """1 session, 2 user, 3 groups; 4 the case with its demand, instrument, issuer, court,
    served entity, creator and counsel; 5 accounts; 6 holdings with location and
    controller; 7 events; 8 deadlines; 9 NDOs; 10 analyses; 11 the latest analysis's
    overrides; 12-15 the history of the demand, accounts, holdings and case; 16 the
    header's unread notifications."""
    client.force_login(viewer_user)
    case = full_case(version, "ONE", accounts=1, analyses=1)
    # 16, the history's data locations by name (1), the case record: productions, their
    # items and files (3), documents and correspondence (2), tasks (1)
    with django_assert_num_queries(23):
        client.get(reverse("cases:detail", args=[case.pk]))
    for i in range(49):
        full_case(version, f"MANY-{i}", accounts=1, analyses=1)
    big = full_case(version, "BIG", accounts=5, analyses=4)
    for i in range(10):
        EventFactory(case=big, kind="note", note=f"note {i}")
    # 16, the history's data locations by name (1), the case record: productions, their
    # items and files (3), documents and correspondence (2), tasks (1)
    with django_assert_num_queries(23):
        response = client.get(reverse("cases:detail", args=[big.pk]))
    assert len(response.context["accounts"]) == 5 and len(response.context["earlier"]) == 3


def test_case_file_shows_facts_analysis_tracks_timeline_deadlines_history(client, counsel_user, version):
    case = full_case(version)
    client.force_login(counsel_user)
    response = client.get(reverse("cases:detail", args=[case.pk]))
    body = response.content.decode()
    for text in [
        "13-MAG-2814",
        "13-mag-2814-0@example.com",  # accounts
        "Dublin",  # holding location
        "Example Inc.",  # controller
        "18 U.S.C. §2705(b)",  # NDO
        "EU-GDPR-ART48",  # conflicts
        "Control-based doctrine applies.",
        "CLOUD Act",  # citation
        "Motion to vacate",
        "15 F. Supp. 3d 466",
        "doctrine: control-based → storage-based",  # data.changes
        "14 days after service, rolled over the weekend.",
        "2026-01-17, 2026-01-18",
        "America/New_York",
        "Call the AUSA",
        "Audit history",
        "Demand 13-MAG-2814 created",
        "Earlier analyses",
    ]:
        assert text in body, text
    assert "style=" not in body
    assert 'id="sign-off-form"' in body


def test_case_file_history_says_who_changed_what(client, viewer_user, counsel_user, version):
    case = full_case(version)
    demand = case.demand
    demand._history_user = counsel_user
    demand.issuing_authority = "FBI"
    demand.save()
    client.force_login(viewer_user)
    history = client.get(reverse("cases:detail", args=[case.pk])).context["history"]
    change = next(h for h in history if h["action"] == "changed" and h["what"].startswith("Demand"))
    assert change["who"] == counsel_user
    assert change["changes"] == ["issuing authority: U.S. Department of Justice → FBI"]


def test_viewer_and_intake_see_no_sign_off(client, viewer_user, intake_user, version):
    case = full_case(version)
    for user in (viewer_user, intake_user):
        client.force_login(user)
        assert 'id="sign-off-form"' not in client.get(reverse("cases:detail", args=[case.pk])).content.decode()


# ------------------------------------------------------------ analysis polling


def test_analysis_panel_polls_until_an_analysis_exists(client, viewer_user, version):
    case = CaseFactory()
    client.force_login(viewer_user)
    url = reverse("cases:analysis", args=[case.pk])
    body = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert f'hx-get="{url}" hx-trigger="load delay:1s"' in body
    partial = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert partial.lstrip().startswith('<section class="panel" id="analysis"') and "hx-trigger" in partial
    Analysis.objects.create(
        case=case, as_of=dt.date(2026, 1, 1), catalogue_version=version, result=result(), fingerprint="x"
    )
    partial = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in partial and "EU-GDPR-ART48" in partial


# ------------------------------------------------------------------ RULES.md v3


def test_case_file_shows_the_kind_authorities_voluntary_and_the_new_deadlines(
    client, viewer_user, version, django_assert_num_queries
):
    case = full_case(version, analyses=0)
    Analysis.objects.create(
        case=case, as_of=dt.date(2026, 1, 5), catalogue_version=version, result=result_v3(), fingerprint="v3"
    )
    client.force_login(viewer_user)
    with django_assert_num_queries(23):  # as pinned above: v3 adds no query
        response = client.get(reverse("cases:detail", args=[case.pk]))
    body = response.content.decode()
    assert '<dd id="demand-kind"><span class="pill kind-production">Production</span></dd>' in body
    assert 'id="analysis-kind">Production</span>' in body
    # The authorities by id, with their citations from the catalogue files.
    assert "<code>US-CLOUD-ACT-2018-03-23</code>" in body and "<code>US-SCOTUS-2018-04-17</code>" in body
    assert "CLOUD Act" in body and "(2018-04-17)" in body
    assert body.count("Voluntary disclosure permitted (18 U.S.C. §2702(c)(6))") == 1
    assert (
        'id="engine-conflict_objection_due"><time datetime="2026-01-12T23:00:00Z">12 Jan 2026, 23:00 UTC</time>' in body
    )
    assert 'id="engine-preservation_expires"><span class="muted">—</span>' in body
    assert "Reasoned objection (Art. 17) due" in body


def test_case_file_of_a_preservation_shows_whether_it_was_extended(client, viewer_user, version):
    from jurisdictions.models import LegalInstrument, Period
    from tests.factories import JurisdictionFactory

    period = Period.objects.create(
        code="P90",
        name="Preservation",
        citation="18 U.S.C. §2703(f)(2)",
        length=90,
        extended_length=180,
        unit="days",
        counting="after-day-of-service",
        roll_over=False,
        clock="court",
    )
    instrument = LegalInstrument.objects.create(
        code="US-SCA-PRESERVATION",
        jurisdiction=JurisdictionFactory(code="US"),
        name="Preservation request",
        citation="18 U.S.C. §2703(f)",
        start=dt.date(1996, 4, 24),
        categories=["content"],
        hook="presence",
        kind="preservation",
        preservation_period=period,
    )
    case = CaseFactory(demand__instrument=instrument, demand__extended=True)
    client.force_login(viewer_user)
    body = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert '<span class="pill kind-preservation">Preservation</span>' in body
    assert '<dd id="demand-extended">Yes: extended once</dd>' in body


def test_analysis_changed_event_shows_its_note_in_words(client, viewer_user, version):
    case = full_case(version, analyses=1)
    EventFactory(
        case=case,
        kind="analysis_changed",
        note="Re-analysis (catalogue version 2) as of 2026-01-05, catalogue v2. The answer changed: "
        "Holding 2 (traffic, CN): reach none → control; route mlat → direct; voluntary disclosure now permitted.",
        data={"changes": ["Holding 2 (traffic, CN): reach none → control; route mlat → direct"]},
    )
    client.force_login(viewer_user)
    body = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "The answer changed: Holding 2 (traffic, CN): reach none → control; route mlat → direct;" in body
