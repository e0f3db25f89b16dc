"""Frozen value types of the reach engine: the catalogue, the facts, the result.

The engine is a pure function of a `Catalogue` and `Facts` (shared/RULES.md). These
types carry no behaviour beyond lookups, so the TOML loader (`files.py`) and the
database loader build exactly the same input.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from types import MappingProxyType
from typing import NamedTuple

CATEGORIES = ("subscriber", "traffic", "content")
HOOKS = ("presence", "services", "services-or-group", "eu-establishment", "agreement")
DOCTRINES = ("control-based", "storage-based")
SEVERITIES = ("prohibition", "restriction")
TRIGGER_KINDS = (
    "stored_in_country_not_issuer",
    "stored_in_bloc_not_issuer",
    "controller_in_country_not_issuer",
)
AGREEMENT_KINDS = ("executive", "mlat")
PERIOD_UNITS = ("days", "hours")
PERIOD_COUNTINGS = (
    "day-of-service-is-day-1",
    "after-day-of-service",
    "after-hour-of-receipt",
)
PERIOD_CLOCKS = ("instrument", "enforcing-state", "court")


class Reach(StrEnum):
    """How a holding is reached (`Item.reach`)."""

    STORAGE = "storage"
    CONTROL = "control"
    NONE = "none"

    @property
    def label(self) -> str:
        return _LABELS.get(self.value, self.value.replace("_", " ").capitalize())


class Route(StrEnum):
    """How a holding is to be obtained (`Item.route`)."""

    DIRECT = "direct"
    AGREEMENT = "agreement"
    MLAT = "mlat"
    REDIRECT = "redirect"
    INSUFFICIENT_INSTRUMENT = "insufficient_instrument"

    @property
    def label(self) -> str:
        return _LABELS.get(self.value, self.value.replace("_", " ").capitalize())


_LABELS = {"mlat": "MLAT"}
REACHES: tuple[str, ...] = tuple(Reach)
ROUTES: tuple[str, ...] = tuple(Route)


class CourtRuleUnit(StrEnum):
    """The unit of a court rule's period (`[[court_rule]]`, counted by court_rules.py)."""

    CALENDAR_DAYS = "calendar_days"
    BUSINESS_DAYS = "business_days"
    HOURS = "hours"


class CitationCode(StrEnum):
    """The engine's own steps that cite an authority from `[[citation]]` (citations.toml).

    Every code must have a row; a row with another code is an error.
    """

    CONTROL = "control"
    COURT = "court"
    COURT_UNKNOWN = "court-unknown"
    COURT_TIME_ZONE = "court-time-zone"
    COMITY_MOTION = "comity-motion"
    HOOK_SERVICES_OR_GROUP = "hook-services-or-group"
    HOOK_EU_ESTABLISHMENT = "hook-eu-establishment"


INSTRUMENT_PLACEHOLDER = "{instrument}"


class CatalogueError(ValueError):
    """The catalogue is inconsistent (a dangling code, an unknown kind)."""


def in_range(day: date, start: date | None, end: date | None) -> bool:
    """Both ends inclusive; a missing end is open (RULES.md §2)."""
    return (start is None or start <= day) and (end is None or day <= end)


def court_key(name: str) -> str:
    """Court names compare ignoring case, spaces and periods: `SDNY` is `S.D.N.Y.`."""
    return "".join(ch for ch in name.casefold() if ch not in " .\t")


# --------------------------------------------------------------------- catalogue


@dataclass(frozen=True, slots=True)
class Jurisdiction:
    code: str
    name: str
    time_zone: str
    holidays_country: str | None = None


@dataclass(frozen=True, slots=True)
class Bloc:
    code: str
    name: str
    citation: str = ""


@dataclass(frozen=True, slots=True)
class Membership:
    bloc: str
    jurisdiction: str
    start: date
    end: date | None = None
    citation: str = ""


@dataclass(frozen=True, slots=True)
class Court:
    name: str
    jurisdiction: str
    circuit: str
    time_zone: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Circuit:
    """A US federal judicial circuit: `Court.circuit` and doctrine periods name its code."""

    code: str
    name: str


@dataclass(frozen=True, slots=True)
class Citation:
    """The authority one of the engine's own steps cites (`CitationCode`).

    `{instrument}` in the text stands for the demand's instrument's own citation.
    """

    code: str
    text: str


@dataclass(frozen=True, slots=True)
class CourtRule:
    """A court rule's period for a manual deadline (objection, notice of appeal...)."""

    code: str
    length: int
    unit: CourtRuleUnit
    citation: str
    roll_over: bool = True
    default_for: tuple[str, ...] = ()  # deadline kinds that follow it unless counsel picks another


@dataclass(frozen=True, slots=True)
class Period:
    code: str
    name: str
    citation: str
    length: int
    unit: str  # PERIOD_UNITS
    counting: str  # PERIOD_COUNTINGS
    roll_over: bool
    clock: str  # PERIOD_CLOCKS
    start: date | None = None


@dataclass(frozen=True, slots=True)
class Instrument:
    code: str
    jurisdiction: str
    name: str
    citation: str
    start: date
    categories: frozenset[str]
    hook: str
    end: date | None = None
    issuing_blocs: tuple[str, ...] = ()
    response_period: str | None = None
    emergency_period: str | None = None
    comity_period: str | None = None


@dataclass(frozen=True, slots=True)
class DoctrinePeriod:
    instruments: tuple[str, ...]
    start: date
    doctrine: str
    authority: str
    end: date | None = None
    circuits: tuple[str, ...] = ()
    except_circuits: tuple[str, ...] = ()

    def applies(self, day: date, circuit: str | None) -> bool:
        if not in_range(day, self.start, self.end):
            return False
        if self.circuits and circuit not in self.circuits:
            return False
        return not (self.except_circuits and circuit in self.except_circuits)


@dataclass(frozen=True, slots=True)
class Agreement:
    code: str
    name: str
    citation: str
    kind: str  # AGREEMENT_KINDS
    start: date
    parties: tuple[str, ...] = ()
    party_blocs: tuple[str, ...] = ()
    end: date | None = None
    designates: tuple[str, ...] = ()
    lifts: tuple[str, ...] = ()
    qualifying_foreign_government: bool = False
    forbids_targeting_us_persons: bool = False


@dataclass(frozen=True, slots=True)
class ConflictRule:
    code: str
    jurisdiction: str
    law: str
    citation: str
    start: date
    severity: str  # SEVERITIES
    trigger: str  # TRIGGER_KINDS
    end: date | None = None
    countries: tuple[str, ...] = ()
    bloc: str | None = None
    except_countries: tuple[str, ...] = ()
    categories: frozenset[str] = frozenset()


class Span(NamedTuple):
    """A membership's first and last day (an open end is None)."""

    start: date
    end: date | None


def _frozen_index(pairs) -> Mapping:
    return MappingProxyType(dict(pairs))


@dataclass(frozen=True, slots=True)
class Catalogue:
    """The rule catalogue. Rows as given; indexes are derived in `__post_init__`."""

    version: str
    jurisdictions: tuple[Jurisdiction, ...]
    blocs: tuple[Bloc, ...]
    memberships: tuple[Membership, ...]
    courts: tuple[Court, ...]
    instruments: tuple[Instrument, ...]
    periods: tuple[Period, ...]
    doctrine_periods: tuple[DoctrinePeriod, ...]
    agreements: tuple[Agreement, ...]
    conflict_rules: tuple[ConflictRule, ...]
    circuits: tuple[Circuit, ...]
    citations: tuple[Citation, ...]
    court_rules: tuple[CourtRule, ...]

    jurisdiction_by_code: Mapping[str, Jurisdiction] = field(init=False, repr=False, compare=False)
    instrument_by_code: Mapping[str, Instrument] = field(init=False, repr=False, compare=False)
    period_by_code: Mapping[str, Period] = field(init=False, repr=False, compare=False)
    court_by_key: Mapping[str, Court] = field(init=False, repr=False, compare=False)
    membership_spans: Mapping[tuple[str, str], tuple[Span, ...]] = field(  # (bloc, jurisdiction) ->
        init=False, repr=False, compare=False
    )
    doctrine_by_instrument: Mapping[str, tuple[DoctrinePeriod, ...]] = field(init=False, repr=False, compare=False)
    circuit_by_code: Mapping[str, Circuit] = field(init=False, repr=False, compare=False)
    citation_by_code: Mapping[str, Citation] = field(init=False, repr=False, compare=False)
    court_rule_by_code: Mapping[str, CourtRule] = field(init=False, repr=False, compare=False)
    # deadline kind -> the court rule it follows unless counsel picks another
    default_court_rules: Mapping[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "jurisdiction_by_code", _unique(self.jurisdictions, "jurisdiction"))
        set_(self, "instrument_by_code", _unique(self.instruments, "instrument"))
        set_(self, "period_by_code", _unique(self.periods, "period"))
        set_(self, "circuit_by_code", _unique(self.circuits, "circuit"))
        set_(self, "citation_by_code", _unique(self.citations, "citation"))
        set_(self, "court_rule_by_code", _unique(self.court_rules, "court rule"))
        _unique(self.blocs, "bloc")
        _unique(self.agreements, "agreement")
        _unique(self.conflict_rules, "conflict")
        defaults: dict[str, str] = {}
        for rule in self.court_rules:
            for kind in rule.default_for:
                if kind in defaults:
                    raise CatalogueError(
                        f"court rules {defaults[kind]!r} and {rule.code!r} are both the default for {kind!r}"
                    )
                defaults[kind] = rule.code
        set_(self, "default_court_rules", MappingProxyType(defaults))
        courts: dict[str, Court] = {}
        for court in self.courts:
            for name in (court.name, *court.aliases):
                key = court_key(name)
                if key in courts and courts[key] is not court:
                    raise CatalogueError(f"court name {name!r} is ambiguous")
                courts[key] = court
        set_(self, "court_by_key", MappingProxyType(courts))
        spans: dict[tuple[str, str], list[Span]] = {}
        for m in self.memberships:
            spans.setdefault((m.bloc, m.jurisdiction), []).append(Span(m.start, m.end))
        set_(self, "membership_spans", _frozen_index((k, tuple(v)) for k, v in spans.items()))
        doctrine: dict[str, list[DoctrinePeriod]] = {}
        for dp in self.doctrine_periods:
            for code in dp.instruments:
                doctrine.setdefault(code, []).append(dp)
        set_(
            self,
            "doctrine_by_instrument",
            _frozen_index((k, tuple(v)) for k, v in doctrine.items()),
        )
        self._check_references()

    def is_member(self, bloc: str, jurisdiction: str | None, day: date) -> bool:
        """Was `jurisdiction` a member of `bloc` on `day` (both ends inclusive)?"""
        spans = self.membership_spans.get((bloc, jurisdiction))  # type: ignore[arg-type]
        if not spans:
            return False
        return any(in_range(day, start, end) for start, end in spans)  # Span unpacks: a hot path

    def court(self, name: str | None) -> Court | None:
        return None if not name else self.court_by_key.get(court_key(name))

    def circuit_name(self, code: str) -> str:
        """ "Second Circuit" for "2"; a code the catalogue does not name is shown as is."""
        circuit = self.circuit_by_code.get(code)
        return circuit.name if circuit is not None else f"circuit {code}"

    def cite(self, code: CitationCode, instrument: Instrument | None = None) -> str:
        """The citation of one of the engine's own steps; `{instrument}` is filled in."""
        text = self.citation_by_code[code].text
        if instrument is not None:
            text = text.replace(INSTRUMENT_PLACEHOLDER, instrument.citation)
        return text

    def _check_references(self) -> None:
        codes = self.jurisdiction_by_code
        blocs = {b.code for b in self.blocs}
        for m in self.memberships:
            _need(m.bloc in blocs, f"membership names unknown bloc {m.bloc!r}")
            _need(m.jurisdiction in codes, f"membership names unknown {m.jurisdiction!r}")
        for c in self.courts:
            _need(c.jurisdiction in codes, f"court {c.name!r}: unknown jurisdiction")
        for p in self.periods:
            _need(p.unit in PERIOD_UNITS, f"period {p.code!r}: unit {p.unit!r}")
            _need(p.counting in PERIOD_COUNTINGS, f"period {p.code!r}: counting")
            _need(p.clock in PERIOD_CLOCKS, f"period {p.code!r}: clock {p.clock!r}")
            _need(p.length > 0, f"period {p.code!r}: length must be positive")
            _need(
                (p.unit == "hours") == (p.counting == "after-hour-of-receipt"),
                f"period {p.code!r}: counting {p.counting!r} does not fit {p.unit!r}",
            )
        for i in self.instruments:
            _need(i.jurisdiction in codes, f"instrument {i.code!r}: unknown jurisdiction")
            _need(i.hook in HOOKS, f"instrument {i.code!r}: unknown hook {i.hook!r}")
            _need(i.categories <= set(CATEGORIES), f"instrument {i.code!r}: unknown category")
            for b in i.issuing_blocs:
                _need(b in blocs, f"instrument {i.code!r}: unknown bloc {b!r}")
            _need(
                i.hook != "eu-establishment" or bool(i.issuing_blocs),
                f"instrument {i.code!r}: the eu-establishment hook needs issuing_blocs",
            )
            for period in (i.response_period, i.emergency_period, i.comity_period):
                _need(
                    period is None or period in self.period_by_code,
                    f"instrument {i.code!r}: unknown period {period!r}",
                )
        for dp in self.doctrine_periods:
            _need(dp.doctrine in DOCTRINES, f"doctrine period: doctrine {dp.doctrine!r}")
            for code in dp.instruments:
                _need(
                    code in self.instrument_by_code,
                    f"doctrine period names unknown instrument {code!r}",
                )
        for a in self.agreements:
            _need(a.kind in AGREEMENT_KINDS, f"agreement {a.code!r}: kind {a.kind!r}")
            _need(
                len(a.parties) + len(a.party_blocs) >= 2,
                f"agreement {a.code!r}: needs two parties",
            )
            for party in a.parties:
                _need(party in codes, f"agreement {a.code!r}: unknown party {party!r}")
            for b in a.party_blocs:
                _need(b in blocs, f"agreement {a.code!r}: unknown bloc {b!r}")
            for code in a.designates:
                _need(
                    code in self.instrument_by_code,
                    f"agreement {a.code!r}: designates unknown instrument {code!r}",
                )
        for code in CitationCode:
            _need(code in self.citation_by_code, f"citation {code.value!r} is missing: the engine cites it")
        for cite in self.citations:
            _need(cite.code in set(CitationCode), f"citation {cite.code!r}: not a code the engine cites")
        for r in self.court_rules:
            _need(r.length > 0, f"court rule {r.code!r}: length must be positive")
            _need(r.unit in set(CourtRuleUnit), f"court rule {r.code!r}: unit {r.unit!r}")
        conflict_codes = {r.code for r in self.conflict_rules}
        for a in self.agreements:
            for code in a.lifts:
                _need(code in conflict_codes, f"agreement {a.code!r}: lifts {code!r}")
        for conflict in self.conflict_rules:
            _need(conflict.severity in SEVERITIES, f"conflict {conflict.code!r}: severity")
            _need(conflict.trigger in TRIGGER_KINDS, f"conflict {conflict.code!r}: trigger {conflict.trigger!r}")
            _need(conflict.categories <= set(CATEGORIES), f"conflict {conflict.code!r}: category")
            if conflict.trigger == "stored_in_bloc_not_issuer":
                _need(conflict.bloc in blocs, f"conflict {conflict.code!r}: unknown bloc {conflict.bloc!r}")
            else:
                _need(bool(conflict.countries), f"conflict {conflict.code!r}: needs countries")


def _unique(rows, what: str) -> Mapping:
    index = {}
    for row in rows:
        if row.code in index:
            raise CatalogueError(f"{what} {row.code!r} appears twice")
        index[row.code] = row
    return MappingProxyType(index)


def _need(condition: bool, message: str) -> None:
    if not condition:
        raise CatalogueError(message)


# ------------------------------------------------------------------------- facts


@dataclass(frozen=True, slots=True)
class Entity:
    """A legal entity of the provider's group."""

    name: str
    country: str
    parent: str | None = None
    establishments: tuple[str, ...] = ()
    offers_services_in: tuple[str, ...] = ()  # ("*",) for everywhere
    designated_for: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Holding:
    category: str
    storage: str | None
    controlled_by: str


@dataclass(frozen=True, slots=True)
class Account:
    identifier: str
    holdings: tuple[Holding, ...]
    us_person: bool | None = None
    residence: str | None = None


@dataclass(frozen=True, slots=True)
class Demand:
    instrument: str
    issuing_jurisdiction: str
    served_entity: str
    issuing_court: str | None = None
    served_at: datetime | None = None  # aware
    emergency: bool = False
    due_at: datetime | None = None  # aware


@dataclass(frozen=True, slots=True)
class Facts:
    as_of: date
    demand: Demand
    entities: tuple[Entity, ...]
    accounts: tuple[Account, ...]


# ------------------------------------------------------------------------ result


@dataclass(frozen=True, slots=True)
class Reason:
    """One step of the analysis, in plain English, with its authority."""

    code: str
    text: str
    citation: str = ""


@dataclass(frozen=True, slots=True)
class Item:
    account: str
    category: str
    storage: str | None
    controlled_by: str
    reach: str  # Reach
    route: str  # Route
    conflicts: tuple[str, ...]
    comity_motion: bool
    mlat: tuple[str, ...] = ()  # treaty names, information only
    reasons: tuple[Reason, ...] = ()


@dataclass(frozen=True, slots=True)
class Deadline:
    """A deadline and its working (how it was counted)."""

    kind: str  # "response" | "comity_motion"
    due: datetime  # UTC
    basis: str  # "due_at" (given by the demand) or "period"
    period: str | None = None  # period code
    start: datetime | None = None  # service or receipt, in `time_zone`
    start_assumed: bool = False  # no served_at: 00:00 on the as-of date
    length: int | None = None
    unit: str | None = None
    counting: str | None = None
    last_day: date | None = None  # after any roll-over (day periods)
    rolled_over: tuple[date, ...] = ()  # days skipped: weekends, public holidays
    time_zone: str | None = None
    holidays_country: str | None = None
    citation: str = ""


@dataclass(frozen=True, slots=True)
class Result:
    doctrine: str | None
    items: tuple[Item, ...]
    response_due: Deadline | None
    comity_motion_due: Deadline | None
    reasons: tuple[Reason, ...]
    catalogue_version: str
    available: bool = True
    hook_satisfied: bool | None = None
    enforcing_state: str | None = None
