"""Productions: the action, what it derives (summary, outcome), the case file's section
and form, the document download, the export, and the transparency report's counts."""

import datetime as dt
import hashlib
import io
import zipfile

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cases import export, report
from cases.actions import StaleCase
from cases.actions.productions import (
    derived_outcome,
    production_summary,
    record_production,
    validate_production_file,
)
from cases.models import CaseDocument, CaseEvent, Production, ProductionItem
from tests.factories import AccountFactory, CaseFactory, HoldingFactory

DAY = dt.date(2026, 1, 5)
CSV = b"account,ip,at\nuser@example.com,192.0.2.1,2026-01-01T00:00:00Z\n"


def pdf_bytes() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=72, height=72)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def zip_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mail/0001.eml", "Subject: hello\n\nbody")
    return out.getvalue()


@pytest.fixture
def case(db):
    case = CaseFactory()
    account = AccountFactory(demand=case.demand, identifier="target@example.com")
    case.content = HoldingFactory(account=account, category="content")
    case.subscriber = HoldingFactory(account=account, category="subscriber", data_location=None)
    case.traffic = HoldingFactory(account=account, category="traffic", data_location=None)
    return case


def produce(case, by, *, items, number="P-1", files=(), version=None):
    return record_production(
        case,
        number=number,
        produced_on=DAY,
        recipient="FBI Field Office",
        method="portal",
        items=items,
        files=files,
        note="",
        by=by,
        expected_version=case.version if version is None else version,
    )


def produced(h):
    return {"holding": h.pk, "disposition": "produced"}


def withheld(h, reason="Stored abroad: MLAT"):
    return {"holding": h.pk, "disposition": "withheld", "reason": reason}


# ----------------------------------------------------------------------- the action


def test_records_items_files_with_hashes_and_one_event(case, counsel_user):
    files = [SimpleUploadedFile("calls.csv", CSV), SimpleUploadedFile("letter.pdf", pdf_bytes())]
    production = produce(case, counsel_user, items=[produced(case.content), withheld(case.traffic)], files=files)
    assert case.version == 2
    assert [(i.holding_id, i.disposition) for i in production.items.all()] == [
        (case.content.pk, "produced"),
        (case.traffic.pk, "withheld"),
    ]
    stored = list(CaseDocument.objects.filter(production=production).order_by("pk"))
    assert [(d.kind, d.title, d.content_type, d.size) for d in stored] == [
        ("production", "calls.csv", "text/csv", len(CSV)),
        ("production", "letter.pdf", "application/pdf", len(pdf_bytes())),
    ]
    assert stored[0].sha256 == hashlib.sha256(CSV).hexdigest()
    assert stored[0].file.open("rb").read() == CSV
    (event,) = CaseEvent.objects.filter(case=case, kind="production_recorded")
    assert event.occurred_on == DAY and event.data["number"] == "P-1"
    assert "Produced: target@example.com content" in event.note
    assert "Withheld: target@example.com traffic (unknown location): Stored abroad: MLAT" in event.note
    assert f"calls.csv (SHA-256 {stored[0].sha256[:12]}" in event.note


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"number": ""}, "number"),
        ({"method": "pigeon"}, "method"),
        ({"produced_on": dt.date(2999, 1, 1)}, "produced_on"),
        ({"produced_on": dt.date(2012, 1, 1)}, "produced_on"),  # before the demand was served
        ({"items": []}, "items"),
        ({"items": [{"holding": 999999, "disposition": "produced"}]}, "items[0].holding"),
        ({"items": [{"category": "secrets", "disposition": "produced"}]}, "items[0].category"),
        ({"items": [{"holding": None, "category": "", "disposition": "produced"}]}, "items[0].holding"),
        ({"items": [{"category": "content", "disposition": "lost"}]}, "items[0].disposition"),
        ({"items": [{"category": "content", "disposition": "withheld", "reason": " "}]}, "items[0].reason"),
        ({"files": [SimpleUploadedFile("x.bin", b"\x00\xff\xfe binary")]}, "files"),
        ({"files": [SimpleUploadedFile("x.pdf", b"%PDF-1.7 not really")]}, "files"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(case, counsel_user, change, field):
    arguments = {
        "number": "P-1",
        "produced_on": DAY,
        "recipient": "FBI",
        "method": "portal",
        "items": [produced(case.content)],
        "files": (),
        **change,
    }
    with pytest.raises(ValidationError) as refused:
        record_production(case, **arguments, by=counsel_user, expected_version=case.version)
    assert field in refused.value.message_dict
    assert not Production.objects.exists() and not CaseDocument.objects.exists()
    assert not CaseEvent.objects.filter(kind="production_recorded").exists()


def test_a_holding_of_another_demand_is_refused(case, counsel_user):
    other = HoldingFactory()
    with pytest.raises(ValidationError) as refused:
        produce(case, counsel_user, items=[produced(other)])
    assert "items[0].holding" in refused.value.message_dict


def test_duplicate_number_closed_case_stale_version_and_roles(case, counsel_user, viewer_user, intake_user):
    produce(case, counsel_user, items=[produced(case.content)])
    with pytest.raises(ValidationError) as refused:
        produce(case, counsel_user, items=[produced(case.subscriber)])
    assert "number" in refused.value.message_dict
    with pytest.raises(StaleCase):
        produce(case, counsel_user, number="P-2", items=[produced(case.subscriber)], version=1)
    for user in (viewer_user, intake_user, None):
        with pytest.raises(PermissionDenied):
            produce(case, user, number="P-2", items=[produced(case.subscriber)])
    type(case).objects.filter(pk=case.pk).update(status="closed", outcome="produced_in_part")
    case.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        produce(case, counsel_user, number="P-2", items=[produced(case.subscriber)])
    assert "case" in refused.value.message_dict
    assert Production.objects.count() == 1


def test_file_validator_types_by_content():
    assert validate_production_file(SimpleUploadedFile("a.zip", zip_bytes()))[1] == "application/zip"
    assert validate_production_file(SimpleUploadedFile("a.json", b'{"a": 1}'))[1] == "application/json"
    assert validate_production_file(SimpleUploadedFile("a.json", b"{not json"))[1] == "text/plain"
    assert validate_production_file(SimpleUploadedFile("a.txt", "héllo".encode()))[1] == "text/plain"
    # a claimed type counts for nothing: HTML named .pdf and typed as PDF is plain text, served as such
    html = SimpleUploadedFile("a.pdf", b"<script>alert(1)</script>", content_type="application/pdf")
    assert validate_production_file(html)[1] == "text/plain"
    with pytest.raises(ValidationError):
        validate_production_file(SimpleUploadedFile("a.zip", b"PK\x03\x04broken"))
    with pytest.raises(ValidationError):
        validate_production_file(SimpleUploadedFile("empty.csv", b""))


# ------------------------------------------------------------ what productions say


def test_summary_and_derived_outcome(case, counsel_user):
    assert derived_outcome(case) is None
    assert production_summary(case) == {"content_produced": False, "non_content_only": False, "nothing_produced": True}
    produce(case, counsel_user, number="1", items=[produced(case.subscriber), withheld(case.content)])
    assert production_summary(case) == {"content_produced": False, "non_content_only": True, "nothing_produced": False}
    derived = derived_outcome(case)
    assert derived.outcome == "produced_in_part"
    assert derived.why == "derived from production 1: data produced for 1 of 3 holdings"
    produce(case, counsel_user, number="2", items=[produced(case.content), produced(case.traffic)])
    assert production_summary(case)["content_produced"] is True
    derived = derived_outcome(case)
    assert (derived.outcome, derived.why) == (
        "produced_in_full",
        "derived from productions 1 and 2: data produced for 3 of 3 holdings",
    )


def test_all_withheld_derives_no_data_or_rejected(case, counsel_user):
    produce(case, counsel_user, items=[withheld(case.content, "No data found for the account")])
    assert derived_outcome(case).outcome == "no_data"
    produce(case, counsel_user, number="P-2", items=[withheld(case.traffic, "Overbroad; objection filed")])
    assert derived_outcome(case).outcome == "rejected"


def test_a_whole_category_counts_for_its_holdings(case, counsel_user):
    produce(
        case,
        counsel_user,
        items=[
            {"category": "content", "disposition": "produced"},
            {"category": "subscriber", "disposition": "produced"},
            {"category": "traffic", "disposition": "produced"},
        ],
    )
    assert derived_outcome(case).outcome == "produced_in_full"


# ------------------------------------------------------------------ the case file


def test_case_file_lists_productions_and_offers_the_derived_outcome(client, case, counsel_user):
    produce(
        case,
        counsel_user,
        items=[produced(case.content), withheld(case.traffic)],
        files=[SimpleUploadedFile("calls.csv", CSV)],
    )
    type(case).objects.filter(pk=case.pk).update(status="responding")
    client.force_login(counsel_user)
    response = client.get(reverse("cases:detail", args=[case.pk]))
    body = response.content.decode()
    document = CaseDocument.objects.get()
    assert 'id="productions"' in body and "Production P-1" in body
    assert hashlib.sha256(CSV).hexdigest() in body
    assert reverse("cases:document_download", args=[case.pk, document.pk]) in body
    assert 'id="production-form"' in body
    close = next(s for t in response.context["tracks"] for s in t["steps"] if s["key"] == "status:closed")
    assert close["form"]["outcome"].value() == "produced_in_part"
    assert "derived from production P-1: data produced for 1 of 3 holdings" in close["form"].fields["outcome"].help_text
    assert "derived from production P-1" in body


def test_viewer_sees_productions_without_the_form_and_may_not_post(client, case, counsel_user, viewer_user):
    produce(case, counsel_user, items=[produced(case.content)])
    client.force_login(viewer_user)
    body = client.get(reverse("cases:detail", args=[case.pk])).content.decode()
    assert "Production P-1" in body and 'id="production-form"' not in body
    response = client.post(reverse("cases:record_production", args=[case.pk]), {})
    assert response.status_code == 403


def post_form(client, case, **extra):
    data = {
        "production-version": case.version,
        "production-number": "B-0001",
        "production-produced_on": DAY.isoformat(),
        "production-recipient": "FBI",
        "production-method": "secure_email",
        "production-note": "",
        "production-holding": [str(case.content.pk), str(case.traffic.pk)],
        f"production-disposition-{case.content.pk}": "produced",
        f"production-disposition-{case.traffic.pk}": "withheld",
        f"production-reason-{case.traffic.pk}": "Outside the warrant's dates",
        "production-documents": [SimpleUploadedFile("a.csv", CSV), SimpleUploadedFile("b.zip", zip_bytes())],
        **extra,
    }
    return client.post(reverse("cases:record_production", args=[case.pk]), data)


def test_counsel_records_a_production_on_the_page(client, case, counsel_user):
    client.force_login(counsel_user)
    response = post_form(client, case)
    assert response.status_code == 302 and response["Location"].endswith("#productions")
    production = Production.objects.get()
    assert production.number == "B-0001" and production.method == "secure_email"
    assert production.items.filter(disposition="withheld").get().reason == "Outside the warrant's dates"
    assert sorted(production.files.values_list("content_type", flat=True)) == ["application/zip", "text/csv"]


def test_page_refusal_keeps_the_form_and_writes_nothing(client, case, counsel_user):
    client.force_login(counsel_user)
    response = post_form(client, case, **{f"production-reason-{case.traffic.pk}": ""})
    assert response.status_code == 422
    assert "Say why it is withheld." in response.content.decode()
    assert response.context["production_open"] is True
    assert not Production.objects.exists()
    stale = post_form(client, case, **{"production-version": 99})
    assert stale.status_code == 409 and not Production.objects.exists()


# ---------------------------------------------------------------- the download


def test_download_is_an_attachment_with_nosniff_and_role_checked(client, case, counsel_user, outsider_user):
    produce(case, counsel_user, items=[produced(case.content)], files=[SimpleUploadedFile("calls.csv", CSV)])
    document = CaseDocument.objects.get()
    url = reverse("cases:document_download", args=[case.pk, document.pk])
    client.force_login(outsider_user)
    assert client.get(url).status_code == 403
    client.force_login(counsel_user)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "text/csv"
    assert hashlib.sha256(b"".join(response.streaming_content)).hexdigest() == document.sha256
    other = CaseFactory()
    assert client.get(reverse("cases:document_download", args=[other.pk, document.pk])).status_code == 404


# -------------------------------------------------------------- export and report


def test_export_and_memo_carry_the_productions(case, counsel_user):
    produce(case, counsel_user, items=[produced(case.content)], files=[SimpleUploadedFile("calls.csv", CSV)])
    record = export.as_plain_json(export.case_record(case.pk))
    (production,) = record["productions"]
    assert production["number"] == "P-1" and production["items"][0]["disposition"] == "produced"
    assert production["files"][0]["sha256"] == hashlib.sha256(CSV).hexdigest()
    html = export.memo_html(export.case_record(case.pk))
    assert "Production P-1" in html and hashlib.sha256(CSV).hexdigest() in html


def test_the_audit_history_has_the_production_its_items_and_files_with_their_author(case, counsel_user):
    produce(case, counsel_user, items=[produced(case.content)], files=[SimpleUploadedFile("calls.csv", CSV)])
    history = export.as_plain_json(export.case_record(case.pk))["history"]
    created = {
        (e["model"], e["type"], e["by"]) for e in history if e["model"] in {"production", "production_item", "document"}
    }
    assert created == {
        ("production", "created", counsel_user.username),
        ("production_item", "created", counsel_user.username),
        ("document", "created", counsel_user.username),
    }


def _bucket(period) -> str:
    """The one case's outcome bucket in the report."""
    (bucket,) = [key for key, _, n in report.transparency_report(period, min_count=0).total.buckets() if n]
    return bucket


def test_report_counts_disclosures_from_productions(case, counsel_user):
    period = report.Period(dt.date(2000, 1, 1), dt.date(2100, 12, 31), "all")
    assert _bucket(period) == "pending"
    produce(case, counsel_user, items=[produced(case.subscriber), withheld(case.content)])
    assert _bucket(period) == "non_content"  # handed over while the case is open
    produce(case, counsel_user, number="P-2", items=[produced(case.content)])
    assert _bucket(period) == "content"


def test_report_all_withheld_falls_to_the_outcome(case, counsel_user):
    produce(case, counsel_user, items=[withheld(case.content, "No data")])
    type(case).objects.filter(pk=case.pk).update(status="closed", outcome="no_data")
    period = report.Period(dt.date(2000, 1, 1), dt.date(2100, 12, 31), "all")
    assert _bucket(period) == "no_data"


def test_a_production_with_the_demand_item_rows(case, counsel_user):
    production = produce(case, counsel_user, items=[{"category": "traffic", "disposition": "produced"}])
    assert ProductionItem.objects.get(production=production).category == "traffic"
