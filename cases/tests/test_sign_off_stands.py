"""A sign-off means the current answer: an override, amended facts or a newer analysis
after it puts the case back to awaiting sign-off, and every place that shows the
sign-off (case file, memo, export, API) says which answer was signed and why it no
longer stands."""

import datetime as dt
import json

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from cases import actions, export, queues, sign_off
from cases.actions.review import void_sign_off
from cases.analysis import analyse_case
from cases.models import Analysis, Case
from cases.tests.builders import full_case
from jurisdictions.models import DataLocation, LegalInstrument
from tests.factories import AccountFactory, CaseFactory, DemandFactory, EntityFactory, HoldingFactory

T0 = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
T1 = dt.datetime(2026, 1, 6, 9, 0, tzinfo=dt.UTC)


# --- the rule, on plain values ---------------------------------------------------------


def _signed(**changes) -> sign_off.Signed:
    return sign_off.Signed(
        **{"id": 7, "as_of": dt.date(2026, 1, 4), "signed_by": "carl", "signed_at": T0, "note": "", **changes}
    )


@pytest.mark.parametrize(
    ("analysed", "signed", "newer", "state", "words"),
    [
        (False, None, None, None, None),
        (True, None, None, "awaiting", "Awaiting counsel's sign-off"),
        (True, _signed(), None, "signed", "Signed off by carl on 2026-01-05 (analysis 7, as of 2026-01-04)"),
        (
            True,
            _signed(voided_at=T1, voided_because="counsel overrode holding 2 (control/direct)"),
            None,
            "voided",
            "Signed off by carl on 2026-01-05 (analysis 7, as of 2026-01-04) — no longer stands: "
            "counsel overrode holding 2 (control/direct)",
        ),
        (
            True,
            _signed(voided_at=T1, voided_because="the facts were amended"),
            None,
            "voided",
            "Signed off by carl on 2026-01-05 (analysis 7, as of 2026-01-04) — no longer stands: "
            "the facts were amended",
        ),
        # A sign-off given before analyse_case recorded replacements: said the same way.
        (
            True,
            _signed(),
            sign_off.Newer(8, dt.date(2026, 1, 6), T1),
            "voided",
            "Signed off by carl on 2026-01-05 (analysis 7, as of 2026-01-04) — no longer stands: "
            "a newer analysis (as of 2026-01-06) replaced it",
        ),
    ],
)
def test_what_a_sign_off_says(analysed, signed, newer, state, words):
    result = sign_off.of_case(analysed=analysed, signed=signed, newer=newer)
    if state is None:
        assert result is None
        return
    assert (result.state, result.in_words, result.stands) == (state, words, state == "signed")
    data = result.as_data()
    assert set(data) == {
        "state",
        "signed_analysis",
        "signed_by",
        "signed_at",
        "voided_at",
        "voided_because",
        "in_words",
    }
    assert data["signed_analysis"] == (7 if signed else None)


# --- analyses stored by the engine -------------------------------------------------------


@pytest.fixture
def warrant_case(catalogue):
    msft = EntityFactory(name="Microsoft Corporation")
    dublin = DataLocation.objects.create(name="Dublin", country_id="IE", operated_by=msft)
    demand = DemandFactory(
        reference="13-MAG-2814",
        instrument=LegalInstrument.objects.get(code="US-SCA-WARRANT"),
        court=None,
        served_entity=msft,
        served_at=dt.datetime(2013, 12, 4, tzinfo=dt.UTC),
    )
    account = AccountFactory(demand=demand, identifier="target@example.com")
    HoldingFactory(account=account, category="content", data_location=dublin, controlled_by=msft)
    return CaseFactory(demand=demand)


def _awaiting(case: Case) -> bool:
    return Case.objects.filter(queues.QUEUES["awaiting_sign_off"].of(None, timezone.now()), pk=case.pk).exists()


def test_a_reanalysis_after_a_sign_off_leaves_the_case_awaiting_and_says_what_replaced_it(warrant_case, counsel_user):
    first = analyse_case(case=warrant_case, as_of=dt.date(2016, 7, 14)).analysis
    assert _awaiting(warrant_case)
    actions.sign_off_analysis(case=warrant_case, analysis_id=first.pk, note="Checked.", by=counsel_user)
    assert not _awaiting(warrant_case)
    second = analyse_case(case=warrant_case, as_of=dt.date(2018, 3, 23), trigger="nightly re-analysis").analysis
    first.refresh_from_db()
    # The new analysis is unsigned; the old one's sign-off is recorded as replaced.
    assert second.signed_off_at is None and not first.sign_off_stands
    assert first.sign_off_voided_reason == "a newer analysis (as of 2018-03-23) replaced it"
    assert first.sign_off_voided_at == second.created_at
    assert _awaiting(warrant_case)
    changed = warrant_case.events.get(kind="analysis_changed")
    assert changed.data["sign_off_voided"] == first.pk
    record = export.case_record(warrant_case.pk)
    assert record["case"]["sign_off"]["state"] == "voided"
    assert record["case"]["sign_off"]["signed_analysis"] == first.pk
    assert record["case"]["sign_off"]["voided_because"] == "a newer analysis (as of 2018-03-23) replaced it"
    assert [a["sign_off"] and a["sign_off"]["state"] for a in record["analyses"]] == ["voided", None]
    # Signing the new analysis makes the case signed again; the old one stays replaced.
    actions.sign_off_analysis(case=warrant_case, analysis_id=second.pk, note="Checked again.", by=counsel_user)
    assert not _awaiting(warrant_case)
    assert export.case_record(warrant_case.pk)["case"]["sign_off"]["signed_analysis"] == second.pk


def test_the_same_answer_as_of_a_later_day_carries_the_sign_off_over(warrant_case, counsel_user):
    """The nightly re-analysis stores a new analysis for the new day; with the same
    answer, counsel's sign-off still stands and says where it came from."""
    first = analyse_case(case=warrant_case, as_of=dt.date(2018, 3, 23)).analysis
    actions.sign_off_analysis(case=warrant_case, analysis_id=first.pk, note="Checked.", by=counsel_user)
    second = analyse_case(case=warrant_case, as_of=dt.date(2018, 3, 24), trigger="nightly re-analysis")
    assert second.created and second.analysis.fingerprint == first.fingerprint
    first.refresh_from_db()
    second.analysis.refresh_from_db()
    assert first.sign_off_stands and second.analysis.sign_off_stands
    assert second.analysis.signed_off_by == counsel_user
    assert f"Carried over from analysis {first.pk}" in second.analysis.sign_off_note
    assert not _awaiting(warrant_case)


def test_an_unchanged_answer_as_of_the_same_day_stores_nothing_and_the_sign_off_stands(warrant_case, counsel_user):
    first = analyse_case(case=warrant_case, as_of=dt.date(2016, 7, 14)).analysis
    actions.sign_off_analysis(case=warrant_case, analysis_id=first.pk, note="", by=counsel_user)
    assert not analyse_case(case=warrant_case, as_of=dt.date(2016, 7, 14)).created
    first.refresh_from_db()
    assert first.sign_off_stands and not _awaiting(warrant_case)


def test_the_first_analysis_moves_the_case_to_counsels_review_by_itself(warrant_case):
    assert (warrant_case.status, warrant_case.version) == ("intake", 1)
    analyse_case(case=warrant_case, as_of=dt.date(2016, 7, 14))
    warrant_case.refresh_from_db()
    assert (warrant_case.status, warrant_case.version) == ("counsel_review", 2)
    move = warrant_case.events.get(kind="status_changed")
    assert (move.from_state, move.to_state, move.by, move.note) == (
        "intake",
        "counsel_review",
        None,
        "Analysed: ready for counsel's review.",
    )
    # Dated the day the demand was served: the earliest a person may date a later step.
    assert move.occurred_on == dt.date(2013, 12, 4)
    assert warrant_case.history.first().history_user is None  # nobody made it
    # A later analysis moves nothing; neither does the first one of a case past intake.
    analyse_case(case=warrant_case, as_of=dt.date(2018, 3, 23))
    warrant_case.refresh_from_db()
    assert warrant_case.status == "counsel_review" and warrant_case.events.filter(kind="status_changed").count() == 1


def test_a_case_already_past_intake_is_not_moved_by_its_first_analysis(warrant_case, counsel_user):
    actions.change_status(
        case=warrant_case, to="analysis", occurred_on=dt.date(2013, 12, 5), by=counsel_user, expected_version=1
    )
    analyse_case(case=warrant_case, as_of=dt.date(2016, 7, 14))
    warrant_case.refresh_from_db()
    assert warrant_case.status == "analysis" and warrant_case.version == 2


# --- the case file, the memo, the API ------------------------------------------------------


@pytest.fixture
def signed_case(version, counsel_user):
    case = full_case(version, "SIGNED-1", accounts=1, analyses=1)
    latest = case.latest_analysis
    actions.sign_off_analysis(case=case, analysis_id=latest.pk, note="Reviewed.", by=counsel_user)
    case.refresh_from_db()
    return case


def _api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_a_standing_sign_off_is_shown_everywhere_and_not_offered_again(client, counsel_user, signed_case):
    latest = signed_case.latest_analysis
    words = f"Signed off by carl.counsel on {timezone.localdate():%Y-%m-%d} (analysis {latest.pk}, as of 2026-01-01)"
    client.force_login(counsel_user)
    body = client.get(reverse("cases:detail", args=[signed_case.pk])).content.decode()
    assert f'<span class="pill ok" id="signed-off">{words}</span>' in body
    assert 'id="sign-off-form"' not in body and 'id="awaiting-sign-off"' not in body
    assert words in export.memo_html(export.case_record(signed_case.pk))
    api = _api(counsel_user)
    case_body = api.get(f"/api/v1/cases/{signed_case.pk}/").json()
    assert case_body["sign_off"]["state"] == "signed" and case_body["sign_off"]["in_words"] == words
    assert case_body["sign_off"]["signed_by"] == "carl.counsel" and case_body["sign_off"]["voided_at"] is None
    status = api.get(f"/api/v1/cases/{signed_case.pk}/status/").json()
    assert status["sign_off"] == case_body["sign_off"] and status["analysis"]["signed_off"] is True
    listed = api.get("/api/v1/cases/").json()["results"]
    assert [row["sign_off"] for row in listed] == [case_body["sign_off"]]
    analyses = api.get(f"/api/v1/cases/{signed_case.pk}/analyses/").json()
    assert analyses[0]["sign_off_stands"] is True and analyses[0]["sign_off_voided_because"] == ""


def test_an_override_voids_the_sign_off_which_is_offered_again(client, counsel_user, signed_case):
    latest = signed_case.latest_analysis
    actions.override_holding(
        analysis=latest, item=0, reach="none", route="mlat", reason="The data is not in our control.", by=counsel_user
    )
    client.force_login(counsel_user)
    body = client.get(reverse("cases:detail", args=[signed_case.pk])).content.decode()
    assert 'id="awaiting-sign-off"' in body and 'id="sign-off-form"' in body and 'id="signed-off"' not in body
    because = "counsel overrode holding 1 (none/mlat)"
    assert f"— no longer stands: {because}" in body
    memo = export.memo_html(export.case_record(signed_case.pk))
    assert "Awaiting counsel's sign-off." in memo and f"no longer stands: {because}" in memo
    api = _api(counsel_user)
    for url in (f"/api/v1/cases/{signed_case.pk}/", f"/api/v1/cases/{signed_case.pk}/status/"):
        state = api.get(url).json()["sign_off"]
        assert (state["state"], state["signed_analysis"], state["voided_because"]) == ("voided", latest.pk, because)
        assert state["voided_at"] is not None
    assert api.get(f"/api/v1/cases/{signed_case.pk}/status/").json()["analysis"]["signed_off"] is False
    # Counsel signs the answer as it now is: the sign-off stands again.
    signed_case.refresh_from_db()
    response = client.post(
        reverse("cases:sign_off", args=[signed_case.pk]), {"analysis": latest.pk, "note": "With the override."}
    )
    assert response.status_code == 302
    assert api.get(f"/api/v1/cases/{signed_case.pk}/").json()["sign_off"]["state"] == "signed"


def test_amended_facts_void_the_sign_off(counsel_user, signed_case):
    """What the amendment action calls (cases.actions.review.void_sign_off)."""
    from django.db import transaction

    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=signed_case.pk)
        voided = void_sign_off(locked, reason="the facts were amended")
    assert voided.pk == signed_case.latest_analysis.pk
    state = _api(counsel_user).get(f"/api/v1/cases/{signed_case.pk}/").json()["sign_off"]
    assert (state["state"], state["voided_because"]) == ("voided", "the facts were amended")
    assert _awaiting(signed_case)


def test_a_newer_analysis_replaces_an_older_sign_off_everywhere(client, counsel_user, signed_case, version):
    """A sign-off recorded before replacements were (no voided_at): the newer analysis
    is still said to replace it."""
    old = signed_case.latest_analysis
    newer = Analysis.objects.create(
        case=signed_case,
        as_of=dt.date(2026, 2, 1),
        catalogue_version=version,
        doctrine="control-based",
        result=old.result,
        fingerprint="newer",
    )
    because = "a newer analysis (as of 2026-02-01) replaced it"
    client.force_login(counsel_user)
    response = client.get(reverse("cases:detail", args=[signed_case.pk]))
    body = response.content.decode()
    assert 'id="awaiting-sign-off"' in body and f"no longer stands: {because}" in body
    assert response.context["sign_off_form"].initial == {"analysis": newer.pk}
    [earlier] = response.context["earlier"]
    assert earlier.sign_off.state == "voided" and earlier.sign_off.voided_because == because
    api = _api(counsel_user)
    for url in (f"/api/v1/cases/{signed_case.pk}/", f"/api/v1/cases/{signed_case.pk}/status/"):
        state = api.get(url).json()["sign_off"]
        assert (state["state"], state["signed_analysis"], state["voided_because"]) == ("voided", old.pk, because)
    assert json.loads(export.to_json(export.case_record(signed_case.pk)))["case"]["sign_off"]["state"] == "voided"
    assert _awaiting(signed_case)


def test_a_case_never_analysed_has_no_sign_off_to_await(counsel_user):
    case = CaseFactory()
    api = _api(counsel_user)
    assert api.get(f"/api/v1/cases/{case.pk}/").json()["sign_off"] is None
    assert api.get(f"/api/v1/cases/{case.pk}/status/").json()["sign_off"] is None
    assert not _awaiting(case)
