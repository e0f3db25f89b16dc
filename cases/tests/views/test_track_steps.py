"""Counsel's steps on the tracks and court events, from the case file."""

import datetime as dt

import pytest
from django.urls import reverse

from cases.models import AppealStatus, Case, CaseEvent, Status
from cases.tests.builders import REFUSED, full_case

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
    """The viewer's 16, plus 17 the courts (read once for every step form) and 18 the
    members of counsel (the assign form's choices)."""
    case = full_case(version)
    client.force_login(counsel_user)
    with django_assert_num_queries(25):  # 18, the history's data locations by name (1), the case record sections (6)
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
    assert response.status_code == 302  # Post/Redirect/Get: shown on the case file
    response = client.get(response["Location"])
    assert response.context["tracks"][0]["steps"][1]["form"].errors["outcome"]
    response = _step(client, case, "appeal", "notice_filed")  # an appeal step names its court
    assert response.status_code == 302  # Post/Redirect/Get: shown on the case file
    response = client.get(response["Location"])
    step = response.context["tracks"][1]["steps"][0]
    assert step["open"] and "names its court" in str(step["form"].errors)
    case.refresh_from_db()
    assert (case.status, case.appeal_status, case.version) == (Status.INTAKE, AppealStatus.NONE, 1)


def test_transition_not_in_the_table_is_refused(client, counsel_user, version):
    case = full_case(version)
    client.force_login(counsel_user)
    response = _step(client, case, "appeal", "argued", court_name="2d Cir.")
    assert response.status_code == 302  # Post/Redirect/Get: shown on the case file
    response = client.get(response["Location"])
    assert "cannot change from 'none' to 'argued'" in " ".join(response.context["step_errors"])
    assert "cannot change from &#x27;none&#x27; to &#x27;argued&#x27;" in response.content.decode()
    assert client.post(reverse("cases:change_track", args=[case.pk, "mood", "happy"])).status_code == 404


def test_stale_version_is_a_clear_conflict(client, counsel_user, version):
    case = full_case(version)
    client.force_login(counsel_user)
    stale = Case.objects.get(pk=case.pk)
    assert _step(client, case, "status", "analysis").status_code == 302
    response = _step(client, stale, "status", "closed", outcome="moot")
    assert response.status_code == 302  # Post/Redirect/Get: shown on the case file
    response = client.get(response["Location"])
    assert "changed by someone else meanwhile" in response.context["conflict"]
    case.refresh_from_db()
    assert case.status == Status.ANALYSIS


def test_a_stale_court_event_keeps_what_was_typed(client, counsel_user, version):
    case = full_case(version)
    client.force_login(counsel_user)
    stale = Case.objects.get(pk=case.pk)
    assert _step(client, case, "status", "analysis").status_code == 302
    typed = {"event-version": stale.version, "event-kind": "motion_filed", "event-motion_type": "quash",
             "event-occurred_on": "2026-01-03",
             "event-citation": "ECF No. 12", "event-note": "Motion to quash"}  # fmt: skip
    response = client.post(reverse("cases:record_event", args=[case.pk]), typed)
    assert response.status_code == 302  # Post/Redirect/Get: shown on the case file
    response = client.get(response["Location"])
    assert response.context["event_open"]
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
    assert response.status_code == 302  # Post/Redirect/Get: shown on the case file
    response = client.get(response["Location"])
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
            "event-motion_type": "quash",
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
    from tests.security.pdfs import clean_pdf

    pdf = clean_pdf()
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
    assert response.status_code == 302  # Post/Redirect/Get: shown on the case file
    response = client.get(response["Location"])
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
    assert response.status_code == 302  # Post/Redirect/Get: shown on the case file
    response = client.get(response["Location"])
    steps = {s["key"]: s for t in response.context["tracks"] for s in t["steps"]}
    assert steps["appeal:decided"]["form"].errors["disposition"] == ["How was it decided? Pick the disposition."]


def test_a_court_event_without_its_kind_is_refused(client, counsel_user, version):
    case = full_case(version)
    client.force_login(counsel_user)
    response = client.post(
        reverse("cases:record_event", args=[case.pk]), {"event-version": 1, "event-occurred_on": "2026-01-03"}
    )
    assert response.status_code == 302  # Post/Redirect/Get: shown on the case file
    response = client.get(response["Location"])
    assert response.context["event_form"].errors["kind"] == ["Pick what happened."]
    assert not case.events.filter(occurred_on=dt.date(2026, 1, 3)).exists()


def test_future_event_is_refused_next_to_the_date(client, counsel_user, version):
    case = full_case(version)
    client.force_login(counsel_user)
    response = client.post(
        reverse("cases:record_event", args=[case.pk]),
        {"event-version": 1, "event-kind": "note", "event-occurred_on": "2999-01-01"},
    )
    assert response.status_code == 302  # Post/Redirect/Get: shown on the case file
    response = client.get(response["Location"])
    assert response.context["event_form"].errors["occurred_on"]


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
