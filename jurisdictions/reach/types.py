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
KINDS = ("production", "preservation")  # a demand's kind is its instrument's (RULES.md §1)
PENDING_RULES = ("continues", "excluded")  # IN-CRPC-91 / IN-BNSS-94 (BNSS s. 531(2)(a))
WEEKEND_RULES = ("none", "sun-mon", "sat-fri-sun-mon")
HOLIDAY_RULES = ("fixed", "nth-weekday", "last-weekday", "easter", "election-day", "dates", "package")
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
    COMITY_MOTION = "comity-motion"
    HOOK_SERVICES_OR_GROUP = "hook-services-or-group"
    HOOK_EU_ESTABLISHMENT = "hook-eu-establishment"
    DESIGNATION = "designation"
    PRESERVATION = "preservation"
    FEDERAL_HOLIDAYS = "federal-holidays"
    STATE_HOLIDAYS = "state-holidays"


INSTRUMENT_PLACEHOLDER = "{instrument}"


class CatalogueError(ValueError):
    """The catalogue is inconsistent (a dangling code, an unknown kind)."""


def in_range(day: date, start: date | None, end: date | None) -> bool:
    """Both ends inclusive; a missing end is open (RULES.md §2)."""
    return (start is None or start <= day) and (end is None or day <= end)


def court_key(name: str) -> str:
    """Court names compare on their letters and digits, lower-cased: `s d n y` is `S.D.N.Y.`."""
    return "".join(ch for ch in name if ch.isalnum()).lower()


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
    state: str | None = None  # the US state whose legal holidays count (Fed. R. Crim. P. 45(a)(6)(C))


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
    extended_length: int | None = None  # preservation: the length once extended (`extended`)


@dataclass(frozen=True, slots=True)
class Authority:
    """A dated case or statute that a doctrine period, conflict rule or step rests on.

    Never cited in an analysis as of a day before `dated` (RULES.md §4.3, citing rule).
    `to_confirm` names what counsel must confirm (a † item of the spec); empty if none.
    """

    code: str
    citation: str
    dated: date
    to_confirm: str = ""


@dataclass(frozen=True, slots=True)
class HookPeriod:
    """From `start`, `instrument` uses `hook` instead of its own (RULES.md §3)."""

    instrument: str
    start: date
    hook: str
    authorities: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True, slots=True)
class DisclosurePermission:
    """When the law of `country` lets a provider incorporated there disclose non-content
    data voluntarily to a foreign requester (18 U.S.C. §2702(c)(6); RULES.md §2 step 4.8)."""

    code: str
    country: str
    categories: frozenset[str]
    start: date
    citation: str
    end: date | None = None
    authorities: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class HolidayRule:
    """One legal holiday of a calendar ("US" federal, "US-NY" a state...), as a rule.

    rule: "fixed" (month/day), "nth-weekday" (nth `weekday` of month, 0 = Monday),
    "last-weekday", "easter" (Western Easter + offset days), "election-day" (Tuesday
    after the first Monday of November), "dates" (only the listed ISO dates).
    `offset` shifts the rule's day (Friday after Thanksgiving: +1). `weekend` is the
    statute's own weekend rule. `years`: "all", "even", "after-presidential" (year mod
    4 = 1) or a comma-separated list of years. `from_year`/`to_year` bound it.
    """

    calendar: str
    name: str
    rule: str
    citation: str
    month: int | None = None
    day: int | None = None
    weekday: int | None = None
    nth: int | None = None
    offset: int = 0
    dates: tuple[str, ...] = ()
    weekend: str = "none"
    from_year: int | None = None
    to_year: int | None = None
    years: str = "all"
    to_confirm: str = ""


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
    kind: str = "production"  # KINDS
    preservation_period: str | None = None
    objection_period: str | None = None  # EU-EPO: Art. 17 reasoned objection
    group_control: bool = False  # BR-MCI-ORDER: the served entity answers for its group
    control_authorities: tuple[str, ...] = ()  # authorities of group control
    pending_rule: str | None = None  # PENDING_RULES
    pending_cutoff: date | None = None  # pending_since on or before it triggers pending_rule
    pending_citation: str = ""
    to_confirm: str = ""


@dataclass(frozen=True, slots=True)
class DoctrinePeriod:
    instruments: tuple[str, ...]
    start: date
    doctrine: str
    authorities: tuple[str, ...] = ()  # Authority codes, in date order
    end: date | None = None
    circuits: tuple[str, ...] = ()
    except_circuits: tuple[str, ...] = ()
    note: str = ""  # why, in words (e.g. territoriality)
    to_confirm: str = ""

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
    authorities: tuple[str, ...] = ()
    except_authorities: tuple[str, ...] = ()  # what keeps it from applying (except_countries, a lifting agreement)


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
    authorities: tuple[Authority, ...] = ()
    hook_periods: tuple[HookPeriod, ...] = ()
    disclosure_permissions: tuple[DisclosurePermission, ...] = ()
    holiday_rules: tuple[HolidayRule, ...] = ()

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
    authority_by_code: Mapping[str, Authority] = field(init=False, repr=False, compare=False)
    hook_periods_by_instrument: Mapping[str, tuple[HookPeriod, ...]] = field(init=False, repr=False, compare=False)
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
        set_(self, "authority_by_code", _unique(self.authorities, "authority"))
        _unique(self.disclosure_permissions, "disclosure permission")
        hook_periods: dict[str, list[HookPeriod]] = {}
        for hp in sorted(self.hook_periods, key=lambda hp: hp.start):
            hook_periods.setdefault(hp.instrument, []).append(hp)
        set_(self, "hook_periods_by_instrument", _frozen_index((k, tuple(v)) for k, v in hook_periods.items()))
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
        self._check_v3_references(codes)

    def _check_v3_references(self, codes: Mapping[str, Jurisdiction]) -> None:
        """Kinds, preservation and objection periods, hook periods, authorities, holidays."""
        authorities = self.authority_by_code

        def cited(where: str, ids: tuple[str, ...]) -> None:
            for code in ids:
                _need(code in authorities, f"{where}: unknown authority {code!r}")
            dates = [authorities[code].dated for code in ids]
            _need(dates == sorted(dates), f"{where}: authorities must be listed in date order")

        for i in self.instruments:
            _need(i.kind in KINDS, f"instrument {i.code!r}: kind {i.kind!r}")
            for period in (i.preservation_period, i.objection_period):
                _need(
                    period is None or period in self.period_by_code,
                    f"instrument {i.code!r}: unknown period {period!r}",
                )
            _need(
                (i.kind == "preservation") == (i.preservation_period is not None),
                f"instrument {i.code!r}: a preservation instrument, and only one, has a preservation_period",
            )
            _need(
                i.kind == "production" or i.response_period is None,
                f"instrument {i.code!r}: a preservation instrument has no response period",
            )
            _need(
                i.pending_rule is None or (i.pending_rule in PENDING_RULES and i.pending_cutoff is not None),
                f"instrument {i.code!r}: pending_rule needs one of {PENDING_RULES} and a pending_cutoff",
            )
            cited(f"instrument {i.code!r}", i.control_authorities)
        for hp in self.hook_periods:
            _need(hp.instrument in self.instrument_by_code, f"hook period: unknown instrument {hp.instrument!r}")
            _need(hp.hook in HOOKS, f"hook period of {hp.instrument!r}: unknown hook {hp.hook!r}")
            cited(f"hook period of {hp.instrument!r}", hp.authorities)
        for dp in self.doctrine_periods:
            cited(f"doctrine period of {', '.join(dp.instruments)}", dp.authorities)
        for conflict in self.conflict_rules:
            cited(f"conflict {conflict.code!r}", conflict.authorities)
            cited(f"conflict {conflict.code!r} (exception)", conflict.except_authorities)
        for p in self.disclosure_permissions:
            _need(p.country in codes, f"disclosure permission {p.code!r}: unknown country {p.country!r}")
            _need(p.categories <= set(CATEGORIES), f"disclosure permission {p.code!r}: category")
            cited(f"disclosure permission {p.code!r}", p.authorities)
        for h in self.holiday_rules:
            where = f"holiday {h.calendar} {h.name!r}"
            _need(h.rule in HOLIDAY_RULES, f"{where}: rule {h.rule!r}")
            _need(h.weekend in WEEKEND_RULES, f"{where}: weekend rule {h.weekend!r}")


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
    kind: str | None = None  # when given, must be the instrument's kind
    extended: bool = False  # a preservation extended once (RULES.md §5.1)
    pending_since: date | None = None  # Indian process: the proceeding began on this day


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
    voluntary: bool = False  # US law lets the US controller disclose it voluntarily (§2702(c)(6))
    mlat: tuple[str, ...] = ()  # treaty names, information only
    reasons: tuple[Reason, ...] = ()


@dataclass(frozen=True, slots=True)
class Deadline:
    """A deadline and its working (how it was counted)."""

    kind: str  # "response", "comity_motion", "preservation" or "conflict_objection"
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
    rolled_over_why: tuple[str, ...] = ()  # for each, in words: "Monday, Lincoln's Birthday (NY)"
    time_zone: str | None = None
    holidays_country: str | None = None
    citation: str = ""


DEADLINE_KEYS = ("response_due", "comity_motion_due", "preservation_expires", "conflict_objection_due")


@dataclass(frozen=True, slots=True)
class Result:
    doctrine: str | None
    items: tuple[Item, ...]
    response_due: Deadline | None
    comity_motion_due: Deadline | None
    reasons: tuple[Reason, ...]
    catalogue_version: str
    kind: str = "production"
    doctrine_authorities: tuple[str, ...] = ()
    preservation_expires: Deadline | None = None
    conflict_objection_due: Deadline | None = None
    available: bool = True
    hook_satisfied: bool | None = None
    enforcing_state: str | None = None
