"""The engine's whole output, pinned: a faster engine must answer byte for byte the same.

Two fixtures, captured from the engine before its speed work (issue 18):

- `golden/scenarios.jsonl`: every line of the shared scenario files (v2 and v3), each
  with the exact line the `reach` command prints for it (reasons, citations, deadline
  working and error lines included).
- `golden/synthetic.json`: a sha256 per demand over a large varied workload (every
  catalogue instrument at several dates, served on the parent and on a subsidiary,
  with courts, emergencies, extensions, pending proceedings, given due dates; a provider
  group of 44 entities and accounts of every holding shape), hashing both the contract
  line and the `repr` of the whole Result (the fields the contract leaves out too).

The catalogue version is blanked, so an edit of the catalogue that changes no answer
leaves the fixtures valid. When an answer changes on purpose (a rule or catalogue
change), check the difference, then regenerate:

    DEBUG=1 .venv/bin/python -m jurisdictions.tests.test_engine_golden --write
"""

import hashlib
import json
import random
import sys
from dataclasses import FrozenInstanceError, fields, replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from jurisdictions.reach import (
    Account,
    Demand,
    Entity,
    Facts,
    Holding,
    Item,
    evaluate,
    load_catalogue_files,
    result_to_contract,
)

GOLDEN = Path(__file__).resolve().parent / "golden"
SCENARIOS_FIXTURE = GOLDEN / "scenarios.jsonl"
SYNTHETIC_FIXTURE = GOLDEN / "synthetic.json"
SHARED_SCENARIOS = Path(__file__).resolve().parents[3] / "shared" / "scenarios"
VERSION = "<catalogue version>"

ROOT = "Golden Holdings Inc."
REGIONS = ["IE", "DE", "FR", "GB", "AU", "BR", "CN", "CH", "IN", "CA", "BE", "JP"]
STORAGE = [*REGIONS, "US", "US", "IE", "LU", "SE", "NL", None]
CATEGORIES = ["subscriber", "traffic", "content"]
DATES = [
    date(2012, 1, 10),
    date(2016, 7, 15),
    date(2017, 3, 1),
    date(2019, 11, 1),
    date(2022, 1, 10),
    date(2024, 3, 4),
    date(2024, 8, 1),
    date(2026, 9, 1),
]
US_COURTS = ["S.D.N.Y.", "N.D. Cal.", "E.D. Pa.", None, "Court of Nowhere", "D. Mass."]


def _catalogue():
    return load_catalogue_files()


def _contract_line(scenario_id, result) -> str:
    from jurisdictions.management.commands.reach import to_json

    output = result_to_contract(scenario_id, result)
    output["catalogue_version"] = VERSION
    return to_json(output)


# ------------------------------------------------------------------ the scenarios


def _scenario_line(catalogue, line: bytes) -> str:
    """The line the `reach` command prints for `line`, catalogue version blanked."""
    from jurisdictions.management.commands.reach import Command, to_json

    output = Command().one(catalogue, line)
    if "catalogue_version" in output:
        output["catalogue_version"] = VERSION
    return to_json(output)


def _scenario_inputs() -> list[bytes]:
    lines = []
    for name in ("public.jsonl", "public.v3.jsonl"):
        for raw in (SHARED_SCENARIOS / name).read_bytes().splitlines():
            if raw.strip():
                lines.append(raw)
    return lines


def _read_scenarios_fixture() -> list[tuple[bytes, str]]:
    pairs = []
    for raw in SCENARIOS_FIXTURE.read_text(encoding="utf-8").splitlines():
        row = json.loads(raw)
        pairs.append((row["input"].encode("utf-8"), row["output"]))
    return pairs


def test_scenarios_byte_for_byte():
    catalogue = _catalogue()
    pairs = _read_scenarios_fixture()
    assert len(pairs) >= 32
    for line, expected in pairs:
        assert _scenario_line(catalogue, line) == expected, line[:80]


# ------------------------------------------------------------------ the synthetic set


def _entities() -> tuple[Entity, ...]:
    entities = [
        Entity(ROOT, "US", offers_services_in=("*",)),
        Entity("Golden Services LLC", "US", parent=ROOT, offers_services_in=("*",)),
    ]
    for region in REGIONS:
        regional = f"Golden {region} Ltd"
        entities.append(
            Entity(
                regional,
                region,
                parent=ROOT,
                establishments=("LU", "DE") if region == "IE" else ("FR",) if region == "CH" else (),
                offers_services_in=(region,) if region not in ("CN", "JP") else (),
                designated_for=(ROOT,) if region == "IE" else ("Golden DE Operations",) if region == "FR" else (),
            )
        )
        entities.append(Entity(f"Golden {region} Operations", region, parent=regional))
    entities.append(Entity("Golden Deep Sub", "DE", parent="Golden DE Operations"))
    entities.append(Entity("Unrelated Hosting BV", "NL", establishments=("BE",)))
    entities.append(Entity("Unrelated Cloud Pty", "AU", offers_services_in=("GB", "IN")))
    return tuple(entities)


def _accounts(entities: tuple[Entity, ...]) -> tuple[Account, ...]:
    rng = random.Random(1806)
    names = [e.name for e in entities]
    accounts = []
    for i in range(60):
        holdings = tuple(
            Holding(rng.choice(CATEGORIES), rng.choice(STORAGE), rng.choice(names)) for _ in range(rng.randint(1, 6))
        )
        accounts.append(
            Account(
                f"user{i}@example.com",
                holdings,
                us_person=rng.choice([True, False, None]),
                residence=rng.choice([*REGIONS, "US", None]),
            )
        )
    # The comity path: content abroad held by the parent, non-US persons living abroad.
    for i, (storage, residence) in enumerate([("IE", "GB"), ("GB", "FR"), ("AU", "US"), ("GB", None)]):
        accounts.append(
            Account(
                f"foreign{i}@example.com",
                (
                    Holding("content", storage, ROOT),
                    Holding("content", storage, ROOT),
                    Holding("traffic", storage, ROOT),
                ),
                us_person=False,
                residence=residence,
            )
        )
    return tuple(accounts)


def _served(instrument) -> list[str]:
    regional = {"EU": "Golden IE Ltd", "US": "Golden Services LLC"}.get(
        instrument.jurisdiction, f"Golden {instrument.jurisdiction} Ltd"
    )
    return [ROOT, regional, "Golden CH Operations"]


def _demands(catalogue) -> list[tuple[str, date, Demand]]:
    rng = random.Random(18)
    entities = {e.name for e in _entities()}
    demands = []
    for instrument in sorted(catalogue.instruments, key=lambda i: i.code):
        issuers = ["DE", "FR", "IE"] if instrument.jurisdiction == "EU" else [instrument.jurisdiction]
        for as_of in DATES:
            for served in _served(instrument):
                if served not in entities:
                    served = ROOT
                issuer = rng.choice(issuers)
                court = rng.choice(US_COURTS) if instrument.jurisdiction == "US" else None
                served_at = (
                    None
                    if rng.random() < 0.3
                    else datetime(as_of.year, as_of.month, as_of.day, rng.randint(0, 23), tzinfo=UTC)
                )
                due_at = datetime(as_of.year, 12, 31, 17, tzinfo=UTC) if rng.random() < 0.1 else None
                pending = rng.choice([None, date(2024, 6, 30), date(2024, 7, 2), date(2020, 1, 1)])
                demand = Demand(
                    instrument.code,
                    issuer,
                    served,
                    issuing_court=court,
                    served_at=served_at,
                    emergency=rng.random() < 0.4,
                    due_at=due_at,
                    extended=rng.random() < 0.5,
                    pending_since=pending,
                )
                demands.append((f"{instrument.code}/{as_of.isoformat()}/{served}/{issuer}", as_of, demand))
    return demands


def _synthetic_digests() -> dict[str, str]:
    catalogue = _catalogue()
    entities = _entities()
    accounts = _accounts(entities)
    digests = {}
    for key, as_of, demand in _demands(catalogue):
        result = evaluate(catalogue, Facts(as_of, demand, entities, accounts))
        digest = hashlib.sha256()
        digest.update(_contract_line(key, result).encode("utf-8"))
        digest.update(b"\n")
        digest.update(repr(replace(result, catalogue_version=VERSION)).encode("utf-8"))
        digests[key] = digest.hexdigest()
    return digests


def test_synthetic_workload_byte_for_byte():
    expected = json.loads(SYNTHETIC_FIXTURE.read_text(encoding="utf-8"))
    actual = _synthetic_digests()
    assert len(expected) > 400
    assert actual.keys() == expected.keys()
    changed = sorted(key for key in expected if actual[key] != expected[key])
    assert not changed, f"{len(changed)} demand(s) answer differently, e.g. {changed[:5]}"


def test_items_are_true_items_frozen_and_equal_to_built_ones():
    """run() builds its Items through a draft (engine._ItemDraft): they must be Items
    in every respect."""
    catalogue = _catalogue()
    entities = _entities()
    accounts = _accounts(entities)
    _, as_of, demand = next(d for d in _demands(catalogue) if d[0].startswith("US-SCA-WARRANT/2024-03-04"))
    result = evaluate(catalogue, Facts(as_of, demand, entities, accounts))
    assert result.available and result.items
    for item in result.items[:50]:
        assert type(item) is Item
        rebuilt = Item(*(getattr(item, f.name) for f in fields(Item)))
        assert item == rebuilt and hash(item) == hash(rebuilt) and repr(item) == repr(rebuilt)
        with pytest.raises(FrozenInstanceError):
            item.reach = "storage"  # type: ignore[misc]
    assert hash(result) == hash(evaluate(catalogue, Facts(as_of, demand, entities, accounts)))


# ------------------------------------------------------------------ regeneration


def write_fixtures() -> None:
    catalogue = _catalogue()
    GOLDEN.mkdir(exist_ok=True)
    with SCENARIOS_FIXTURE.open("w", encoding="utf-8") as out:
        for line in _scenario_inputs():
            row = {"input": line.decode("utf-8"), "output": _scenario_line(catalogue, line)}
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    SYNTHETIC_FIXTURE.write_text(json.dumps(_synthetic_digests(), indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    if sys.argv[1:] != ["--write"]:
        sys.exit("usage: python -m jurisdictions.tests.test_engine_golden --write")
    import os

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    write_fixtures()
    print(f"wrote {SCENARIOS_FIXTURE} and {SYNTHETIC_FIXTURE}")
