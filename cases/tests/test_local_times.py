"""Times on the case pages in the reader's own zone: a deadline entered in New York
time reads in Berlin time for a Berlin user, a §2703(h)(2) comity deadline of an
S.D.N.Y. warrant shows its last day in New York and the user's own time (case file and
memo), and the deadline forms take and prefill times in the user's zone."""

import datetime as dt
import re

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from accounts.models import Profile
from cases import export
from cases.models import Case, Deadline
from cases.templatetags import zones
from cases.tests import builders
from cases.tests.builders import full_case

BERLIN = "Europe/Berlin"
COMITY_LAST_DAY = "ends 9 Dec 2026, end of day, New York"
COMITY_IN_BERLIN = "10 Dec 2026, 06:00 CET in your zone"  # 00:00 on 10 Dec in New York = 05:00 UTC


def _in_zone(user, name: str) -> None:
    Profile.objects.update_or_create(user=user, defaults={"time_zone": name})


def _text(html: str) -> str:
    """The page's text, tags and runs of white space collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _deadline_post(client, case, step, deadline=None, **fields):
    if step == "add":
        url, prefix = reverse("cases:add_deadline", args=[case.pk]), "deadline"
    else:
        url, prefix = reverse(f"cases:{step}_deadline", args=[case.pk, deadline.pk]), f"deadline-{deadline.pk}-{step}"
    data = {f"{prefix}-version": case.version, **{f"{prefix}-{k}": v for k, v in fields.items()}}
    return client.post(url, data)


@pytest.fixture
def sdny_warrant(catalogue) -> Case:
    """An S.D.N.Y. warrant for a UK resident's mail stored in London by a US provider:
    the provider may move to modify on comity grounds (§2703(h)(2)) within 14 days."""
    return builders.sdny_warrant()


def _comity(case: Case) -> Deadline:
    return Deadline.objects.get(case=case, kind=Deadline.Kind.COMITY_MOTION, state=Deadline.State.OPEN)


# ------------------------------------------------------------------ the filters


def test_when_shows_the_active_zone_with_its_abbreviation():
    template = Template("{% load zones %}{{ at|when }} | {{ at|zone_abbr }} | {{ none|when|default:'—' }}")
    at = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.UTC)
    with timezone.override(BERLIN):
        assert template.render(Context({"at": at, "none": None})) == "7 Dec 2026, 10:00 CET | CET | —"
    with timezone.override("America/New_York"):
        summer = dt.datetime(2026, 7, 1, 16, 0, tzinfo=dt.UTC)
        assert zones.when(summer) == "1 Jul 2026, 12:00 EDT"
    with timezone.override("Asia/Dubai"):  # tzdata has no letters for it: the offset
        assert zones.when(at) == "7 Dec 2026, 13:00 UTC+04"


def test_a_deadline_with_no_governing_zone_is_the_users_time_alone():
    deadline = Deadline(due_at=dt.datetime(2026, 12, 9, 22, 0, tzinfo=dt.UTC), computation={"rule": "given"})
    with timezone.override(BERLIN):
        assert zones.deadline_when(deadline) == "9 Dec 2026, 23:00 CET"


def test_a_deadline_in_its_own_zone_is_said_once():
    deadline = {
        "due_at": dt.datetime(2026, 12, 10, 5, 0, tzinfo=dt.UTC),
        "computation": {"time_zone": "America/New_York", "last_day": "2026-12-09", "unit": "days"},
    }
    with timezone.override("America/New_York"):
        assert zones.deadline_when(deadline) == COMITY_LAST_DAY
    with timezone.override(BERLIN):
        assert zones.deadline_when(deadline) == f"{COMITY_LAST_DAY} — {COMITY_IN_BERLIN}"


# ------------------------------------------------------------------ a time entered in New York


def test_a_deadline_entered_at_17_new_york_reads_23_cet_for_a_berlin_user(client, counsel_user, version):
    case = full_case(version)
    _in_zone(counsel_user, BERLIN)
    client.force_login(counsel_user)
    response = _deadline_post(
        client,
        case,
        "add",
        kind="custom",
        label="Reply to the AUSA",
        due_at="2026-12-09T17:00",
        time_zone="America/New_York",
    )
    assert response.status_code == 302
    added = case.deadlines.get(label="Reply to the AUSA")
    assert added.due_at == dt.datetime(2026, 12, 9, 22, 0, tzinfo=dt.UTC)
    assert added.computation["time_zone"] == "America/New_York"  # the zone it was entered in

    page = _text(client.get(reverse("cases:detail", args=[case.pk])).content.decode())
    assert "ends 9 Dec 2026, 17:00 EST, New York — 9 Dec 2026, 23:00 CET in your zone" in page
    assert "22:00 UTC" not in page


# ------------------------------------------------------------------ the comity deadline of an S.D.N.Y. warrant


def test_the_comity_deadline_shows_its_new_york_last_day_and_the_users_time(client, counsel_user, sdny_warrant):
    comity = _comity(sdny_warrant)
    assert comity.due_at == dt.datetime(2026, 12, 10, 5, 0, tzinfo=dt.UTC)
    assert (comity.computation["time_zone"], comity.computation["last_day"]) == ("America/New_York", "2026-12-09")
    _in_zone(counsel_user, BERLIN)
    client.force_login(counsel_user)

    page = _text(client.get(reverse("cases:detail", args=[sdny_warrant.pk])).content.decode())
    assert f"{COMITY_LAST_DAY} — {COMITY_IN_BERLIN}" in page
    assert "2026-12-10 05:00 UTC" not in page


def test_the_memo_shows_the_comity_deadline_the_same_way(counsel_user, sdny_warrant):
    with timezone.override(BERLIN):
        memo = _text(export.memo_html(export.case_record(sdny_warrant.pk)))
    assert f"{COMITY_LAST_DAY} — {COMITY_IN_BERLIN}" in memo
    assert "times in Europe/Berlin" in memo
    assert "2026-12-10 05:00 UTC" not in memo


def test_the_memo_pdf_is_made_in_the_users_zone(client, counsel_user, sdny_warrant, monkeypatch):
    """The memo view renders in the reader's zone (the middleware's), not in UTC."""
    seen = {}

    def fake_pdf(record):
        seen["html"] = export.memo_html(record)
        return b"%PDF-1.7 fake"

    monkeypatch.setattr(export, "memo_pdf", fake_pdf)
    _in_zone(counsel_user, BERLIN)
    client.force_login(counsel_user)
    response = client.get(reverse("cases:memo_pdf", args=[sdny_warrant.pk]))
    assert response.status_code == 200
    assert f"{COMITY_LAST_DAY} — {COMITY_IN_BERLIN}" in _text(seen["html"])


def test_the_export_and_the_api_keep_the_comity_deadline_in_utc(client, counsel_user, sdny_warrant):
    _in_zone(counsel_user, BERLIN)
    client.force_login(counsel_user)
    body = client.get(reverse("case-export", args=[sdny_warrant.pk])).json()
    comity = next(d for d in body["deadlines"] if d["kind"] == "comity_motion")
    assert comity["due_at"] == "2026-12-10T05:00:00Z"


# ------------------------------------------------------------------ the forms, in the user's zone


def test_the_move_form_prefills_and_reads_in_the_users_zone(client, counsel_user, version):
    case = full_case(version)
    manual = case.deadlines.get(source=Deadline.Source.MANUAL, state=Deadline.State.OPEN)
    manual.due_at = dt.datetime(2026, 12, 9, 22, 0, tzinfo=dt.UTC)
    manual.save(update_fields=["due_at"])
    _in_zone(counsel_user, BERLIN)
    client.force_login(counsel_user)

    response = client.get(reverse("cases:detail", args=[case.pk]))
    move = next(s for d in response.context["deadlines"] if d.pk == manual.pk for s in d.steps if s["label"] == "Move")
    assert move["form"].initial["due_at"] == manual.due_at  # stored in UTC, shown below in Berlin time
    html = response.content.decode()
    prefix = f"deadline-{manual.pk}-move"
    assert f'name="{prefix}-due_at" value="2026-12-09T23:00"' in html
    assert f'<label for="id_{prefix}-due_at">Due (Europe/Berlin):</label>' in html
    assert re.search(r'<option value="Europe/Berlin" selected>[^<]*</option>', html)

    # A time submitted with the form's own zone left as prefilled is read in Berlin time.
    response = _deadline_post(
        client, case, "move", manual, due_at="2026-12-10T18:00", time_zone=BERLIN, reason="ECF 21."
    )
    assert response.status_code == 302
    manual.refresh_from_db()
    assert manual.next.due_at == dt.datetime(2026, 12, 10, 17, 0, tzinfo=dt.UTC)


def test_the_add_form_offers_the_users_zone_first(client, counsel_user, version):
    case = full_case(version)
    _in_zone(counsel_user, "Asia/Tokyo")
    client.force_login(counsel_user)
    form = client.get(reverse("cases:detail", args=[case.pk])).context["deadline_form"]
    assert form.fields["time_zone"].initial == "Asia/Tokyo"
    assert form.fields["due_at"].label == "Due (Asia/Tokyo)"
    response = _deadline_post(client, case, "add", kind="objection", due_at="2026-12-10T09:00", time_zone="Asia/Tokyo")
    assert response.status_code == 302
    added = case.deadlines.get(kind="objection", state="open", computation__rule="given")
    assert added.due_at == dt.datetime(2026, 12, 10, 0, 0, tzinfo=dt.UTC)


def test_a_user_without_a_zone_keeps_utc(client, counsel_user, version):
    case = full_case(version)
    client.force_login(counsel_user)
    form = client.get(reverse("cases:detail", args=[case.pk])).context["deadline_form"]
    assert (form.fields["time_zone"].initial, form.fields["due_at"].label) == ("UTC", "Due (UTC)")
