"""The three tracks: every allowed and every refused transition, generated from the
transition tables, and what each change records."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from accounts.api import ConflictingChange
from cases import actions, workflow
from cases.models import AppealStatus, Case, CaseEvent, ContemptStatus, Deadline, Status
from tests.factories import CaseFactory, CourtFactory, NdoFactory

pytestmark = pytest.mark.django_db

ON = dt.date(2026, 1, 5)


@pytest.fixture
def counsel(db):
    """A user without a password: hashing one per generated test would dominate the run."""
    return get_user_model().objects.create(username="wendy.workflow")


def _put(case: Case, track: workflow.Track, state: str) -> Case:
    """Place the case in `state` directly, as the starting point of a transition test."""
    fields = {track.field: state}
    if track is workflow.STATUS:
        fields["outcome"] = "moot" if state == Status.CLOSED else ""
    Case.objects.filter(pk=case.pk).update(**fields)
    case.refresh_from_db()
    return case


def _move(case: Case, track: workflow.Track, to: str, by) -> CaseEvent:
    """The action for `track`, with the details its target needs."""
    common = {"case": case, "to": to, "occurred_on": ON, "by": by, "expected_version": case.version}
    if track is workflow.STATUS:
        return actions.change_status(outcome="moot" if to == Status.CLOSED else None, **common)
    if track is workflow.APPEAL:
        disposition = "affirmed" if to == AppealStatus.DECIDED else None
        return actions.advance_appeal(disposition=disposition, court_name="2d Cir.", **common)
    return actions.change_contempt(kind="civil" if to == ContemptStatus.HELD else "", **common)


ALL_PAIRS = [
    pytest.param(track, frm, to, to in track.allowed(frm), id=f"{track.name}:{frm}->{to}")
    for track in workflow.TRACKS.values()
    for frm in track.states.values
    for to in track.states.values
]


@pytest.mark.parametrize(("track", "frm", "to", "allowed"), ALL_PAIRS)
def test_every_transition_of_every_track(track, frm, to, allowed, counsel):
    case = _put(CaseFactory(), track, frm)
    version, events = case.version, CaseEvent.objects.count()
    if allowed:
        event = _move(case, track, to, counsel)
        case.refresh_from_db()
        assert getattr(case, track.field) == to
        assert case.version == version + 1
        assert CaseEvent.objects.count() == events + 1
        assert (event.track, event.from_state, event.to_state, event.occurred_on) == (track.name, frm, to, ON)
        assert event.by == counsel
        return
    with pytest.raises(ValidationError) as refused:
        _move(case, track, to, counsel)
    message = refused.value.message_dict[track.field][0]
    assert f"'{frm}' to '{to}'" in message
    for target in track.allowed(frm):
        assert target in message
    if not track.allowed(frm):
        assert "is final" in message
    case.refresh_from_db()
    assert (getattr(case, track.field), case.version) == (frm, version)
    assert CaseEvent.objects.count() == events


def test_tables_cover_every_state_and_name_only_known_states():
    for track in workflow.TRACKS.values():
        assert set(track.transitions) == set(track.states.values), track.name
        for targets in track.transitions.values():
            assert set(targets) <= set(track.states.values)
            assert len(targets) == len(set(targets))


def test_the_documented_paths_are_allowed():
    def path_ok(track, states):
        return all(b in track.allowed(a) for a, b in zip(states, states[1:], strict=False))

    assert path_ok(workflow.STATUS, ["intake", "analysis", "counsel_review", "responding", "closed"])
    assert path_ok(workflow.STATUS, ["counsel_review", "litigating", "closed"])
    assert path_ok(
        workflow.APPEAL,
        ["none", "notice_filed", "briefing", "argued", "decided", "rehearing_petition", "decided",
         "certiorari_petition", "certiorari_granted", "argued", "decided", "notice_filed"],
    )  # fmt: skip
    assert path_ok(workflow.APPEAL, ["decided", "certiorari_petition", "certiorari_denied"])
    assert path_ok(workflow.CONTEMPT, ["none", "motion_pending", "held", "purged"])
    assert path_ok(workflow.CONTEMPT, ["none", "held", "vacated"])


def test_unknown_state_is_refused_naming_the_states(counsel_user):
    case = CaseFactory()
    with pytest.raises(ValidationError) as refused:
        actions.change_status(case=case, to="lost", occurred_on=ON, by=counsel_user, expected_version=None)
    assert "not a status state" in refused.value.message_dict["status"][0]


def test_available_changes_follow_the_tables():
    case = _put(CaseFactory(), workflow.APPEAL, AppealStatus.DECIDED)
    changes = workflow.available_changes(case)
    assert changes == {
        "status": ("analysis", "closed"),
        "appeal": ("rehearing_petition", "certiorari_petition", "notice_filed"),
        "contempt": ("motion_pending", "held"),
    }


# --- Details each change needs ------------------------------------------------------------


def test_closing_needs_an_outcome_and_only_closing_takes_one(counsel_user):
    case = CaseFactory()
    with pytest.raises(ValidationError) as refused:
        actions.change_status(case=case, to="closed", occurred_on=ON, by=counsel_user, expected_version=1)
    assert "outcome" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        actions.change_status(
            case=case, to="analysis", occurred_on=ON, by=counsel_user, expected_version=1, outcome="moot"
        )
    assert "outcome" in refused.value.message_dict
    event = actions.change_status(
        case=case, to="closed", occurred_on=ON, by=counsel_user, expected_version=1, outcome="withdrawn"
    )
    case.refresh_from_db()
    assert (case.status, case.outcome, event.data) == ("closed", "withdrawn", {"outcome": "withdrawn"})


def test_a_decision_needs_a_disposition_except_a_denied_rehearing(counsel_user):
    case = _put(CaseFactory(), workflow.APPEAL, AppealStatus.ARGUED)
    court = CourtFactory(name="2d Cir.")
    with pytest.raises(ValidationError) as refused:
        actions.advance_appeal(
            case=case, to="decided", occurred_on=ON, by=counsel_user, expected_version=1, court=court
        )
    assert "disposition" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        actions.advance_appeal(
            case=case, to="decided", occurred_on=ON, by=counsel_user, expected_version=1, court=court,
            disposition="overruled",
        )  # fmt: skip
    assert "disposition" in refused.value.message_dict
    actions.advance_appeal(
        case=case, to="decided", occurred_on=ON, by=counsel_user, expected_version=1, court=court,
        disposition="reversed", citation="829 F.3d 197 (2d Cir. 2016)",
    )  # fmt: skip
    actions.advance_appeal(
        case=case, to="rehearing_petition", occurred_on=ON, by=counsel_user, expected_version=2, court=court
    )
    denied = actions.advance_appeal(
        case=case, to="decided", occurred_on=ON, by=counsel_user, expected_version=3, court=court
    )
    case.refresh_from_db()
    assert (case.appeal_status, case.appeal_disposition) == ("decided", "reversed")
    assert denied.data == {"disposition": "reversed", "rehearing_denied": True}
    assert denied.court == court


def test_an_appeal_step_names_its_court(counsel_user):
    case = CaseFactory()
    with pytest.raises(ValidationError) as refused:
        actions.file_appeal(case=case, filed_on=ON, by=counsel_user, expected_version=1)
    assert "court" in refused.value.message_dict
    with pytest.raises(ValidationError):
        actions.file_appeal(
            case=case, filed_on=ON, by=counsel_user, expected_version=1, court=CourtFactory(), court_name="Other"
        )
    event = actions.file_appeal(case=case, filed_on=ON, by=counsel_user, expected_version=1, court_name="1st Cir.")
    assert (event.to_state, event.court_name) == ("notice_filed", "1st Cir.")


def test_holding_in_contempt_records_how(counsel_user):
    case = CaseFactory()
    with pytest.raises(ValidationError) as refused:
        actions.hold_in_contempt(
            case=case, held_on=ON, by=counsel_user, expected_version=1, kind="moral", by_stipulation=False
        )
    assert "kind" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        actions.hold_in_contempt(
            case=case, held_on=ON, by=counsel_user, expected_version=1, kind="civil", by_stipulation=False,
            sanctions_amount=-5,
        )  # fmt: skip
    assert "sanctions_amount" in refused.value.message_dict
    event = actions.hold_in_contempt(
        case=case, held_on=ON, by=counsel_user, expected_version=1, kind="civil", by_stipulation=False,
        sanctions_amount="15000", sanctions_period="per day", stayed=True,
    )  # fmt: skip
    case.refresh_from_db()
    assert (case.contempt_status, case.contempt_kind, case.contempt_by_stipulation) == ("held", "civil", False)
    assert (case.contempt_sanctions_amount, case.contempt_sanctions_period) == (Decimal("15000"), "per day")
    assert case.contempt_stayed is True
    assert event.data["sanctions_amount"] == "15000"
    with pytest.raises(ValidationError) as refused:
        actions.purge_contempt(case=case, purged_on=ON, by=counsel_user, expected_version=2, kind="civil")
    assert "kind" in refused.value.message_dict
    actions.purge_contempt(case=case, purged_on=ON, by=counsel_user, expected_version=2)
    case.refresh_from_db()
    assert (case.contempt_status, case.contempt_stayed, case.contempt_kind) == ("purged", False, "civil")
    actions.move_for_contempt(case=case, filed_on=ON, by=counsel_user, expected_version=3)
    case.refresh_from_db()
    assert (case.contempt_status, case.contempt_kind, case.contempt_sanctions_amount) == ("motion_pending", "", None)
    actions.deny_contempt_motion(case=case, denied_on=ON, by=counsel_user, expected_version=4)
    case.refresh_from_db()
    assert case.contempt_status == "none"


def test_a_contempt_finding_is_stayed_and_the_stay_lifted_as_events(counsel_user):
    case = CaseFactory()
    with pytest.raises(ValidationError) as refused:
        actions.stay_contempt(case=case, stayed_on=ON, by=counsel_user, expected_version=1)
    assert "contempt_stayed" in refused.value.message_dict
    actions.hold_in_contempt(
        case=case, held_on=ON, by=counsel_user, expected_version=1, kind="civil", by_stipulation=True
    )
    stayed = actions.stay_contempt(case=case, stayed_on=ON, by=counsel_user, expected_version=2, court_name="2d Cir.")
    assert case.contempt_stayed is True and case.version == 3
    with pytest.raises(ValidationError):
        actions.stay_contempt(case=case, stayed_on=ON, by=counsel_user, expected_version=3)
    lifted = actions.lift_contempt_stay(case=case, lifted_on=dt.date(2026, 1, 9), by=counsel_user, expected_version=3)
    case.refresh_from_db()
    assert case.contempt_stayed is False and case.contempt_status == "held"
    assert [stayed.kind, lifted.kind] == ["contempt_stayed", "contempt_stay_lifted"]


def test_steps_of_a_track_happen_in_order(counsel_user):
    case = CaseFactory()
    actions.change_status(case=case, to="analysis", occurred_on=ON, by=counsel_user, expected_version=1)
    with pytest.raises(ValidationError) as refused:
        actions.change_status(
            case=case, to="counsel_review", occurred_on=ON - dt.timedelta(days=1), by=counsel_user, expected_version=2
        )
    assert "before the last status change" in refused.value.message_dict["occurred_on"][0]
    # Other tracks have their own order.
    actions.file_appeal(case=case, filed_on=ON - dt.timedelta(days=30), by=counsel_user, expected_version=2,
                        court_name="2d Cir.")  # fmt: skip


@time_machine.travel(dt.datetime(2026, 3, 2, 12, tzinfo=dt.UTC), tick=False)
def test_events_are_not_dated_in_the_future(counsel_user):
    case = CaseFactory()
    with pytest.raises(ValidationError) as refused:
        actions.record_event(
            case=case, kind="note", occurred_on=dt.date(2026, 3, 4), by=counsel_user, expected_version=1
        )
    assert "future" in refused.value.message_dict["occurred_on"][0]
    with pytest.raises(ValidationError):
        actions.record_event(
            case=case, kind="note", occurred_on=dt.datetime(2026, 3, 1, tzinfo=dt.UTC), by=counsel_user,
            expected_version=1,
        )  # fmt: skip
    # The day after today (UTC) is still "today" somewhere.
    actions.record_event(case=case, kind="note", occurred_on=dt.date(2026, 3, 3), by=counsel_user, expected_version=1)


# --- Court events, versions, the audit history ------------------------------------------------


def test_record_event_writes_one_event_and_moves_no_track(counsel_user):
    case = CaseFactory()
    court = CourtFactory()
    event = actions.record_event(
        case=case, kind="motion_denied", occurred_on=dt.date(2014, 4, 25), by=counsel_user, expected_version=1,
        court=court, citation="15 F. Supp. 3d 466 (S.D.N.Y. 2014)", note="Denied.",
    )  # fmt: skip
    case.refresh_from_db()
    assert (case.status, case.appeal_status, case.contempt_status, case.version) == ("intake", "none", "none", 2)
    assert (event.kind, event.track, event.court, event.citation, event.by) == (
        "motion_denied", "", court, "15 F. Supp. 3d 466 (S.D.N.Y. 2014)", counsel_user,
    )  # fmt: skip
    assert event.recorded_at is not None
    with pytest.raises(ValidationError) as refused:
        actions.record_event(case=case, kind="coup", occurred_on=ON, by=counsel_user, expected_version=2)
    assert "motion_filed" in refused.value.message_dict["kind"][0]


def test_a_stale_version_is_a_conflict_and_changes_nothing(counsel_user):
    case = CaseFactory()
    actions.change_status(case=case, to="analysis", occurred_on=ON, by=counsel_user, expected_version=1)
    stale = Case.objects.get(pk=case.pk)
    stale.version = 1
    with pytest.raises(actions.StaleCase) as conflict:
        actions.change_status(case=stale, to="closed", occurred_on=ON, by=counsel_user, expected_version=1,
                              outcome="moot")  # fmt: skip
    assert isinstance(conflict.value, ConflictingChange)
    assert "version 2" in str(conflict.value)
    case.refresh_from_db()
    assert (case.status, case.version, case.events.count()) == ("analysis", 2, 1)


def test_tasks_may_skip_the_version_check_but_still_bump_it(counsel_user):
    case = CaseFactory()
    actions.record_event(case=case, kind="note", occurred_on=ON, by=None, expected_version=None)
    actions.record_event(case=case, kind="note", occurred_on=ON, by=None, expected_version=None)
    case.refresh_from_db()
    assert case.version == 3


def test_the_audit_history_records_who(counsel_user):
    case = CaseFactory()
    actions.change_status(case=case, to="analysis", occurred_on=ON, by=counsel_user, expected_version=1)
    latest = case.history.order_by("-history_id").first()
    assert (latest.status, latest.history_user) == ("analysis", counsel_user)


# --- Nondisclosure orders ---------------------------------------------------------------------------


def test_extending_a_nondisclosure_order_keeps_the_earlier_expiry(counsel_user):
    case = CaseFactory()
    order = NdoFactory(demand=case.demand, starts_on=dt.date(2026, 1, 1), expires_on=dt.date(2026, 4, 1))
    with pytest.raises(ValidationError) as refused:
        actions.extend_nondisclosure_order(
            order=order, expires_on=dt.date(2026, 3, 1), occurred_on=ON, by=counsel_user, expected_version=1
        )
    assert "expires_on" in refused.value.message_dict
    event = actions.extend_nondisclosure_order(
        order=order, expires_on=dt.date(2026, 10, 1), occurred_on=dt.date(2026, 3, 20), by=counsel_user,
        expected_version=1, court=CourtFactory(), note="Extended for 180 days under §2705(b).",
    )  # fmt: skip
    order.refresh_from_db()
    assert (order.expires_on, order.extensions) == (dt.date(2026, 10, 1), ["2026-04-01"])
    assert (event.kind, event.data["from"], event.data["to"]) == ("ndo_extended", "2026-04-01", "2026-10-01")
    actions.extend_nondisclosure_order(
        order=order, expires_on=dt.date(2027, 4, 1), occurred_on=dt.date(2026, 9, 20), by=counsel_user,
        expected_version=2,
    )  # fmt: skip
    order.refresh_from_db()
    assert order.extensions == ["2026-04-01", "2026-10-01"]


def test_an_order_without_an_end_cannot_be_extended(counsel_user):
    case = CaseFactory()
    order = NdoFactory(demand=case.demand, expires_on=None)
    with pytest.raises(ValidationError) as refused:
        actions.extend_nondisclosure_order(
            order=order, expires_on=dt.date(2027, 1, 1), occurred_on=ON, by=counsel_user, expected_version=1
        )
    assert "no end date" in refused.value.message_dict["expires_on"][0]
    assert case.events.count() == 0


# --- The admin goes through the same actions ------------------------------------------------------------


def test_the_admin_records_a_change_through_the_action(client, admin_user_):
    case = CaseFactory()
    client.force_login(admin_user_)
    url = f"/admin/cases/case/{case.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    assert b"status:analysis" in page.content and b"status:responding" not in page.content
    form = {"counsel": "", "change": "status:analysis", "occurred_on": "2026-01-05", "expected_version": "1",
            "events-TOTAL_FORMS": "0", "events-INITIAL_FORMS": "0"}  # fmt: skip
    response = client.post(url, form)
    assert response.status_code == 302
    case.refresh_from_db()
    event = case.events.get()
    assert (case.status, case.version, event.to_state, event.by) == ("analysis", 2, "analysis", admin_user_)

    # The same form again holds an old version: refused as a conflict, nothing written.
    response = client.post(url, {**form, "change": "status:counsel_review"}, follow=True)
    assert "changed by someone else" in response.content.decode()
    case.refresh_from_db()
    assert (case.status, case.version, case.events.count()) == ("analysis", 2, 1)

    # The form offers only the changes the table allows; anything else is a form error.
    response = client.post(url, {**form, "change": "status:responding", "expected_version": "2"})
    assert response.status_code == 200
    assert "status:responding is not one of the available choices" in response.content.decode()
    case.refresh_from_db()
    assert (case.status, case.events.count()) == ("analysis", 1)

    # An allowed change missing what the action needs is reported with the action's message.
    response = client.post(url, {**form, "change": "status:closed", "expected_version": "2"}, follow=True)
    assert "The change was not recorded: Closing a case needs an outcome" in response.content.decode()
    case.refresh_from_db()
    assert (case.status, case.version, case.events.count()) == ("analysis", 2, 1)


def test_the_admin_cannot_write_the_track_fields(client, admin_user_):
    case = CaseFactory()
    client.force_login(admin_user_)
    client.post(
        f"/admin/cases/case/{case.pk}/change/",
        {"counsel": "", "status": "closed", "outcome": "moot", "expected_version": "1",
         "events-TOTAL_FORMS": "0", "events-INITIAL_FORMS": "0"},
    )  # fmt: skip
    case.refresh_from_db()
    assert (case.status, case.outcome) == ("intake", "")


ADMIN_CHANGES = [
    ({"change": "appeal:notice_filed", "court_name": "2d Cir."}, "appeal_status", "notice_filed"),
    ({"change": "contempt:held", "contempt_kind_": "civil", "by_stipulation": "on", "sanctions_amount": "0"},
     "contempt_status", "held"),
    ({"change": "status:closed", "closing_outcome": "withdrawn"}, "outcome", "withdrawn"),
    ({"change": "event:stay_granted", "note": "Stayed pending appeal."}, "status", "intake"),
]  # fmt: skip


@pytest.mark.parametrize(("fields", "attribute", "value"), ADMIN_CHANGES)
def test_each_kind_of_admin_change_goes_through_its_action(client, admin_user_, fields, attribute, value):
    case = CaseFactory()
    client.force_login(admin_user_)
    form = {"counsel": "", "occurred_on": "2026-01-05", "expected_version": "1", "events-TOTAL_FORMS": "0",
            "events-INITIAL_FORMS": "0", **fields}  # fmt: skip
    assert client.post(f"/admin/cases/case/{case.pk}/change/", form).status_code == 302
    case.refresh_from_db()
    event = case.events.get()
    assert (getattr(case, attribute), case.version, event.by) == (value, 2, admin_user_)


def test_the_admin_stays_a_contempt_finding_and_marks_a_deadline_met(client, admin_user_):
    case = _put(CaseFactory(), workflow.CONTEMPT, ContemptStatus.HELD)
    client.force_login(admin_user_)
    form = {"counsel": "", "occurred_on": "2026-01-05", "expected_version": "1", "change": "contempt_stay:stay",
            "events-TOTAL_FORMS": "0", "events-INITIAL_FORMS": "0"}  # fmt: skip
    assert client.post(f"/admin/cases/case/{case.pk}/change/", form).status_code == 302
    case.refresh_from_db()
    assert case.contempt_stayed is True and case.events.get().kind == "contempt_stayed"
    deadline = Deadline.objects.create(
        case=case, kind="custom", label="File brief", due_at=dt.datetime(2026, 2, 1, tzinfo=dt.UTC), source="manual"
    )
    response = client.post("/admin/cases/deadline/", {"action": "mark_met", "_selected_action": [deadline.pk]})
    assert response.status_code == 302
    deadline.refresh_from_db()
    assert deadline.state == "met"
    assert case.events.filter(kind="deadline_met", by=admin_user_).count() == 1


LATER = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)


def test_a_closed_case_is_final_but_still_takes_notes(counsel):
    case = _put(_put(CaseFactory(), workflow.CONTEMPT, ContemptStatus.HELD), workflow.STATUS, Status.CLOSED)
    deadline = actions.add_deadline(
        case=_put(case, workflow.STATUS, Status.LITIGATING), kind="objection", by=counsel, expected_version=None,
        due_at=dt.datetime(2026, 2, 1, tzinfo=dt.UTC),
    )  # fmt: skip
    case = _put(case, workflow.STATUS, Status.CLOSED)
    assert workflow.available_changes(case) == {"status": (), "appeal": (), "contempt": ()}
    refused = {
        "appeal_status": lambda: _move(case, workflow.APPEAL, AppealStatus.NOTICE_FILED, counsel),
        "contempt_status": lambda: _move(case, workflow.CONTEMPT, ContemptStatus.PURGED, counsel),
        "contempt_stayed": lambda: actions.stay_contempt(case=case, stayed_on=ON, by=counsel, expected_version=None),
        "kind": lambda: actions.add_deadline(
            case=case, kind="objection", by=counsel, expected_version=None, due_at=LATER
        ),
        "due_at": lambda: actions.move_deadline(
            deadline=deadline, by=counsel, expected_version=None, reason="Extended",
            due_at=LATER,
        ),
    }  # fmt: skip
    events = CaseEvent.objects.filter(case=case).count()
    for field, step in refused.items():
        with pytest.raises(ValidationError) as error:
            step()
        assert "The case is closed (moot)" in error.value.message_dict[field][0], field
    assert CaseEvent.objects.filter(case=case).count() == events
    # A note, and meeting a deadline still open, are still recorded.
    actions.record_event(case=case, kind="correspondence", occurred_on=ON, by=counsel, expected_version=None)
    actions.complete_deadline(deadline=deadline, by=counsel, expected_version=None, occurred_on=ON)
    assert CaseEvent.objects.filter(case=case).count() == events + 2


def test_a_step_cannot_predate_the_demand(counsel):
    case = CaseFactory(demand__served_at=dt.datetime(2026, 1, 10, 9, tzinfo=dt.UTC))
    with pytest.raises(ValidationError) as refused:
        actions.change_status(case=case, to="analysis", occurred_on=ON, by=counsel, expected_version=1)
    assert refused.value.message_dict["occurred_on"] == [
        "2026-01-05 is before the demand was served (2026-01-10): a step of this case cannot predate it."
    ]
    with pytest.raises(ValidationError):
        actions.record_event(case=case, kind="motion_filed", occurred_on=ON, by=counsel, expected_version=1)
    # The law it is read under, and letters before it, may predate the demand.
    actions.record_event(case=case, kind="legislation_enacted", occurred_on=dt.date(2018, 3, 23), by=counsel,
                         expected_version=1)  # fmt: skip
    actions.record_event(case=case, kind="correspondence", occurred_on=ON, by=counsel, expected_version=2)
    actions.change_status(case=case, to="analysis", occurred_on=dt.date(2026, 1, 10), by=counsel, expected_version=3)


def test_timeline_entries_have_names_for_people():
    assert workflow.event_label("holding_overridden") == "Holding overridden by counsel"
    assert workflow.event_label("motion_filed") == "Motion filed"
    assert workflow.event_label("something_new") == "Something new"
    assert workflow.state_label("status", "counsel_review") == "Counsel review"
    assert workflow.state_label("appeal", "certiorari_petition") == str(AppealStatus.CERTIORARI_PETITION.label)
    assert workflow.state_label("mood", "happy") == "happy"
    # Every kind the actions write has its own name.
    import re
    from pathlib import Path

    written = set(
        re.findall(r'kind="([a-z_]+)"', "".join(p.read_text() for p in Path(actions.__file__).parent.glob("*.py")))
    )
    written -= {"civil", "criminal", "custom"}  # contempt and deadline kinds, not timeline entries
    assert written <= set(workflow.EVENT_LABELS), written - set(workflow.EVENT_LABELS)
