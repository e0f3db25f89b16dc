"""The scenario contract (RULES.md §9) and the catalogue files.

The input checks of §9.4 one by one, the date-time grammar and the `reach` command's
line handling are in test_contract_input.py.
"""

import copy
import re
import tomllib
from dataclasses import fields
from pathlib import Path

import pytest

from jurisdictions.reach import (
    DEFAULT_DIRECTORY,
    REACHES,
    ROUTES,
    CatalogueError,
    Reach,
    Route,
    ScenarioError,
    catalogue_version,
    evaluate,
    facts_from_scenario,
    load_catalogue_files,
    result_to_contract,
)
from jurisdictions.tests.test_engine import CATALOGUE, INC, IRL, run, scenario

VALID = scenario("2026-09-01", "EU-EPO", "DE", IRL, served_at="2026-09-01T08:00:00Z")


def broken(change) -> dict:
    obj = copy.deepcopy(VALID)
    change(obj)
    return obj


def _set(path: str, value):
    def change(obj):
        *parents, last = path.split(".")
        target = obj
        for key in parents:
            target = target[int(key)] if key.isdigit() else target[key]
        if value is KeyError:
            del target[last]
        else:
            target[last] = value

    return change


BAD = [
    # label, change, field
    ("unknown instrument", _set("demand.instrument", "XX-WRIT"), "demand.instrument"),
    ("instrument not a string", _set("demand.instrument", 7), "demand.instrument"),
    ("missing instrument", _set("demand.instrument", KeyError), "demand.instrument"),
    ("missing id", _set("id", KeyError), "id"),
    ("id not a string", _set("id", 12), "id"),
    ("missing as_of", _set("as_of", KeyError), "as_of"),
    ("as_of not a date", _set("as_of", "01/09/2026"), "as_of"),
    ("as_of impossible", _set("as_of", "2026-02-30"), "as_of"),
    ("as_of a number", _set("as_of", 20260901), "as_of"),
    ("as_of with a time", _set("as_of", "2026-09-01T00:00:00Z"), "as_of"),
    ("missing demand", _set("demand", KeyError), "demand"),
    ("demand not an object", _set("demand", ["EU-EPO"]), "demand"),
    ("missing issuing jurisdiction", _set("demand.issuing_jurisdiction", KeyError), "demand.issuing_jurisdiction"),
    ("issuing jurisdiction empty", _set("demand.issuing_jurisdiction", ""), "demand.issuing_jurisdiction"),
    ("missing served entity", _set("demand.served_entity", KeyError), "demand.served_entity"),
    ("unknown served entity", _set("demand.served_entity", "Nobody GmbH"), "demand.served_entity"),
    ("served_at malformed", _set("demand.served_at", "yesterday"), "demand.served_at"),
    ("served_at impossible", _set("demand.served_at", "2026-09-01T25:00:00Z"), "demand.served_at"),
    ("served_at without a time", _set("demand.served_at", "2026-09-01"), "demand.served_at"),
    ("served_at with a space", _set("demand.served_at", "2026-09-01 08:00:00Z"), "demand.served_at"),
    ("served_at offset without a colon", _set("demand.served_at", "2026-09-01T08:00:00+0200"), "demand.served_at"),
    ("served_at a number", _set("demand.served_at", 1788220800), "demand.served_at"),
    ("due_at malformed", _set("demand.due_at", "next Friday"), "demand.due_at"),
    ("emergency not a boolean", _set("demand.emergency", "yes"), "demand.emergency"),
    ("extended not a boolean", _set("demand.extended", 1), "demand.extended"),
    ("kind not the instrument's", _set("demand.kind", "preservation"), "demand.kind"),
    ("pending_since a date-time", _set("demand.pending_since", "2026-01-01T00:00:00Z"), "demand.pending_since"),
    ("issuing_court not a string", _set("demand.issuing_court", 2), "demand.issuing_court"),
    ("missing entities", _set("entities", KeyError), "entities"),
    ("entities not a list", _set("entities", {"name": INC}), "entities"),
    ("entity not an object", _set("entities", ["Nimbus"]), "entities[0]"),
    ("entity without a name", _set("entities.0.name", KeyError), "entities[0].name"),
    ("entity without a country", _set("entities.0.country", KeyError), "entities[0].country"),
    ("entity country not a string", _set("entities.0.country", 840), "entities[0].country"),
    ("unknown parent", _set("entities.1.parent", "Ghost Inc."), "entities[1].parent"),
    ("parent cycle", _set("entities.0.parent", IRL), "entities[0].parent"),
    ("unknown designated_for", _set("entities.1.designated_for", ["Ghost Inc."]), "entities[1].designated_for[0]"),
    ("designated_for not a list", _set("entities.1.designated_for", 3), "entities[1].designated_for"),
    ("establishments not strings", _set("entities.0.establishments", [372]), "entities[0].establishments[0]"),
    ("establishments a bare string", _set("entities.0.establishments", "IE"), "entities[0].establishments"),
    (
        "offers everywhere as a bare string",
        _set("entities.0.offers_services_in", "*"),
        "entities[0].offers_services_in",
    ),
    ("offers_services_in not a list", _set("entities.0.offers_services_in", 5), "entities[0].offers_services_in"),
    ("duplicate entity", _set("entities.2.name", INC), "entities[2].name"),
    ("missing accounts", _set("accounts", KeyError), "accounts"),
    ("accounts not a list", _set("accounts", "all"), "accounts"),
    ("account without identifier", _set("accounts.0.identifier", KeyError), "accounts[0].identifier"),
    ("account without holdings", _set("accounts.0.holdings", KeyError), "accounts[0].holdings"),
    ("us_person not a boolean", _set("accounts.0.us_person", "no"), "accounts[0].us_person"),
    ("us_person a number", _set("accounts.0.us_person", 0), "accounts[0].us_person"),
    ("residence not a string", _set("accounts.0.residence", 276), "accounts[0].residence"),
    ("unknown category", _set("accounts.0.holdings.0.category", "metadata"), "accounts[0].holdings[0].category"),
    ("missing category", _set("accounts.0.holdings.0.category", KeyError), "accounts[0].holdings[0].category"),
    ("storage not a string", _set("accounts.0.holdings.0.storage", ["IE"]), "accounts[0].holdings[0].storage"),
    (
        "missing controlled_by",
        _set("accounts.0.holdings.0.controlled_by", KeyError),
        "accounts[0].holdings[0].controlled_by",
    ),
    (
        "unknown controlled_by",
        _set("accounts.0.holdings.0.controlled_by", "Ghost Inc."),
        "accounts[0].holdings[0].controlled_by",
    ),
]


@pytest.mark.parametrize(("change", "field"), [pytest.param(*row[1:], id=row[0]) for row in BAD])
def test_bad_input_names_the_scenario_and_the_field(change, field):
    obj = broken(change)
    with pytest.raises(ScenarioError) as caught:
        facts_from_scenario(obj, CATALOGUE)
    error = caught.value
    assert error.field == field
    assert error.message
    if isinstance(obj.get("id"), str) and obj["id"]:
        assert error.scenario_id == obj["id"]
        assert obj["id"] in str(error)
    assert field in str(error)


def test_scenario_must_be_an_object():
    with pytest.raises(ScenarioError) as caught:
        facts_from_scenario(["not", "an", "object"], CATALOGUE)
    assert (caught.value.scenario_id, caught.value.field) == (None, "")


GOOD = [
    # label, change
    ("optional fields absent", _set("demand.served_at", KeyError)),
    ("nulls are unknown", _set("accounts.0.us_person", None)),
    ("emergency null", _set("demand.emergency", None)),
    ("due_at null", _set("demand.due_at", None)),
    ("offers everywhere", _set("entities.0.offers_services_in", ["*"])),
    ("country codes are compared, not validated", _set("demand.issuing_jurisdiction", "de")),
    ("an odd storage is no error", _set("accounts.0.holdings.0.storage", "Dublin")),
    ("kind given", _set("demand.kind", "production")),
    ("extended and pending_since given", _set("demand.pending_since", "2026-01-01")),
    ("storage null", _set("accounts.0.holdings.0.storage", None)),
    ("storage absent means unknown", _set("accounts.0.holdings.0.storage", KeyError)),
    ("served_at with fractional seconds", _set("demand.served_at", "2026-09-01T08:00:00.5Z")),
    ("served_at with an offset", _set("demand.served_at", "2026-09-01T10:00:00+02:00")),
    ("no accounts", _set("accounts", [])),
]


@pytest.mark.parametrize("change", [pytest.param(row[1], id=row[0]) for row in GOOD])
def test_good_input_is_accepted(change):
    facts = facts_from_scenario(broken(change), CATALOGUE)
    evaluate(CATALOGUE, facts)


def test_served_at_is_stored_in_utc_terms():
    obj = broken(_set("demand.served_at", "2026-09-01T10:00:00+02:00"))
    facts = facts_from_scenario(obj, CATALOGUE)
    assert facts.demand.served_at is not None
    assert facts.demand.served_at.utcoffset().total_seconds() == 7200
    assert run(obj)["deadlines"]["response_due"] == "2026-09-11T23:00:00Z"


def test_output_shape():
    out = run(VALID)
    assert list(out)[:6] == ["id", "kind", "doctrine", "doctrine_authorities", "items", "deadlines"]
    assert out["kind"] == "production"
    assert isinstance(out["doctrine_authorities"], list)
    assert list(out["deadlines"]) == [
        "response_due",
        "comity_motion_due",
        "preservation_expires",
        "conflict_objection_due",
    ]
    assert list(out["deadline_working"]) == list(out["deadlines"])
    required = [
        "account",
        "category",
        "storage",
        "controlled_by",
        "reach",
        "route",
        "conflicts",
        "comity_motion",
        "voluntary",
    ]
    assert list(out["items"][0])[: len(required)] == required
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", out["deadlines"]["response_due"])
    assert out["catalogue_version"] == CATALOGUE.version
    assert result_to_contract("other", evaluate(CATALOGUE, facts_from_scenario(VALID, CATALOGUE)))["id"] == "other"


def test_an_unavailable_instrument_still_has_a_kind_and_every_deadline_key():
    out = run(scenario("2026-08-17", "EU-EPO-PR", "DE", IRL, due_at="2026-09-01T08:00:00.75+02:00"))
    assert (out["kind"], out["doctrine"], out["doctrine_authorities"]) == ("preservation", None, [])
    assert out["deadlines"] == {
        "response_due": "2026-09-01T06:00:00Z",
        "comity_motion_due": None,
        "preservation_expires": None,
        "conflict_objection_due": None,
    }


# ------------------------------------------------------------------ the catalogue


def test_catalogue_has_every_row_of_the_rules():
    assert {code: i.kind for code, i in CATALOGUE.instrument_by_code.items()} == {
        "US-SCA-SUBPOENA": "production",
        "US-SCA-2703D": "production",
        "US-SCA-WARRANT": "production",
        "US-SCA-PRESERVATION": "preservation",
        "GB-COPO": "production",
        "AU-IPO": "production",
        "EU-EPO": "production",
        "EU-EPO-PR": "preservation",
        "BE-CCP-46BIS": "production",
        "BR-MCI-ORDER": "production",
        "IN-CRPC-91": "production",
        "IN-BNSS-94": "production",
        "DE-STPO-100J": "production",
        "DE-STPO-100G": "production",
        "DE-STPO-95": "production",
        "FR-CPP-60-1": "production",
        "GB-IPA-CD": "production",
        "CA-CC-487.012": "production",
        "CA-CC-487.014": "production",
    }
    assert {r.code for r in CATALOGUE.conflict_rules} == {
        "EU-GDPR-ART48",
        "US-SCA-2702",
        "CN-ICJA-ART4",
        "CN-DSL-ART36",
        "CN-PIPL-ART41",
        "CH-SCC-ART271",
    }
    assert len(CATALOGUE.agreements) == 4
    for court in (
        "S.D.N.Y.",
        "E.D.N.Y.",
        "N.D.N.Y.",
        "W.D.N.Y.",
        "D. Conn.",
        "D. Vt.",
        "2d Cir.",
        "2nd Cir.",
        "Second Circuit",
    ):
        assert CATALOGUE.court(court).circuit == "2"
    zones = {
        "D.N.J.": "America/New_York",
        "E.D. Pa.": "America/New_York",
        "M.D. Pa.": "America/New_York",
        "W.D. Pa.": "America/New_York",
        "D. Del.": "America/New_York",
        "E.D. Va.": "America/New_York",
        "D.D.C.": "America/New_York",
        "N.D. Ill.": "America/Chicago",
        "N.D. Ala.": "America/Chicago",
        "N.D. Cal.": "America/Los_Angeles",
        "C.D. Cal.": "America/Los_Angeles",
        "E.D. Cal.": "America/Los_Angeles",
        "S.D. Cal.": "America/Los_Angeles",
        "W.D. Wash.": "America/Los_Angeles",
    }
    for court, zone in zones.items():
        assert CATALOGUE.court(court).time_zone == zone
        assert CATALOGUE.court(court).circuit != "2"
    for row in (*CATALOGUE.instruments, *CATALOGUE.agreements, *CATALOGUE.conflict_rules):
        assert row.citation
    # §4.2: the rows with authorities, in date order; rows 4 and 9 have none.
    assert [(dp.instruments[0], dp.doctrine, dp.authorities) for dp in CATALOGUE.doctrine_periods] == [
        ("US-SCA-WARRANT", "control-based", ("US-SDNY-2014-04-25", "US-SDNY-2014-07-31")),
        ("US-SCA-WARRANT", "storage-based", ("US-2DCIR-2016-07-14", "US-2DCIR-2017-01-24")),
        ("US-SCA-WARRANT", "control-based", ("US-EDPA-2017-02-03", "US-EDPA-2017-08-17")),
        ("US-SCA-SUBPOENA", "control-based", ()),
        ("US-SCA-SUBPOENA", "control-based", ("US-CLOUD-ACT-2018-03-23", "US-SCOTUS-2018-04-17")),
        ("BE-CCP-46BIS", "control-based", ("BE-CASS-2011-01-18", "BE-CASS-2012-09-04", "BE-CASS-2015-12-01")),
        ("BR-MCI-ORDER", "control-based", ("BR-STF-ADC51-2023-02-23",)),
        ("CA-CC-487.014", "control-based", ("CA-BCCA-2018-01-09", "CA-ABCA-2022-08-15")),
        ("DE-STPO-100J", "storage-based", ()),
    ]


@pytest.mark.parametrize(
    ("code", "zone"),
    [
        ("IE", "Europe/Dublin"),
        ("LU", "Europe/Luxembourg"),
        ("DE", "Europe/Berlin"),
        ("FR", "Europe/Paris"),
        ("NL", "Europe/Amsterdam"),
        ("GB", "Europe/London"),
        ("US", "America/New_York"),
    ],
)
def test_capital_time_zones(code, zone):
    assert CATALOGUE.jurisdiction_by_code[code].time_zone == zone


def test_court_names_compare_ignoring_case_spaces_and_periods():
    assert CATALOGUE.court("SDNY") is CATALOGUE.court("S.D.N.Y.")
    assert CATALOGUE.court("s d n y") is CATALOGUE.court("S.D.N.Y.")
    assert CATALOGUE.court("ND Cal") is CATALOGUE.court("N.D. Cal.")
    assert CATALOGUE.court("Court of Nowhere") is None
    assert CATALOGUE.court(None) is None


def test_catalogue_version_is_a_stable_content_hash(tmp_path):
    assert catalogue_version() == catalogue_version(DEFAULT_DIRECTORY) == CATALOGUE.version
    assert CATALOGUE.version.startswith("sha256:")
    for path in DEFAULT_DIRECTORY.glob("*.toml"):
        (tmp_path / path.name).write_bytes(path.read_bytes())
    assert catalogue_version(tmp_path) == CATALOGUE.version
    with (tmp_path / "conflicts.toml").open("a") as f:
        f.write("\n# a comment changes the version\n")
    assert catalogue_version(tmp_path) != CATALOGUE.version


def test_every_catalogue_file_documents_its_schema():
    for path in DEFAULT_DIRECTORY.glob("*.toml"):
        assert path.read_text(encoding="utf-8").startswith("#"), path.name
        tomllib.loads(path.read_text(encoding="utf-8"))


def _copy(tmp_path: Path, extra: str) -> Path:
    for path in DEFAULT_DIRECTORY.glob("*.toml"):
        (tmp_path / path.name).write_bytes(path.read_bytes())
    (tmp_path / "zz-extra.toml").write_text(extra, encoding="utf-8")
    return tmp_path


BAD_CATALOGUE = [
    ("unknown table", "[[statute]]\ncode = 'X'\n"),
    ("unknown field", "[[bloc]]\ncode = 'X'\nname = 'X'\ncolour = 'red'\n"),
    ("missing field", "[[bloc]]\ncode = 'X'\n"),
    ("duplicate code", "[[bloc]]\ncode = 'EU'\nname = 'again'\n"),
    ("date as a string", "[[membership]]\nbloc = 'EU'\njurisdiction = 'NO'\nstart = '2030-01-01'\n"),
    (
        "unknown trigger kind",
        "[[conflict]]\ncode = 'X'\njurisdiction = 'CN'\nlaw = 'X'\ncitation = 'X'\n"
        "start = 2020-01-01\nseverity = 'prohibition'\ntrigger = 'stored_on_the_moon'\n",
    ),
    (
        "unknown severity",
        "[[conflict]]\ncode = 'X'\njurisdiction = 'CN'\nlaw = 'X'\ncitation = 'X'\n"
        "start = 2020-01-01\nseverity = 'grave'\ntrigger = 'stored_in_country_not_issuer'\n"
        "countries = ['CN']\n",
    ),
    ("unknown membership jurisdiction", "[[membership]]\nbloc = 'EU'\njurisdiction = 'XX'\nstart = 2030-01-01\n"),
    (
        "agreement designates an unknown instrument",
        "[[agreement]]\ncode = 'X'\nname = 'X'\ncitation = 'X'\nkind = 'executive'\n"
        "parties = ['US', 'CN']\nstart = 2030-01-01\ndesignates = ['CN-NOPE']\n",
    ),
    ("not TOML", "[[bloc]\n"),
    ("duplicate circuit", "[[circuit]]\ncode = '2'\nname = 'Second Circuit again'\n"),
    ("citation the engine does not use", "[[citation]]\ncode = 'telepathy'\ntext = 'X'\n"),
    ("citation given twice", "[[citation]]\ncode = 'comity-motion'\ntext = 'X'\n"),
    (
        "court rule in an unknown unit",
        "[[court_rule]]\ncode = 'X'\nlength = 2\nunit = 'fortnights'\ncitation = 'X'\n",
    ),
    ("court rule of no length", "[[court_rule]]\ncode = 'X'\nlength = 0\nunit = 'hours'\ncitation = 'X'\n"),
    (
        "two default court rules for one kind",
        "[[court_rule]]\ncode = 'X'\nlength = 7\nunit = 'calendar_days'\ncitation = 'X'\ndefault_for = ['objection']\n",
    ),
]


@pytest.mark.parametrize("extra", [pytest.param(row[1], id=row[0]) for row in BAD_CATALOGUE])
def test_bad_catalogue_rows_are_rejected(tmp_path, extra):
    with pytest.raises(CatalogueError):
        load_catalogue_files(_copy(tmp_path, extra))


def test_a_citation_the_engine_needs_cannot_be_left_out(tmp_path):
    _copy(tmp_path, "")
    path = tmp_path / "citations.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r'\[\[citation\]\]\ncode = "control"\ntext = ".*"\n', "", text), encoding="utf-8")
    with pytest.raises(CatalogueError, match="'control' is missing"):
        load_catalogue_files(tmp_path)


def test_circuit_names_and_citations_come_from_the_catalogue(tmp_path):
    directory = _copy(tmp_path, "")
    courts = directory / "courts.toml"
    courts.write_text(
        courts.read_text(encoding="utf-8").replace('name = "Second Circuit"', 'name = "Court of Appeals, 2d Cir."'),
        encoding="utf-8",
    )
    citations = directory / "citations.toml"
    citations.write_text(
        citations.read_text(encoding="utf-8").replace("18 U.S.C. §2703(h)(2)", "18 U.S.C. 2703(h)(2) (comity)"),
        encoding="utf-8",
    )
    catalogue = load_catalogue_files(directory)
    assert catalogue.version != CATALOGUE.version
    obj = scenario("2017-01-01", "US-SCA-WARRANT", "US", court="S.D.N.Y.", holdings=[("content", "IE", INC)])
    texts = " ".join(r["text"] for r in run(obj, catalogue)["reasons"])
    assert "in the Court of Appeals, 2d Cir." in texts and "Second Circuit" not in texts
    obj = scenario(
        "2023-03-01", "US-SCA-WARRANT", "US", court="N.D. Cal.", holdings=[("content", "GB", INC)], us_person=False
    )
    proxy = next(r for r in run(obj, catalogue)["reasons"] if r["code"] == "comity-proxy")
    assert proxy["citation"] == "18 U.S.C. 2703(h)(2) (comity)"


def test_hook_citations_fill_in_the_instruments_own():
    eu_epo, br = CATALOGUE.instrument_by_code["EU-EPO"], CATALOGUE.instrument_by_code["BR-MCI-ORDER"]
    assert CATALOGUE.cite("hook-eu-establishment", eu_epo).startswith(f"{eu_epo.citation}, Art. 1(1)")
    assert CATALOGUE.cite("hook-services-or-group", br).startswith(f"{br.citation}; Marco Civil")
    assert CATALOGUE.circuit_name("DC") == "D.C. Circuit" and CATALOGUE.circuit_name("12") == "circuit 12"


def test_item_reach_and_route_are_the_declared_vocabularies():
    out = evaluate(CATALOGUE, facts_from_scenario(VALID, CATALOGUE))
    assert all(item.reach in REACHES and item.route in ROUTES for item in out.items)
    assert isinstance(out.items[0].reach, Reach) and isinstance(out.items[0].route, Route)
    assert Route.MLAT.label == "MLAT" and Route.INSUFFICIENT_INSTRUMENT.label == "Insufficient instrument"
    assert [r.label for r in Reach] == ["Storage", "Control", "None"]


def test_empty_catalogue_directory_is_an_error(tmp_path):
    with pytest.raises(CatalogueError):
        load_catalogue_files(tmp_path)


def test_catalogue_and_facts_are_frozen_slotted_dataclasses():
    facts = facts_from_scenario(VALID, CATALOGUE)
    for obj in (
        CATALOGUE,
        facts,
        facts.demand,
        facts.entities[0],
        facts.accounts[0],
        facts.accounts[0].holdings[0],
        CATALOGUE.instruments[0],
    ):
        assert type(obj).__dataclass_params__.frozen
        assert hasattr(type(obj), "__slots__")
        assert fields(obj)
