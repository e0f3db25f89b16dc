"""The catalogue in the database."""

import dataclasses
import datetime as dt
import io
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from jurisdictions import reach
from jurisdictions.loader import catalogue_from_db, content_hash, current_catalogue
from jurisdictions.models import CatalogueVersion, ConflictRule, LegalInstrument

SCENARIOS = Path(settings.BASE_DIR).parent / "shared" / "scenarios"


def run_reach(path: str, stdin: str | None = None) -> tuple[list[dict], str, bool]:
    out, err = io.StringIO(), io.StringIO()
    failed = False
    import sys

    old_stdin = sys.stdin
    if stdin is not None:
        sys.stdin = io.StringIO(stdin)
    try:
        call_command("reach", path, stdout=out, stderr=err)
    except CommandError:
        failed = True
    finally:
        sys.stdin = old_stdin
    return [json.loads(line) for line in out.getvalue().splitlines()], err.getvalue(), failed


@pytest.mark.django_db
def test_load_catalogue_is_idempotent_and_versions_content():
    out = io.StringIO()
    call_command("load_catalogue", stdout=out)
    call_command("load_catalogue", stdout=out)
    assert CatalogueVersion.objects.count() == 1
    assert "unchanged" in out.getvalue().splitlines()[-1]
    files = reach.load_catalogue_files(settings.CATALOGUE_DIR)
    assert LegalInstrument.objects.count() == len(files.instruments)
    assert ConflictRule.objects.count() == len(files.conflict_rules)
    # v3: the request kinds and the two preservation instruments (RULES.md §4.1).
    assert set(LegalInstrument.objects.filter(kind="preservation").values_list("code", flat=True)) == {
        "US-SCA-PRESERVATION",
        "EU-EPO-PR",
    }


def test_database_round_trip_keeps_every_row(catalogue):
    files = reach.load_catalogue_files(settings.CATALOGUE_DIR)
    from_db = catalogue_from_db(version="x")
    assert content_hash(from_db) == content_hash(files) == catalogue.content_hash
    assert [d.doctrine for d in from_db.doctrine_periods] == [d.doctrine for d in files.doctrine_periods]


def test_catalogue_from_db_takes_a_fixed_number_of_queries(catalogue, django_assert_num_queries):
    # Periods, instrument codes, conflict codes, instrument blocs, instruments, 7 M2M
    # tables, jurisdictions, blocs, memberships, courts, doctrine periods, agreements,
    # conflict rules.
    with django_assert_num_queries(19):
        catalogue_from_db(version="x")


def test_current_catalogue_is_cached_per_version(catalogue, django_assert_num_queries):
    current_catalogue()
    with django_assert_num_queries(1):  # the latest version's number only
        version, cat = current_catalogue()
    assert version == catalogue and cat.version.startswith(f"v{catalogue.number}")


def test_admin_edit_records_a_new_version(catalogue, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        rule = ConflictRule.objects.get(code="CH-SCC-ART271")
        rule.severity = "restriction"
        rule.save()
    latest = CatalogueVersion.objects.latest()
    assert latest.number == catalogue.number + 1 and latest.source == "admin"
    _, cat = current_catalogue()
    assert next(r for r in cat.conflict_rules if r.code == "CH-SCC-ART271").severity == "restriction"


def test_a_broken_edit_is_refused_when_versioning(catalogue):
    from jurisdictions.loader import record_version

    LegalInstrument.objects.filter(code="GB-COPO").update(hook="telepathy")
    with pytest.raises(reach.CatalogueError, match="unknown hook"):
        record_version(source="admin")


@pytest.mark.skipif(not SCENARIOS.exists(), reason="shared/scenarios is not beside the project")
def test_reach_command_gives_every_public_expected_result(catalogue):
    results, err, failed = run_reach(str(SCENARIOS / "public.jsonl"))
    expected = [json.loads(line) for line in (SCENARIOS / "public.expected.jsonl").read_text().splitlines()]
    assert not failed and err == ""
    assert len(results) == len(expected)

    def project(exp, got):
        if isinstance(exp, dict):
            return {k: project(v, got.get(k)) for k, v in exp.items()}
        if isinstance(exp, list) and isinstance(got, list) and len(got) == len(exp):
            return [project(e, g) for e, g in zip(exp, got, strict=True)]
        return got

    for exp, got in zip(expected, results, strict=True):
        assert project(exp, got) == exp, exp["id"]


def test_reach_command_reports_bad_lines_and_goes_on(catalogue, tmp_path):
    good = {
        "id": "ok",
        "as_of": "2018-06-01",
        "demand": {"instrument": "US-SCA-WARRANT", "issuing_jurisdiction": "US", "served_entity": "A"},
        "entities": [{"name": "A", "country": "US", "offers_services_in": ["*"]}],
        "accounts": [{"identifier": "u", "holdings": [{"category": "content", "storage": "IE", "controlled_by": "A"}]}],
    }
    unknown = {**good, "id": "unknown-instrument", "demand": {**good["demand"], "instrument": "XX-NOPE"}}
    bad_date = {**good, "id": "bad-date", "as_of": "2018-13-01"}
    missing = {**good, "id": "missing-entity", "demand": {**good["demand"], "served_entity": "Nobody"}}
    lines = [json.dumps(x) for x in (good, unknown, bad_date)] + ["{not json", json.dumps(missing), json.dumps(good)]
    path = tmp_path / "s.jsonl"
    path.write_text("\n".join(lines) + "\n")
    results, err, failed = run_reach(str(path))
    assert failed
    assert [r["id"] for r in results] == ["ok", "unknown-instrument", "bad-date", None, "missing-entity", "ok"]
    assert results[0]["items"][0]["reach"] == "control" and results[5] == results[0]
    assert results[1]["error"]["field"] == "demand.instrument"
    assert results[2]["error"]["field"] == "as_of"
    assert results[4]["error"]["field"] == "demand.served_entity"
    assert "scenario unknown-instrument: demand.instrument" in err
    assert "line 4" in err and "not valid JSON" in err


def test_reach_command_reads_stdin(catalogue):
    line = json.dumps(
        {
            "id": "stdin",
            "as_of": "2016-07-15",
            "demand": {
                "instrument": "US-SCA-WARRANT",
                "issuing_jurisdiction": "US",
                "served_entity": "A",
                "issuing_court": "SDNY",
            },
            "entities": [{"name": "A", "country": "US"}],
            "accounts": [
                {"identifier": "u", "holdings": [{"category": "content", "storage": "IE", "controlled_by": "A"}]}
            ],
        }
    )
    results, _, failed = run_reach("-", stdin=line + "\n")
    assert not failed
    assert results[0]["doctrine"] == "storage-based" and results[0]["items"][0]["route"] == "mlat"


def test_reach_command_without_catalogue_says_what_to_run(db):
    with pytest.raises(CommandError, match="load_catalogue"):
        call_command("reach", "-")


# ------------------------------------------------------------------ RULES.md v3


def test_v3_fields_survive_the_database(catalogue):
    """Every v3 catalogue field is stored and read back: kinds, preservation and
    objection periods, group control, pending rules, dated authorities, court states."""
    from jurisdictions.models import Court, DoctrinePeriod, Period

    files = reach.load_catalogue_files(settings.CATALOGUE_DIR)
    _, from_db = current_catalogue()

    def blocs_as_a_set(instrument):  # "a member of every one of them": their order is the M2M table's
        return dataclasses.replace(instrument, issuing_blocs=tuple(sorted(instrument.issuing_blocs)))

    for code, instrument in files.instrument_by_code.items():
        assert blocs_as_a_set(from_db.instrument_by_code[code]) == blocs_as_a_set(instrument), code

    def instruments_as_a_set(period):  # the row applies to each of them: their order is the M2M table's
        return dataclasses.replace(period, instruments=tuple(sorted(period.instruments)))

    # in order, with authorities (in date order), notes, to_confirm
    assert [instruments_as_a_set(p) for p in from_db.doctrine_periods] == [
        instruments_as_a_set(p) for p in files.doctrine_periods
    ]
    assert {c.name: c for c in from_db.courts} == {c.name: c for c in files.courts}
    assert {p.code: p for p in from_db.periods} == {p.code: p for p in files.periods}
    assert {r.code: (r.authorities, r.except_authorities) for r in from_db.conflict_rules} == {
        r.code: (r.authorities, r.except_authorities) for r in files.conflict_rules
    }

    preservation = LegalInstrument.objects.get(code="US-SCA-PRESERVATION")
    assert preservation.kind == "preservation" and preservation.is_preservation
    assert (
        preservation.preservation_period.extended_length
        == files.period_by_code[files.instrument_by_code["US-SCA-PRESERVATION"].preservation_period].extended_length
    )
    assert Court.objects.get(name="S.D.N.Y.").state == "NY"
    assert Period.objects.exclude(extended_length=None).exists()
    warrant_rows = [row for row in DoctrinePeriod.objects.order_by("position") if row.authorities]
    assert warrant_rows and all(code in files.authority_by_code for row in warrant_rows for code in row.authorities)
    assert all(isinstance(row.authorities, list) for row in DoctrinePeriod.objects.all())


def test_only_indian_process_takes_pending_since(catalogue):
    pending = set(LegalInstrument.objects.exclude(pending_rule="").values_list("code", flat=True))
    assert pending == {"IN-CRPC-91", "IN-BNSS-94"}
    assert all(i.takes_pending_since for i in LegalInstrument.objects.filter(code__in=pending))
    assert not LegalInstrument.objects.get(code="US-SCA-WARRANT").takes_pending_since


@pytest.mark.parametrize(
    "code, issuer, day, allowed",
    [
        ("US-SCA-WARRANT", "US", dt.date(2026, 11, 1), True),
        ("US-SCA-WARRANT", "GB", dt.date(2026, 11, 1), False),
        ("US-SCA-PRESERVATION", "US", dt.date(2026, 11, 1), True),
        ("EU-EPO", "DE", dt.date(2026, 11, 1), True),  # EU and e-Evidence member
        ("EU-EPO-PR", "FR", dt.date(2026, 11, 1), True),
        ("EU-EPO", "EU", dt.date(2026, 11, 1), False),  # the instrument's own "jurisdiction" is not an issuer
        ("EU-EPO", "DK", dt.date(2026, 11, 1), False),  # EU member outside the e-Evidence Regulation
        ("EU-EPO", "CH", dt.date(2026, 11, 1), False),
        ("EU-EPO", "GB", dt.date(2019, 1, 1), False),  # EU member then, but not under the regulation
    ],
)
def test_who_may_issue_an_instrument(catalogue, code, issuer, day, allowed):
    assert LegalInstrument.objects.get(code=code).allows_issuer(issuer, day) is allowed


def test_issuers_by_instrument_for_the_intake_page(catalogue, django_assert_num_queries):
    with django_assert_num_queries(3):  # instruments, their issuing blocs, the blocs' memberships
        issuers = LegalInstrument.objects.issuers()
    assert issuers["US-SCA-WARRANT"] == ["US"] and issuers["IN-BNSS-94"] == ["IN"]
    assert "DE" in issuers["EU-EPO"] and "FR" in issuers["EU-EPO-PR"]
    assert not {"DK", "CH", "US", "EU"} & set(issuers["EU-EPO"])
