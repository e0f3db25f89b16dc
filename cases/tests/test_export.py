"""The case file export: JSON (page and API) and counsel's PDF memo, and who may have them."""

import datetime as dt
import io
import json

import pypdf
import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiToken
from cases import actions, export
from cases.models import Analysis, Deadline
from jurisdictions.models import CatalogueVersion
from tests.factories import AccountFactory, CaseFactory, HoldingFactory, NdoFactory

READERS = ["intake_user", "counsel_user", "viewer_user"]
REFUSED = ["api_user", "outsider_user"]


def result(account: str) -> dict:
    return {
        "id": "13-MAG-2814",
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
                "reasons": [{"code": "reach", "text": "Controlled from the US.", "citation": "18 U.S.C. §2713"}],
            },
            {
                "account": account,
                "category": "subscriber",
                "storage": "US",
                "controlled_by": "Example Inc.",
                "reach": "storage",
                "route": "direct",
                "conflicts": [],
                "comity_motion": False,
                "mlat": [],
                "reasons": [],
            },
        ],
        "deadlines": {"response_due": None, "comity_motion_due": None},
        "reasons": [{"code": "doctrine", "text": "The CLOUD Act applies.", "citation": "Pub. L. 115-141"}],
    }


@pytest.fixture
def case(db, counsel_user, intake_user):
    version = CatalogueVersion.objects.create(number=7, content_hash="abcdef0123456789" * 4, source="files")
    case = CaseFactory(demand__reference="13-MAG-2814", demand__issuing_authority="U.S. Attorney, S.D.N.Y.")
    account = AccountFactory(demand=case.demand, identifier="target@example.com")
    HoldingFactory(account=account, category="content")
    holding = HoldingFactory(account=account, category="subscriber", data_location=None)
    holding.category = "traffic"
    holding._history_user = intake_user
    holding.save()  # a change in the audit history, by someone
    NdoFactory(demand=case.demand, basis="18 U.S.C. §2705(b)")
    Analysis.objects.create(
        case=case,
        as_of=dt.date(2026, 1, 2),
        catalogue_version=version,
        result=result("old@example.com"),
        fingerprint="a",
    )
    latest = Analysis.objects.create(
        case=case,
        as_of=dt.date(2026, 1, 5),
        catalogue_version=version,
        doctrine="control-based",
        result=result("target@example.com"),
        fingerprint="b",
    )
    actions.override_holding(
        analysis=latest,
        item=0,
        reach="none",
        route="mlat",
        reason="Irish law forbids it; use the MLAT",
        by=counsel_user,
    )
    actions.sign_off_analysis(case=case, analysis_id=latest.pk, note="Object and move to quash", by=counsel_user)
    actions.change_status(
        case=case, to="analysis", occurred_on=dt.date(2026, 1, 3), by=counsel_user, expected_version=None
    )
    actions.record_event(
        case=case,
        kind="motion_filed",
        occurred_on=dt.date(2026, 1, 6),
        by=counsel_user,
        expected_version=None,
        court_name="S.D.N.Y.",
        citation="15 F. Supp. 3d 466",
        note="Motion to vacate the warrant",
    )
    Deadline.objects.create(
        case=case,
        kind=Deadline.Kind.RESPONSE,
        due_at=timezone.now() + dt.timedelta(days=3),
        source=Deadline.Source.COMPUTED,
        analysis=latest,
        computation={"start": "2026-01-02T09:00:00+00:00", "explanation": "14 days after service, rolled over."},
    )
    return case


def test_record_is_complete(case):
    record = export.as_plain_json(export.case_record(case.pk))
    assert record["format"] == "lexloci.case-file/1"
    assert record["case"]["id"] == case.pk and record["case"]["status"] == "analysis"
    assert record["demand"]["reference"] == "13-MAG-2814"
    assert record["demand"]["instrument"]["code"] == "US-SCA-WARRANT"
    (account,) = record["accounts"]
    assert account["identifier"] == "target@example.com"
    assert [h["category"] for h in account["holdings"]] == ["content", "traffic"]
    assert account["holdings"][1]["data_location"] is None
    assert record["nondisclosure_orders"][0]["basis"] == "18 U.S.C. §2705(b)"
    older, latest = record["analyses"]
    assert latest["catalogue_version"] == {"number": 7, "hash": "abcdef0123456789" * 4}
    assert latest["result"]["reasons"][0]["citation"] == "Pub. L. 115-141"
    assert latest["result"]["items"][0]["reasons"][0]["text"] == "Controlled from the US."
    assert latest["signed_off_by"] == "carl.counsel" and latest["sign_off_note"] == "Object and move to quash"
    assert latest["overrides"][0] | {"at": None, "id": None} == {
        "id": None,
        "item": 0,
        "account": "target@example.com",
        "category": "content",
        "storage": "IE",
        "reach": "none",
        "route": "mlat",
        "reason": "Irish law forbids it; use the MLAT",
        "by": "carl.counsel",
        "at": None,
    }
    assert older["overrides"] == [] and older["signed_off_by"] is None
    kinds = [e["kind"] for e in record["events"]]
    assert {"motion_filed", "holding_overridden", "analysis_signed_off", "status_changed"} <= set(kinds)
    assert kinds.index("status_changed") < kinds.index("motion_filed")  # in the order they happened
    (motion,) = [e for e in record["events"] if e["kind"] == "motion_filed"]
    assert motion["court"] == "S.D.N.Y." and motion["citation"] == "15 F. Supp. 3d 466"
    (deadline,) = record["deadlines"]
    assert deadline["computation"]["explanation"] == "14 days after service, rolled over."
    history = record["history"]
    assert {h["model"] for h in history} == {"demand", "account", "holding", "nondisclosure_order", "case"}
    (holding_change,) = [h for h in history if h["model"] == "holding" and h["type"] == "changed"]
    assert holding_change["by"] == "ivy.intake"
    assert holding_change["changes"] == [{"field": "category", "from": "subscriber", "to": "traffic"}]
    (status_change,) = [
        h for h in history if h["model"] == "case" and any(c["field"] == "status" for c in h.get("changes", []))
    ]
    assert {"field": "status", "from": "intake", "to": "analysis"} in status_change["changes"]
    assert status_change["by"] == "carl.counsel"


def test_record_takes_a_fixed_number_of_queries(case, django_assert_num_queries):
    # case; accounts; holdings; NDOs; analyses; overrides; events; deadlines; ten history tables
    # (the demand's rows, the case, productions and their items, documents, correspondence,
    # disclosure decisions); productions, their items and files; documents; correspondence; tasks
    with django_assert_num_queries(24):
        export.case_record(case.pk)
    account = AccountFactory(demand=case.demand)
    HoldingFactory(account=account)
    HoldingFactory(account=account, category="traffic", data_location=None)
    with django_assert_num_queries(24):
        export.case_record(case.pk)


@pytest.mark.parametrize("persona", READERS)
def test_json_download_for_readers(client, request, persona, case):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(reverse("cases:export_json", args=[case.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="case-')
    body = json.loads(response.content)
    assert body["demand"]["reference"] == "13-MAG-2814" and len(body["analyses"]) == 2


def test_api_export_matches_the_download(client, viewer_user, api_user, case):
    client.force_login(viewer_user)
    download = json.loads(client.get(reverse("cases:export_json", args=[case.pk])).content)
    _, key = ApiToken.issue(user=api_user, name="archive")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = api.get(f"/api/v1/cases/{case.pk}/export/")
    assert response.status_code == 200
    body = response.json()
    download.pop("exported_at"), body.pop("exported_at")
    assert body == download
    assert api.get("/api/v1/cases/999999/export/").status_code == 404


def test_api_export_refuses_outsiders_and_anonymous(outsider_user, case):
    client = APIClient()
    assert client.get(f"/api/v1/cases/{case.pk}/export/").status_code == 401
    client.force_login(outsider_user)
    assert client.get(f"/api/v1/cases/{case.pk}/export/").status_code == 403


@pytest.mark.parametrize("name", ["cases:export_json", "cases:memo_pdf"])
@pytest.mark.parametrize("persona", REFUSED)
def test_pages_refuse_other_roles(client, request, persona, name, case):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse(name, args=[case.pk])).status_code == 403


@pytest.mark.parametrize("name", ["cases:export_json", "cases:memo_pdf"])
def test_pages_send_anonymous_to_login(client, name, case):
    response = client.get(reverse(name, args=[case.pk]))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_missing_case_is_404(client, viewer_user):
    client.force_login(viewer_user)
    assert client.get(reverse("cases:memo_pdf", args=[999999])).status_code == 404
    assert client.get(reverse("cases:export_json", args=[999999])).status_code == 404


def test_memo_pdf_text(client, counsel_user, case):
    client.force_login(counsel_user)
    response = client.get(reverse("cases:memo_pdf", args=[case.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    assert "Memo: 13-MAG-2814" in text and "Privileged and confidential" in text
    assert "U.S. Attorney, S.D.N.Y." in text and "18 U.S.C. §2705(b)" in text
    # the analysis table: the latest analysis, with counsel's override beside the engine's answer
    assert "catalogue v7 (abcdef012345)" in text
    assert "target@example.com content IE Example Inc. none (override; engine: control)" in text
    assert "mlat (override; engine: direct) EU-" in text and "ART48 motion" in text  # the cell wraps
    # RULES.md v3: an analysis made before it did not assess voluntary disclosure or cite dated authorities
    assert "motion not assessed" in text and "Not recorded: this analysis was made before" in text
    assert "Preservation expires —" in text and "Reasoned objection (Art. 17) due —" in text
    assert "target@example.com subscriber US Example Inc. storage direct" in text
    assert "Irish law forbids it; use the MLAT" in text
    assert "Signed off by carl.counsel" in text and "Object and move to quash" in text
    assert "The CLOUD Act applies. Pub. L. 115-141" in text
    # deadlines with how they were computed, and the timeline in order
    assert "14 days after service, rolled over." in text
    assert text.index("2026-01-03 Status changed (status: Intake → Analysis)") < text.index(
        "2026-01-06 Motion filed S.D.N.Y. 15 F. Supp. 3d 466 Motion to vacate the warrant carl.counsel"
    )


def test_memo_fetches_nothing_from_outside(case):
    record = export.case_record(case.pk)
    record["demand"]["issuing_authority"] = '<img src="file:///etc/passwd"> <link href="http://127.0.0.1:1/x">'
    text = " ".join(
        " ".join(p.extract_text().split()) for p in pypdf.PdfReader(io.BytesIO(export.memo_pdf(record))).pages
    )
    assert '<img src="file:///etc/passwd">' in text  # typed text stays text
    with pytest.raises(ValueError, match="does not fetch"):
        export._no_fetch("file:///etc/passwd")


# ------------------------------------------------------------------ RULES.md v3


def test_export_and_memo_carry_the_kind_authorities_voluntary_and_the_new_deadlines(case):
    from cases.tests.builders import result_v3

    version = CatalogueVersion.objects.get()
    Analysis.objects.create(
        case=case, as_of=dt.date(2026, 1, 6), catalogue_version=version, result=result_v3(), fingerprint="v3"
    )
    Deadline.objects.create(
        case=case,
        kind=Deadline.Kind.CONFLICT_OBJECTION,
        due_at=dt.datetime(2026, 1, 12, 23, 0, tzinfo=dt.UTC),
        source=Deadline.Source.COMPUTED,
    )
    record = export.as_plain_json(export.case_record(case.pk))
    assert (record["demand"]["kind"], record["demand"]["extended"], record["demand"]["pending_since"]) == (
        "production",
        False,
        None,
    )
    latest, older = record["analyses"][-1], record["analyses"][0]
    assert latest["kind"] == "production"
    assert latest["doctrine_authorities"] == ["US-CLOUD-ACT-2018-03-23", "US-SCOTUS-2018-04-17"]
    assert [item["voluntary"] for item in latest["result"]["items"]] == [False, True]
    assert set(latest["result"]["deadlines"]) == {
        "response_due",
        "comity_motion_due",
        "preservation_expires",
        "conflict_objection_due",
    }
    assert (older["kind"], older["doctrine_authorities"]) == ("production", [])  # stored before v3
    objection = next(d for d in record["deadlines"] if d["kind"] == "conflict_objection")
    assert objection["kind_label"] == "Reasoned objection (Art. 17)"

    text = " ".join(
        " ".join(p.extract_text().split())
        for p in pypdf.PdfReader(io.BytesIO(export.memo_pdf(export.case_record(case.pk)))).pages
    )
    assert "production request" in text and "Kind Production" in text
    assert "US-CLOUD-ACT-2018-03-23: 18 U.S.C. §2713" in text
    assert "Voluntary disclosure permitted (18 U.S.C. §2702(c)" in text  # the cell wraps
    assert "Reasoned objection (Art. 17) due 12 Jan 2026, 23:00 UTC" in text
    assert "Reasoned objection (Art. 17) 12 Jan 2026" in text  # the case's deadline, by its label
