"""The scenario contract's input side (shared/RULES.md §9.1, §9.4) and the `reach`
command's line handling and output shape (§9, §9.2).

The input checks and the line handling do not depend on the engine: the command tests
replace `reach.evaluate` with a stub. Only the tests at the end (marked "engine") run
the real engine.
"""

import copy
import io
import json
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from jurisdictions import reach
from jurisdictions.management.commands import reach as reach_command
from jurisdictions.reach import (
    Deadline,
    Item,
    Result,
    ScenarioError,
    evaluate,
    facts_from_scenario,
    load_catalogue_files,
    result_to_contract,
)
from jurisdictions.reach.types import DEADLINE_KEYS

CATALOGUE = load_catalogue_files()
SHARED = Path(__file__).resolve().parents[3] / "shared"

A, B, C = "Nimbus Mail Inc.", "Nimbus Mail Ireland Ltd", "Nimbus Deutschland GmbH"

# Every optional key given, validly: each row below breaks one (or two) things.
VALID = {
    "id": "input-check",
    "as_of": "2024-03-04",
    "demand": {
        "instrument": "US-SCA-PRESERVATION",
        "kind": "preservation",
        "issuing_jurisdiction": "US",
        "issuing_court": "S.D.N.Y.",
        "served_entity": A,
        "served_at": "2024-03-04T15:00:00Z",
        "due_at": None,
        "emergency": False,
        "extended": True,
        "pending_since": "2024-01-02",
    },
    "entities": [
        {"name": A, "country": "US", "establishments": ["US"], "offers_services_in": ["*"]},
        {"name": B, "country": "IE", "parent": A, "designated_for": [A]},
        {"name": C, "country": "DE", "parent": B, "establishments": [], "designated_for": None},
    ],
    "accounts": [
        {
            "identifier": "target@example.com",
            "us_person": False,
            "residence": "GB",
            "holdings": [
                {"category": "content", "storage": "IE", "controlled_by": A},
                {"category": "traffic", "storage": None, "controlled_by": B},
            ],
        },
        {"identifier": "other@example.com", "holdings": [{"category": "subscriber", "controlled_by": C}]},
    ],
}

DELETE = object()


def changed(*changes) -> dict:
    """VALID with each (path, value) applied; path "entities.1.parent"; DELETE removes."""
    obj = copy.deepcopy(VALID)
    for path, value in changes:
        *parents, last = path.split(".")
        target = obj
        for key in parents:
            target = target[int(key)] if key.isdigit() else target[key]
        if isinstance(target, list):
            target[int(last)] = value
        elif value is DELETE:
            del target[last]
        else:
            target[last] = value
    return obj


def error_of(obj) -> ScenarioError:
    with pytest.raises(ScenarioError) as caught:
        facts_from_scenario(obj, CATALOGUE)
    return caught.value


def test_the_valid_scenario_is_valid():
    facts = facts_from_scenario(VALID, CATALOGUE)
    assert [e.name for e in facts.entities] == [A, B, C]
    assert [len(a.holdings) for a in facts.accounts] == [2, 1]


# ---------------------------------------------------------- §9.4, check by check

BAD = [
    # 2. id
    ("id missing", [("id", DELETE)], "id"),
    ("id null", [("id", None)], "id"),
    ("id empty", [("id", "")], "id"),
    ("id a number", [("id", 12)], "id"),
    ("id a boolean", [("id", True)], "id"),
    ("id a list", [("id", ["x"])], "id"),
    # 3. as_of
    ("as_of missing", [("as_of", DELETE)], "as_of"),
    ("as_of null", [("as_of", None)], "as_of"),
    ("as_of empty", [("as_of", "")], "as_of"),
    ("as_of a number", [("as_of", 20240304)], "as_of"),
    ("as_of with a time", [("as_of", "2024-03-04T00:00:00Z")], "as_of"),
    ("as_of unpadded", [("as_of", "2024-3-4")], "as_of"),
    ("as_of with slashes", [("as_of", "2024/03/04")], "as_of"),
    ("as_of compact", [("as_of", "20240304")], "as_of"),
    ("as_of with a space", [("as_of", " 2024-03-04")], "as_of"),
    ("as_of with a newline", [("as_of", "2024-03-04\n")], "as_of"),
    ("as_of no such day", [("as_of", "2023-02-29")], "as_of"),
    ("as_of month 13", [("as_of", "2024-13-01")], "as_of"),
    ("as_of year 0000", [("as_of", "0000-01-01")], "as_of"),
    ("as_of five-digit year", [("as_of", "10000-01-01")], "as_of"),
    ("as_of non-ASCII digits", [("as_of", "２０２４-03-04")], "as_of"),
    # 4. demand
    ("demand missing", [("demand", DELETE)], "demand"),
    ("demand null", [("demand", None)], "demand"),
    ("demand a list", [("demand", ["US-SCA-WARRANT"])], "demand"),
    ("demand a string", [("demand", "US-SCA-WARRANT")], "demand"),
    # 5. demand.instrument
    ("instrument missing", [("demand.instrument", DELETE)], "demand.instrument"),
    ("instrument null", [("demand.instrument", None)], "demand.instrument"),
    ("instrument empty", [("demand.instrument", "")], "demand.instrument"),
    ("instrument a number", [("demand.instrument", 7)], "demand.instrument"),
    ("instrument unknown", [("demand.instrument", "XX-WRIT")], "demand.instrument"),
    ("instrument in lower case", [("demand.instrument", "us-sca-preservation")], "demand.instrument"),
    # 6. issuing_jurisdiction, served_entity, issuing_court
    ("issuer missing", [("demand.issuing_jurisdiction", DELETE)], "demand.issuing_jurisdiction"),
    ("issuer null", [("demand.issuing_jurisdiction", None)], "demand.issuing_jurisdiction"),
    ("issuer empty", [("demand.issuing_jurisdiction", "")], "demand.issuing_jurisdiction"),
    ("issuer a list", [("demand.issuing_jurisdiction", ["US"])], "demand.issuing_jurisdiction"),
    ("served entity missing", [("demand.served_entity", DELETE)], "demand.served_entity"),
    ("served entity empty", [("demand.served_entity", "")], "demand.served_entity"),
    ("served entity a number", [("demand.served_entity", 1)], "demand.served_entity"),
    ("issuing court a number", [("demand.issuing_court", 2)], "demand.issuing_court"),
    ("issuing court a list", [("demand.issuing_court", ["S.D.N.Y."])], "demand.issuing_court"),
    ("issuing court a boolean", [("demand.issuing_court", False)], "demand.issuing_court"),
    # 7. demand.kind
    ("kind of another instrument", [("demand.kind", "production")], "demand.kind"),
    ("kind in upper case", [("demand.kind", "PRESERVATION")], "demand.kind"),
    ("kind empty", [("demand.kind", "")], "demand.kind"),
    ("kind a number", [("demand.kind", 1)], "demand.kind"),
    ("kind a list", [("demand.kind", ["preservation"])], "demand.kind"),
    ("kind given to a production instrument", [("demand.instrument", "US-SCA-WARRANT")], "demand.kind"),
    # 8. served_at, due_at (the grammar has its own table below), pending_since
    ("served_at a bare date", [("demand.served_at", "2024-03-04")], "demand.served_at"),
    ("served_at a number", [("demand.served_at", 1709564400)], "demand.served_at"),
    ("served_at empty", [("demand.served_at", "")], "demand.served_at"),
    ("due_at a bare date", [("demand.due_at", "2024-03-04")], "demand.due_at"),
    ("due_at a boolean", [("demand.due_at", True)], "demand.due_at"),
    ("pending_since a date-time", [("demand.pending_since", "2024-01-02T00:00:00Z")], "demand.pending_since"),
    ("pending_since empty", [("demand.pending_since", "")], "demand.pending_since"),
    ("pending_since a number", [("demand.pending_since", 20240102)], "demand.pending_since"),
    ("pending_since a list", [("demand.pending_since", ["2024-01-02"])], "demand.pending_since"),
    ("pending_since no such day", [("demand.pending_since", "2024-02-30")], "demand.pending_since"),
    ("pending_since year 0000", [("demand.pending_since", "0000-12-31")], "demand.pending_since"),
    ("pending_since unpadded", [("demand.pending_since", "2024-1-2")], "demand.pending_since"),
    # 9. emergency, extended
    ("emergency a string", [("demand.emergency", "yes")], "demand.emergency"),
    ("emergency zero", [("demand.emergency", 0)], "demand.emergency"),
    ("emergency one", [("demand.emergency", 1)], "demand.emergency"),
    ("extended a string", [("demand.extended", "true")], "demand.extended"),
    ("extended a number", [("demand.extended", 1)], "demand.extended"),
    ("extended a list", [("demand.extended", [])], "demand.extended"),
    # 10. entities
    ("entities missing", [("entities", DELETE)], "entities"),
    ("entities null", [("entities", None)], "entities"),
    ("entities an object", [("entities", {"name": A, "country": "US"})], "entities"),
    ("entities a string", [("entities", A)], "entities"),
    ("entity a string", [("entities.1", B)], "entities[1]"),
    ("entity null", [("entities.2", None)], "entities[2]"),
    ("entity a list", [("entities.0", [A, "US"])], "entities[0]"),
    ("entity name missing", [("entities.1.name", DELETE)], "entities[1].name"),
    ("entity name null", [("entities.1.name", None)], "entities[1].name"),
    ("entity name empty", [("entities.1.name", "")], "entities[1].name"),
    ("entity name a number", [("entities.1.name", 5)], "entities[1].name"),
    ("entity country missing", [("entities.0.country", DELETE)], "entities[0].country"),
    ("entity country empty", [("entities.0.country", "")], "entities[0].country"),
    ("entity country a list", [("entities.0.country", ["US"])], "entities[0].country"),
    ("entity parent a number", [("entities.1.parent", 0)], "entities[1].parent"),
    ("entity parent a list", [("entities.1.parent", [A])], "entities[1].parent"),
    ("entity parent an object", [("entities.1.parent", {"name": A})], "entities[1].parent"),
    ("establishments a bare string", [("entities.0.establishments", "US")], "entities[0].establishments"),
    ("establishments an object", [("entities.0.establishments", {"US": True})], "entities[0].establishments"),
    ("establishments entry a number", [("entities.0.establishments", ["US", 1])], "entities[0].establishments[1]"),
    ("establishments entry null", [("entities.0.establishments", [None])], "entities[0].establishments[0]"),
    ("offers everywhere as a bare string", [("entities.0.offers_services_in", "*")], "entities[0].offers_services_in"),
    ("offers a bare code", [("entities.0.offers_services_in", "US")], "entities[0].offers_services_in"),
    ("offers a number", [("entities.0.offers_services_in", 5)], "entities[0].offers_services_in"),
    ("offers entry a list", [("entities.0.offers_services_in", [["*"]])], "entities[0].offers_services_in[0]"),
    ("designated_for a bare string", [("entities.1.designated_for", A)], "entities[1].designated_for"),
    ("designated_for a number", [("entities.1.designated_for", 3)], "entities[1].designated_for"),
    ("designated_for entry a number", [("entities.1.designated_for", [A, 3])], "entities[1].designated_for[1]"),
    ("designated_for entry an object", [("entities.1.designated_for", [{"name": A}])], "entities[1].designated_for[0]"),
    ("name repeats an earlier one", [("entities.2.name", A)], "entities[2].name"),
    ("name repeats the previous one", [("entities.2.name", B)], "entities[2].name"),
    # 11. the served entity names an entity
    ("served entity unknown", [("demand.served_entity", "Nobody GmbH")], "demand.served_entity"),
    ("served entity differs in case", [("demand.served_entity", A.upper())], "demand.served_entity"),
    ("served entity with a space", [("demand.served_entity", A + " ")], "demand.served_entity"),
    ("no entities at all", [("entities", [])], "demand.served_entity"),
    # 12. parents and designations name entities
    ("parent unknown", [("entities.1.parent", "Ghost Inc.")], "entities[1].parent"),
    ("parent empty", [("entities.2.parent", "")], "entities[2].parent"),
    ("designated_for unknown", [("entities.1.designated_for", ["Ghost Inc."])], "entities[1].designated_for[0]"),
    ("designated_for second unknown", [("entities.1.designated_for", [A, "Ghost"])], "entities[1].designated_for[1]"),
    ("designated_for empty name", [("entities.0.designated_for", [""])], "entities[0].designated_for[0]"),
    # 13. parent chains do not loop
    ("self-parent", [("entities.0.parent", A)], "entities[0].parent"),
    ("self-parent of a child", [("entities.2.parent", C)], "entities[2].parent"),
    ("two-entity loop", [("entities.0.parent", B)], "entities[0].parent"),
    ("three-entity loop", [("entities.0.parent", C)], "entities[0].parent"),
    # A (no loop of its own) runs into the loop B -> C -> B: A is the first in list order.
    ("chain runs into a loop", [("entities.0.parent", B), ("entities.1.parent", C)], "entities[0].parent"),
    # The loop B -> C -> B with A outside it: B is the first whose chain loops.
    ("loop of later entities", [("entities.1.parent", C)], "entities[1].parent"),
    # 14. accounts
    ("accounts missing", [("accounts", DELETE)], "accounts"),
    ("accounts null", [("accounts", None)], "accounts"),
    ("accounts an object", [("accounts", {"identifier": "x"})], "accounts"),
    ("accounts a string", [("accounts", "all")], "accounts"),
    ("account a string", [("accounts.1", "other@example.com")], "accounts[1]"),
    ("account null", [("accounts.0", None)], "accounts[0]"),
    ("identifier missing", [("accounts.0.identifier", DELETE)], "accounts[0].identifier"),
    ("identifier empty", [("accounts.0.identifier", "")], "accounts[0].identifier"),
    ("identifier a number", [("accounts.1.identifier", 42)], "accounts[1].identifier"),
    ("us_person a string", [("accounts.0.us_person", "no")], "accounts[0].us_person"),
    ("us_person zero", [("accounts.0.us_person", 0)], "accounts[0].us_person"),
    ("residence a number", [("accounts.0.residence", 826)], "accounts[0].residence"),
    ("residence a list", [("accounts.0.residence", ["GB"])], "accounts[0].residence"),
    ("holdings missing", [("accounts.1.holdings", DELETE)], "accounts[1].holdings"),
    ("holdings null", [("accounts.1.holdings", None)], "accounts[1].holdings"),
    ("holdings an object", [("accounts.1.holdings", {"category": "content"})], "accounts[1].holdings"),
    ("holding a string", [("accounts.0.holdings.1", "content")], "accounts[0].holdings[1]"),
    ("holding null", [("accounts.0.holdings.0", None)], "accounts[0].holdings[0]"),
    ("category missing", [("accounts.0.holdings.1.category", DELETE)], "accounts[0].holdings[1].category"),
    ("category null", [("accounts.0.holdings.1.category", None)], "accounts[0].holdings[1].category"),
    ("category unknown", [("accounts.0.holdings.0.category", "metadata")], "accounts[0].holdings[0].category"),
    ("category capitalised", [("accounts.0.holdings.0.category", "Content")], "accounts[0].holdings[0].category"),
    ("category a list", [("accounts.0.holdings.0.category", ["content"])], "accounts[0].holdings[0].category"),
    ("storage a number", [("accounts.0.holdings.0.storage", 372)], "accounts[0].holdings[0].storage"),
    ("storage a list", [("accounts.0.holdings.0.storage", ["IE"])], "accounts[0].holdings[0].storage"),
    (
        "controlled_by missing",
        [("accounts.1.holdings.0.controlled_by", DELETE)],
        "accounts[1].holdings[0].controlled_by",
    ),
    ("controlled_by null", [("accounts.1.holdings.0.controlled_by", None)], "accounts[1].holdings[0].controlled_by"),
    ("controlled_by empty", [("accounts.1.holdings.0.controlled_by", "")], "accounts[1].holdings[0].controlled_by"),
    ("controlled_by a list", [("accounts.0.holdings.1.controlled_by", [B])], "accounts[0].holdings[1].controlled_by"),
    (
        "controlled_by unknown",
        [("accounts.0.holdings.1.controlled_by", "Ghost")],
        "accounts[0].holdings[1].controlled_by",
    ),
]


@pytest.mark.parametrize(("changes", "field"), [pytest.param(*row[1:], id=row[0]) for row in BAD])
def test_each_input_error_names_its_field(changes, field):
    obj = changed(*changes)
    error = error_of(obj)
    assert error.field == field
    assert error.message
    expected_id = obj.get("id") if isinstance(obj.get("id"), str) and obj.get("id") else None
    assert error.scenario_id == expected_id
    assert field in str(error)


@pytest.mark.parametrize("value", [["a", "list"], "a string", 5, 1.5, None, True])
def test_a_scenario_that_is_not_an_object_fails_at_the_empty_field(value):
    error = error_of(value)
    assert (error.field, error.scenario_id) == ("", None)


# The first failure counts: each row breaks two things; the earlier check in §9.4 wins.
ORDER = [
    ("id before as_of", [("id", 5), ("as_of", "x")], "id"),
    ("as_of before demand", [("as_of", "x"), ("demand", None)], "as_of"),
    ("demand before entities", [("demand", []), ("entities", None)], "demand"),
    (
        "instrument before issuer",
        [("demand.instrument", "XX"), ("demand.issuing_jurisdiction", "")],
        "demand.instrument",
    ),
    (
        "issuer before served entity",
        [("demand.issuing_jurisdiction", ""), ("demand.served_entity", "")],
        "demand.issuing_jurisdiction",
    ),
    (
        "served entity before issuing court",
        [("demand.served_entity", 5), ("demand.issuing_court", 5)],
        "demand.served_entity",
    ),
    ("issuing court before kind", [("demand.issuing_court", 5), ("demand.kind", "production")], "demand.issuing_court"),
    ("kind before served_at", [("demand.kind", "production"), ("demand.served_at", "x")], "demand.kind"),
    ("served_at before due_at", [("demand.served_at", "x"), ("demand.due_at", "y")], "demand.served_at"),
    ("due_at before pending_since", [("demand.due_at", "x"), ("demand.pending_since", "y")], "demand.due_at"),
    (
        "pending_since before emergency",
        [("demand.pending_since", "x"), ("demand.emergency", "y")],
        "demand.pending_since",
    ),
    (
        "served_at before emergency",
        [("demand.served_at", "2024-03-04"), ("demand.emergency", "yes")],
        "demand.served_at",
    ),
    ("emergency before extended", [("demand.emergency", 1), ("demand.extended", 1)], "demand.emergency"),
    ("extended before entities", [("demand.extended", 1), ("entities", "x")], "demand.extended"),
    ("entity before served entity", [("entities.1", "x"), ("demand.served_entity", "Nobody")], "entities[1]"),
    ("entity name before country", [("entities.0.name", ""), ("entities.0.country", "")], "entities[0].name"),
    ("entity country before parent", [("entities.1.country", 5), ("entities.1.parent", 5)], "entities[1].country"),
    (
        "entity parent type before establishments",
        [("entities.1.parent", 5), ("entities.1.establishments", "IE")],
        "entities[1].parent",
    ),
    (
        "establishments before offers_services_in",
        [("entities.0.establishments", "US"), ("entities.0.offers_services_in", "*")],
        "entities[0].establishments",
    ),
    (
        "offers_services_in before designated_for",
        [("entities.1.offers_services_in", "*"), ("entities.1.designated_for", A)],
        "entities[1].offers_services_in",
    ),
    (
        "list entries in order",
        [("entities.0.establishments", ["US", 1, None])],
        "entities[0].establishments[1]",
    ),
    (
        "entity's types before its duplicate name",
        [("entities.2.name", A), ("entities.2.designated_for", 1)],
        "entities[2].designated_for",
    ),
    # Step 10 runs entity by entity: a repeated name of entity 1 comes before entity 2.
    ("duplicate name before a later entity", [("entities.1.name", A), ("entities.2.country", "")], "entities[1].name"),
    (
        "a later entity before an unknown parent",
        [("entities.1.parent", "Ghost"), ("entities.2.country", 5)],
        "entities[2].country",
    ),
    ("a later entity before a loop", [("entities.0.parent", A), ("entities.2", None)], "entities[2]"),
    (
        "duplicate name before the served entity",
        [("entities.2.name", B), ("demand.served_entity", "Nobody")],
        "entities[2].name",
    ),
    (
        "served entity before an unknown parent",
        [("demand.served_entity", "Nobody"), ("entities.1.parent", "Ghost")],
        "demand.served_entity",
    ),
    (
        "entity by entity: designated_for of 1 before parent of 2",
        [("entities.1.designated_for", ["Ghost"]), ("entities.2.parent", "Ghost")],
        "entities[1].designated_for[0]",
    ),
    (
        "parent before designated_for of one entity",
        [("entities.1.parent", "Ghost"), ("entities.1.designated_for", ["Ghost"])],
        "entities[1].parent",
    ),
    ("unknown parent before a loop", [("entities.0.parent", A), ("entities.2.parent", "Ghost")], "entities[2].parent"),
    (
        "unknown designation before a loop",
        [("entities.0.parent", A), ("entities.2.designated_for", ["X"])],
        "entities[2].designated_for[0]",
    ),
    ("loop before accounts", [("entities.1.parent", C), ("accounts", None)], "entities[1].parent"),
    ("served entity before accounts", [("demand.served_entity", "Nobody"), ("accounts", 5)], "demand.served_entity"),
    (
        "identifier before us_person",
        [("accounts.0.identifier", ""), ("accounts.0.us_person", 1)],
        "accounts[0].identifier",
    ),
    ("us_person before residence", [("accounts.0.us_person", 1), ("accounts.0.residence", 1)], "accounts[0].us_person"),
    (
        "residence before holdings",
        [("accounts.0.residence", 1), ("accounts.0.holdings", None)],
        "accounts[0].residence",
    ),
    (
        "category before storage",
        [("accounts.0.holdings.0.category", "x"), ("accounts.0.holdings.0.storage", 1)],
        "accounts[0].holdings[0].category",
    ),
    (
        "storage before controlled_by",
        [("accounts.0.holdings.0.storage", 1), ("accounts.0.holdings.0.controlled_by", "Ghost")],
        "accounts[0].holdings[0].storage",
    ),
    (
        "holding before a later holding",
        [("accounts.0.holdings.0.controlled_by", "Ghost"), ("accounts.0.holdings.1", None)],
        "accounts[0].holdings[0].controlled_by",
    ),
    (
        "account's holdings before the next account",
        [("accounts.0.holdings.1.controlled_by", "Ghost"), ("accounts.1", None)],
        "accounts[0].holdings[1].controlled_by",
    ),
]


@pytest.mark.parametrize(("changes", "field"), [pytest.param(*row[1:], id=row[0]) for row in ORDER])
def test_checks_run_in_the_order_of_the_rules(changes, field):
    assert error_of(changed(*changes)).field == field


# ------------------------------------------------------------ what is accepted

GOOD = [
    ("id of one space", [("id", " ")]),
    ("country codes are not validated", [("demand.issuing_jurisdiction", "us"), ("entities.0.country", "usa")]),
    ("an odd issuer", [("demand.issuing_jurisdiction", "Germany")]),
    ("an issuer of spaces", [("demand.issuing_jurisdiction", "  ")]),
    ("odd establishments", [("entities.0.establishments", ["Ireland", "", "*", "ie"])]),
    ("odd offers", [("entities.0.offers_services_in", ["united states", ""])]),
    ("odd storage and residence", [("accounts.0.holdings.0.storage", "Dublin"), ("accounts.0.residence", "")]),
    ("unknown issuing court", [("demand.issuing_court", "Court of Nowhere")]),
    ("empty issuing court", [("demand.issuing_court", "")]),
    (
        "optional demand keys absent",
        [
            (f"demand.{k}", DELETE)
            for k in ("kind", "issuing_court", "served_at", "due_at", "emergency", "extended", "pending_since")
        ],
    ),
    (
        "optional demand keys null",
        [
            (f"demand.{k}", None)
            for k in ("kind", "issuing_court", "served_at", "due_at", "emergency", "extended", "pending_since")
        ],
    ),
    (
        "optional entity keys null",
        [(f"entities.1.{k}", None) for k in ("parent", "establishments", "offers_services_in", "designated_for")],
    ),
    ("optional account keys absent", [("accounts.0.us_person", DELETE), ("accounts.0.residence", DELETE)]),
    ("storage absent", [("accounts.0.holdings.0.storage", DELETE)]),
    ("empty lists", [("entities.0.establishments", []), ("entities.0.offers_services_in", []), ("accounts", [])]),
    ("an account without holdings", [("accounts.1.holdings", [])]),
    ("designated_for any entity, itself included", [("entities.0.designated_for", [A, C])]),
    ("kind absent on a production instrument", [("demand.instrument", "US-SCA-WARRANT"), ("demand.kind", DELETE)]),
    ("kind given on a production instrument", [("demand.instrument", "EU-EPO"), ("demand.kind", "production")]),
    ("emergency and extended true", [("demand.emergency", True), ("demand.extended", True)]),
    ("pending_since on any instrument", [("demand.pending_since", "0001-01-01")]),
    ("pending_since at the end of the range", [("demand.pending_since", "9999-12-31")]),
    ("as_of at the start of the range", [("as_of", "0001-01-01")]),
    ("as_of on a leap day", [("as_of", "2024-02-29")]),
    ("extra keys are ignored", [("demand.note", "x"), ("accounts.0.holdings.0.size", 5)]),
    ("a name with spaces only", [("entities.2.name", " "), ("accounts.1.holdings.0.controlled_by", " ")]),
]


@pytest.mark.parametrize("changes", [pytest.param(row[1], id=row[0]) for row in GOOD])
def test_good_input_is_accepted(changes):
    facts_from_scenario(changed(*changes), CATALOGUE)


def test_facts_carry_every_input_field():
    facts = facts_from_scenario(
        changed(
            ("demand.issuing_jurisdiction", "us"),
            ("demand.due_at", "2024-03-08T17:00:00.999999-05:00"),
            ("demand.emergency", True),
            ("entities.0.establishments", ["Ireland"]),
        ),
        CATALOGUE,
    )
    d = facts.demand
    assert (d.instrument, d.kind, d.issuing_jurisdiction, d.issuing_court, d.served_entity) == (
        "US-SCA-PRESERVATION",
        "preservation",
        "us",
        "S.D.N.Y.",
        A,
    )
    assert (d.emergency, d.extended, d.pending_since) == (True, True, date(2024, 1, 2))
    assert d.served_at == datetime(2024, 3, 4, 15, tzinfo=UTC)
    assert d.due_at == datetime(2024, 3, 8, 22, tzinfo=UTC)  # fractional seconds dropped
    assert facts.as_of == date(2024, 3, 4)
    a, b, c = facts.entities
    assert (a.establishments, a.offers_services_in, a.designated_for, a.parent) == (("Ireland",), ("*",), (), None)
    assert (b.parent, b.designated_for, c.parent, c.establishments) == (A, (A,), B, ())
    first, second = facts.accounts
    assert (first.identifier, first.us_person, first.residence) == ("target@example.com", False, "GB")
    assert [(h.category, h.storage, h.controlled_by) for h in first.holdings] == [
        ("content", "IE", A),
        ("traffic", None, B),
    ]
    assert (second.us_person, second.residence, second.holdings[0].storage) == (None, None, None)


def test_absent_optional_demand_keys_take_their_defaults():
    facts = facts_from_scenario(
        changed(*[(f"demand.{k}", DELETE) for k in ("kind", "emergency", "extended", "pending_since", "served_at")]),
        CATALOGUE,
    )
    d = facts.demand
    assert (d.kind, d.emergency, d.extended, d.pending_since, d.served_at, d.due_at) == (
        None,
        False,
        False,
        None,
        None,
        None,
    )


# ------------------------------------------------------ §9.1 date-time grammar

TZ = timezone
VALID_INSTANTS = [
    ("2024-03-04T15:00:00Z", datetime(2024, 3, 4, 15, tzinfo=UTC)),
    ("2024-03-04T15:00Z", datetime(2024, 3, 4, 15, tzinfo=UTC)),
    ("2024-03-04T15:00", datetime(2024, 3, 4, 15, tzinfo=UTC)),
    ("2024-03-04T15:00:30", datetime(2024, 3, 4, 15, 0, 30, tzinfo=UTC)),
    ("2024-03-04T15:00:30.5Z", datetime(2024, 3, 4, 15, 0, 30, tzinfo=UTC)),
    ("2024-03-04T15:00:30.123456Z", datetime(2024, 3, 4, 15, 0, 30, tzinfo=UTC)),
    ("2024-03-04T15:00:30.999999", datetime(2024, 3, 4, 15, 0, 30, tzinfo=UTC)),
    ("2024-03-04T17:00:00+02:00", datetime(2024, 3, 4, 15, tzinfo=UTC)),
    ("2024-03-04T10:30:00-04:30", datetime(2024, 3, 4, 15, tzinfo=UTC)),
    ("2024-03-04T15:00:00+00:00", datetime(2024, 3, 4, 15, tzinfo=UTC)),
    ("2024-03-04T15:00:00-00:00", datetime(2024, 3, 4, 15, tzinfo=UTC)),
    ("2024-03-05T14:59:00+23:59", datetime(2024, 3, 4, 15, tzinfo=UTC)),
    ("2024-03-04T00:00:00-23:59", datetime(2024, 3, 4, 23, 59, tzinfo=UTC)),
    ("2024-03-04T23:59:59Z", datetime(2024, 3, 4, 23, 59, 59, tzinfo=UTC)),
    ("2024-02-29T12:00:00Z", datetime(2024, 2, 29, 12, tzinfo=UTC)),
    ("2000-02-29T12:00:00Z", datetime(2000, 2, 29, 12, tzinfo=UTC)),
    ("0001-01-01T00:00:00Z", datetime(1, 1, 1, tzinfo=UTC)),
    ("0001-01-01T05:00:00+05:00", datetime(1, 1, 1, tzinfo=UTC)),
    ("9999-12-31T23:59:59Z", datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)),
    ("9999-12-31T20:00:00-03:59", datetime(9999, 12, 31, 23, 59, tzinfo=UTC)),
]


@pytest.mark.parametrize(("text", "instant"), VALID_INSTANTS)
@pytest.mark.parametrize("key", ["served_at", "due_at"])
def test_valid_date_times(key, text, instant):
    demand = facts_from_scenario(changed((f"demand.{key}", text)), CATALOGUE).demand
    value = getattr(demand, key)
    assert value.tzinfo is not None
    assert value == instant
    assert value.microsecond == 0


def test_an_offset_is_kept_and_no_offset_is_utc():
    demand = facts_from_scenario(
        changed(("demand.served_at", "2024-03-04T17:00:00+02:00"), ("demand.due_at", "2024-03-04T17:00:00")),
        CATALOGUE,
    ).demand
    assert demand.served_at.utcoffset() == timedelta(hours=2)
    assert demand.due_at.utcoffset() == timedelta(0)


INVALID_INSTANTS = [
    ("bare date", "2024-03-04"),
    ("lower-case t", "2024-03-04t15:00:00Z"),
    ("lower-case z", "2024-03-04T15:00:00z"),
    ("space separator", "2024-03-04 15:00:00Z"),
    ("offset without a colon", "2024-03-04T15:00:00+0200"),
    ("offset of hours only", "2024-03-04T15:00:00+02"),
    ("offset with seconds", "2024-03-04T15:00:00+02:00:00"),
    ("hour 24", "2024-03-04T24:00:00Z"),
    ("hour 24 without seconds", "2024-03-04T24:00Z"),
    ("minute 60", "2024-03-04T23:60:00Z"),
    ("second 60", "2024-03-04T23:59:60Z"),
    ("offset hour 24", "2024-03-04T15:00:00+24:00"),
    ("offset minute 60", "2024-03-04T15:00:00+05:60"),
    ("seven fractional digits", "2024-03-04T15:00:00.1234567Z"),
    ("an empty fraction", "2024-03-04T15:00:00.Z"),
    ("a comma fraction", "2024-03-04T15:00:00,5Z"),
    ("a fraction without seconds", "2024-03-04T15:00.5Z"),
    ("2023-02-29", "2023-02-29T00:00:00Z"),
    ("1900-02-29", "1900-02-29T00:00:00Z"),
    ("day 31 of April", "2024-04-31T00:00:00Z"),
    ("month 00", "2024-00-10T00:00:00Z"),
    ("year 0000", "0000-01-01T00:00:00Z"),
    ("year 0000 with an offset back into 0001", "0000-12-31T23:00:00-02:00"),
    ("offset pushes UTC before 0001", "0001-01-01T00:00:00+00:01"),
    ("offset pushes UTC after 9999", "9999-12-31T23:59:00-00:01"),
    ("five-digit year", "10000-01-01T00:00:00Z"),
    ("hours only", "2024-03-04T15Z"),
    ("one-digit second", "2024-03-04T15:00:0Z"),
    ("unpadded month", "2024-3-04T15:00:00Z"),
    ("a sign before the year", "+2024-03-04T15:00:00Z"),
    ("space before Z", "2024-03-04T15:00:00 Z"),
    ("trailing space", "2024-03-04T15:00:00Z "),
    ("leading space", " 2024-03-04T15:00:00Z"),
    ("trailing newline", "2024-03-04T15:00:00Z\n"),
    ("UTC spelled out", "2024-03-04T15:00:00UTC"),
    ("Z and an offset", "2024-03-04T15:00:00Z+00:00"),
    ("non-ASCII digits", "2024-03-04T１５:00:00Z"),
    ("a week date", "2024-W10-1T15:00:00Z"),
    ("compact form", "20240304T150000Z"),
    ("empty string", ""),
    ("a number", 1709564400),
    ("a boolean", False),
    ("a list", ["2024-03-04T15:00:00Z"]),
    ("an object", {"date": "2024-03-04"}),
]


@pytest.mark.parametrize("value", [pytest.param(row[1], id=row[0]) for row in INVALID_INSTANTS])
@pytest.mark.parametrize("key", ["served_at", "due_at"])
def test_invalid_date_times(key, value):
    error = error_of(changed((f"demand.{key}", value)))
    assert (error.field, error.scenario_id) == (f"demand.{key}", "input-check")


def test_a_bare_date_says_a_time_is_expected():
    assert "date and time" in error_of(changed(("demand.served_at", "2024-03-04"))).message


# ------------------------------------------------------------ §9.2 output shape


def _deadline(kind: str, due: datetime) -> Deadline:
    return Deadline(kind=kind, due=due, basis="due_at", citation="x")


def _result(**changes) -> Result:
    values = {
        "doctrine": "control-based",
        "items": (
            Item(
                account="target@example.com",
                category="content",
                storage="IE",
                controlled_by=A,
                reach="control",
                route="mlat",
                conflicts=("US-SCA-2702", "EU-GDPR-ART48"),
                comity_motion=False,
                voluntary=True,
            ),
        ),
        "response_due": None,
        "comity_motion_due": None,
        "reasons": (),
        "catalogue_version": "sha256:test",
        "kind": "preservation",
        "doctrine_authorities": ("US-CLOUD-ACT-2018-03-23", "US-SCOTUS-2018-04-17"),
    }
    values.update(changes)
    return Result(**values)


def test_output_has_every_contract_field_in_order():
    out = result_to_contract("x", _result())
    assert list(out)[:6] == ["id", "kind", "doctrine", "doctrine_authorities", "items", "deadlines"]
    assert out["id"] == "x" and out["kind"] == "preservation"
    assert out["doctrine_authorities"] == ["US-CLOUD-ACT-2018-03-23", "US-SCOTUS-2018-04-17"]
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
    item = out["items"][0]
    assert list(item)[: len(required)] == required
    assert item["conflicts"] == ["EU-GDPR-ART48", "US-SCA-2702"]  # sorted
    assert item["voluntary"] is True
    assert (
        list(out["deadlines"])
        == list(DEADLINE_KEYS)
        == [
            "response_due",
            "comity_motion_due",
            "preservation_expires",
            "conflict_objection_due",
        ]
    )
    assert all(value is None for value in out["deadlines"].values())
    assert list(out["deadline_working"]) == list(DEADLINE_KEYS)
    assert out["catalogue_version"] == "sha256:test"
    json.dumps(out)


def test_every_deadline_is_written_in_utc_without_fractions():
    plus_two = TZ(timedelta(hours=2))
    out = result_to_contract(
        "x",
        _result(
            response_due=_deadline("response", datetime(2024, 3, 8, 17, 0, 0, 999999, tzinfo=TZ(-timedelta(hours=5)))),
            comity_motion_due=_deadline("comity_motion", datetime(2024, 3, 19, 4, tzinfo=UTC)),
            preservation_expires=_deadline("preservation", datetime(2024, 6, 3, 6, tzinfo=plus_two)),
            conflict_objection_due=_deadline("conflict_objection", datetime(999, 1, 2, 3, 4, 5, tzinfo=UTC)),
        ),
    )
    assert out["deadlines"] == {
        "response_due": "2024-03-08T22:00:00Z",
        "comity_motion_due": "2024-03-19T04:00:00Z",
        "preservation_expires": "2024-06-03T04:00:00Z",
        "conflict_objection_due": "0999-01-02T03:04:05Z",
    }
    for key in DEADLINE_KEYS:
        assert out["deadline_working"][key]["due"] == out["deadlines"][key]


def test_kind_is_written_also_when_the_instrument_is_unavailable():
    out = result_to_contract("x", _result(doctrine=None, doctrine_authorities=(), items=(), available=False))
    assert (out["kind"], out["doctrine"], out["doctrine_authorities"]) == ("preservation", None, [])
    assert set(out["deadlines"]) == set(DEADLINE_KEYS)


# ---------------------------------------------------------- the reach command


def _stub_evaluate(catalogue, facts) -> Result:
    """Stands in for the engine: the line handling does not depend on its answers."""
    return _result(kind=catalogue.instrument_by_code[facts.demand.instrument].kind, items=())


@pytest.fixture
def command(monkeypatch):
    """The command on the shipped catalogue files (no database) and the stub engine."""
    monkeypatch.setattr(reach_command, "current_catalogue", lambda: (None, CATALOGUE))
    monkeypatch.setattr(reach, "evaluate", _stub_evaluate)
    return run_command


def run_command(data: bytes, tmp_path: Path) -> tuple[list[str], str, bool]:
    """Runs `reach` on a file holding `data`: (stdout lines, stderr, failed)."""
    path = tmp_path / "scenarios.jsonl"
    path.write_bytes(data)
    out, err = io.StringIO(), io.StringIO()
    failed = False
    try:
        call_command("reach", str(path), stdout=out, stderr=err)
    except CommandError as exc:
        assert exc.returncode == 1
        failed = True
    return _lines(out.getvalue()), err.getvalue(), failed


def _lines(text: str) -> list[str]:
    """Output lines, split on LF only (str.splitlines would also split on U+2028)."""
    return text.split("\n")[:-1] if text else []


def line(**changes) -> bytes:
    """VALID (with top-level changes) as one line of UTF-8 JSON, non-ASCII unescaped."""
    return json.dumps({**copy.deepcopy(VALID), **changes}, ensure_ascii=False).encode()


def parsed(lines: list[str]) -> list[dict]:
    return [json.loads(text) for text in lines]


def assert_error_line(record: dict, scenario_id: str | None, field: str) -> None:
    assert set(record) == {"id", "error"}
    assert set(record["error"]) == {"field", "message"}
    assert (record["id"], record["error"]["field"]) == (scenario_id, field)
    assert isinstance(record["error"]["message"], str) and record["error"]["message"]


def test_one_output_line_per_scenario_in_order(command, tmp_path):
    data = line(id="a") + b"\n" + line(id="b", as_of="x") + b"\n" + line(id="c") + b"\n"
    out, err, failed = command(data, tmp_path)
    records = parsed(out)
    assert [r["id"] for r in records] == ["a", "b", "c"]
    assert records[0]["kind"] == "preservation" and set(records[0]["deadlines"]) == set(DEADLINE_KEYS)
    assert_error_line(records[1], "b", "as_of")
    assert failed
    assert "line 2: scenario b: as_of:" in err


def test_no_error_exits_zero(command, tmp_path):
    out, err, failed = command(line(id="a") + b"\n" + line(id="b"), tmp_path)
    assert [r["id"] for r in parsed(out)] == ["a", "b"]
    assert not failed and err == ""


@pytest.mark.parametrize(
    "blank",
    [b"", b" ", b"\t", b"\r", b"  \t \r\t ", b"\r\r"],
    ids=["empty", "space", "tab", "CR", "mixed", "two CRs"],
)
def test_blank_lines_give_no_output_line(command, tmp_path, blank):
    data = blank + b"\n" + line(id="a") + b"\n" + blank + b"\n" + blank + b"\n" + line(id="b") + b"\n" + blank
    out, err, failed = command(data, tmp_path)
    assert [r["id"] for r in parsed(out)] == ["a", "b"]
    assert not failed and err == ""


def test_a_file_of_blank_lines_gives_nothing(command, tmp_path):
    assert command(b"\n \n\t\r\n\r\n", tmp_path) == ([], "", False)
    assert command(b"", tmp_path) == ([], "", False)


@pytest.mark.parametrize(
    "text",
    [b"\x0c", b"\x0b", "\u00a0".encode(), "\u3000".encode(), b"\x00"],
    ids=["form feed", "vertical tab", "no-break space", "ideographic space", "NUL"],
)
def test_other_whitespace_is_not_blank(command, tmp_path, text):
    out, _, failed = command(line(id="a") + b"\n" + text + b"\n", tmp_path)
    records = parsed(out)
    assert records[0]["id"] == "a"
    assert_error_line(records[1], None, "")
    assert failed


def test_crlf_line_ends(command, tmp_path):
    data = line(id="a") + b"\r\n" + b"\r\n" + line(id="b") + b"\r\n" + line(id="c")
    out, _, failed = command(data, tmp_path)
    assert [r["id"] for r in parsed(out)] == ["a", "b", "c"]
    assert not failed


def test_a_last_line_without_lf_counts(command, tmp_path):
    out, _, _ = command(line(id="a") + b"\n" + line(id="b", as_of="x"), tmp_path)
    records = parsed(out)
    assert records[0]["id"] == "a"
    assert_error_line(records[1], "b", "as_of")


def test_a_cr_inside_a_line_is_json_whitespace(command, tmp_path):
    # Only the CR just before the LF is dropped; JSON allows CR between tokens.
    data = b'{"id": "a",\r' + line()[1:].replace(b'"id": "input-check", ', b"") + b"\r\r\n"
    out, _, failed = command(data, tmp_path)
    assert [r["id"] for r in parsed(out)] == ["a"]
    assert not failed


def test_lf_only_splits_lines(command, tmp_path):
    # A lone CR, U+2028 and U+0085 do not end a line.
    data = line(id="a\u2028b\u0085c") + b"\n"
    out, _, failed = command(data, tmp_path)
    assert [r["id"] for r in parsed(out)] == ["a\u2028b\u0085c"]
    assert not failed


NOT_JSON = [
    ("byte-order mark", b"\xef\xbb\xbf" + line(id="a")),
    ("byte-order mark alone", b"\xef\xbb\xbf"),
    ("invalid UTF-8", line(id="a").replace(b'"a"', b'"\xff"')),
    ("truncated UTF-8", line(id="a").replace(b'"a"', b'"\xc3"')),
    ("overlong UTF-8", line(id="a").replace(b'"a"', b'"\xc0\xaf"')),
    ("UTF-8 surrogate", line(id="a").replace(b'"a"', b'"\xed\xa0\x80"')),
    ("Latin-1", line(id="a").replace(b'"a"', '"caf\u00e9"'.encode("latin-1"))),
    ("NaN", line(id="a")[:-1] + b', "n": NaN}'),
    ("Infinity", line(id="a")[:-1] + b', "n": Infinity}'),
    ("-Infinity", line(id="a")[:-1] + b', "n": [-Infinity]}'),
    ("truncated", line(id="a")[:-1]),
    ("two values", line(id="a") + b" " + line(id="b")),
    ("single quotes", b"{'id': 'a'}"),
    ("trailing comma", b'{"id": "a",}'),
    ("a comment", line(id="a") + b" // comment"),
    ("unquoted key", b'{id: "a"}'),
    ("raw tab in a string", b'{"id": "a\tb"}'),
    ("text", b"hello"),
]


@pytest.mark.parametrize("data", [pytest.param(row[1], id=row[0]) for row in NOT_JSON])
def test_a_line_that_is_not_json(command, tmp_path, data):
    out, err, failed = command(line(id="before") + b"\n" + data + b"\n" + line(id="after") + b"\n", tmp_path)
    records = parsed(out)
    assert [r["id"] for r in records] == ["before", None, "after"]
    assert_error_line(records[1], None, "")
    assert "not valid JSON" in records[1]["error"]["message"]
    assert failed and "line 2:" in err


@pytest.mark.parametrize(
    "data",
    [b"[]", b'["a"]', b'"a scenario"', b"5", b"-1.5e3", b"null", b"true", b"false"],
)
def test_json_that_is_not_an_object(command, tmp_path, data):
    out, _, failed = command(data + b"\n", tmp_path)
    (record,) = parsed(out)
    assert_error_line(record, None, "")
    assert failed


def test_a_bom_inside_a_string_is_just_a_character(command, tmp_path):
    out, _, failed = command(line(id="\ufeffa") + b"\n", tmp_path)
    assert [r["id"] for r in parsed(out)] == ["\ufeffa"] and not failed


def test_a_repeated_key_keeps_its_last_value(command, tmp_path):
    data = b'{"id": "first", "as_of": "nonsense", ' + line()[1:].replace(b'"input-check"', b'"last"')
    out, _, failed = command(data + b"\n", tmp_path)
    assert [r["id"] for r in parsed(out)] == ["last"]
    assert not failed
    out, _, failed = command(line(id="a")[:-1] + b', "as_of": "later"}\n', tmp_path)
    assert_error_line(parsed(out)[0], "a", "as_of")


@pytest.mark.parametrize(
    ("changes", "scenario_id", "field"),
    [
        ({"id": ""}, None, "id"),
        ({"id": 7}, None, "id"),
        ({"id": None}, None, "id"),
        ({"id": ["a"]}, None, "id"),
        ({"id": "a", "demand": None}, "a", "demand"),
        ({"id": " ", "as_of": "2024-03-04T00:00:00Z"}, " ", "as_of"),
    ],
)
def test_error_line_id_is_the_id_when_it_is_a_non_empty_string(command, tmp_path, changes, scenario_id, field):
    out, _, failed = command(line(**changes) + b"\n", tmp_path)
    assert_error_line(parsed(out)[0], scenario_id, field)
    assert failed


def test_the_public_error_lines(command, tmp_path):
    data = (SHARED / "scenarios" / "public.v3.jsonl").read_bytes() if SHARED.is_dir() else b""
    errors = [raw for raw in data.splitlines() if b'"v3-error-' in raw]
    if not errors:
        pytest.skip("shared/scenarios/public.v3.jsonl not found")
    out, _, failed = command(b"\n".join(errors), tmp_path)
    records = parsed(out)
    assert_error_line(records[0], "v3-error-bare-date", "demand.served_at")
    assert_error_line(records[1], "v3-error-kind-mismatch", "demand.kind")
    assert "date and time" in records[0]["error"]["message"]
    assert failed


def test_odd_but_valid_json_does_not_crash(command, tmp_path):
    huge = b"9" * 5000
    deep = b"[" * 100_000 + b"]" * 100_000
    data = line(id="a")[:-1] + b', "as_of": ' + huge + b"}\n" + deep + b"\n" + line(id="b") + b"\n"
    out, _, failed = command(data, tmp_path)
    records = parsed(out)
    assert_error_line(records[0], "a", "as_of")
    assert_error_line(records[1], None, "")
    assert records[2]["id"] == "b"
    assert failed


def test_a_lone_surrogate_escape_is_written_as_valid_json(command, tmp_path):
    raw = json.dumps({**VALID, "id": "a\ud800"}).encode()  # ASCII, with the escape \ud800
    out, _, failed = command(raw + b"\n", tmp_path)
    (text,) = out
    text.encode("utf-8")  # no lone surrogate in what is printed
    assert json.loads(text)["id"] == "a\ud800" and not failed


def test_non_ascii_is_written_as_is(command, tmp_path):
    out, _, _ = command(line(id="Zürich-案件") + b"\n", tmp_path)
    assert out == [out[0]] and "Zürich-案件" in out[0]


def test_an_engine_failure_is_an_error_line_and_the_file_goes_on(command, tmp_path, monkeypatch):
    def explode(catalogue, facts):
        if facts.demand.served_entity == B:
            raise RuntimeError("boom")
        return _stub_evaluate(catalogue, facts)

    monkeypatch.setattr(reach, "evaluate", explode)
    data = line(id="a") + b"\n" + line(id="b", demand={**VALID["demand"], "served_entity": B}) + b"\n" + line(id="c")
    out, err, failed = command(data, tmp_path)
    records = parsed(out)
    assert [r["id"] for r in records] == ["a", "b", "c"]
    assert "error" in records[1] and "boom" in records[1]["error"]["message"]
    assert failed and "RuntimeError" in err


def _stdin_run(stdin) -> tuple[list[str], bool]:
    out, err = io.StringIO(), io.StringIO()
    old = sys.stdin
    sys.stdin = stdin
    try:
        call_command("reach", "-", stdout=out, stderr=err)
        failed = False
    except CommandError:
        failed = True
    finally:
        sys.stdin = old
    return _lines(out.getvalue()), failed


class _BinaryStdin:
    def __init__(self, data: bytes) -> None:
        self.buffer = io.BytesIO(data)


def test_standard_input_as_bytes(command):
    data = b"\xef\xbb\xbf{}\n" + line(id="a") + b"\r\n\n" + line(id="b")
    out, failed = _stdin_run(_BinaryStdin(data))
    records = parsed(out)
    assert [r["id"] for r in records] == [None, "a", "b"]
    assert_error_line(records[0], None, "")
    assert failed


def test_standard_input_as_text(command):
    out, failed = _stdin_run(io.StringIO(line(id="a").decode() + "\n   \n" + line(id="b").decode() + "\n"))
    assert [r["id"] for r in parsed(out)] == ["a", "b"] and not failed


def test_a_missing_file_is_a_command_error(command, tmp_path):
    with pytest.raises(CommandError, match="cannot read"):
        call_command("reach", str(tmp_path / "nope.jsonl"), stdout=io.StringIO(), stderr=io.StringIO())


# ----------------------------------------------- with the engine (RULES.md v3)


def test_kind_is_the_instruments_also_when_unavailable():
    obj = changed(("as_of", "1996-04-23"), ("demand.kind", DELETE))
    out = result_to_contract(obj["id"], evaluate(CATALOGUE, facts_from_scenario(obj, CATALOGUE)))
    assert (out["kind"], out["doctrine"], out["doctrine_authorities"]) == ("preservation", None, [])
    assert list(out["deadlines"]) == list(DEADLINE_KEYS)


@pytest.mark.parametrize("version", ["", ".v3"])
def test_the_command_matches_the_public_scenarios(monkeypatch, tmp_path, version):
    scenarios = SHARED / "scenarios" / f"public{version}.jsonl"
    expected = SHARED / "scenarios" / f"public{version}.expected.jsonl"
    compare = SHARED / "tools" / "compare.py"
    if not (scenarios.is_file() and expected.is_file() and compare.is_file()):
        pytest.skip("shared/scenarios or shared/tools not found")
    monkeypatch.setattr(reach_command, "current_catalogue", lambda: (None, CATALOGUE))
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) if b"v3-error-" in scenarios.read_bytes() else _no_error():
        call_command("reach", str(scenarios), stdout=out, stderr=err)
    actual = tmp_path / "actual.jsonl"
    actual.write_text(out.getvalue(), encoding="utf-8")
    report = subprocess.run(  # noqa: S603 - our own tool on our own files
        [sys.executable, str(compare), str(expected), str(actual)],
        capture_output=True,
        text=True,
        check=False,
    )
    last = report.stdout.strip().splitlines()[-1]
    matched, total = last.split()[0].split("/")
    assert matched == total, report.stdout


class _no_error:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False
