"""Deadlines added, moved, met and cancelled from the case file."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, Deadline
from cases.tests.builders import REFUSED, full_case

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
    assert response.status_code == 302  # Post/Redirect/Get: shown on the case file
    response = client.get(response["Location"])
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
    assert response.status_code == 302  # Post/Redirect/Get: shown on the case file
    response = client.get(response["Location"])
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
    assert response.status_code == 302  # Post/Redirect/Get: shown on the case file
    response = client.get(response["Location"])
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
