"""The scenario contract (shared/RULES.md §8): JSON-like dicts in, dicts out.

`facts_from_scenario` turns one scenario object into `Facts`, rejecting bad input
with a `ScenarioError` that names the scenario and the field; `result_to_contract`
writes a `Result` in the contract's output shape, with extra fields (reasons with
citations, the MLAT's name, the catalogue version, each deadline's working).
"""

import re
from datetime import UTC, date, datetime

from .periods import describe, utc_text
from .types import (
    CATEGORIES,
    Account,
    Catalogue,
    Deadline,
    Demand,
    Entity,
    Facts,
    Holding,
    Result,
)

_COUNTRY = re.compile(r"[A-Z]{2}")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})?")


class ScenarioError(ValueError):
    """Bad scenario input: which scenario, which field, what is wrong."""

    def __init__(self, scenario_id: str | None, field: str, message: str) -> None:
        self.scenario_id = scenario_id
        self.field = field
        self.message = message
        super().__init__(f"scenario {scenario_id or '?'}: {field}: {message}")


class _Reader:
    def __init__(self, scenario_id: str | None) -> None:
        self.scenario_id = scenario_id

    def fail(self, field: str, message: str) -> ScenarioError:
        return ScenarioError(self.scenario_id, field, message)

    def obj(self, value, field: str) -> dict:
        if not isinstance(value, dict):
            raise self.fail(field, f"must be an object, not {_kind(value)}")
        return value

    def required(self, obj: dict, key: str, field: str):
        if key not in obj or obj[key] is None:
            raise self.fail(field, "missing required field")
        return obj[key]

    def text(self, value, field: str) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.fail(field, f"must be a non-empty string, not {_kind(value)}")
        return value

    def optional_text(self, value, field: str) -> str | None:
        return None if value is None else self.text(value, field)

    def country(self, value, field: str) -> str:
        if not isinstance(value, str) or not _COUNTRY.fullmatch(value):
            raise self.fail(field, f"must be an ISO 3166-1 alpha-2 code such as 'IE', not {value!r}")
        return value

    def optional_country(self, value, field: str) -> str | None:
        return None if value is None else self.country(value, field)

    def optional_bool(self, value, field: str) -> bool | None:
        if value is None or isinstance(value, bool):
            return value
        raise self.fail(field, f"must be true, false or null, not {_kind(value)}")

    def items(self, value, field: str, *, allow_none: bool = True) -> list:
        if value is None and allow_none:
            return []
        if not isinstance(value, list):
            raise self.fail(field, f"must be a list, not {_kind(value)}")
        return value

    def day(self, value, field: str) -> date:
        if not isinstance(value, str) or not _DATE.fullmatch(value):
            raise self.fail(field, f"must be a date YYYY-MM-DD, not {value!r}")
        try:
            return date.fromisoformat(value)
        except ValueError as exc:
            raise self.fail(field, f"is not a valid date ({exc})") from None

    def instant(self, value, field: str) -> datetime | None:
        """A date and time; without an offset it is UTC (RULES.md §5)."""
        if value is None:
            return None
        if not isinstance(value, str) or not _DATETIME.fullmatch(value):
            raise self.fail(
                field,
                f"must be a date and time such as 2026-09-01T08:00:00Z, not {value!r}",
            )
        try:
            instant = datetime.fromisoformat(value)
        except ValueError as exc:
            raise self.fail(field, f"is not a valid date and time ({exc})") from None
        if instant.tzinfo is None:
            instant = instant.replace(tzinfo=UTC)
        return instant


def _kind(value) -> str:
    return "null" if value is None else type(value).__name__


def facts_from_scenario(obj: dict, catalogue: Catalogue) -> Facts:
    """One scenario object as `Facts`; raises ScenarioError naming the field."""
    raw_id = obj.get("id") if isinstance(obj, dict) else None
    scenario_id = raw_id if isinstance(raw_id, str) else None
    r = _Reader(scenario_id)
    obj = r.obj(obj, "scenario")
    scenario_id = r.text(r.required(obj, "id", "id"), "id")
    as_of = r.day(r.required(obj, "as_of", "as_of"), "as_of")

    d = r.obj(r.required(obj, "demand", "demand"), "demand")
    instrument = r.text(r.required(d, "instrument", "demand.instrument"), "demand.instrument")
    if instrument not in catalogue.instrument_by_code:
        raise r.fail("demand.instrument", f"unknown instrument {instrument!r}")
    emergency = r.optional_bool(d.get("emergency"), "demand.emergency")
    demand = Demand(
        instrument=instrument,
        issuing_jurisdiction=r.country(
            r.required(d, "issuing_jurisdiction", "demand.issuing_jurisdiction"),
            "demand.issuing_jurisdiction",
        ),
        served_entity=r.text(r.required(d, "served_entity", "demand.served_entity"), "demand.served_entity"),
        issuing_court=r.optional_text(d.get("issuing_court"), "demand.issuing_court"),
        served_at=r.instant(d.get("served_at"), "demand.served_at"),
        emergency=bool(emergency),
        due_at=r.instant(d.get("due_at"), "demand.due_at"),
    )

    entities: list[Entity] = []
    for i, raw in enumerate(r.items(r.required(obj, "entities", "entities"), "entities")):
        f = f"entities[{i}]"
        e = r.obj(raw, f)
        offers = e.get("offers_services_in")
        if offers == "*":
            offers = ["*"]
        entities.append(
            Entity(
                name=r.text(r.required(e, "name", f"{f}.name"), f"{f}.name"),
                country=r.country(r.required(e, "country", f"{f}.country"), f"{f}.country"),
                parent=r.optional_text(e.get("parent"), f"{f}.parent"),
                establishments=tuple(
                    r.country(c, f"{f}.establishments[{j}]")
                    for j, c in enumerate(r.items(e.get("establishments"), f"{f}.establishments"))
                ),
                offers_services_in=tuple(
                    c if c == "*" else r.country(c, f"{f}.offers_services_in[{j}]")
                    for j, c in enumerate(r.items(offers, f"{f}.offers_services_in"))
                ),
                designated_for=tuple(
                    r.text(n, f"{f}.designated_for[{j}]")
                    for j, n in enumerate(r.items(e.get("designated_for"), f"{f}.designated_for"))
                ),
            )
        )
    names: dict[str, int] = {}
    for i, entity in enumerate(entities):
        if entity.name in names:
            raise r.fail(f"entities[{i}].name", f"entity {entity.name!r} appears twice")
        names[entity.name] = i
    for i, entity in enumerate(entities):
        if entity.parent is not None and entity.parent not in names:
            raise r.fail(f"entities[{i}].parent", f"unknown entity {entity.parent!r}")
        for j, name in enumerate(entity.designated_for):
            if name not in names:
                raise r.fail(f"entities[{i}].designated_for[{j}]", f"unknown entity {name!r}")
    by_name = {e.name: e for e in entities}
    for i, entity in enumerate(entities):
        seen = {entity.name}
        parent = entity.parent
        while parent is not None:
            if parent in seen:
                raise r.fail(f"entities[{i}].parent", "the chain of parents is a cycle")
            seen.add(parent)
            parent = by_name[parent].parent
    if demand.served_entity not in names:
        raise r.fail("demand.served_entity", f"unknown entity {demand.served_entity!r}")

    accounts: list[Account] = []
    for i, raw in enumerate(r.items(r.required(obj, "accounts", "accounts"), "accounts")):
        f = f"accounts[{i}]"
        a = r.obj(raw, f)
        holdings: list[Holding] = []
        for j, raw_h in enumerate(r.items(r.required(a, "holdings", f"{f}.holdings"), f"{f}.holdings")):
            g = f"{f}.holdings[{j}]"
            h = r.obj(raw_h, g)
            category = r.text(r.required(h, "category", f"{g}.category"), f"{g}.category")
            if category not in CATEGORIES:
                raise r.fail(
                    f"{g}.category",
                    f"unknown category {category!r} (one of {', '.join(CATEGORIES)})",
                )
            controlled_by = r.text(r.required(h, "controlled_by", f"{g}.controlled_by"), f"{g}.controlled_by")
            if controlled_by not in names:
                raise r.fail(f"{g}.controlled_by", f"unknown entity {controlled_by!r}")
            holdings.append(
                Holding(
                    category=category,
                    # Absent, like null, means unknown or sharded (RULES.md §1).
                    storage=r.optional_country(h.get("storage"), f"{g}.storage"),
                    controlled_by=controlled_by,
                )
            )
        accounts.append(
            Account(
                identifier=r.text(r.required(a, "identifier", f"{f}.identifier"), f"{f}.identifier"),
                holdings=tuple(holdings),
                us_person=r.optional_bool(a.get("us_person"), f"{f}.us_person"),
                residence=r.optional_country(a.get("residence"), f"{f}.residence"),
            )
        )
    return Facts(as_of=as_of, demand=demand, entities=tuple(entities), accounts=tuple(accounts))


def _deadline(deadline: Deadline | None) -> str | None:
    return None if deadline is None else utc_text(deadline.due)


def _working(deadline: Deadline | None) -> dict | None:
    if deadline is None:
        return None
    return {
        "due": utc_text(deadline.due),
        "basis": deadline.basis,
        "period": deadline.period,
        "start": deadline.start.isoformat() if deadline.start else None,
        "start_assumed": deadline.start_assumed,
        "length": deadline.length,
        "unit": deadline.unit,
        "counting": deadline.counting,
        "last_day": deadline.last_day.isoformat() if deadline.last_day else None,
        "rolled_over": [d.isoformat() for d in deadline.rolled_over],
        "time_zone": deadline.time_zone,
        "holidays_country": deadline.holidays_country,
        "citation": deadline.citation,
        "explanation": describe(deadline),
    }


def _reasons(reasons) -> list[dict]:
    return [{"code": r.code, "text": r.text, "citation": r.citation} for r in reasons]


def result_to_contract(scenario_id: str, result: Result) -> dict:
    """The contract's output object for one scenario, extra fields after the required."""
    return {
        "id": scenario_id,
        "doctrine": result.doctrine,
        "items": [
            {
                "account": item.account,
                "category": item.category,
                "storage": item.storage,
                "controlled_by": item.controlled_by,
                "reach": item.reach,
                "route": item.route,
                "conflicts": sorted(item.conflicts),
                "comity_motion": item.comity_motion,
                "mlat": list(item.mlat),
                "reasons": _reasons(item.reasons),
            }
            for item in result.items
        ],
        "deadlines": {
            "response_due": _deadline(result.response_due),
            "comity_motion_due": _deadline(result.comity_motion_due),
        },
        "deadline_working": {
            "response_due": _working(result.response_due),
            "comity_motion_due": _working(result.comity_motion_due),
        },
        "reasons": _reasons(result.reasons),
        "catalogue_version": result.catalogue_version,
    }
