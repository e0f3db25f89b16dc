"""The dashboard, the case list and the case file, for each role."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import Analysis, AppealStatus, Case, CaseEvent, ContemptStatus, Deadline, Status
from jurisdictions.models import CatalogueVersion
from tests.factories import (
    AccountFactory,
    CaseFactory,
    DemandFactory,
    EntityFactory,
    EventFactory,
    HoldingFactory,
    InstrumentFactory,
    JurisdictionFactory,
    NdoFactory,
)

READERS = ["intake_user", "counsel_user", "viewer_user"]
REFUSED = ["api_user", "outsider_user"]


@pytest.fixture
def version(db):
    return CatalogueVersion.objects.create(number=1, content_hash="0" * 64, source="files")


def result(account="target@example.com") -> dict:
    return {
        "id": "x",
        "doctrine": "control-based",
        "items": [
            {
                "account": account,
                "category": "content",
                "storage": "IE",
                "controlled_by": "Example Inc.",
                "reach": "control",
                "route": "direct",
                "conflicts": ["EU-GDPR-ART48"],
                "comity_motion": True,
                "mlat": [],
                "reasons": [{"code": "doctrine", "text": "Control-based doctrine applies.", "citation": "CLOUD Act"}],
            }
        ],
        "deadlines": {"response_due": None, "comity_motion_due": None},
        "deadline_working": {"response_due": None, "comity_motion_due": None},
        "reasons": [{"code": "available", "text": "The instrument is in force.", "citation": "18 U.S.C. §2703"}],
        "catalogue_version": "v1",
    }


def full_case(version, reference="13-MAG-2814", *, accounts=2, analyses=2) -> Case:
    """A case with accounts, holdings, an NDO, analyses, events and deadlines."""
    case = CaseFactory(demand__reference=reference)
    NdoFactory(demand=case.demand)
    for i in range(accounts):
        account = AccountFactory(demand=case.demand, identifier=f"{reference.lower()}-{i}@example.com")
        HoldingFactory(account=account, category="content")
        HoldingFactory(account=account, category="subscriber", data_location=None)
    for i in range(analyses):
        Analysis.objects.create(
            case=case,
            as_of=dt.date(2026, 1, 1 + i),
            catalogue_version=version,
            doctrine="control-based",
            result=result(),
            fingerprint=str(i),
        )
    EventFactory(case=case, kind="motion_filed", note="Motion to vacate", citation="15 F. Supp. 3d 466")
    EventFactory(case=case, kind="analysis_changed", data={"changes": ["doctrine: control-based → storage-based"]})
    Deadline.objects.create(
        case=case,
        kind=Deadline.Kind.RESPONSE,
        due_at=timezone.now() - dt.timedelta(days=1),
        source=Deadline.Source.COMPUTED,
        computation={
            "start": "2026-01-02T09:00:00+00:00",
            "period": "US-14-DAYS",
            "counting": "after-day-of-service",
            "last_day": "2026-01-16",
            "rolled_over": ["2026-01-17", "2026-01-18"],
            "time_zone": "America/New_York",
            "explanation": "14 days after service, rolled over the weekend.",
        },
    )
    Deadline.objects.create(
        case=case,
        kind=Deadline.Kind.CUSTOM,
        label="Call the AUSA",
        due_at=timezone.now() + dt.timedelta(days=2),
        source=Deadline.Source.MANUAL,
    )
    return case


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


def test_list_query_count_is_pinned(client, viewer_user, version, django_assert_num_queries):
    """1 session, 2 user, 3 the user's groups (roles), 4 count, 5 the page of cases with
    the next deadline as a subquery, 6 issuers and 7 instruments for the filter form."""
    client.force_login(viewer_user)
    full_case(version, "ONE")
    with django_assert_num_queries(7):
        response = client.get(reverse("cases:list"))
    assert len(response.context["page"]) == 1
    for i in range(49):
        full_case(version, f"MANY-{i}", accounts=1, analyses=1)
    with django_assert_num_queries(7):
        response = client.get(reverse("cases:list"), {"sort": "deadline", "q": "many", "due": "overdue"})
    assert len(response.context["page"]) == 49


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


# -------------------------------------------------------------------- case file


def test_case_file_query_count_is_pinned(client, viewer_user, version, django_assert_num_queries):
    """1 session, 2 user, 3 groups; 4 the case with its demand, instrument, issuer, court,
    served entity, creator and counsel; 5 accounts; 6 holdings with location and
    controller; 7 events; 8 deadlines; 9 NDOs; 10 analyses; 11 the latest analysis's
    overrides; 12-15 the history of the demand, accounts, holdings and case."""
    client.force_login(viewer_user)
    case = full_case(version, "ONE", accounts=1, analyses=1)
    with django_assert_num_queries(15):
        client.get(reverse("cases:detail", args=[case.pk]))
    for i in range(49):
        full_case(version, f"MANY-{i}", accounts=1, analyses=1)
    big = full_case(version, "BIG", accounts=5, analyses=4)
    for i in range(10):
        EventFactory(case=big, kind="note", note=f"note {i}")
    with django_assert_num_queries(15):
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


# --------------------------------------------------------------------- workflow


def _step(client, case, track, to, **fields):
    prefix = f"{track}-{to}"
    data = {f"{prefix}-version": case.version, f"{prefix}-occurred_on": "2026-01-05"}
    data.update({f"{prefix}-{k}": v for k, v in fields.items()})
    return client.post(reverse("cases:change_track", args=[case.pk, track, to]), data)


def test_counsel_sees_only_allowed_transitions(client, counsel_user, version):
    case = full_case(version)
    client.force_login(counsel_user)
    tracks = {t["name"]: t for t in client.get(reverse("cases:detail", args=[case.pk])).context["tracks"]}
    assert [s["key"] for s in tracks["status"]["steps"]] == ["status:analysis", "status:closed"]
    assert [s["key"] for s in tracks["appeal"]["steps"]] == ["appeal:notice_filed"]
    assert [s["key"] for s in tracks["contempt"]["steps"]] == ["contempt:motion_pending", "contempt:held"]


def test_counsel_query_count_is_pinned_too(client, counsel_user, version, django_assert_num_queries):
    """The viewer's 15, plus 16 the courts (read once for every step form)."""
    case = full_case(version)
    client.force_login(counsel_user)
    with django_assert_num_queries(16):
        client.get(reverse("cases:detail", args=[case.pk]))


def test_counsel_moves_the_tracks(client, counsel_user, version):
    from tests.factories import CourtFactory

    case = full_case(version)
    court = CourtFactory()
    client.force_login(counsel_user)
    response = _step(client, case, "status", "analysis", note="Facts complete")
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.ANALYSIS
    response = _step(client, case, "contempt", "held", kind="civil", by_stipulation="on", court=court.pk)
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.contempt_status, case.contempt_kind, case.contempt_by_stipulation) == ("held", "civil", True)
    response = _step(client, case, "appeal", "notice_filed", court_name="2d Cir.", citation="No. 14-2985")
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.appeal_status == AppealStatus.NOTICE_FILED
    event = CaseEvent.objects.filter(case=case, track="appeal").get()
    assert (event.by, event.court_name, event.citation) == (counsel_user, "2d Cir.", "No. 14-2985")
    assert CaseEvent.objects.get(case=case, track="contempt").court == court


def test_refused_transition_shows_the_error_next_to_the_field(client, counsel_user, version):
    case = full_case(version)
    client.force_login(counsel_user)
    response = _step(client, case, "status", "closed")  # closing needs an outcome
    assert response.status_code == 422
    assert response.context["tracks"][0]["steps"][1]["form"].errors["outcome"]
    response = _step(client, case, "appeal", "notice_filed")  # an appeal step names its court
    assert response.status_code == 422
    step = response.context["tracks"][1]["steps"][0]
    assert step["open"] and "names its court" in str(step["form"].errors)
    case.refresh_from_db()
    assert (case.status, case.appeal_status, case.version) == (Status.INTAKE, AppealStatus.NONE, 1)


def test_transition_not_in_the_table_is_refused(client, counsel_user, version):
    case = full_case(version)
    client.force_login(counsel_user)
    response = _step(client, case, "appeal", "argued", court_name="2d Cir.")
    assert response.status_code == 422
    assert "cannot change from 'none' to 'argued'" in " ".join(response.context["step_errors"])
    assert "cannot change from &#x27;none&#x27; to &#x27;argued&#x27;" in response.content.decode()
    assert client.post(reverse("cases:change_track", args=[case.pk, "mood", "happy"])).status_code == 404


def test_stale_version_is_a_clear_conflict(client, counsel_user, version):
    case = full_case(version)
    client.force_login(counsel_user)
    stale = Case.objects.get(pk=case.pk)
    assert _step(client, case, "status", "analysis").status_code == 302
    response = _step(client, stale, "status", "closed", outcome="moot")
    assert response.status_code == 409
    assert "changed by someone else meanwhile" in response.context["conflict"]
    case.refresh_from_db()
    assert case.status == Status.ANALYSIS


def test_a_stale_court_event_keeps_what_was_typed(client, counsel_user, version):
    case = full_case(version)
    client.force_login(counsel_user)
    stale = Case.objects.get(pk=case.pk)
    assert _step(client, case, "status", "analysis").status_code == 302
    typed = {"event-version": stale.version, "event-kind": "motion_filed", "event-occurred_on": "2026-01-03",
             "event-citation": "ECF No. 12", "event-note": "Motion to quash"}  # fmt: skip
    response = client.post(reverse("cases:record_event", args=[case.pk]), typed)
    assert response.status_code == 409 and response.context["event_open"]
    form = response.context["event_form"]
    assert (form["note"].value(), form["citation"].value()) == ("Motion to quash", "ECF No. 12")
    assert str(form["version"].value()) == str(stale.version + 1)
    # Sent again as shown, it is recorded.
    again = {**typed, "event-version": form["version"].value()}
    assert client.post(reverse("cases:record_event", args=[case.pk]), again).status_code == 302
    assert case.events.filter(kind="motion_filed", note="Motion to quash").count() == 1


def test_a_refused_step_shows_the_case_as_it_is(client, counsel_user, version):
    """A step refused after the action updated its copy of the case (a date before the
    demand was served) shows the stored case, not the half-made change."""
    case = full_case(version)
    case.demand.served_at = dt.datetime(2026, 1, 10, tzinfo=dt.UTC)
    case.demand.save()
    client.force_login(counsel_user)
    response = _step(client, case, "status", "analysis", occurred_on="2026-01-05")
    assert response.status_code == 422
    assert response.context["case"].status == Status.INTAKE and response.context["case"].version == case.version
    assert "before the demand was served" in " ".join(
        e for t in response.context["tracks"] for s in t["steps"] for e in s["form"].errors.get("occurred_on", [])
    )


def test_a_closed_case_offers_no_changes_but_notes_and_open_deadlines(client, counsel_user, version):
    case = full_case(version)
    Case.objects.filter(pk=case.pk).update(status=Status.CLOSED, outcome="moot")
    client.force_login(counsel_user)
    response = client.get(reverse("cases:detail", args=[case.pk]))
    ctx = response.context
    assert all(t["steps"] == [] for t in ctx["tracks"])
    assert ctx["sign_off_form"] is None and all(row["form"] is None for row in ctx["rows"])
    assert ctx["deadline_form"] is None and ctx["event_form"] is not None
    steps = {step["key"].rsplit("-", 1)[-1] for d in ctx["deadlines"] for step in d.steps}
    assert "move" not in steps and "complete" in steps


def test_counsel_records_a_court_event_and_stays_contempt(client, counsel_user, version):
    case = full_case(version)
    client.force_login(counsel_user)
    response = client.post(
        reverse("cases:record_event", args=[case.pk]),
        {
            "event-version": 1,
            "event-kind": "motion_filed",
            "event-occurred_on": "2026-01-03",
            "event-court_name": "S.D.N.Y.",
            "event-note": "Motion to vacate",
        },
    )
    assert response.status_code == 302
    assert CaseEvent.objects.filter(case=case, kind="motion_filed", note="Motion to vacate", by=counsel_user).exists()
    case.refresh_from_db()
    _step(client, case, "contempt", "held", kind="civil")
    case.refresh_from_db()
    body = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "Stay the finding" in body
    response = client.post(
        reverse("cases:contempt_stay", args=[case.pk]), {"stay-version": case.version, "stay-occurred_on": "2026-01-06"}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.contempt_stayed


def _event_post(case, document, **extra):
    return {
        "event-version": case.version,
        "event-kind": "order_issued",
        "event-occurred_on": "2026-01-03",
        "event-note": "Order to show cause",
        "event-document": document,
        **extra,
    }


def test_a_court_event_carries_its_pdf_to_the_timeline(client, counsel_user, viewer_user, version, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    case = full_case(version)
    client.force_login(counsel_user)
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"
    upload = SimpleUploadedFile("order.pdf", pdf, content_type="application/pdf")
    response = client.post(reverse("cases:record_event", args=[case.pk]), _event_post(case, upload))
    assert response.status_code == 302
    event = CaseEvent.objects.get(case=case, kind="order_issued")
    assert event.document and event.document.read() == pdf
    link = reverse("cases:event_document", args=[case.pk, event.pk])
    client.force_login(viewer_user)
    assert link in client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    download = client.get(link)
    assert download.status_code == 200 and b"".join(download.streaming_content) == pdf
    assert download["Cache-Control"] == "private, no-store"
    # Another case's id in the path does not reach this event.
    other = full_case(version, reference="OTHER-1")
    assert client.get(reverse("cases:event_document", args=[other.pk, event.pk])).status_code == 404


def test_a_non_pdf_event_document_is_refused_and_nothing_is_recorded(client, counsel_user, version, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    case = full_case(version)
    client.force_login(counsel_user)
    fake = SimpleUploadedFile("order.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = client.post(reverse("cases:record_event", args=[case.pk]), _event_post(case, fake))
    assert response.status_code == 422
    assert "not a PDF" in response.context["event_form"].errors["document"][0]
    assert not CaseEvent.objects.filter(case=case, kind="order_issued").exists()
    assert list(tmp_path.iterdir()) == []


def test_an_appeal_step_starts_from_the_previous_courts_and_a_decision_needs_its_disposition(
    client, counsel_user, version
):
    case = full_case(version)
    client.force_login(counsel_user)
    assert _step(client, case, "appeal", "notice_filed", court_name="2d Cir.").status_code == 302
    case.refresh_from_db()
    tracks = {t["name"]: t for t in client.get(reverse("cases:detail", args=[case.pk])).context["tracks"]}
    decided = next(s for s in tracks["appeal"]["steps"] if s["key"] == "appeal:decided")
    assert decided["form"]["court_name"].value() == "2d Cir."
    assert decided["form"].fields["disposition"].required
    response = _step(client, case, "appeal", "decided", court_name="2d Cir.")
    assert response.status_code == 422
    steps = {s["key"]: s for t in response.context["tracks"] for s in t["steps"]}
    assert steps["appeal:decided"]["form"].errors["disposition"] == ["How was it decided? Pick the disposition."]


def test_a_court_event_without_its_kind_is_refused(client, counsel_user, version):
    case = full_case(version)
    client.force_login(counsel_user)
    response = client.post(
        reverse("cases:record_event", args=[case.pk]), {"event-version": 1, "event-occurred_on": "2026-01-03"}
    )
    assert response.status_code == 422 and response.context["event_form"].errors["kind"] == ["Pick what happened."]
    assert not case.events.filter(occurred_on=dt.date(2026, 1, 3)).exists()


def test_future_event_is_refused_next_to_the_date(client, counsel_user, version):
    case = full_case(version)
    client.force_login(counsel_user)
    response = client.post(
        reverse("cases:record_event", args=[case.pk]),
        {"event-version": 1, "event-kind": "note", "event-occurred_on": "2999-01-01"},
    )
    assert response.status_code == 422 and response.context["event_form"].errors["occurred_on"]


@pytest.mark.parametrize("persona", ["intake_user", "viewer_user", *REFUSED])
def test_workflow_is_refused_to_all_but_counsel(client, request, persona, version):
    case = full_case(version)
    client.force_login(request.getfixturevalue(persona))
    assert _step(client, case, "status", "analysis").status_code == 403
    assert client.post(reverse("cases:record_event", args=[case.pk]), {}).status_code == 403
    assert client.post(reverse("cases:contempt_stay", args=[case.pk]), {}).status_code == 403
    case.refresh_from_db()
    assert case.status == Status.INTAKE and case.version == 1


def test_viewer_sees_tracks_but_no_buttons(client, viewer_user, version):
    case = full_case(version)
    client.force_login(viewer_user)
    response = client.get(reverse("cases:detail", args=[case.pk]))
    assert all(not t.get("steps") for t in response.context["tracks"])
    body = response.content.decode()
    assert "Record a court event" not in body and "/tracks/" not in body


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
    assert response.status_code == 422
    row = response.context["rows"][0]
    assert row["open"] and row["form"].errors["reason"]
    response = _override(client, case, latest, item=7, reach="none", route="mlat", reason="x")
    assert response.status_code == 422
    response = _override(client, case, latest, item=0, reach="maybe", route="mlat", reason="x")
    assert response.status_code == 422
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


# -------------------------------------------------------------------- deadlines


def _manual(case) -> Deadline:
    return case.deadlines.get(source=Deadline.Source.MANUAL, state=Deadline.State.OPEN)


def _computed(case) -> Deadline:
    return case.deadlines.get(source=Deadline.Source.COMPUTED)


def _deadline_post(client, case, step, deadline=None, **fields):
    """POST one deadline form as the page would: its prefix, the case's version, the fields."""
    if step == "add":
        url, prefix = reverse("cases:add_deadline", args=[case.pk]), "deadline"
    else:
        url, prefix = reverse(f"cases:{step}_deadline", args=[case.pk, deadline.pk]), f"deadline-{deadline.pk}-{step}"
    data = {f"{prefix}-version": case.version, **{f"{prefix}-{k}": v for k, v in fields.items()}}
    return client.post(url, data)


def test_counsel_sees_the_steps_each_deadline_allows(client, counsel_user, version):
    case = full_case(version)
    client.force_login(counsel_user)
    response = client.get(reverse("cases:detail", args=[case.pk]))
    steps = {d.pk: [s["label"] for s in d.steps] for d in response.context["deadlines"]}
    # A computed deadline follows the analysis: it can be met, not moved or cancelled by hand.
    assert steps == {_computed(case).pk: ["Mark met"], _manual(case).pk: ["Move", "Mark met", "Cancel"]}
    body = response.content.decode()
    assert 'id="add-deadline"' in body and reverse("cases:add_deadline", args=[case.pk]) in body
    assert reverse("cases:cancel_deadline", args=[case.pk, _manual(case).pk]) in body
    assert reverse("cases:cancel_deadline", args=[case.pk, _computed(case).pk]) not in body


def test_counsel_adds_moves_completes_and_cancels_deadlines(client, counsel_user, version):
    case = full_case(version)
    today = timezone.localdate()
    client.force_login(counsel_user)
    detail = reverse("cases:detail", args=[case.pk])

    response = _deadline_post(
        client,
        case,
        "add",
        kind="custom",
        label="Reply to the AUSA's letter",
        due_at="2026-12-01T17:00",
        time_zone="America/New_York",
        note="Agreed on the call.",
    )
    assert response.status_code == 302 and response.url == f"{detail}#deadlines"
    added = case.deadlines.get(label="Reply to the AUSA's letter")
    assert added.due_at == dt.datetime(2026, 12, 1, 22, 0, tzinfo=dt.UTC)  # 17:00 in New York, stored in UTC
    assert (added.kind, added.source, added.state, added.created_by) == ("custom", "manual", "open", counsel_user)
    assert added.computation["note"] == "Agreed on the call."
    case.refresh_from_db()
    assert case.version == 2

    response = _deadline_post(
        client, case, "move", added, due_at="2026-12-08T17:00", time_zone="UTC", reason="Extension granted, ECF 14."
    )
    assert response.status_code == 302 and response.url == f"{detail}#deadlines"
    added.refresh_from_db()
    assert (added.state, added.completed_on) == (Deadline.State.SUPERSEDED, today)
    moved = added.next
    assert (moved.due_at, moved.state, moved.label) == (
        dt.datetime(2026, 12, 8, 17, tzinfo=dt.UTC),
        "open",
        added.label,
    )
    assert moved.computation["reason"] == "Extension granted, ECF 14."
    case.refresh_from_db()

    response = _deadline_post(client, case, "complete", moved, occurred_on=today.isoformat(), note="Letter sent.")
    assert response.status_code == 302
    moved.refresh_from_db()
    assert (moved.state, moved.completed_on) == (Deadline.State.MET, today)
    case.refresh_from_db()

    ausa = case.deadlines.get(label="Call the AUSA")
    response = _deadline_post(client, case, "cancel", ausa, occurred_on=today.isoformat(), reason="Demand withdrawn.")
    assert response.status_code == 302
    ausa.refresh_from_db()
    assert (ausa.state, ausa.completed_on) == (Deadline.State.CANCELLED, today)
    case.refresh_from_db()

    response = _deadline_post(client, case, "complete", _computed(case), occurred_on=today.isoformat())
    assert response.status_code == 302
    assert _computed(case).state == Deadline.State.MET

    events = list(case.events.filter(kind__startswith="deadline_").order_by("pk").values_list("kind", "by", "note"))
    assert events == [
        ("deadline_added", counsel_user.pk, "Agreed on the call."),
        ("deadline_moved", counsel_user.pk, "Extension granted, ECF 14."),
        ("deadline_met", counsel_user.pk, "Letter sent."),
        ("deadline_cancelled", counsel_user.pk, "Demand withdrawn."),
        ("deadline_met", counsel_user.pk, ""),
    ]
    case.refresh_from_db()
    assert case.version == 6
    body = client.get(detail).content.decode()
    assert "Extension granted, ECF 14." in body and f"Cancelled on {today.isoformat()}" in body


@pytest.mark.parametrize("persona", ["intake_user", "viewer_user", *REFUSED])
def test_deadline_steps_are_refused_to_all_but_counsel(client, request, persona, version):
    case = full_case(version)
    manual, computed = _manual(case), _computed(case)
    client.force_login(request.getfixturevalue(persona))
    today = timezone.localdate().isoformat()
    posts = [
        _deadline_post(client, case, "add", kind="objection", due_at="2026-12-01T17:00", time_zone="UTC"),
        _deadline_post(client, case, "move", manual, due_at="2026-12-01T17:00", time_zone="UTC", reason="x"),
        _deadline_post(client, case, "complete", computed, occurred_on=today),
        _deadline_post(client, case, "cancel", manual, occurred_on=today, reason="x"),
    ]
    assert [r.status_code for r in posts] == [403] * 4
    assert list(case.deadlines.values_list("state", flat=True)) == ["open", "open"]
    assert not case.events.filter(kind__startswith="deadline_").exists()
    case.refresh_from_db()
    assert case.version == 1
    if persona in ("intake_user", "viewer_user"):
        response = client.get(reverse("cases:detail", args=[case.pk]))
        body = response.content.decode()
        assert response.context["deadline_form"] is None and all(not d.steps for d in response.context["deadlines"])
        assert "Add a deadline" not in body and "/deadlines/" not in body


def test_another_cases_deadline_is_404(client, counsel_user, version):
    case = full_case(version)
    other = full_case(version, reference="OTHER-1")
    client.force_login(counsel_user)
    today = timezone.localdate().isoformat()
    foreign = _manual(other)
    for step, fields in [
        ("move", {"due_at": "2026-12-01T17:00", "time_zone": "UTC", "reason": "x"}),
        ("complete", {"occurred_on": today}),
        ("cancel", {"occurred_on": today, "reason": "x"}),
    ]:
        url = reverse(f"cases:{step}_deadline", args=[case.pk, foreign.pk])
        prefix = f"deadline-{foreign.pk}-{step}"
        data = {f"{prefix}-version": 1, **{f"{prefix}-{k}": v for k, v in fields.items()}}
        assert client.post(url, data).status_code == 404
    assert client.post(reverse("cases:complete_deadline", args=[case.pk, 999999]), {}).status_code == 404
    assert set(Deadline.objects.values_list("state", flat=True)) == {"open"}


@pytest.mark.parametrize(
    ("step", "fields", "field"),
    [
        ("add", {"kind": "custom", "due_at": "2026-12-01T17:00", "time_zone": "UTC"}, "label"),  # the action's check
        ("add", {"kind": "objection", "time_zone": "UTC"}, "due_at"),
        ("add", {"kind": "response", "due_at": "2026-12-01T17:00", "time_zone": "UTC"}, "kind"),  # computed kind
        ("add", {"kind": "objection", "due_at": "2026-12-01T17:00", "time_zone": "Mars/Olympus"}, "time_zone"),
        ("move", {"due_at": "2026-12-01T17:00", "time_zone": "UTC", "reason": "  "}, "reason"),
        ("move", {"due_at": "tomorrow", "time_zone": "UTC", "reason": "x"}, "due_at"),
        ("complete", {"occurred_on": "2999-01-01"}, "occurred_on"),  # the action's check: not in the future
        ("cancel", {"reason": "x"}, "occurred_on"),
        ("cancel", {"occurred_on": "{today}"}, "reason"),
    ],
)
def test_bad_deadline_input_is_422_next_to_the_field(client, counsel_user, version, step, fields, field):
    case = full_case(version)
    client.force_login(counsel_user)
    today = timezone.localdate().isoformat()
    fields = {k: v.replace("{today}", today) for k, v in fields.items()}
    deadline = None if step == "add" else _manual(case)
    response = _deadline_post(client, case, step, deadline, **fields)
    assert response.status_code == 422
    if step == "add":
        form, is_open = response.context["deadline_form"], response.context["deadline_open"]
    else:
        shown = next(d for d in response.context["deadlines"] if d.pk == deadline.pk)
        bound = next(s for s in shown.steps if s["key"] == f"deadline-{deadline.pk}-{step}")
        form, is_open = bound["form"], bound["open"]
    assert is_open and form.errors[field], form.errors
    assert 'class="field has-error"' in response.content.decode()
    assert case.deadlines.count() == 2 and set(case.deadlines.values_list("state", flat=True)) == {"open"}
    assert not case.events.filter(kind__startswith="deadline_").exists()
    case.refresh_from_db()
    assert case.version == 1


def test_moving_a_computed_deadline_is_refused_with_the_reason(client, counsel_user, version):
    """Not offered on the page; posted anyway, the action's refusal is shown above the table."""
    case = full_case(version)
    client.force_login(counsel_user)
    computed = _computed(case)
    response = _deadline_post(client, case, "move", computed, due_at="2026-12-01T17:00", time_zone="UTC", reason="x")
    assert response.status_code == 422
    assert "computed deadline follows the analysis" in " ".join(response.context["deadline_errors"])
    computed.refresh_from_db()
    assert computed.state == Deadline.State.OPEN and case.deadlines.count() == 2


def test_stale_deadline_step_is_a_clear_conflict(client, counsel_user, version):
    case = full_case(version)
    client.force_login(counsel_user)
    stale = Case.objects.get(pk=case.pk)
    today = timezone.localdate().isoformat()
    manual = _manual(case)
    assert _deadline_post(client, case, "complete", _computed(case), occurred_on=today).status_code == 302
    response = _deadline_post(client, stale, "cancel", manual, occurred_on=today, reason="Withdrawn.")
    assert response.status_code == 409
    assert "changed by someone else meanwhile" in response.context["conflict"]
    assert 'id="conflict"' in response.content.decode()
    manual.refresh_from_db()
    assert manual.state == Deadline.State.OPEN
    assert not case.events.filter(kind="deadline_cancelled").exists()
    # The page shown with the conflict keeps what was typed, at the current version, so
    # a retry goes through.
    fresh = next(d for d in response.context["deadlines"] if d.pk == manual.pk)
    form = fresh.steps[2]["form"]
    assert str(form["version"].value()) == "2" and form["reason"].value() == "Withdrawn."
    assert fresh.steps[2]["open"]
