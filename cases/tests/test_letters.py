"""Letters written from the case: each kind's draft from the case and its analysis
(the controlling entity for a redirect, the treaty for an MLAT referral, the conflicts
for an objection), the page counsel edits it on, and saving it as sent: one
correspondence (out, its kind and text) with its PDF, one event."""

import datetime as dt
import hashlib
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from pypdf import PdfReader

from cases.actions import StaleCase
from cases.actions.documents import send_letter
from cases.models import Analysis, CaseDocument, CaseEvent, Correspondence, HoldingOverride
from cases.tests.builders import result
from cases.views.document_steps import draft_letter, letter_pdf
from tests.factories import CaseFactory, CourtFactory


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _analysis(case, version, items):
    return Analysis.objects.create(
        case=case,
        as_of=dt.date(2026, 1, 5),
        catalogue_version=version,
        doctrine="control-based",
        result={**result(), "items": items, "deadlines": {"conflict_objection_due": "2026-01-15T23:00:00Z"}},
        fingerprint="x",
    )


ITEM = result()["items"][0]
REDIRECTED = {
    **ITEM,
    "account": "redirect.me@example.com",
    "controlled_by": "Nimbus Ireland Ltd",
    "reach": "none",
    "route": "redirect",
    "conflicts": [],
    "reasons": [{"code": "route", "text": "Route: redirect to Nimbus Ireland Ltd.", "citation": "RULES §2"}],
}
MLAT = {
    **ITEM,
    "account": "mlat.me@example.com",
    "route": "mlat",
    "mlat": ["US–IE Mutual Legal Assistance Treaty"],
    "conflicts": ["US-SCA-2702"],
    "reasons": [
        {
            "code": "US-SCA-2702",
            "text": "18 U.S.C. §2702(a) bars disclosure to a foreign government.",
            "citation": "SCA",
        },
        {"code": "route", "text": "Route: mutual legal assistance.", "citation": "18 U.S.C. §2702(a)"},
    ],
}


@pytest.fixture
def case(version):
    case = CaseFactory(
        demand__reference="EPO-DE-2026-7", demand__issuing_authority="Staatsanwaltschaft Berlin", demand__court=None
    )
    _analysis(case, version, [REDIRECTED, MLAT])
    return case


def test_a_redirect_names_the_controlling_entity_from_the_analysis(case):
    text = draft_letter(case, "redirect")
    assert "EPO-DE-2026-7" in text and "To: Staatsanwaltschaft Berlin" in text
    assert "controlled by Nimbus Ireland Ltd" in text and "redirect the demand to Nimbus Ireland Ltd" in text
    assert "Route: redirect to Nimbus Ireland Ltd. (RULES §2)" in text
    assert "mlat.me@example.com" not in text


def test_an_mlat_referral_names_the_treaty_route(case):
    text = draft_letter(case, "mlat_referral")
    assert "under the US–IE Mutual Legal Assistance Treaty" in text
    assert "mlat.me@example.com" in text and "18 U.S.C. §2702(a) bars disclosure" in text


def test_an_objection_states_the_conflicts(case):
    text = draft_letter(case, "objection")
    assert "US-SCA-2702" in text and "bars disclosure to a foreign government" in text
    assert "2026-01-15T23:00:00Z" in text


def test_a_clarification_lists_the_accounts(case):
    text = draft_letter(case, "clarification")
    assert "redirect.me@example.com: content data" in text and "Request for clarification" in text


def test_counsels_override_counts_in_the_draft(case, counsel_user):
    analysis = case.analyses.get()
    HoldingOverride.objects.create(
        analysis=analysis,
        item=0,
        account=REDIRECTED["account"],
        category="content",
        reach="control",
        route="direct",
        reason="The parent controls it.",
        by=counsel_user,
    )
    assert "[Name the entity that controls the data" in draft_letter(case, "redirect")


def test_without_an_analysis_the_draft_says_what_to_fill_in(db):
    case = CaseFactory()
    assert "[Name the treaty route" in draft_letter(case, "mlat_referral")


def test_saving_a_letter_as_sent_is_one_correspondence_with_its_pdf_and_one_event(case, counsel_user):
    body = "Dear Sir or Madam,\n\nPlease <b>redirect</b> the demand.\n\nYours faithfully"
    item = send_letter(
        case,
        letter="redirect",
        counterpart="Staatsanwaltschaft Berlin",
        body=body,
        occurred_on=dt.date(2026, 1, 6),
        by=counsel_user,
        expected_version=1,
        render_pdf=letter_pdf,
    )
    assert (item.direction, item.letter, item.channel, item.body) == ("out", "redirect", "letter", body)
    assert item.summary == "Redirect to the entity that controls the data"
    [document] = item.attachments.all()
    assert (document.kind, document.content_type) == ("correspondence", "application/pdf")
    with document.file.open("rb") as handle:
        data = handle.read()
    assert hashlib.sha256(data).hexdigest() == document.sha256 and len(data) == document.size
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    assert "Please <b>redirect</b> the demand." in text  # typed text, escaped, not markup
    [event] = CaseEvent.objects.filter(case=case)
    assert event.kind == "correspondence_recorded" and event.data["letter"] == "redirect"
    assert event.data["documents"] == [document.pk]


def test_a_refused_letter_writes_nothing(case, counsel_user, intake_user):
    common = {"counterpart": "X", "occurred_on": dt.date(2026, 1, 6), "render_pdf": letter_pdf}
    with pytest.raises(StaleCase):
        send_letter(case, letter="redirect", body="Text", by=counsel_user, expected_version=5, **common)
    with pytest.raises(PermissionDenied):
        send_letter(case, letter="redirect", body="Text", by=intake_user, expected_version=1, **common)
    with pytest.raises(ValidationError) as refused:
        send_letter(case, letter="redirect", body="  ", by=counsel_user, expected_version=1, **common)
    assert list(refused.value.message_dict) == ["body"]

    def broken(text, title):
        raise RuntimeError("renderer down")

    with pytest.raises(RuntimeError):
        send_letter(
            case,
            letter="redirect",
            body="Text",
            by=counsel_user,
            expected_version=1,
            **{**common, "render_pdf": broken},
        )
    assert not Correspondence.objects.exists() and not CaseDocument.objects.exists()
    assert not CaseEvent.objects.exists()


# --- the page ---------------------------------------------------------------------------


def test_counsel_edits_the_draft_and_saves_it_as_sent(client, case, counsel_user):
    client.force_login(counsel_user)
    url = reverse("cases:new_letter", args=[case.pk])
    page = client.get(url, {"kind": "redirect"})
    assert page.status_code == 200
    form = page.context["form"]
    assert "Nimbus Ireland Ltd" in form.initial["body"]
    response = client.post(
        url,
        {
            "letter-version": 1,
            "letter-letter": "redirect",
            "letter-counterpart": "Staatsanwaltschaft Berlin",
            "letter-occurred_on": "2026-01-06",
            "letter-channel": "email",
            "letter-body": form.initial["body"] + "\nEdited by counsel.",
        },
    )
    assert response.status_code == 302 and response["Location"].endswith("#correspondence")
    item = Correspondence.objects.get()
    assert item.body.endswith("Edited by counsel.") and item.channel == "email"
    detail = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "Redirect to the entity that controls the data" in detail
    download = reverse("cases:document_download", args=[case.pk, item.attachments.get().pk])
    assert download in detail
    pdf = client.get(download)
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF")


def test_a_bad_or_stale_letter_shows_the_page_again(client, case, counsel_user):
    client.force_login(counsel_user)
    url = reverse("cases:new_letter", args=[case.pk])
    body = {
        "letter-version": 1,
        "letter-letter": "objection",
        "letter-counterpart": "X",
        "letter-occurred_on": "2999-01-01",
        "letter-channel": "letter",
        "letter-body": "My edited objection",
    }
    response = client.post(url, body)
    assert response.status_code == 422 and "in the future" in response.content.decode()
    response = client.post(url, {**body, "letter-occurred_on": "2026-01-06", "letter-version": 4})
    assert response.status_code == 409
    assert "My edited objection" in response.content.decode()
    assert not Correspondence.objects.exists()


def test_an_unknown_letter_kind_is_404(client, case, counsel_user):
    client.force_login(counsel_user)
    assert client.get(reverse("cases:new_letter", args=[case.pk]), {"kind": "poem"}).status_code == 404


@pytest.mark.parametrize("who", ["intake_user", "viewer_user", "outsider_user", "api_user"])
def test_only_counsel_writes_letters(client, request, case, who):
    client.force_login(request.getfixturevalue(who))
    url = reverse("cases:new_letter", args=[case.pk])
    assert client.get(url, {"kind": "redirect"}).status_code == 403
    assert client.post(url, {}).status_code == 403


def test_the_court_is_named_when_there_is_one(version):
    case = CaseFactory(demand__court=CourtFactory(name="Amtsgericht Tiergarten"))
    assert "Amtsgericht Tiergarten" in draft_letter(case, "clarification")
