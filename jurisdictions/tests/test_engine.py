"""The reach engine against shared/RULES.md, table by table (no Django, no database).

Helpers here (`scenario`, `run`, `item`) are shared by the other test_engine_*.py
files.
"""

import copy
import json
from dataclasses import FrozenInstanceError, replace
from datetime import date
from pathlib import Path

import pytest

from jurisdictions.reach import (
    Catalogue,
    ScenarioError,
    evaluate,
    facts_from_scenario,
    load_catalogue_files,
    result_to_contract,
)

CATALOGUE = load_catalogue_files()
SCENARIOS = Path(__file__).resolve().parents[2].parent / "shared" / "scenarios"

INC = "Nimbus Mail Inc."
IRL = "Nimbus Mail Ireland Ltd"
CN = "Nimbus Cloud (Shanghai) Co., Ltd."
AUS = "Nimbus Mail Australia Pty Ltd"
BRA = "Nimbus Brasil Ltda"
CHE = "Nimbus Schweiz AG"
GBR = "Nimbus Mail UK Ltd"
DEU = "Nimbus Deutschland GmbH"

GROUP = [
    {"name": INC, "country": "US", "offers_services_in": ["*"]},
    {"name": IRL, "country": "IE", "parent": INC, "designated_for": [INC]},
    {"name": CN, "country": "CN", "parent": INC},
    {"name": AUS, "country": "AU", "parent": INC},
    {"name": CHE, "country": "CH", "parent": INC},
    {"name": GBR, "country": "GB", "parent": INC},
    {"name": DEU, "country": "DE", "parent": IRL},
]


def scenario(
    as_of: str,
    instrument: str,
    issuer: str,
    served: str = INC,
    *,
    holdings=(("content", "US", INC),),
    entities=None,
    court=None,
    served_at=None,
    emergency=None,
    due_at=None,
    us_person=None,
    residence=None,
    accounts=None,
    demand_extra: dict | None = None,
) -> dict:
    demand = {"instrument": instrument, "issuing_jurisdiction": issuer, "served_entity": served}
    demand.update(demand_extra or {})
    for key, value in (
        ("issuing_court", court),
        ("served_at", served_at),
        ("emergency", emergency),
        ("due_at", due_at),
    ):
        if value is not None:
            demand[key] = value
    if accounts is None:
        accounts = [
            {
                "identifier": "target@example.com",
                "us_person": us_person,
                "residence": residence,
                "holdings": [{"category": c, "storage": s, "controlled_by": by} for c, s, by in holdings],
            }
        ]
    return {
        "id": f"{instrument}-{as_of}",
        "as_of": as_of,
        "demand": demand,
        "entities": copy.deepcopy(entities if entities is not None else GROUP),
        "accounts": accounts,
    }


def run(obj: dict, catalogue: Catalogue = CATALOGUE) -> dict:
    return result_to_contract(obj["id"], evaluate(catalogue, facts_from_scenario(obj, catalogue)))


def item(out: dict, index: int = 0) -> tuple:
    it = out["items"][index]
    return it["reach"], it["route"], it["conflicts"], it["comity_motion"]


def reason_text(out: dict) -> str:
    return " ".join(r["text"] for r in out["reasons"])


def with_entity(name: str, **changes) -> list[dict]:
    entities = copy.deepcopy(GROUP)
    for e in entities:
        if e["name"] == name:
            e.update(changes)
    return entities


# ------------------------------------------------------------ public scenarios


def _contract_view(got: dict, want: dict) -> dict:
    """`got` on the contract fields `want` carries (RULES.md §9.3; v2 files carry fewer)."""
    view = {k: got.get(k) for k in ("id", "kind", "doctrine", "doctrine_authorities") if k in want}
    view["deadlines"] = {k: got["deadlines"].get(k) for k in want["deadlines"]}
    pairs = zip(got["items"], want["items"], strict=True)
    view["items"] = [{k: g.get(k) for k in w if k in CONTRACT_ITEM_FIELDS} for g, w in pairs]
    return view


CONTRACT_ITEM_FIELDS = {"reach", "route", "conflicts", "comity_motion", "voluntary"}


@pytest.mark.parametrize("name", ["public", "public.v3"])
def test_public_scenarios_match_expected(name):
    """Every public scenario, v2 and v3, on every contract field its expected line has."""
    if not SCENARIOS.is_dir():
        pytest.skip(f"{SCENARIOS} not found")
    lines = (SCENARIOS / f"{name}.jsonl").read_text().splitlines()
    expected = (SCENARIOS / f"{name}.expected.jsonl").read_text().splitlines()
    assert len(lines) == len(expected)
    for line, want_line in zip(lines, expected, strict=True):
        obj, want = json.loads(line), json.loads(want_line)
        if "error" in want:
            with pytest.raises(ScenarioError) as error:
                facts_from_scenario(obj, CATALOGUE)
            assert error.value.field == want["error"]["field"], want["id"]
            continue
        got = run(obj)
        assert got["id"] == want["id"]
        assert len(got["items"]) == len(want["items"]), want["id"]
        wanted = {k: v for k, v in want.items() if k != "reasons"}
        wanted["items"] = [{k: v for k, v in w.items() if k in CONTRACT_ITEM_FIELDS} for w in want["items"]]
        assert _contract_view(got, want) == wanted, want["id"]


# ------------------------------------------------------ step 1: availability

AVAILABILITY = [
    # as_of, instrument, issuer, available
    ("1987-01-18", "US-SCA-WARRANT", "US", False),
    ("1987-01-19", "US-SCA-WARRANT", "US", True),
    ("1987-01-18", "US-SCA-SUBPOENA", "US", False),
    ("1987-01-19", "US-SCA-SUBPOENA", "US", True),
    ("1987-01-18", "US-SCA-2703D", "US", False),
    ("1987-01-19", "US-SCA-2703D", "US", True),
    ("2019-10-08", "GB-COPO", "GB", False),
    ("2019-10-09", "GB-COPO", "GB", True),
    ("2021-07-23", "AU-IPO", "AU", False),
    ("2021-07-24", "AU-IPO", "AU", True),
    ("2026-08-17", "EU-EPO", "DE", False),
    ("2026-08-18", "EU-EPO", "DE", True),
    ("1998-10-01", "BE-CCP-46BIS", "BE", False),
    ("1998-10-02", "BE-CCP-46BIS", "BE", True),
    ("2014-06-22", "BR-MCI-ORDER", "BR", False),
    ("2014-06-23", "BR-MCI-ORDER", "BR", True),
    # wrong issuing jurisdiction
    ("2023-01-01", "US-SCA-WARRANT", "GB", False),
    ("2023-01-01", "GB-COPO", "US", False),
    ("2024-06-01", "AU-IPO", "GB", False),
    ("2023-01-01", "BE-CCP-46BIS", "FR", False),
    ("2023-01-01", "BR-MCI-ORDER", "PT", False),
    # EU-EPO: an EU member state taking part in the e-Evidence Regulation
    ("2026-09-01", "EU-EPO", "DK", False),
    ("2026-09-01", "EU-EPO", "GB", False),
    ("2026-09-01", "EU-EPO", "NO", False),
    ("2026-09-01", "EU-EPO", "US", False),
    ("2026-09-01", "EU-EPO", "EU", False),
    ("2026-09-01", "EU-EPO", "IE", True),
    ("2026-09-01", "EU-EPO", "HR", True),
    ("2026-09-01", "EU-EPO", "BG", True),
    ("2026-09-01", "EU-EPO", "FR", True),
]


@pytest.mark.parametrize(("as_of", "instrument", "issuer", "available"), AVAILABILITY)
def test_instrument_availability(as_of, instrument, issuer, available):
    served = IRL if instrument == "EU-EPO" else INC
    out = run(scenario(as_of, instrument, issuer, served))
    assert (out["doctrine"] is not None) is available


def test_unavailable_instrument_gives_none_mlat_no_conflicts_no_deadline():
    obj = scenario(
        "2026-08-17",
        "EU-EPO",
        "DE",
        IRL,
        holdings=[("content", "CN", CN), ("subscriber", "CH", CHE), ("content", "IE", IRL)],
        served_at="2026-08-17T08:00:00Z",
    )
    out = run(obj)
    assert out["doctrine"] is None
    assert [item(out, i) for i in range(3)] == [("none", "mlat", [], False)] * 3
    assert out["deadlines"] == {
        "response_due": None,
        "comity_motion_due": None,
        "preservation_expires": None,
        "conflict_objection_due": None,
    }
    assert out["doctrine_authorities"] == []
    assert [it["voluntary"] for it in out["items"]] == [False] * 3
    assert "applies from 2026-08-18" in reason_text(out)


def test_unavailable_instrument_keeps_the_demands_due_at():
    obj = scenario("2026-09-01", "EU-EPO", "DK", IRL, due_at="2026-09-05T12:00:00+02:00")
    out = run(obj)
    assert out["doctrine"] is None
    assert out["deadlines"]["response_due"] == "2026-09-05T10:00:00Z"


def test_unavailable_instrument_names_the_mlat():
    out = run(scenario("2026-09-01", "EU-EPO", "DK", IRL, holdings=[("content", "US", INC)]))
    assert out["items"][0]["mlat"] == ["EU–US Mutual Legal Assistance Agreement"]


# --------------------------------------------------------- step 2: doctrine

DOCTRINE = [
    # instrument, as_of, court, doctrine
    ("US-SCA-WARRANT", "1987-01-19", "S.D.N.Y.", "control-based"),
    ("US-SCA-WARRANT", "2016-07-13", "S.D.N.Y.", "control-based"),
    ("US-SCA-WARRANT", "2016-07-14", "S.D.N.Y.", "storage-based"),
    ("US-SCA-WARRANT", "2017-06-01", "S.D.N.Y.", "storage-based"),
    ("US-SCA-WARRANT", "2018-03-22", "S.D.N.Y.", "storage-based"),
    ("US-SCA-WARRANT", "2018-03-23", "S.D.N.Y.", "control-based"),
    ("US-SCA-WARRANT", "2016-07-14", "E.D. Pa.", "control-based"),
    ("US-SCA-WARRANT", "2018-03-22", "E.D. Pa.", "control-based"),
    ("US-SCA-WARRANT", "2016-07-14", None, "control-based"),
    ("US-SCA-WARRANT", "2016-07-14", "Court of Nowhere", "control-based"),
    ("US-SCA-WARRANT", "2016-07-14", "N.D. Cal.", "control-based"),
    ("US-SCA-WARRANT", "2016-07-14", "D.D.C.", "control-based"),
    # every Second Circuit court, and the name normalisation
    ("US-SCA-WARRANT", "2017-01-01", "SDNY", "storage-based"),
    ("US-SCA-WARRANT", "2017-01-01", "sdny", "storage-based"),
    ("US-SCA-WARRANT", "2017-01-01", "S. D. N. Y.", "storage-based"),
    ("US-SCA-WARRANT", "2017-01-01", "E.D.N.Y.", "storage-based"),
    ("US-SCA-WARRANT", "2017-01-01", "EDNY", "storage-based"),
    ("US-SCA-WARRANT", "2017-01-01", "N.D.N.Y.", "storage-based"),
    ("US-SCA-WARRANT", "2017-01-01", "W.D.N.Y.", "storage-based"),
    ("US-SCA-WARRANT", "2017-01-01", "D. Conn.", "storage-based"),
    ("US-SCA-WARRANT", "2017-01-01", "D.Conn", "storage-based"),
    ("US-SCA-WARRANT", "2017-01-01", "D. Vt.", "storage-based"),
    ("US-SCA-WARRANT", "2017-01-01", "2d Cir.", "storage-based"),
    ("US-SCA-WARRANT", "2017-01-01", "2nd Cir.", "storage-based"),
    ("US-SCA-WARRANT", "2017-01-01", "Second Circuit", "storage-based"),
    ("US-SCA-WARRANT", "2017-01-01", "second circuit", "storage-based"),
    # other US instruments: control-based throughout
    ("US-SCA-SUBPOENA", "2017-01-01", "S.D.N.Y.", "control-based"),
    ("US-SCA-2703D", "2017-01-01", "S.D.N.Y.", "control-based"),
    ("US-SCA-SUBPOENA", "2018-03-23", "S.D.N.Y.", "control-based"),
    ("US-SCA-2703D", "2018-03-23", None, "control-based"),
]


@pytest.mark.parametrize(("instrument", "as_of", "court", "doctrine"), DOCTRINE)
def test_doctrine_periods(instrument, as_of, court, doctrine):
    out = run(scenario(as_of, instrument, "US", court=court, holdings=[("subscriber", "US", INC)]))
    assert out["doctrine"] == doctrine


@pytest.mark.parametrize(
    ("as_of", "authority"),
    [
        ("2014-04-25", "15 F. Supp. 3d 466"),
        ("2017-01-01", "829 F.3d 197"),
        ("2018-03-23", "§2713"),
    ],
)
def test_doctrine_reason_cites_its_authority(as_of, authority):
    out = run(scenario(as_of, "US-SCA-WARRANT", "US", court="S.D.N.Y."))
    doctrine = next(r for r in out["reasons"] if r["code"] == "doctrine")
    assert authority in doctrine["citation"]


def test_outside_circuit_doctrine_cites_the_google_case():
    out = run(scenario("2017-03-01", "US-SCA-WARRANT", "US", court="E.D. Pa."))
    doctrine = next(r for r in out["reasons"] if r["code"] == "doctrine")
    assert "232 F. Supp. 3d 708" in doctrine["citation"]


@pytest.mark.parametrize("court", [None, "Court of Nowhere"])
def test_assumed_court_is_explained(court):
    out = run(scenario("2017-01-01", "US-SCA-WARRANT", "US", court=court))
    codes = {r["code"]: r["text"] for r in out["reasons"]}
    assert "assumes a court outside the Second Circuit" in codes["court"]
    assert "America/New_York" in codes["court"]
    assert "federal legal holidays only" in codes["court"]
    if court:
        assert court in codes["court"]


def test_known_court_needs_no_assumption():
    out = run(scenario("2017-01-01", "US-SCA-WARRANT", "US", court="SDNY"))
    court = next(r["text"] for r in out["reasons"] if r["code"] == "court")
    assert "assumes" not in court
    assert "Second Circuit" in next(r["text"] for r in out["reasons"] if r["code"] == "court")


STORAGE_BASED = [
    # storage, controlled_by, reach, route, mlat
    ("US", INC, "storage", "direct", []),
    ("IE", INC, "none", "mlat", ["US–Ireland MLAT", "EU–US Mutual Legal Assistance Agreement"]),
    ("DE", INC, "none", "mlat", ["EU–US Mutual Legal Assistance Agreement"]),
    ("GB", INC, "none", "mlat", ["EU–US Mutual Legal Assistance Agreement"]),  # EU member then
    ("CN", CN, "none", "mlat", []),
    (None, INC, "none", "mlat", []),
]


@pytest.mark.parametrize(("storage", "by", "reach", "route", "mlat"), STORAGE_BASED)
def test_storage_based_doctrine_reaches_only_the_issuing_jurisdiction(storage, by, reach, route, mlat):
    out = run(scenario("2017-06-01", "US-SCA-WARRANT", "US", court="S.D.N.Y.", holdings=[("content", storage, by)]))
    assert item(out)[:2] == (reach, route)
    assert out["items"][0]["mlat"] == mlat


def test_gb_leaves_the_eu_us_mlat_after_brexit():
    # Storage-based routes go to mlat; the EU–US agreement covers GB until 2020-01-31.
    before = scenario("2018-03-22", "US-SCA-WARRANT", "US", court="SDNY", holdings=[("content", "GB", INC)])
    assert run(before)["items"][0]["mlat"] == ["EU–US Mutual Legal Assistance Agreement"]


@pytest.mark.parametrize(
    ("storage", "doctrine_as_of", "reach"),
    [(None, "2017-06-01", "none"), (None, "2014-04-25", "control"), (None, "2023-01-01", "control")],
)
def test_unknown_storage_is_reached_by_control_only(storage, doctrine_as_of, reach):
    out = run(scenario(doctrine_as_of, "US-SCA-WARRANT", "US", court="SDNY", holdings=[("content", storage, INC)]))
    assert out["items"][0]["reach"] == reach


# ------------------------------------------------------------- step 3: hooks

HOOKS = [
    # label, as_of, instrument, issuer, served, entities, holding, expected (reach, route)
    # presence
    (
        "presence: incorporated",
        "2023-01-01",
        "US-SCA-WARRANT",
        "US",
        INC,
        GROUP,
        ("content", "IE", IRL),
        ("control", "direct"),
    ),
    (
        "presence: not there, parent satisfies -> redirect",
        "2023-01-01",
        "US-SCA-WARRANT",
        "US",
        IRL,
        GROUP,
        ("content", "IE", INC),
        ("none", "redirect"),
    ),
    (
        "presence: not there, controller has no presence -> mlat",
        "2023-01-01",
        "US-SCA-WARRANT",
        "US",
        IRL,
        GROUP,
        ("content", "IE", IRL),
        ("none", "mlat"),
    ),
    (
        "presence: hook failure ignores category",
        "2023-01-01",
        "US-SCA-SUBPOENA",
        "US",
        IRL,
        GROUP,
        ("content", "IE", INC),
        ("none", "redirect"),
    ),
    (
        "presence: establishment",
        "2023-01-01",
        "US-SCA-WARRANT",
        "US",
        IRL,
        with_entity(IRL, establishments=["US"]),
        ("content", "IE", IRL),
        ("control", "direct"),
    ),
    (
        "presence: offering services is not presence",
        "2023-01-01",
        "US-SCA-WARRANT",
        "US",
        IRL,
        with_entity(IRL, offers_services_in=["*"]),
        ("content", "IE", IRL),
        ("none", "mlat"),
    ),
    # services
    (
        "services: incorporated",
        "2023-01-01",
        "BE-CCP-46BIS",
        "BE",
        "Nimbus BE",
        [*GROUP, {"name": "Nimbus BE", "country": "BE"}],
        ("subscriber", "BE", "Nimbus BE"),
        ("storage", "direct"),
    ),
    (
        "services: establishment",
        "2023-01-01",
        "BE-CCP-46BIS",
        "BE",
        IRL,
        with_entity(IRL, establishments=["BE"]),
        ("subscriber", "IE", IRL),
        ("control", "direct"),
    ),
    (
        "services: offers there",
        "2023-01-01",
        "BE-CCP-46BIS",
        "BE",
        IRL,
        with_entity(IRL, offers_services_in=["BE", "NL"]),
        ("subscriber", "IE", IRL),
        ("control", "direct"),
    ),
    (
        "services: offers everywhere",
        "2023-01-01",
        "BE-CCP-46BIS",
        "BE",
        INC,
        GROUP,
        ("subscriber", "US", INC),
        ("control", "direct"),
    ),
    (
        "services: offers elsewhere only -> mlat",
        "2023-01-01",
        "BE-CCP-46BIS",
        "BE",
        IRL,
        with_entity(IRL, offers_services_in=["NL"]),
        ("subscriber", "IE", IRL),
        ("none", "mlat"),
    ),
    (
        "services: fails, parent offers everywhere -> redirect",
        "2023-01-01",
        "BE-CCP-46BIS",
        "BE",
        IRL,
        GROUP,
        ("subscriber", "US", INC),
        ("none", "redirect"),
    ),
    # services-or-group (Marco Civil Art. 11 §2)
    (
        "group: offers everywhere",
        "2023-01-01",
        "BR-MCI-ORDER",
        "BR",
        INC,
        GROUP,
        ("traffic", "US", INC),
        ("control", "direct"),
    ),
    (
        "group: sibling present in BR",
        "2023-01-01",
        "BR-MCI-ORDER",
        "BR",
        IRL,
        [*GROUP, {"name": BRA, "country": "BR", "parent": INC}],
        ("traffic", "IE", IRL),
        ("control", "direct"),
    ),
    (
        "group: cousin established in BR",
        "2023-01-01",
        "BR-MCI-ORDER",
        "BR",
        CN,
        with_entity(DEU, establishments=["BR"]),
        ("traffic", "CN", CN),
        ("control", "mlat"),
    ),
    (
        "group: nobody present in BR, no services there -> mlat",
        "2023-01-01",
        "BR-MCI-ORDER",
        "BR",
        IRL,
        with_entity(INC, offers_services_in=["US"]),
        ("traffic", "IE", IRL),
        ("none", "mlat"),
    ),
    (
        "group: another group's presence does not count",
        "2023-01-01",
        "BR-MCI-ORDER",
        "BR",
        IRL,
        [*with_entity(INC, offers_services_in=["US"]), {"name": "Other Brasil", "country": "BR"}],
        ("traffic", "IE", IRL),
        ("none", "mlat"),
    ),
    # eu-establishment (Reg. 2023/1543 Art. 1(1))
    ("eu: its own country", "2026-09-01", "EU-EPO", "DE", IRL, GROUP, ("subscriber", "IE", IRL), ("control", "direct")),
    (
        "eu: first qualifying establishment",
        "2026-09-01",
        "EU-EPO",
        "DE",
        INC,
        with_entity(INC, establishments=["LU"]),
        ("subscriber", "US", INC),
        ("control", "direct"),
    ),
    (
        "eu: DK establishment does not qualify",
        "2026-09-01",
        "EU-EPO",
        "DE",
        INC,
        with_entity(INC, establishments=["DK"]),
        ("subscriber", "US", INC),
        ("none", "mlat"),
    ),
    (
        "eu: the issuing state is not the enforcing state",
        "2026-09-01",
        "EU-EPO",
        "IE",
        IRL,
        GROUP,
        ("subscriber", "US", IRL),
        ("none", "mlat"),
    ),
    (
        "eu: issuing state skipped, next establishment",
        "2026-09-01",
        "EU-EPO",
        "IE",
        IRL,
        with_entity(IRL, establishments=["NL"]),
        ("subscriber", "US", IRL),
        ("control", "direct"),
    ),
    (
        "eu: a non-EU country does not qualify",
        "2026-09-01",
        "EU-EPO",
        "DE",
        GBR,
        GROUP,
        ("subscriber", "GB", GBR),
        ("none", "mlat"),
    ),
    (
        "eu: DK company does not qualify",
        "2026-09-01",
        "EU-EPO",
        "DE",
        "Nimbus DK",
        [*GROUP, {"name": "Nimbus DK", "country": "DK", "parent": INC}],
        ("subscriber", "DK", "Nimbus DK"),
        ("none", "mlat"),
    ),
    (
        "eu: failure, controller has an enforcing state -> redirect",
        "2026-09-01",
        "EU-EPO",
        "DE",
        GBR,
        GROUP,
        ("subscriber", "IE", IRL),
        ("none", "redirect"),
    ),
    (
        "eu: services are irrelevant",
        "2026-09-01",
        "EU-EPO",
        "DE",
        INC,
        GROUP,
        ("subscriber", "US", INC),
        ("none", "mlat"),
    ),
    # agreement (US executive agreements)
    (
        "agreement: GB day before in force",
        "2022-10-02",
        "GB-COPO",
        "GB",
        INC,
        GROUP,
        ("content", "US", INC),
        ("none", "mlat"),
    ),
    (
        "agreement: GB in force",
        "2022-10-03",
        "GB-COPO",
        "GB",
        INC,
        GROUP,
        ("content", "US", INC),
        ("control", "agreement"),
    ),
    (
        "agreement: AU day before in force",
        "2024-01-30",
        "AU-IPO",
        "AU",
        INC,
        GROUP,
        ("content", "US", INC),
        ("none", "mlat"),
    ),
    (
        "agreement: AU in force",
        "2024-01-31",
        "AU-IPO",
        "AU",
        INC,
        GROUP,
        ("content", "US", INC),
        ("control", "agreement"),
    ),
    (
        "agreement: served entity not US -> redirect to US entity",
        "2023-06-01",
        "GB-COPO",
        "GB",
        IRL,
        GROUP,
        ("content", "US", INC),
        ("none", "redirect"),
    ),
    (
        "agreement: served entity not US, controller not US -> mlat",
        "2023-06-01",
        "GB-COPO",
        "GB",
        IRL,
        GROUP,
        ("content", "IE", IRL),
        ("none", "mlat"),
    ),
    (
        "agreement: a GB entity is not served under the agreement",
        "2023-06-01",
        "GB-COPO",
        "GB",
        GBR,
        GROUP,
        ("content", "GB", GBR),
        ("none", "mlat"),
    ),
]


@pytest.mark.parametrize(
    ("as_of", "instrument", "issuer", "served", "entities", "holding", "expected"),
    [pytest.param(*row[1:], id=row[0]) for row in HOOKS],
)
def test_hooks(as_of, instrument, issuer, served, entities, holding, expected):
    out = run(scenario(as_of, instrument, issuer, served, entities=entities, holdings=[holding]))
    assert item(out)[:2] == expected


def test_hook_failure_explains_itself():
    out = run(scenario("2023-01-01", "US-SCA-WARRANT", "US", IRL))
    hook = next(r for r in out["reasons"] if r["code"] == "hook")
    assert "not subject" in hook["text"]


def test_eu_establishment_enforcing_state_is_the_first_qualifying_one():
    entities = with_entity(INC, establishments=["DK", "DE", "FR", "NL"])
    facts = facts_from_scenario(scenario("2026-09-01", "EU-EPO", "DE", INC, entities=entities), CATALOGUE)
    assert evaluate(CATALOGUE, facts).enforcing_state == "FR"
    facts = facts_from_scenario(scenario("2026-09-01", "EU-EPO", "IT", INC, entities=entities), CATALOGUE)
    assert evaluate(CATALOGUE, facts).enforcing_state == "DE"


@pytest.mark.parametrize(
    ("us_person", "residence", "expected"),
    [
        (True, "GB", ("none", "mlat")),
        (None, "US", ("none", "mlat")),
        (False, "US", ("none", "mlat")),
        (True, None, ("none", "mlat")),
        (False, "GB", ("control", "agreement")),
        (None, None, ("control", "agreement")),
        (False, None, ("control", "agreement")),
    ],
)
def test_agreement_forbids_targeting_us_persons_and_residents(us_person, residence, expected):
    for instrument, issuer, as_of in (("GB-COPO", "GB", "2023-06-01"), ("AU-IPO", "AU", "2024-06-01")):
        obj = scenario(as_of, instrument, issuer, us_person=us_person, residence=residence)
        assert item(run(obj))[:2] == expected


def test_targeting_restriction_applies_only_to_agreement_hooks():
    obj = scenario("2023-06-01", "US-SCA-WARRANT", "US", us_person=True, residence="US")
    assert item(run(obj))[:2] == ("storage", "direct")


# ----------------------------------------------------------- step 4.3: control

CONTROL = [
    # label, instrument, as_of, issuer, served, entities, controlled_by, storage, expected
    ("itself", "US-SCA-WARRANT", "2023-01-01", "US", INC, GROUP, INC, "IE", ("control", "direct")),
    ("subsidiary", "US-SCA-WARRANT", "2023-01-01", "US", INC, GROUP, IRL, "IE", ("control", "direct")),
    ("grandchild", "US-SCA-WARRANT", "2023-01-01", "US", INC, GROUP, DEU, "DE", ("control", "direct")),
    (
        "parent is not controlled (redirect)",
        "US-SCA-WARRANT",
        "2023-01-01",
        "US",
        IRL,
        with_entity(IRL, establishments=["US"]),
        INC,
        "US",
        ("none", "redirect"),
    ),
    (
        "sibling is not controlled (mlat)",
        "US-SCA-WARRANT",
        "2023-01-01",
        "US",
        IRL,
        with_entity(IRL, establishments=["US"]),
        CN,
        "CN",
        ("none", "mlat"),
    ),
    (
        "designation does not count outside EU instruments",
        "US-SCA-WARRANT",
        "2023-01-01",
        "US",
        IRL,
        with_entity(IRL, establishments=["US"]),
        INC,
        "IE",
        ("none", "redirect"),
    ),
    ("EPO: designated_for the controller", "EU-EPO", "2026-09-01", "DE", IRL, GROUP, INC, "US", ("control", "direct")),
    (
        "EPO: designated_for the controller's parent",
        "EU-EPO",
        "2026-09-01",
        "DE",
        IRL,
        GROUP,
        CN,
        "US",
        ("control", "direct"),
    ),
    (
        "EPO: no designation, parent not controlled",
        "EU-EPO",
        "2026-09-01",
        "DE",
        IRL,
        with_entity(IRL, designated_for=[]),
        INC,
        "US",
        ("none", "mlat"),
    ),
    (
        "EPO: no designation, sibling not controlled",
        "EU-EPO",
        "2026-09-01",
        "DE",
        IRL,
        with_entity(IRL, designated_for=[]),
        CN,
        "US",
        ("none", "mlat"),
    ),
    (
        "EPO: designated for a child does not reach its parent",
        "EU-EPO",
        "2026-09-01",
        "DE",
        IRL,
        with_entity(IRL, designated_for=[CN]),
        INC,
        "US",
        ("none", "mlat"),
    ),
    (
        "EPO: another entity's designation does not count",
        "EU-EPO",
        "2026-09-01",
        "DE",
        DEU,
        with_entity(DEU, parent=INC),
        INC,
        "US",
        ("none", "mlat"),
    ),
    (
        "EPO: not controlled, controller has an enforcing state -> redirect",
        "EU-EPO",
        "2026-09-01",
        "DE",
        "Nimbus France",
        [*GROUP, {"name": "Nimbus France", "country": "FR", "parent": INC}],
        IRL,
        "IE",
        ("none", "redirect"),
    ),
]


@pytest.mark.parametrize(
    ("instrument", "as_of", "issuer", "served", "entities", "by", "storage", "expected"),
    [pytest.param(*row[1:], id=row[0]) for row in CONTROL],
)
def test_control(instrument, as_of, issuer, served, entities, by, storage, expected):
    obj = scenario(as_of, instrument, issuer, served, entities=entities, holdings=[("subscriber", storage, by)])
    assert item(run(obj))[:2] == expected


# -------------------------------------------------- step 4: reach and routes

ROUTES = [
    # label, as_of, instrument, issuer, served, holding, expected (reach, route, conflicts)
    (
        "subpoena: content is insufficient",
        "2023-01-01",
        "US-SCA-SUBPOENA",
        "US",
        INC,
        ("content", "US", INC),
        ("none", "insufficient_instrument", []),
    ),
    (
        "subpoena: traffic is insufficient",
        "2023-01-01",
        "US-SCA-SUBPOENA",
        "US",
        INC,
        ("traffic", "US", INC),
        ("none", "insufficient_instrument", []),
    ),
    (
        "subpoena: subscriber",
        "2023-01-01",
        "US-SCA-SUBPOENA",
        "US",
        INC,
        ("subscriber", "IE", INC),
        ("control", "direct", ["EU-GDPR-ART48"]),
    ),
    (
        "2703(d): content is insufficient",
        "2023-01-01",
        "US-SCA-2703D",
        "US",
        INC,
        ("content", "US", INC),
        ("none", "insufficient_instrument", []),
    ),
    ("2703(d): traffic", "2023-01-01", "US-SCA-2703D", "US", INC, ("traffic", "US", INC), ("storage", "direct", [])),
    (
        "46bis: traffic is insufficient",
        "2023-01-01",
        "BE-CCP-46BIS",
        "BE",
        INC,
        ("traffic", "BE", INC),
        ("none", "insufficient_instrument", []),
    ),
    (
        "insufficient even when the holding is not controlled",
        "2023-01-01",
        "US-SCA-SUBPOENA",
        "US",
        IRL,
        ("content", "US", INC),
        ("none", "redirect", []),
    ),
    (
        "warrant: stored in the US",
        "2023-01-01",
        "US-SCA-WARRANT",
        "US",
        INC,
        ("content", "US", INC),
        ("storage", "direct", []),
    ),
    (
        "warrant: stored elsewhere",
        "2023-01-01",
        "US-SCA-WARRANT",
        "US",
        INC,
        ("content", "JP", INC),
        ("control", "direct", []),
    ),
    (
        "warrant: restriction keeps direct",
        "2023-01-01",
        "US-SCA-WARRANT",
        "US",
        INC,
        ("content", "IE", INC),
        ("control", "direct", ["EU-GDPR-ART48"]),
    ),
    (
        "warrant: prohibition routes to mlat",
        "2023-01-01",
        "US-SCA-WARRANT",
        "US",
        INC,
        ("subscriber", "CH", CHE),
        ("control", "mlat", ["CH-SCC-ART271"]),
    ),
    (
        "COPO: agreement route",
        "2023-06-01",
        "GB-COPO",
        "GB",
        INC,
        ("traffic", "IE", IRL),
        ("control", "agreement", ["EU-GDPR-ART48"]),
    ),
    ("COPO: stored in GB", "2023-06-01", "GB-COPO", "GB", INC, ("content", "GB", INC), ("storage", "agreement", [])),
    (
        "COPO: prohibition beats agreement",
        "2023-06-01",
        "GB-COPO",
        "GB",
        INC,
        ("content", "CN", CN),
        ("control", "mlat", ["CN-DSL-ART36", "CN-ICJA-ART4", "CN-PIPL-ART41"]),
    ),
    (
        "EPO: stored in the issuing state",
        "2026-09-01",
        "EU-EPO",
        "DE",
        IRL,
        ("content", "DE", DEU),
        ("storage", "direct", []),
    ),
    (
        "BR: stored in BR",
        "2023-01-01",
        "BR-MCI-ORDER",
        "BR",
        INC,
        ("content", "BR", INC),
        ("storage", "mlat", ["US-SCA-2702"]),
    ),
]


@pytest.mark.parametrize(
    ("as_of", "instrument", "issuer", "served", "holding", "expected"),
    [pytest.param(*row[1:], id=row[0]) for row in ROUTES],
)
def test_reach_and_route(as_of, instrument, issuer, served, holding, expected):
    out = run(scenario(as_of, instrument, issuer, served, holdings=[holding]))
    assert item(out)[:3] == expected


def test_holdings_keep_input_order_across_accounts():
    accounts = [
        {
            "identifier": "a",
            "holdings": [
                {"category": "content", "storage": "US", "controlled_by": INC},
                {"category": "traffic", "storage": None, "controlled_by": CN},
            ],
        },
        {
            "identifier": "b",
            "us_person": True,
            "residence": "US",
            "holdings": [{"category": "subscriber", "storage": "CH", "controlled_by": CHE}],
        },
    ]
    out = run(scenario("2023-01-01", "US-SCA-WARRANT", "US", accounts=accounts))
    assert [(i["account"], i["category"], i["storage"], i["controlled_by"]) for i in out["items"]] == [
        ("a", "content", "US", INC),
        ("a", "traffic", None, CN),
        ("b", "subscriber", "CH", CHE),
    ]


# ------------------------------------------------------------ step 4.6: conflicts

CONFLICTS = [
    # label, as_of, instrument, issuer, served, holding, conflicts
    ("GDPR: day before", "2018-05-24", "US-SCA-WARRANT", "US", INC, ("content", "IE", INC), []),
    ("GDPR: first day", "2018-05-25", "US-SCA-WARRANT", "US", INC, ("content", "IE", INC), ["EU-GDPR-ART48"]),
    ("GDPR: any category", "2018-05-25", "US-SCA-WARRANT", "US", INC, ("subscriber", "FR", INC), ["EU-GDPR-ART48"]),
    ("GDPR: HR", "2018-06-01", "US-SCA-WARRANT", "US", INC, ("content", "HR", INC), ["EU-GDPR-ART48"]),
    (
        "GDPR: DK is in the GDPR area",
        "2018-06-01",
        "US-SCA-WARRANT",
        "US",
        INC,
        ("content", "DK", INC),
        ["EU-GDPR-ART48"],
    ),
    ("GDPR: not GB while in the area", "2019-06-01", "US-SCA-WARRANT", "US", INC, ("content", "GB", INC), []),
    ("GDPR: not GB after", "2023-06-01", "US-SCA-WARRANT", "US", INC, ("content", "GB", INC), []),
    ("GDPR: NO day before EEA", "2018-07-19", "US-SCA-WARRANT", "US", INC, ("content", "NO", INC), []),
    (
        "GDPR: NO from EEA incorporation",
        "2018-07-20",
        "US-SCA-WARRANT",
        "US",
        INC,
        ("content", "NO", INC),
        ["EU-GDPR-ART48"],
    ),
    ("GDPR: IS day before", "2018-07-19", "US-SCA-WARRANT", "US", INC, ("content", "IS", INC), []),
    ("GDPR: IS", "2018-07-20", "US-SCA-WARRANT", "US", INC, ("content", "IS", INC), ["EU-GDPR-ART48"]),
    ("GDPR: LI day before", "2018-07-19", "US-SCA-WARRANT", "US", INC, ("content", "LI", INC), []),
    ("GDPR: LI", "2018-07-20", "US-SCA-WARRANT", "US", INC, ("content", "LI", INC), ["EU-GDPR-ART48"]),
    ("GDPR: CH is outside", "2018-07-20", "US-SCA-WARRANT", "US", INC, ("subscriber", "CH", INC), ["CH-SCC-ART271"]),
    ("GDPR: unknown storage", "2023-01-01", "US-SCA-WARRANT", "US", INC, ("content", None, INC), []),
    (
        "GDPR: GB issuer after the transition",
        "2023-06-01",
        "GB-COPO",
        "GB",
        INC,
        ("content", "IE", INC),
        ["EU-GDPR-ART48"],
    ),
    ("GDPR: EU issuer", "2026-09-01", "EU-EPO", "DE", IRL, ("traffic", "FR", IRL), []),
    ("GDPR: BR issuer", "2023-01-01", "BR-MCI-ORDER", "BR", INC, ("traffic", "IE", IRL), ["EU-GDPR-ART48"]),
    ("GDPR: BE issuer", "2023-01-01", "BE-CCP-46BIS", "BE", INC, ("subscriber", "IE", IRL), []),
    (
        "GDPR: storage-based reach none has no conflicts",
        "2017-01-01",
        "US-SCA-WARRANT",
        "US",
        INC,
        ("content", "IE", INC),
        [],
    ),
    # 18 U.S.C. §2702
    (
        "2702: EPO content held by the US company",
        "2026-09-01",
        "EU-EPO",
        "DE",
        IRL,
        ("content", "US", INC),
        ["US-SCA-2702"],
    ),
    (
        "2702: content held by a US company wherever stored",
        "2026-09-01",
        "EU-EPO",
        "DE",
        IRL,
        ("content", "IE", INC),
        ["US-SCA-2702"],
    ),
    ("2702: subscriber data is not covered", "2026-09-01", "EU-EPO", "DE", IRL, ("subscriber", "US", INC), []),
    ("2702: traffic data is not covered", "2026-09-01", "EU-EPO", "DE", IRL, ("traffic", "US", INC), []),
    ("2702: controller not incorporated in the US", "2026-09-01", "EU-EPO", "DE", IRL, ("content", "US", IRL), []),
    ("2702: US process", "2023-01-01", "US-SCA-WARRANT", "US", INC, ("content", "US", INC), []),
    ("2702: lifted by the US-UK agreement", "2023-06-01", "GB-COPO", "GB", INC, ("content", "US", INC), []),
    ("2702: lifted by the US-AU agreement", "2024-06-01", "AU-IPO", "AU", INC, ("content", "US", INC), []),
    ("2702: BR order", "2023-01-01", "BR-MCI-ORDER", "BR", INC, ("content", "US", INC), ["US-SCA-2702"]),
    # China
    ("ICJA: day before", "2018-10-25", "US-SCA-WARRANT", "US", INC, ("content", "CN", CN), []),
    ("ICJA: first day", "2018-10-26", "US-SCA-WARRANT", "US", INC, ("content", "CN", CN), ["CN-ICJA-ART4"]),
    ("DSL: day before", "2021-08-31", "US-SCA-WARRANT", "US", INC, ("content", "CN", CN), ["CN-ICJA-ART4"]),
    (
        "DSL: first day",
        "2021-09-01",
        "US-SCA-WARRANT",
        "US",
        INC,
        ("content", "CN", CN),
        ["CN-DSL-ART36", "CN-ICJA-ART4"],
    ),
    (
        "PIPL: day before",
        "2021-10-31",
        "US-SCA-WARRANT",
        "US",
        INC,
        ("content", "CN", CN),
        ["CN-DSL-ART36", "CN-ICJA-ART4"],
    ),
    (
        "PIPL: first day",
        "2021-11-01",
        "US-SCA-WARRANT",
        "US",
        INC,
        ("subscriber", "CN", CN),
        ["CN-DSL-ART36", "CN-ICJA-ART4", "CN-PIPL-ART41"],
    ),
    (
        "CN: held by the US company but stored in CN",
        "2022-01-01",
        "US-SCA-WARRANT",
        "US",
        INC,
        ("traffic", "CN", INC),
        ["CN-DSL-ART36", "CN-ICJA-ART4", "CN-PIPL-ART41"],
    ),
    (
        "CN: GB order too",
        "2023-06-01",
        "GB-COPO",
        "GB",
        INC,
        ("content", "CN", CN),
        ["CN-DSL-ART36", "CN-ICJA-ART4", "CN-PIPL-ART41"],
    ),
    # Switzerland
    ("CH: Art. 271", "1999-01-01", "BE-CCP-46BIS", "BE", INC, ("subscriber", "CH", CHE), ["CH-SCC-ART271"]),
    (
        "CH: with 2702 and sorted",
        "2023-01-01",
        "BR-MCI-ORDER",
        "BR",
        INC,
        ("content", "CH", INC),
        ["CH-SCC-ART271", "US-SCA-2702"],
    ),
]


@pytest.mark.parametrize(
    ("as_of", "instrument", "issuer", "served", "holding", "conflicts"),
    [pytest.param(*row[1:], id=row[0]) for row in CONFLICTS],
)
def test_conflicts(as_of, instrument, issuer, served, holding, conflicts):
    out = run(scenario(as_of, instrument, issuer, served, holdings=[holding]))
    got = out["items"][0]
    assert got["conflicts"] == conflicts
    prohibited = any(c != "EU-GDPR-ART48" for c in conflicts)
    if prohibited:
        assert got["route"] == "mlat"
    if conflicts:
        cited = {r["code"] for r in out["reasons"]}
        assert set(conflicts) <= cited


def test_conflicts_only_for_reachable_holdings():
    obj = scenario("2023-01-01", "US-SCA-SUBPOENA", "US", holdings=[("content", "CN", CN)])
    assert item(run(obj)) == ("none", "insufficient_instrument", [], False)


def test_prohibited_holding_names_the_mlat():
    out = run(scenario("2026-09-01", "EU-EPO", "DE", IRL, holdings=[("content", "US", INC)]))
    assert out["items"][0]["mlat"] == ["EU–US Mutual Legal Assistance Agreement"]


def test_a_new_blocking_statute_needs_no_code(tmp_path):
    for path in (Path(load_catalogue_files.__defaults__[0])).glob("*.toml"):
        (tmp_path / path.name).write_bytes(path.read_bytes())
    (tmp_path / "conflicts-extra.toml").write_text(
        """
[[jurisdiction]]
code = "RU"
name = "Russia"
time_zone = "Europe/Moscow"
holidays_country = "RU"

[[conflict]]
code = "RU-TEST-ART1"
jurisdiction = "RU"
law = "Test statute Art. 1"
citation = "Test statute (2015-09-01), Art. 1"
start = 2015-09-01
severity = "restriction"
trigger = "stored_in_country_not_issuer"
countries = ["RU"]
categories = ["content", "traffic"]
""",
        encoding="utf-8",
    )
    catalogue = load_catalogue_files(tmp_path)
    assert catalogue.version != CATALOGUE.version
    holdings = [("content", "RU", INC), ("subscriber", "RU", INC)]
    out = run(scenario("2023-01-01", "US-SCA-WARRANT", "US", holdings=holdings), catalogue)
    assert item(out, 0) == ("control", "direct", ["RU-TEST-ART1"], False)
    assert item(out, 1) == ("control", "direct", [], False)
    out = run(scenario("2015-08-31", "US-SCA-WARRANT", "US", holdings=holdings), catalogue)
    assert item(out, 0)[2] == []


# --------------------------------------------------------- step 4.7: comity motion

COMITY = [
    # label, as_of, instrument, holding, us_person, residence, comity
    ("GB qualifies", "2023-03-01", "US-SCA-WARRANT", ("content", "GB", INC), False, "GB", True),
    ("residence elsewhere", "2023-03-01", "US-SCA-WARRANT", ("content", "GB", INC), False, "FR", True),
    ("controlled through a subsidiary", "2023-03-01", "US-SCA-WARRANT", ("content", "GB", GBR), False, "GB", True),
    ("GB day before in force", "2022-10-02", "US-SCA-WARRANT", ("content", "GB", INC), False, "GB", False),
    ("GB in force", "2022-10-03", "US-SCA-WARRANT", ("content", "GB", INC), False, "GB", True),
    ("AU day before in force", "2024-01-30", "US-SCA-WARRANT", ("content", "AU", AUS), False, "AU", False),
    ("AU in force", "2024-01-31", "US-SCA-WARRANT", ("content", "AU", AUS), False, "AU", True),
    ("us_person unknown is not false", "2023-03-01", "US-SCA-WARRANT", ("content", "GB", INC), None, "GB", False),
    ("a US person", "2023-03-01", "US-SCA-WARRANT", ("content", "GB", INC), True, "GB", False),
    ("residence unknown", "2023-03-01", "US-SCA-WARRANT", ("content", "GB", INC), False, None, False),
    ("residence US", "2023-03-01", "US-SCA-WARRANT", ("content", "GB", INC), False, "US", False),
    ("traffic is not content", "2023-03-01", "US-SCA-WARRANT", ("traffic", "GB", INC), False, "GB", False),
    ("subscriber is not content", "2023-03-01", "US-SCA-WARRANT", ("subscriber", "GB", INC), False, "GB", False),
    ("IE has no executive agreement", "2023-03-01", "US-SCA-WARRANT", ("content", "IE", INC), False, "IE", False),
    ("unknown storage", "2023-03-01", "US-SCA-WARRANT", ("content", None, INC), False, "GB", False),
    ("stored in the US: reach storage", "2023-03-01", "US-SCA-WARRANT", ("content", "US", INC), False, "GB", False),
    ("not controlled", "2023-03-01", "US-SCA-WARRANT", ("content", "GB", "Other Ltd"), False, "GB", False),
    ("GB-COPO is not US process", "2023-03-01", "GB-COPO", ("content", "AU", AUS), False, "AU", False),
]


@pytest.mark.parametrize(
    ("as_of", "instrument", "holding", "us_person", "residence", "comity"),
    [pytest.param(*row[1:], id=row[0]) for row in COMITY],
)
def test_comity_motion(as_of, instrument, holding, us_person, residence, comity):
    issuer = instrument[:2]
    entities = [*GROUP, {"name": "Other Ltd", "country": "GB"}]
    obj = scenario(
        as_of,
        instrument,
        issuer,
        court="N.D. Cal.",
        holdings=[holding],
        us_person=us_person,
        residence=residence,
        entities=entities,
    )
    out = run(obj)
    assert out["items"][0]["comity_motion"] is comity
    assert (out["deadlines"]["comity_motion_due"] is not None) is comity


def _catalogue_with_early_agreement() -> Catalogue:
    """The shipped catalogue with the US–UK agreement in force since 2010, to isolate
    the comity motion's own start date (the CLOUD Act, 2018-03-23)."""
    agreements = tuple(replace(a, start=date(2010, 1, 1)) if a.code == "US-GB-DAA" else a for a in CATALOGUE.agreements)
    return replace(CATALOGUE, agreements=agreements)


@pytest.mark.parametrize(("as_of", "comity"), [("2018-03-22", False), ("2018-03-23", True)])
def test_comity_motion_starts_with_the_cloud_act(as_of, comity):
    obj = scenario(
        as_of,
        "US-SCA-WARRANT",
        "US",
        court="E.D. Pa.",
        holdings=[("content", "GB", INC)],
        us_person=False,
        residence="GB",
    )
    out = run(obj, _catalogue_with_early_agreement())
    assert out["items"][0]["comity_motion"] is comity


def test_comity_reasons_name_the_storage_country_proxy():
    obj = scenario(
        "2023-03-01",
        "US-SCA-WARRANT",
        "US",
        court="N.D. Cal.",
        holdings=[("content", "GB", INC)],
        us_person=False,
        residence="GB",
    )
    out = run(obj)
    proxy = next(r for r in out["reasons"] if r["code"] == "comity-proxy")
    assert "storage country" in proxy["text"] and "proxy" in proxy["text"]
    assert proxy["citation"] == "18 U.S.C. §2703(h)(2)"


# ----------------------------------------------------------- memberships

MEMBERSHIPS = [
    # bloc, jurisdiction, day, member
    ("EU", "BE", "1957-12-31", False),
    ("EU", "BE", "1958-01-01", True),
    ("EU", "DE", "1958-01-01", True),
    ("EU", "FR", "1958-01-01", True),
    ("EU", "IT", "1958-01-01", True),
    ("EU", "LU", "1958-01-01", True),
    ("EU", "NL", "1958-01-01", True),
    ("EU", "DK", "1972-12-31", False),
    ("EU", "DK", "1973-01-01", True),
    ("EU", "IE", "1972-12-31", False),
    ("EU", "IE", "1973-01-01", True),
    ("EU", "GB", "1972-12-31", False),
    ("EU", "GB", "1973-01-01", True),
    ("EU", "GB", "2020-01-31", True),
    ("EU", "GB", "2020-02-01", False),
    ("EU", "GR", "1980-12-31", False),
    ("EU", "GR", "1981-01-01", True),
    ("EU", "ES", "1985-12-31", False),
    ("EU", "ES", "1986-01-01", True),
    ("EU", "PT", "1986-01-01", True),
    ("EU", "AT", "1994-12-31", False),
    ("EU", "AT", "1995-01-01", True),
    ("EU", "FI", "1995-01-01", True),
    ("EU", "SE", "1995-01-01", True),
    *[("EU", c, "2004-04-30", False) for c in "CY CZ EE HU LT LV MT PL SI SK".split()],
    *[("EU", c, "2004-05-01", True) for c in "CY CZ EE HU LT LV MT PL SI SK".split()],
    ("EU", "BG", "2006-12-31", False),
    ("EU", "BG", "2007-01-01", True),
    ("EU", "RO", "2006-12-31", False),
    ("EU", "RO", "2007-01-01", True),
    ("EU", "HR", "2013-06-30", False),
    ("EU", "HR", "2013-07-01", True),
    ("EU", "NO", "2026-01-01", False),
    ("EU", "CH", "2026-01-01", False),
    ("GDPR", "IE", "2018-05-24", False),
    ("GDPR", "IE", "2018-05-25", True),
    ("GDPR", "HR", "2018-05-25", True),
    ("GDPR", "DK", "2018-05-25", True),
    ("GDPR", "GB", "2018-05-25", True),
    ("GDPR", "GB", "2020-12-31", True),
    ("GDPR", "GB", "2021-01-01", False),
    *[("GDPR", c, "2018-07-19", False) for c in ("IS", "LI", "NO")],
    *[("GDPR", c, "2018-07-20", True) for c in ("IS", "LI", "NO")],
    ("GDPR", "CH", "2026-01-01", False),
    ("GDPR", "US", "2026-01-01", False),
    ("E-EVIDENCE", "DK", "2026-09-01", False),
    ("E-EVIDENCE", "IE", "2026-09-01", True),
    ("E-EVIDENCE", "GB", "2026-09-01", False),
]


@pytest.mark.parametrize(("bloc", "code", "day", "member"), MEMBERSHIPS)
def test_memberships(bloc, code, day, member):
    assert CATALOGUE.is_member(bloc, code, date.fromisoformat(day)) is member


def test_every_current_eu_member_but_denmark_takes_part_in_e_evidence():
    day = date(2026, 9, 1)
    eu = {j.code for j in CATALOGUE.jurisdictions if CATALOGUE.is_member("EU", j.code, day)}
    assert len(eu) == 27
    for code in eu:
        assert CATALOGUE.is_member("E-EVIDENCE", code, day) is (code != "DK")


# ---------------------------------------------------------------- the engine


def test_evaluate_is_deterministic_and_its_result_frozen():
    obj = scenario(
        "2026-09-01", "EU-EPO", "DE", IRL, holdings=[("content", "US", INC)], served_at="2026-09-01T08:00:00Z"
    )
    facts = facts_from_scenario(obj, CATALOGUE)
    first, second = evaluate(CATALOGUE, facts), evaluate(CATALOGUE, facts)
    assert first == second
    assert hash(first) == hash(second)
    with pytest.raises(FrozenInstanceError):
        first.doctrine = "storage-based"  # type: ignore[misc]


def test_every_reason_has_a_code_text_and_citation():
    obj = scenario("2026-09-01", "EU-EPO", "DE", IRL, holdings=[("content", "US", INC), ("subscriber", "CN", CN)])
    out = run(obj)
    for reason in out["reasons"] + [r for it in out["items"] for r in it["reasons"]]:
        assert reason["code"] and reason["text"] and reason["citation"]
    assert out["catalogue_version"] == CATALOGUE.version


def test_an_overseas_order_on_a_provider_at_home_says_so():
    out = run(scenario("2023-06-01", "GB-COPO", "GB", GBR, holdings=(("content", "GB", GBR),)))
    text = reason_text(out) + " ".join(r["text"] for it in out["items"] for r in it.get("reasons", []))
    assert "is in the issuing state itself" in text
    assert "between GB and GB" not in text
