"""The smaller items of issue 15 on the pages: deadline workings in words (memo and
case file), the memo's rows kept whole, Post/Redirect/Get for refused steps, the
favicon, logout's confirmation, a closed case's sign-off, sanctions with their
currency, a motion's type, deadlines named on the timeline, the audit history with
the values a record had."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from cases import actions, export, sign_off, workflow, workings
from cases.history import Names, audit_history
from cases.models import Case, CaseEvent, Deadline, Status, default_currency, sanctions_in_words
from cases.tests.builders import full_case
from cases.views.case_file import REFUSED_STEP
from tests.factories import DataLocationFactory

# ------------------------------------------------------------- workings in words

ENGINE_WORKING = {
    "due": "2027-01-05T05:00:00Z",
    "kind": "response",
    "basis": "period",
    "period": "US-30-DAYS",
    "start": "2026-12-02T10:00:00-05:00",
    "start_assumed": False,
    "length": 30,
    "unit": "calendar_days",
    "counting": "after-day-of-service",
    "last_day": "2027-01-04",
    "rolled_over": ["2027-01-01", "2027-01-02", "2027-01-03"],
    "time_zone": "America/New_York",
    "holidays_country": "US-NY",
    "citation": "18 U.S.C. § 2703(h)(2)",
    "explanation": "Served 2026-12-02T10:00:00-05:00; 30 calendar_days …",
}


def test_engine_working_reads_as_a_sentence():
    text = workings.in_words(ENGINE_WORKING, label="Response due")
    assert text == (
        "Response due 30 calendar days after service on 2 Dec 2026 (18 U.S.C. § 2703(h)(2)), "
        "not counting the day of service; 1 Jan 2027, 2 Jan 2027, 3 Jan 2027 fell on a weekend or public "
        "holiday, so it moved to the next business day in New York: 4 Jan 2027, end of day "
        "(05:00 UTC on 5 Jan 2027)."
    )
    assert "rule:" not in text and "T05:00:00Z" not in text


def test_given_due_time_and_move_read_in_words():
    text = workings.in_words(
        {
            "rule": "given",
            "due": "2026-12-10T22:00:00Z",
            "moved_from": "2026-12-03T22:00:00Z",
            "reason": "court's extension",
        },
        label="Objection due",
    )
    assert text == (
        "Objection due 22:00 UTC on 10 Dec 2026, as entered by counsel. "
        "Moved from 22:00 UTC on 3 Dec 2026: court's extension."
    )


def test_counted_manual_working_in_hours_says_both_clocks():
    text = workings.in_words(
        {
            "start": "2026-12-02T09:00:00-05:00",
            "length": 48,
            "unit": "hours",
            "rule": "",
            "citation": "",
            "time_zone": "America/New_York",
            "rolled_over": [],
            "skipped": [],
            "last_day": None,
            "due": "2026-12-04T14:00:00Z",
        },
        label="Custom due",
    )
    assert text.startswith("Custom due 48 hours after the start on 2 Dec 2026, in New York: 09:00 EST on 4 Dec 2026")
    assert text.endswith("(14:00 UTC on 4 Dec 2026).")


def test_unknown_shapes_fall_back_without_hiding_anything():
    assert workings.in_words({"explanation": "As the order says."}) == "As the order says."
    assert workings.in_words({"odd": 1}) == "odd: 1"
    assert workings.in_words({}) == ""
    assert workings.subject("Comity motion (§2703(h)(2))") == "Comity motion (§2703(h)(2)) due"
    assert workings.subject("Preservation expires") == "Preservation expires"
    assert workings.subject("Custom", "Call the AUSA") == "Call the AUSA due"


def test_memo_prints_workings_in_words_and_keeps_rows_whole(version):
    case = full_case(version)
    Deadline.objects.create(
        case=case,
        kind=Deadline.Kind.RESPONSE,
        due_at=dt.datetime(2027, 1, 5, 5, tzinfo=dt.UTC),
        source=Deadline.Source.MANUAL,
        computation=ENGINE_WORKING,
    )
    html = export.memo_html(export.case_record(case.pk))
    assert "moved to the next business day in New York: 4 Jan 2027, end of day" in html
    assert "rule: given" not in html and "start: 2026" not in html
    assert "break-inside: avoid" in html and "display: table-header-group" in html


def test_case_file_shows_the_same_words(client, counsel_user, version):
    case = full_case(version)
    Deadline.objects.create(
        case=case,
        kind=Deadline.Kind.COMITY_MOTION,
        due_at=dt.datetime(2027, 1, 5, 5, tzinfo=dt.UTC),
        source=Deadline.Source.COMPUTED,
        computation=ENGINE_WORKING,
    )
    client.force_login(counsel_user)
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "Comity motion (§2703(h)(2)) due 30 calendar days after service on 2 Dec 2026" in page


# ------------------------------------------------------------- Post/Redirect/Get


def test_refused_step_redirects_to_the_case_file_and_shows_the_form_once(client, counsel_user, version):
    case = full_case(version)
    client.force_login(counsel_user)
    url = reverse("cases:record_event", args=[case.pk])
    response = client.post(url, {"event-version": case.version, "event-occurred_on": "2026-01-05"})
    # Not a page at the POST URL: a reload of what the user sees is a GET of the case file.
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('cases:detail', args=[case.pk])}#tracks"
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert page.context["event_open"] and page.context["event_form"].errors["kind"] == ["Pick what happened."]
    assert "Pick what happened." in page.content.decode()
    # Reloading the page neither posts again nor shows the refusal again.
    events = CaseEvent.objects.filter(case=case).count()
    again = client.get(response["Location"])
    assert not again.context["event_open"] and "Pick what happened." not in again.content.decode()
    assert CaseEvent.objects.filter(case=case).count() == events


def test_an_action_refusal_and_a_conflict_come_back_on_the_case_file(client, counsel_user, version):
    case = full_case(version)
    client.force_login(counsel_user)
    url = reverse("cases:change_track", args=[case.pk, "status", "closed"])
    data = {"status-closed-version": case.version - 1, "status-closed-occurred_on": "2026-01-05"}
    data["status-closed-outcome"] = "withdrawn"
    response = client.post(url, data)
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert page.context["conflict"]
    form = next(s["form"] for t in page.context["tracks"] for s in t["steps"] if s["key"] == "status:closed")
    assert form.data["status-closed-version"] == str(Case.objects.get(pk=case.pk).version)  # send again as is
    assert Case.objects.get(pk=case.pk).status != Status.CLOSED


def test_a_refusal_kept_for_another_case_is_not_shown_on_this_one(client, counsel_user, version):
    case = full_case(version)
    other = full_case(version, reference="OTHER-1")
    client.force_login(counsel_user)
    client.post(reverse("cases:add_deadline", args=[other.pk]), {"deadline-version": other.version})
    page = client.get(reverse("cases:detail", args=[case.pk]))
    assert not page.context["deadline_open"]
    assert REFUSED_STEP in client.session  # still waiting for its own case file


# ------------------------------------------------------------- favicon, logout


def test_favicon_is_served_to_anyone(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302 and response["Location"].endswith("img/favicon.ico")
    # Served by whitenoise from the collected files (not collected in tests): vendored here.
    path = finders.find("img/favicon.ico")
    assert path and open(path, "rb").read(4) == b"\x00\x00\x01\x00"  # an ICO file


def test_pages_link_the_icon(client, counsel_user):
    client.force_login(counsel_user)
    assert 'rel="icon"' in client.get(reverse("home"), follow=True).content.decode()


def test_logout_is_a_post_that_says_so(client, counsel_user):
    client.force_login(counsel_user)
    assert client.get("/logout/").status_code == 405  # never by a link
    response = client.post("/logout/", follow=True)
    assert response.redirect_chain[-1][0] == reverse("login")
    assert "You have been signed out." in response.content.decode()
    assert "_auth_user_id" not in client.session


# ------------------------------------------------------------- sign-off of a closed case


def test_closed_case_without_sign_off_says_so_everywhere(client, counsel_user, version):
    case = full_case(version)
    Case.objects.filter(pk=case.pk).update(status=Status.CLOSED, outcome="withdrawn")
    client.force_login(counsel_user)
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "Closed without counsel&#x27;s sign-off" in page and 'id="awaiting-sign-off"' not in page
    record = export.case_record(case.pk)
    assert record["case"]["sign_off"]["state"] == "awaiting"  # the API's values are unchanged
    assert record["case"]["sign_off"]["in_words"] == sign_off.CLOSED_UNSIGNED
    assert "Closed without counsel’s sign-off" in export.memo_html(record).replace("'", "’").replace("&#x27;", "’")
    api = client.get(f"/api/v1/cases/{case.pk}/status/")
    assert api.json()["sign_off"]["in_words"] == sign_off.CLOSED_UNSIGNED


def test_open_case_still_awaits_sign_off():
    assert sign_off.of_case(analysed=True, signed=None, newer=None).in_words == "Awaiting counsel's sign-off"
    closed = sign_off.of_case(analysed=True, signed=None, newer=None, closed=True)
    assert (closed.state, closed.badge) == ("awaiting", "Closed without counsel's sign-off")


# ------------------------------------------------------------- sanctions' currency


def test_sanctions_in_words():
    assert sanctions_in_words(None) == "no sanctions"
    assert sanctions_in_words(Decimal("0.00"), "USD") == "no sanctions"
    assert sanctions_in_words(Decimal("5000"), "USD", "per day") == "USD 5,000.00 per day"
    assert [default_currency(c) for c in ("US", "GB", "DE", "IE", "BR", "ZZ")] == [
        "USD",
        "GBP",
        "EUR",
        "EUR",
        "BRL",
        "",
    ]


def test_contempt_sanctions_take_the_issuing_jurisdictions_currency(client, counsel_user, version):
    case = full_case(version)
    client.force_login(counsel_user)
    url = reverse("cases:change_track", args=[case.pk, "contempt", "held"])
    prefix = "contempt-held"
    data = {f"{prefix}-version": case.version, f"{prefix}-occurred_on": "2026-01-05", f"{prefix}-kind": "civil"}
    response = client.post(url, {**data, f"{prefix}-sanctions_amount": "2500", f"{prefix}-sanctions_period": "per day"})
    assert response.status_code == 302
    case.refresh_from_db()
    expected = default_currency(case.demand.issuing_jurisdiction_id)
    assert expected and case.contempt_sanctions_currency == expected
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert f"sanctions {expected} 2,500.00 per day" in page
    assert export.case_record(case.pk)["case"]["contempt"]["sanctions_currency"] == expected
    assert client.get(f"/api/v1/cases/{case.pk}/status/").json()["contempt"]["sanctions_currency"] == expected


def test_a_nil_sanction_reads_no_sanctions_and_a_bad_currency_is_refused(counsel_user, version):
    case = full_case(version)
    actions.hold_in_contempt(
        case=case,
        held_on=dt.date(2026, 1, 5),
        by=counsel_user,
        expected_version=case.version,
        kind="civil",
        by_stipulation=True,
        sanctions_amount=Decimal("0"),
    )
    case.refresh_from_db()
    assert case.sanctions_in_words == "no sanctions"
    other = full_case(version, reference="OTHER-2")
    with pytest.raises(Exception) as refused:
        actions.hold_in_contempt(
            case=other,
            held_on=dt.date(2026, 1, 5),
            by=counsel_user,
            expected_version=other.version,
            kind="civil",
            by_stipulation=False,
            sanctions_amount="10",
            sanctions_currency="dollars",
        )
    assert "sanctions_currency" in refused.value.message_dict


# ------------------------------------------------------------- motion type, timeline names


def test_motion_records_its_type_on_the_timeline_and_in_the_api(client, counsel_user, version):
    case = full_case(version)
    client.force_login(counsel_user)
    url = reverse("cases:record_event", args=[case.pk])
    base = {"event-version": case.version, "event-occurred_on": "2026-01-05", "event-kind": "motion_filed"}
    refused = client.get(client.post(url, base)["Location"])
    assert refused.context["event_form"].errors["motion_type"]
    assert client.post(url, {**base, "event-motion_type": "quash"}).status_code == 302
    event = CaseEvent.objects.filter(case=case, kind="motion_filed").latest("pk")
    assert event.data["motion_type"] == "quash"
    assert "Motion to quash filed" in client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    events = client.get(f"/api/v1/cases/{case.pk}/events/").json()
    rows = events["results"] if isinstance(events, dict) else events
    assert any(e["data"].get("motion_type") == "quash" for e in rows)
    assert "Motion to quash filed" in export.memo_html(export.case_record(case.pk))


def test_motion_type_only_on_a_motion(counsel_user, version):
    case = full_case(version)
    with pytest.raises(Exception) as refused:
        actions.record_event(
            case=case,
            kind="hearing_held",
            occurred_on=dt.date(2026, 1, 5),
            by=counsel_user,
            expected_version=case.version,
            motion_type="quash",
        )
    assert "motion_type" in refused.value.message_dict


def test_deadline_events_name_the_deadline():
    moved = workflow.event_title(
        "deadline_moved",
        {"kind": "comity_motion", "from": "2026-12-10T05:00:00+00:00", "due": "2026-12-17T05:00:00+00:00"},
    )
    assert moved == "Deadline moved: Comity motion (§2703(h)(2)) from 10 Dec 2026 to 17 Dec 2026"
    added = workflow.event_title("deadline_added", {"kind": "custom", "label": "Call the AUSA", "due": "2026-12-10"})
    assert added == "Deadline added: Call the AUSA, due 10 Dec 2026"
    assert workflow.event_title("deadline_met", {}) == "Deadline met"
    assert workflow.event_title("motion_filed", {}) == "Motion filed"


def test_timeline_names_a_moved_deadline(client, counsel_user, version):
    case = full_case(version)
    deadline = actions.add_deadline(
        case=case,
        kind="objection",
        by=counsel_user,
        expected_version=case.version,
        due_at=dt.datetime(2026, 12, 10, 22, tzinfo=dt.UTC),
    )
    case.refresh_from_db()
    actions.move_deadline(
        deadline=deadline,
        by=counsel_user,
        expected_version=case.version,
        reason="extension",
        due_at=dt.datetime(2026, 12, 17, 22, tzinfo=dt.UTC),
    )
    client.force_login(counsel_user)
    page = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "Deadline moved: Objection from 10 Dec 2026 to 17 Dec 2026" in page
    assert "Deadline added: Objection, due 10 Dec 2026" in page


# ------------------------------------------------------------- audit history


def test_history_shows_an_old_holding_where_it_was_and_names_not_ids(client, counsel_user, version):
    case = full_case(version, accounts=1)
    holding = case.demand.accounts.get().holdings.exclude(data_location=None).get()
    old = holding.data_location
    new = DataLocationFactory(name="Quincy (US West)")
    holding.data_location = new
    holding.save()
    entries = audit_history(case, sources=("holding",))
    names = Names(entries, shown={"holding": ("data_location",)})
    first = next(e for e in entries if e.record.history_type == "+" and e.record.id == holding.pk)
    assert names.at(first.record, "data_location") == str(old)
    client.force_login(counsel_user)
    history = client.get(reverse("cases:detail", args=[case.pk])).context["history"]
    whats = [h["what"] for h in history]
    assert f"Holding content @ {old}" in whats and "Holding content @ unknown" not in whats
    changes = [c for h in history for c in h["changes"]]
    assert any(c.endswith(f"{old} → {new}") for c in changes), changes
    assert not any(f"{old.pk} → {new.pk}" in c for c in changes)
