"""The scenario contract (shared/RULES.md §9): JSON-like dicts in, dicts out.

`facts_from_scenario` turns one scenario object into `Facts`, running the input checks
of §9.4 in their order and raising a `ScenarioError` that names the scenario and the
field of the first failure; `result_to_contract` writes a `Result` in the output shape
of §9.2, with extra fields (reasons with citations, the MLAT's name, the catalogue
version, each deadline's working).

Country codes are not checked here: a code in another form (`us`, `Germany`) is not
an error, it just equals no other code (§1, §9.1).
"""

import re
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from . import limits
from .periods import describe
from .types import (
    CATEGORIES,
    DEADLINE_KEYS,
    Account,
    Catalogue,
    Deadline,
    Demand,
    Entity,
    Facts,
    Holding,
    Result,
)

# ASCII digits only: `\d` would also accept other scripts' digits.
_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_DATETIME = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2})"
    r"(?::([0-9]{2})(?:\.([0-9]{1,6}))?)?"
    r"(Z|([+-])([0-9]{2}):([0-9]{2}))?"
)
DATETIME_EXAMPLE = "2026-09-01T08:00:00Z"
DATETIME_FORM = "YYYY-MM-DDTHH:MM[:SS[.ffffff]] followed by nothing, Z or ±HH:MM"
ENTITY_LISTS = ("establishments", "offers_services_in", "designated_for")


class ScenarioError(ValueError):
    """Bad scenario input: which scenario, which field, what is wrong.

    `field` is the dotted path of §9.4 (`accounts[0].holdings[1].controlled_by`), or
    `""` when the scenario as a whole is not a JSON object.
    """

    def __init__(self, scenario_id: str | None, field: str, message: str) -> None:
        self.scenario_id = scenario_id
        self.field = field
        self.message = message
        super().__init__(f"scenario {scenario_id or '?'}: {field or '(line)'}: {message}")


def describe_json(value: Any) -> str:
    """A value's JSON type, for messages: 'a number', 'an empty string', 'null'."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "an empty string" if not value else "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _given(obj: dict, key: str) -> Any:
    """The value of an optional key; absent and null both mean "not given" (None)."""
    return obj.get(key)


class _Checks:
    """The checks of §9.4, each raising a ScenarioError at the field it names."""

    def __init__(self) -> None:
        self.scenario_id: str | None = None

    def fail(self, field: str, message: str) -> ScenarioError:
        return ScenarioError(self.scenario_id, field, message)

    def need_object(self, value: Any, field: str, what: str) -> dict:
        if value is None:
            raise self.fail(field, f"missing required field: expected {what}")
        if not isinstance(value, dict):
            raise self.fail(field, f"expected {what}, not {describe_json(value)}")
        return value

    def need_list(self, value: Any, field: str, what: str) -> list:
        if value is None:
            raise self.fail(field, f"missing required field: expected {what}")
        if not isinstance(value, list):
            raise self.fail(field, f"expected {what}, not {describe_json(value)}")
        return value

    def text(self, obj: dict, key: str, field: str) -> str:
        """A required non-empty string (whitespace counts as a character, §9.1)."""
        value = obj.get(key)
        if value is None:
            raise self.fail(field, "missing required field: expected a non-empty string")
        if not isinstance(value, str) or not value:
            raise self.fail(field, f"expected a non-empty string, not {describe_json(value)}")
        return value

    def optional_string(self, obj: dict, key: str, field: str) -> str | None:
        value = _given(obj, key)
        if value is not None and not isinstance(value, str):
            raise self.fail(field, f"expected a string or null, not {describe_json(value)}")
        return value

    def optional_bool(self, obj: dict, key: str, field: str) -> bool | None:
        value = _given(obj, key)
        if value is not None and not isinstance(value, bool):
            raise self.fail(field, f"expected true, false or null, not {describe_json(value)}")
        return value

    def string_list(self, obj: dict, key: str, field: str) -> tuple[str, ...]:
        """An optional list of strings; a bare string (even "*") is an error."""
        value = _given(obj, key)
        if value is None:
            return ()
        if not isinstance(value, list):
            raise self.fail(field, f"expected a list of strings, not {describe_json(value)}")
        for j, entry in enumerate(value):
            if not isinstance(entry, str):
                raise self.fail(f"{field}[{j}]", f"expected a string, not {describe_json(entry)}")
        return tuple(value)

    def day(self, value: Any, field: str) -> date:
        """A date `YYYY-MM-DD` in the years 0001-9999 (the grammar of `as_of`)."""
        if value is None:
            raise self.fail(field, "missing required field: must be a date YYYY-MM-DD, e.g. 2026-09-01")
        if not isinstance(value, str):
            raise self.fail(field, f"must be a date YYYY-MM-DD, e.g. 2026-09-01, not {describe_json(value)}")
        match = _DATE.fullmatch(value)
        if match is None:
            raise self.fail(field, f"must be a date YYYY-MM-DD, e.g. 2026-09-01, not {value!r}")
        year, month, day = (int(g) for g in match.groups())
        try:
            return date(year, month, day)
        except ValueError:
            raise self.fail(field, f"{value!r} is not a day of the calendar (years 0001-9999)") from None

    def instant(self, value: Any, field: str) -> datetime | None:
        """An optional date-time of §9.1; no offset means UTC. Fractional seconds are
        accepted and dropped: they never change a deadline (§5.2 step 7)."""
        if value is None:
            return None
        if not isinstance(value, str):
            raise self.fail(field, f"expected a date and time, e.g. {DATETIME_EXAMPLE}, not {describe_json(value)}")
        match = _DATETIME.fullmatch(value)
        if match is None:
            if _DATE.fullmatch(value):
                raise self.fail(field, f"expected a date and time, e.g. {DATETIME_EXAMPLE}")
            raise self.fail(field, f"expected a date and time ({DATETIME_FORM}), not {value!r}")
        year, month, day, hour, minute = (int(g) for g in match.groups()[:5])
        second = int(match.group(6) or 0)
        sign, offset_hours, offset_minutes = match.group(9), match.group(10), match.group(11)
        if hour > 23 or minute > 59 or second > 59:
            raise self.fail(field, f"{value!r}: hours run 00-23, minutes and seconds 00-59")
        offset = timedelta(0)
        if sign is not None:
            oh, om = int(offset_hours), int(offset_minutes)
            if oh > 23 or om > 59:
                raise self.fail(field, f"{value!r}: an offset's hours run 00-23 and its minutes 00-59")
            offset = timedelta(hours=oh, minutes=om) * (-1 if sign == "-" else 1)
        try:
            local = datetime(year, month, day, hour, minute, second)  # noqa: DTZ001 - the offset follows
        except ValueError:
            raise self.fail(field, f"{value!r}: the date is not a day of the calendar (years 0001-9999)") from None
        try:
            local - offset  # the UTC equivalent must lie within the years 0001-9999
        except OverflowError:
            raise self.fail(field, f"{value!r}: in UTC it falls outside the years 0001-9999") from None
        return local.replace(tzinfo=UTC if not offset else timezone(offset))


def facts_from_scenario(obj: Any, catalogue: Catalogue) -> Facts:
    """One scenario object as `Facts`; the first failing check of §9.4 raises a
    ScenarioError naming its field."""
    c = _Checks()
    # 1. The line is a JSON object.
    if not isinstance(obj, dict):
        raise c.fail("", f"a scenario must be a JSON object, not {describe_json(obj)}")
    # 2. id.
    scenario_id = c.text(obj, "id", "id")
    c.scenario_id = scenario_id
    # 3. as_of.
    as_of = c.day(obj.get("as_of"), "as_of")
    # 4. demand.
    d = c.need_object(obj.get("demand"), "demand", "an object")
    # 5. demand.instrument.
    code = c.text(d, "instrument", "demand.instrument")
    instrument = catalogue.instrument_by_code.get(code)
    if instrument is None:
        raise c.fail("demand.instrument", f"unknown instrument {code!r}")
    # 6. issuing_jurisdiction, served_entity, issuing_court.
    issuer = c.text(d, "issuing_jurisdiction", "demand.issuing_jurisdiction")
    served_entity = c.text(d, "served_entity", "demand.served_entity")
    issuing_court = c.optional_string(d, "issuing_court", "demand.issuing_court")
    # 7. kind.
    kind = _given(d, "kind")
    if kind is not None and kind != instrument.kind:
        shown = repr(kind) if isinstance(kind, str) else describe_json(kind)
        raise c.fail(
            "demand.kind",
            f"{instrument.code} is a {instrument.kind} instrument (kind {shown} given)",
        )
    # 8. served_at, due_at, pending_since.
    served_at = c.instant(_given(d, "served_at"), "demand.served_at")
    due_at = c.instant(_given(d, "due_at"), "demand.due_at")
    pending = _given(d, "pending_since")
    pending_since = None if pending is None else c.day(pending, "demand.pending_since")
    # 9. emergency, extended.
    emergency = c.optional_bool(d, "emergency", "demand.emergency")
    extended = c.optional_bool(d, "extended", "demand.extended")
    demand = Demand(
        instrument=code,
        issuing_jurisdiction=issuer,
        served_entity=served_entity,
        issuing_court=issuing_court,
        served_at=served_at,
        emergency=bool(emergency),
        due_at=due_at,
        kind=kind,
        extended=bool(extended),
        pending_since=pending_since,
    )

    # 10. entities, each on its own, then its name unique among the earlier ones.
    entities: list[Entity] = []
    names: dict[str, int] = {}
    raw_entities = c.need_list(obj.get("entities"), "entities", "a list of entities")
    if len(raw_entities) > limits.MAX_ENTITIES:
        raise c.fail("entities", f"at most {limits.MAX_ENTITIES} entities, not {len(raw_entities)}")
    for i, raw in enumerate(raw_entities):
        f = f"entities[{i}]"
        e = c.need_object(raw, f, "an entity (an object)")
        name = c.text(e, "name", f"{f}.name")
        country = c.text(e, "country", f"{f}.country")
        parent = c.optional_string(e, "parent", f"{f}.parent")
        lists = {key: c.string_list(e, key, f"{f}.{key}") for key in ENTITY_LISTS}
        if name in names:
            raise c.fail(f"{f}.name", f"entities[{names[name]}] already has the name {name!r}")
        names[name] = i
        entities.append(Entity(name=name, country=country, parent=parent, **lists))
    # 11. the served entity.
    if served_entity not in names:
        raise c.fail("demand.served_entity", f"no entity is named {served_entity!r}")
    # 12. parents and designations name entities.
    for i, entity in enumerate(entities):
        if entity.parent is not None and entity.parent not in names:
            raise c.fail(f"entities[{i}].parent", f"no entity is named {entity.parent!r}")
        for j, name in enumerate(entity.designated_for):
            if name not in names:
                raise c.fail(f"entities[{i}].designated_for[{j}]", f"no entity is named {name!r}")
    # 13. parent chains do not loop, and are at most MAX_PARENT_DEPTH deep. Each
    # entity's depth is kept, so a walk stops at the first ancestor already checked:
    # linear in the number of entities (a loop is found by the first entity reaching it,
    # whose walk is then the same as a full one).
    by_name = {e.name: e for e in entities}
    depth: dict[str, int] = {}  # name -> ancestors above it, once its chain is checked
    for i, entity in enumerate(entities):
        chain = [entity.name]
        on_chain = {entity.name}
        parent = entity.parent
        while parent is not None and parent not in depth:
            if parent in on_chain:
                loop = " -> ".join([*chain[chain.index(parent) :], parent])
                raise c.fail(f"entities[{i}].parent", f"the chain of parents loops: {loop}")
            if len(chain) > limits.MAX_PARENT_DEPTH:
                raise c.fail(f"entities[{i}].parent", f"the chain of parents is deeper than {limits.MAX_PARENT_DEPTH}")
            chain.append(parent)
            on_chain.add(parent)
            parent = by_name[parent].parent
        above = 0 if parent is None else depth[parent] + 1
        for k, name in enumerate(reversed(chain)):
            depth[name] = above + k
        if depth[entity.name] > limits.MAX_PARENT_DEPTH:
            raise c.fail(f"entities[{i}].parent", f"the chain of parents is deeper than {limits.MAX_PARENT_DEPTH}")

    # 14. accounts and their holdings.
    accounts: list[Account] = []
    raw_accounts = c.need_list(obj.get("accounts"), "accounts", "a list of accounts")
    if len(raw_accounts) > limits.MAX_ACCOUNTS:
        raise c.fail("accounts", f"at most {limits.MAX_ACCOUNTS} accounts, not {len(raw_accounts)}")
    total = 0
    for i, raw in enumerate(raw_accounts):
        f = f"accounts[{i}]"
        a = c.need_object(raw, f, "an account (an object)")
        identifier = c.text(a, "identifier", f"{f}.identifier")
        us_person = c.optional_bool(a, "us_person", f"{f}.us_person")
        residence = c.optional_string(a, "residence", f"{f}.residence")
        holdings: list[Holding] = []
        raw_holdings = c.need_list(a.get("holdings"), f"{f}.holdings", "a list of holdings")
        if len(raw_holdings) > limits.MAX_HOLDINGS_PER_ACCOUNT:
            raise c.fail(
                f"{f}.holdings", f"at most {limits.MAX_HOLDINGS_PER_ACCOUNT} holdings, not {len(raw_holdings)}"
            )
        total += len(raw_holdings)
        if total > limits.MAX_HOLDINGS_PER_DEMAND:
            raise c.fail(f"{f}.holdings", f"at most {limits.MAX_HOLDINGS_PER_DEMAND} holdings in all accounts together")
        for j, raw_h in enumerate(raw_holdings):
            g = f"{f}.holdings[{j}]"
            h = c.need_object(raw_h, g, "a holding (an object)")
            category = h.get("category")
            if category is None:
                raise c.fail(f"{g}.category", f"missing required field: one of {', '.join(CATEGORIES)}")
            if category not in CATEGORIES:  # a list or an object is not in the tuple either
                shown = repr(category) if isinstance(category, str) else describe_json(category)
                raise c.fail(f"{g}.category", f"unknown category {shown} (one of {', '.join(CATEGORIES)})")
            # Absent, like null, means unknown or sharded (RULES.md §1).
            storage = c.optional_string(h, "storage", f"{g}.storage")
            controlled_by = c.text(h, "controlled_by", f"{g}.controlled_by")
            if controlled_by not in names:
                raise c.fail(f"{g}.controlled_by", f"no entity is named {controlled_by!r}")
            holdings.append(Holding(category=category, storage=storage, controlled_by=controlled_by))
        accounts.append(
            Account(identifier=identifier, holdings=tuple(holdings), us_person=us_person, residence=residence)
        )
    return Facts(as_of=as_of, demand=demand, entities=tuple(entities), accounts=tuple(accounts))


# ------------------------------------------------------------------------ output


def utc_text(instant: datetime) -> str:
    """`YYYY-MM-DDTHH:MM:SSZ` in UTC, fractional seconds dropped (§5.2 step 7); the
    year always has four digits (strftime's %Y does not pad years before 1000)."""
    u = instant.astimezone(UTC) if instant.tzinfo is not None else instant
    return f"{u.year:04d}-{u.month:02d}-{u.day:02d}T{u.hour:02d}:{u.minute:02d}:{u.second:02d}Z"


def _deadline(deadline: Deadline | None) -> str | None:
    return None if deadline is None else utc_text(deadline.due)


def _working(deadline: Deadline | None) -> dict | None:
    if deadline is None:
        return None
    return {
        "due": utc_text(deadline.due),
        "kind": deadline.kind,
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
    """The output object of §9.2 for one scenario, extra fields after the required.

    Every deadline key of DEADLINE_KEYS is present, null when there is none.
    """
    deadlines = {key: getattr(result, key) for key in DEADLINE_KEYS}
    return {
        "id": scenario_id,
        "kind": result.kind,
        "doctrine": result.doctrine,
        "doctrine_authorities": list(result.doctrine_authorities),
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
                "voluntary": item.voluntary,
                "mlat": list(item.mlat),
                "reasons": _reasons(item.reasons),
            }
            for item in result.items
        ],
        "deadlines": {key: _deadline(deadline) for key, deadline in deadlines.items()},
        "deadline_working": {key: _working(deadline) for key, deadline in deadlines.items()},
        "reasons": _reasons(result.reasons),
        "catalogue_version": result.catalogue_version,
    }
