"""The reach engine: `evaluate(catalogue, facts) -> Result` (shared/RULES.md §2).

Pure and deterministic: no ORM, no clock, no I/O. Everything that depends only on
the demand (availability, doctrine, hook, control, conflict rules in force) is
worked out once per demand; each distinct holding shape is then assessed once, from
parts memoised on what each depends on (the storage country, the controller, the
category), and each holding costs a look-up and its Item. Speed is budgeted by
`make bench-engine` (issue 18); jurisdictions/tests/test_engine_golden.py pins every
answer, reasons included, byte for byte.
"""

from dataclasses import fields
from datetime import date
from operator import itemgetter
from typing import Any, NamedTuple

from . import periods
from .types import (
    Agreement,
    Authority,
    Catalogue,
    CitationCode,
    ConflictRule,
    Court,
    Deadline,
    DisclosurePermission,
    DoctrinePeriod,
    Entity,
    Facts,
    HookPeriod,
    Instrument,
    Item,
    Period,
    Reach,
    Reason,
    Result,
    Route,
    in_range,
)

TO_CONFIRM = "to be confirmed by counsel"

# ------------------------------------------------------- the engine's working values


class HookTest(NamedTuple):
    """Is an entity subject to the instrument (RULES.md §3), and why."""

    ok: bool
    text: str
    enforcing_state: str | None = None  # eu-establishment: the member state that enforces
    agreement: Agreement | None = None  # agreement: the executive agreement that binds it


class Outcome(NamedTuple):
    """The engine's answer for one holding shape (an Item without its holding)."""

    reach: Reach
    route: Route
    conflicts: tuple[str, ...]
    comity_motion: bool
    voluntary: bool
    mlat: tuple[str, ...]
    reasons: tuple[Reason, ...]


class ComityTest(NamedTuple):
    """Can a comity motion be brought for a holding (18 U.S.C. §2703(h)(2)), and why."""

    available: bool
    text: str


class Clock(NamedTuple):
    """Where a period is counted: its time zone and holiday calendars."""

    time_zone: str
    calendars: tuple[str, ...]


class _RulePart(NamedTuple):
    """The conflict rules a holding triggers (or that except it), with their reasons.

    `entries` and `lifted_entries` keep each reason's place in the catalogue, so two
    parts (the storage rules and the controller rules) merge in catalogue order.
    """

    entries: tuple[tuple[int, ConflictRule | None, Reason], ...]  # rule None: an exception's reason
    lifted_entries: tuple[tuple[int, ConflictRule | None, Reason], ...]
    rules: tuple[ConflictRule, ...]  # triggered, in catalogue order
    reasons: tuple[Reason, ...]
    lifted: tuple[Reason, ...]
    prohibited: tuple[str, ...]  # codes of the triggered prohibitions, in catalogue order
    conflicts: tuple[str, ...]  # codes of the triggered rules, sorted

    @classmethod
    def of(cls, entries: tuple, lifted_entries: tuple) -> "_RulePart":
        rules = tuple(rule for _, rule, _ in entries if rule is not None)
        return cls(
            entries,
            lifted_entries,
            rules,
            tuple(reason for _, _, reason in entries),
            tuple(reason for _, _, reason in lifted_entries),
            tuple(rule.code for rule in rules if rule.severity == "prohibition"),
            tuple(sorted(rule.code for rule in rules)),
        )


_first = itemgetter(0)


class _Deferred(NamedTuple):
    """An outcome whose comity motion run() settles per account holder."""

    outcome: Outcome


class _ItemDraft:
    """An Item being built: Item's slots without its freezing.

    A frozen dataclass sets each field through `object.__setattr__`, several times the
    cost of a plain assignment; run() builds one Item per holding, so it fills a draft
    and makes it an Item by assigning `__class__` (allowed: the same slots in the same
    order on the same base). The result is an Item like any other: frozen, compared
    and hashed as one, and no reference to the draft is kept.
    """

    __slots__ = Item.__slots__

    def __init__(
        self,
        account: str,
        category: str,
        storage: str | None,
        controlled_by: str,
        reach: str,
        route: str,
        conflicts: tuple[str, ...],
        comity_motion: bool,
        voluntary: bool,
        mlat: tuple[str, ...],
        reasons: tuple[Reason, ...],
    ) -> None:
        self.account = account
        self.category = category
        self.storage = storage
        self.controlled_by = controlled_by
        self.reach = reach
        self.route = route
        self.conflicts = conflicts
        self.comity_motion = comity_motion
        self.voluntary = voluntary
        self.mlat = mlat
        self.reasons = reasons


if tuple(f.name for f in fields(Item)) != _ItemDraft.__slots__ or Item.__slots__ != _ItemDraft.__slots__:
    raise ImportError("_ItemDraft must list Item's fields, in order")


class UnknownInstrumentError(ValueError):
    """The demand names an instrument the catalogue does not know (an input error)."""


def evaluate(catalogue: Catalogue, facts: Facts) -> Result:
    """The reach of one demand over every holding of its accounts, with reasons."""
    return _Evaluation(catalogue, facts).run()


def covers(catalogue: Catalogue, agreement: Agreement, a: str, b: str, day: date) -> bool:
    """Does the agreement bind `a` and `b` as two different parties on `day`?"""
    if a == b:
        return False
    sides_a = _sides(catalogue, agreement, a, day)
    if not sides_a:
        return False
    sides_b = _sides(catalogue, agreement, b, day)
    return any(sa != sb for sa in sides_a for sb in sides_b)


def _sides(catalogue: Catalogue, agreement: Agreement, code: str, day: date) -> list[str]:
    sides = [code] if code in agreement.parties else []
    sides.extend(f"bloc:{bloc}" for bloc in agreement.party_blocs if catalogue.is_member(bloc, code, day))
    return sides


class _Evaluation:
    """The working state of one evaluation; discarded when it returns."""

    def __init__(self, catalogue: Catalogue, facts: Facts) -> None:
        self.cat = catalogue
        self.facts = facts
        self.as_of = facts.as_of
        self.demand = facts.demand
        self.issuer = facts.demand.issuing_jurisdiction
        instrument = catalogue.instrument_by_code.get(facts.demand.instrument)
        if instrument is None:
            raise UnknownInstrumentError(f"unknown instrument {facts.demand.instrument!r}")
        self.instrument: Instrument = instrument
        self.preserving = instrument.kind == "preservation"
        self.entities: dict[str, Entity] = {e.name: e for e in facts.entities}
        if facts.demand.served_entity not in self.entities:
            raise ValueError(f"served entity {facts.demand.served_entity!r} is not an entity")
        self.served = self.entities[facts.demand.served_entity]
        self.reasons: list[Reason] = []
        self.hook_kind = instrument.hook
        self.hook_period: HookPeriod | None = None
        self.agreement: Agreement | None = None
        self._hook_memo: dict[str, HookTest] = {}
        self._roots: dict[str, str] = {}  # entity -> its ultimate parent, filled as walked
        self._present_by_root: dict[str, Entity] | None = None  # root -> its group's first entity present
        self._control_memo: dict[str, Reason | None] = {}
        self._mlat_memo: dict[str | None, tuple[str, ...]] = {}
        # The parts of a holding's outcome, each memoised on what it depends on (_assess).
        self._unreached_memo: dict[tuple, tuple[Route, bool, tuple[Reason, ...]]] = {}
        self._reach_memo: dict[str | None, tuple[Reach, Reason]] = {}
        self._preservation_route_memo: Reason | None = None
        self._free_route_memo: tuple[Route, Reason] | None = None
        self._prohibited_route_memo: dict[tuple, Reason] = {}
        self._voluntary_memo: dict[tuple, tuple[bool, Reason | None]] = {}
        self._storage_parts: dict[tuple, _RulePart] = {}
        self._controller_parts: dict[tuple, _RulePart] = {}
        self._merged_parts: dict[tuple, _RulePart] = {}
        self._comity_memo: dict[tuple, tuple[bool, Reason]] = {}

    # ------------------------------------------------------------ citing

    def _dated(self, codes: tuple[str, ...]) -> list[Authority]:
        """The authorities among `codes` dated on or before the as-of date, in order."""
        by_code = self.cat.authority_by_code
        return [by_code[code] for code in codes if by_code[code].dated <= self.as_of]

    @staticmethod
    def _cite(authorities: list[Authority], *also: str) -> str:
        """Citations joined; an authority counsel must confirm says so."""
        parts = [text for text in also if text]
        for a in authorities:
            parts.append(f"{a.citation} ({TO_CONFIRM}: {a.to_confirm})" if a.to_confirm else a.citation)
        return "; ".join(parts)

    @staticmethod
    def _confirm(text: str, to_confirm: str) -> str:
        return f"{text} ({TO_CONFIRM}: {to_confirm})" if to_confirm else text

    # ------------------------------------------------------------------ driver

    def run(self) -> Result:
        court = self._court()
        why_not = self._unavailable()
        if why_not:
            return self._unavailable_result(why_not)
        inst = self.instrument
        self.reasons.append(
            Reason(
                "instrument",
                self._confirm(
                    f"{inst.code} ({inst.name}, a {inst.kind} instrument) is available to"
                    f" {self.issuer} on {self.as_of.isoformat()}.{self._pending_note()}",
                    inst.to_confirm,
                ),
                self._cite([], inst.citation, inst.pending_citation if self._pending_note() else ""),
            )
        )
        self.doctrine, self.doctrine_authorities, self.doctrine_text, self.doctrine_citation = self._doctrine(court)
        self._hook_in_force()
        hook = self._hook(self.served)
        self.hook_ok = hook.ok
        self.enforcing_state = hook.enforcing_state
        self.agreement = hook.agreement
        self.hook_reason = Reason("hook", hook.text, self._hook_citation())
        self.reasons.append(self.hook_reason)
        self._controlled_setup()
        self.rules, self.lifted = self._rules_in_force()
        # _triggered looks at the storage country for these triggers, at the controller otherwise.
        by_storage = ("stored_in_country_not_issuer", "stored_in_bloc_not_issuer")
        self._storage_rules = tuple((i, r) for i, r in enumerate(self.rules) if r.trigger in by_storage)
        self._controller_rules = tuple((i, r) for i, r in enumerate(self.rules) if r.trigger not in by_storage)
        self._storage_lifted = tuple((i, r) for i, r in enumerate(self.lifted) if r.trigger in by_storage)
        self._controller_lifted = tuple((i, r) for i, r in enumerate(self.lifted) if r.trigger not in by_storage)
        self.permissions = {
            p.country: p
            for p in self.cat.disclosure_permissions
            if in_range(self.as_of, p.start, p.end) and p.country != self.issuer
        }
        self.comity_possible = self._comity_possible()
        self.comity_proxy_used = False

        memo: dict[tuple, Outcome | _Deferred] = {}  # keyed by what _assess's answer depends on
        items: list[Item] = []
        append = items.append
        assess = self._assess
        # The account holder's nationality and residence matter only to an agreement
        # that forbids targeting them and to the comity motion.
        targeting = self.hook_ok and self.agreement is not None and self.agreement.forbids_targeting_us_persons
        # Without such an agreement, the comity motion is settled per (storage, person)
        # after the holding's outcome (_assess defers it), and the key leaves the person out.
        self.defer_comity = not targeting
        # With one and no comity motion, the person counts only through the targeting
        # test: the key holds its class (1 a US person, 2 a person in the US, 0 neither).
        by_class = targeting and not self.comity_possible
        by_person = targeting and not by_class
        self.deferred = False
        with_comity: dict[tuple, Outcome] = {}
        comity_reason = self._comity_reason
        Draft = _ItemDraft  # noqa: N806 - a class, bound locally for the hot loop
        for account in self.facts.accounts:
            identifier = account.identifier
            us_person = account.us_person
            residence = account.residence
            person = 1 if us_person is True else 2 if residence == "US" else 0
            for h in account.holdings:
                category, storage, controlled_by = h.category, h.storage, h.controlled_by
                if by_class:
                    key: tuple = (category, storage, controlled_by, person)
                elif by_person:
                    key = (category, storage, controlled_by, us_person, residence)
                else:
                    key = (category, storage, controlled_by)
                found = memo.get(key)
                if found is None:
                    self.deferred = False
                    found = assess(category, storage, controlled_by, us_person, residence)
                    if self.deferred:
                        found = _Deferred(found)
                    memo[key] = found
                if found.__class__ is _Deferred:
                    full = (category, storage, controlled_by, us_person, residence)
                    combined = with_comity.get(full)
                    if combined is None:
                        base = found.outcome
                        available, reason = comity_reason(storage, us_person, residence)
                        combined = with_comity[full] = tuple.__new__(
                            Outcome,
                            (
                                base.reach,
                                base.route,
                                base.conflicts,
                                available,
                                base.voluntary,
                                base.mlat,
                                (*base.reasons, reason),
                            ),
                        )
                    found = combined
                # An Outcome's fields are an Item's last seven, in order (positional: this is the hot loop).
                item: Any = Draft(identifier, category, storage, controlled_by, *found)
                item.__class__ = Item
                append(item)
        # Every item's outcome is one of these: what the deadlines ask of the items, they ask of them.
        outcomes = [o for o in memo.values() if isinstance(o, Outcome)]
        outcomes.extend(with_comity.values())

        for code in sorted({c for outcome in outcomes for c in outcome.conflicts}):
            r = next(x for x in self.rules if x.code == code)
            self.reasons.append(
                Reason(
                    code,
                    f"{r.law} ({r.severity}) applies to at least one holding.",
                    self._cite(self._dated(r.authorities), r.citation),
                )
            )
        if self.comity_proxy_used:
            self.reasons.append(
                Reason(
                    "comity-proxy",
                    "For the comity motion the statute asks whose laws disclosure would"
                    " risk violating; the engine takes the storage country as a proxy for"
                    " that foreign government. Counsel reviews and can override.",
                    self.cat.cite(CitationCode.COMITY_MOTION),
                )
            )

        response_due = self._response_due(outcomes)
        comity_due = self._comity_due(outcomes, court)
        preservation = self._preservation_expires(outcomes, court)
        objection = self._objection_due(outcomes)
        return Result(
            doctrine=self.doctrine,
            items=tuple(items),
            response_due=response_due,
            comity_motion_due=comity_due,
            reasons=tuple(self.reasons),
            catalogue_version=self.cat.version,
            available=True,
            hook_satisfied=self.hook_ok,
            enforcing_state=self.enforcing_state if self.hook_ok else None,
            kind=inst.kind,
            doctrine_authorities=self.doctrine_authorities,
            preservation_expires=preservation,
            conflict_objection_due=objection,
        )

    # ------------------------------------------------------- step 1: available

    def _pending(self) -> bool:
        """Was the proceeding pending on or before the instrument's cut-off day?"""
        inst, since = self.instrument, self.demand.pending_since
        return (
            inst.pending_rule is not None
            and inst.pending_cutoff is not None
            and since is not None
            and since <= inst.pending_cutoff
        )

    def _pending_note(self) -> str:
        """What the reasons say of a pending proceeding (Indian process only)."""
        inst = self.instrument
        if inst.pending_rule is None or inst.pending_cutoff is None:
            return ""
        cutoff = inst.pending_cutoff.isoformat()
        since = self.demand.pending_since
        if since is None:
            if self.as_of <= inst.pending_cutoff:
                return ""
            return (
                " No start date of the proceeding is given: it is assumed not to have been"
                f" pending on the day after {cutoff}."
            )
        if self._pending():
            return (
                f" The proceeding began on {since.isoformat()}, on or before {cutoff}: it"
                f" continues under the earlier law."
            )
        return f" The proceeding began on {since.isoformat()}, after {cutoff}."

    def _unavailable(self) -> str | None:
        inst, day = self.instrument, self.as_of
        pending = self._pending()
        if day < inst.start:
            return (
                f"{inst.code} is not available on {day.isoformat()}: it applies from"
                f" {inst.start.isoformat()}. Every holding goes through mutual legal"
                " assistance."
            )
        if inst.end is not None and day > inst.end and not (pending and inst.pending_rule == "continues"):
            return (
                f"{inst.code} is not available on {day.isoformat()}: it ceased to apply after"
                f" {inst.end.isoformat()}.{self._pending_note()}"
            )
        if pending and inst.pending_rule == "excluded":
            return f"{inst.code} is not available to this proceeding.{self._pending_note()}"
        if inst.issuing_blocs:
            for bloc in inst.issuing_blocs:
                if not self.cat.is_member(bloc, self.issuer, day):
                    name = next((b.name for b in self.cat.blocs if b.code == bloc), bloc)
                    return (
                        f"{inst.code} cannot be issued by {self.issuer}: on"
                        f" {day.isoformat()} it is not among the {name}."
                    )
        elif self.issuer != inst.jurisdiction:
            return f"{inst.code} is {inst.jurisdiction} process and cannot be issued by {self.issuer}."
        return None

    def _unavailable_result(self, why_not: str) -> Result:
        inst = self.instrument
        citation = self._cite([], inst.citation, inst.pending_citation if self._pending_note() else "")
        reason = Reason("instrument", why_not, citation)
        self.reasons.append(reason)
        reasons = (reason,)
        mlat = self._mlat
        # Item's fields in order: account, category, storage, controlled_by, reach, route,
        # conflicts, comity_motion, voluntary, mlat, reasons (positional: once per holding).
        items = [
            Item(
                account.identifier,
                h.category,
                h.storage,
                h.controlled_by,
                Reach.NONE,
                Route.MLAT,
                (),
                False,
                False,
                mlat(h.storage),
                reasons,
            )
            for account in self.facts.accounts
            for h in account.holdings
        ]
        response_due = None
        if self.demand.due_at is not None:
            response_due = periods.given("response", self.demand.due_at)
            self.reasons.append(Reason("response_due", periods.describe(response_due), response_due.citation))
        return Result(
            doctrine=None,
            items=tuple(items),
            response_due=response_due,
            comity_motion_due=None,
            reasons=tuple(self.reasons),
            catalogue_version=self.cat.version,
            available=False,
            kind=inst.kind,
            doctrine_authorities=(),
        )

    # --------------------------------------------------------- court, doctrine

    def _court(self) -> Court | None:
        """The issuing court, for process of a jurisdiction whose courts are listed with
        their circuits (US process, RULES.md §5.3). The catalogue also lists other
        jurisdictions' courts, for intake: they change no answer of the engine."""
        home = self.instrument.jurisdiction
        if not any(c.jurisdiction == home and c.circuit for c in self.cat.courts):
            return None
        name = self.demand.issuing_court
        court = self.cat.court(name)
        if court is not None and court.jurisdiction != home:
            court = None
        if court is not None:
            state = f", {court.state}" if court.state else ""
            self.reasons.append(
                Reason(
                    "court",
                    f"Issuing court {name!r} is {court.name} ({court.time_zone}{state}), in the"
                    f" {self.cat.circuit_name(court.circuit)}.",
                    self.cat.cite(CitationCode.COURT),
                )
            )
            return court
        described = f"Issuing court {name!r} is not in the catalogue" if name else "No issuing court is given"
        circuits = sorted(
            {
                c
                for dp in self.cat.doctrine_by_instrument.get(self.instrument.code, ())
                for c in (*dp.circuits, *dp.except_circuits)
            }
        )
        jurisdiction = self.cat.jurisdiction_by_code[home]
        outside = " or ".join(f"the {self.cat.circuit_name(c)}" for c in circuits)
        where = f"a court outside {outside}" if outside else "a court"
        holidays = " and no state's legal holidays" if jurisdiction.holidays_country else ""
        self.reasons.append(
            Reason(
                "court",
                f"{described}: the engine assumes {where}, sitting in {jurisdiction.time_zone},"
                f" with {jurisdiction.name} federal legal holidays only{holidays}. Counsel"
                " confirms the court.",
                self.cat.cite(CitationCode.COURT_UNKNOWN),
            )
        )
        return None

    def _doctrine(self, court: Court | None) -> tuple[str, tuple[str, ...], str, str]:
        """Doctrine, its authority ids (the contract's form), the reason's words and citation."""
        inst, as_of = self.instrument, self.as_of.isoformat()
        circuit = court.circuit if court is not None else None
        found: DoctrinePeriod | None = None
        for dp in self.cat.doctrine_by_instrument.get(inst.code, ()):
            if dp.applies(self.as_of, circuit):
                found = dp
                break
        if found is None:
            text = (
                f"On {as_of}, {inst.code} is control-based: it reaches data the served entity"
                " controls wherever it is stored; it rests on its own statute."
            )
            self.reasons.append(Reason("doctrine", text, inst.citation))
            return "control-based", (inst.code,), text, inst.citation
        where = ""
        if found.circuits:
            where = " in the " + ", ".join(self.cat.circuit_name(c) for c in found.circuits)
        elif found.except_circuits:
            where = " outside the " + ", ".join(self.cat.circuit_name(c) for c in found.except_circuits)
        dated = self._dated(found.authorities)
        text = f"On {as_of}, {inst.code} is {found.doctrine}{where}"
        if dated or not found.authorities:
            text += f": {found.note}." if found.note else "."
        else:
            text += "; no authority on the point is yet decided, so it rests on its own statute."
        text = self._confirm(text, found.to_confirm)
        citation = self._cite(dated) if dated else inst.citation
        ids = tuple(a.code for a in dated) or (inst.code,)
        self.reasons.append(Reason("doctrine", text, citation))
        return found.doctrine, ids, text, citation

    # -------------------------------------------------------------- step 3: hook

    def _hook_in_force(self) -> None:
        """The instrument's hook, or that of the last hook period begun by the as-of date."""
        for hp in self.cat.hook_periods_by_instrument.get(self.instrument.code, ()):
            if hp.start <= self.as_of:
                self.hook_kind, self.hook_period = hp.hook, hp

    def _hook_citation(self) -> str:
        hook = self.hook_kind
        if self.hook_period is not None:
            return self._cite(self._dated(self.hook_period.authorities), self.instrument.citation)
        if hook == "services-or-group":
            return self.cat.cite(CitationCode.HOOK_SERVICES_OR_GROUP, self.instrument)
        if hook == "eu-establishment":
            return self.cat.cite(CitationCode.HOOK_EU_ESTABLISHMENT, self.instrument)
        if hook == "agreement" and self.agreement is not None:
            return self.agreement.citation
        return self.instrument.citation

    def _hook(self, entity: Entity) -> HookTest:
        """Is `entity` subject to the instrument, and why."""
        found = self._hook_memo.get(entity.name)
        if found is None:
            found = self._hook_memo[entity.name] = self._hook_uncached(entity)
            if self.hook_period is not None and self.hook_period.note:
                since = self.hook_period.start.isoformat()
                found = self._hook_memo[entity.name] = found._replace(
                    text=f"{found.text} Since {since} the test is {self.hook_kind}: {self.hook_period.note}."
                )
        return found

    def _presence(self, entity: Entity) -> bool:
        return entity.country == self.issuer or self.issuer in entity.establishments

    def _offers(self, entity: Entity) -> bool:
        offers = entity.offers_services_in
        return "*" in offers or self.issuer in offers

    def _hook_uncached(self, entity: Entity) -> HookTest:
        hook, code = self.hook_kind, self.instrument.code
        name, issuer = entity.name, self.issuer
        if hook in ("presence", "services", "services-or-group"):
            if self._presence(entity):
                where = "is incorporated there" if entity.country == issuer else "has an establishment there"
                return HookTest(True, f"{name} is subject to {code}: it {where} ({issuer}).")
            if hook == "presence":
                return HookTest(
                    False,
                    f"{name} is not subject to {code}: it has no presence in {issuer}"
                    " (neither incorporated nor established there).",
                )
            if self._offers(entity):
                return HookTest(True, f"{name} is subject to {code}: it offers services in {issuer}.")
            if hook == "services":
                return HookTest(
                    False,
                    f"{name} is not subject to {code}: no presence in {issuer} and no services offered there.",
                )
            root = self._root(entity.name)
            if self._offers(self.entities[root]):
                return HookTest(
                    True,
                    f"{name} is subject to {code}: its ultimate parent {root} offers services in {issuer}.",
                )
            other = self._present_in_group(root)
            if other is not None:
                return HookTest(
                    True,
                    f"{name} is subject to {code}: {other.name}, of the same group"
                    f" (ultimate parent {root}), has a presence in {issuer}.",
                )
            return HookTest(
                False,
                f"{name} is not subject to {code}: neither it nor any entity of its group"
                f" has a presence in {issuer}, and neither it nor its ultimate parent offers services there.",
            )
        if hook == "eu-establishment":
            for country in (entity.country, *entity.establishments):
                if country != issuer and all(
                    self.cat.is_member(b, country, self.as_of) for b in self.instrument.issuing_blocs
                ):
                    how = (
                        "its country" if country == entity.country else "the first of its establishments that qualifies"
                    )
                    return HookTest(
                        True,
                        f"{name} is subject to {code}: its enforcing state is {country}"
                        f" ({how}), a member state taking part in the Regulation other"
                        f" than the issuing state {issuer}.",
                        enforcing_state=country,
                    )
            return HookTest(
                False,
                f"{name} is not subject to {code}: neither its country nor any of its"
                " establishments is a member state taking part in the Regulation other"
                f" than the issuing state {issuer}.",
            )
        # "agreement"
        agreement = self._executive_agreement(entity.country)
        if agreement is not None:
            return HookTest(
                True,
                f"{name} ({entity.country}) is subject to {code} under the"
                f" {agreement.name}, in force since {agreement.start.isoformat()}, which designates {code}.",
                agreement=agreement,
            )
        if entity.country == issuer:
            return HookTest(
                False,
                f"{name} ({entity.country}) is in the issuing state itself: {code} reaches a provider"
                " abroad under an executive agreement designating it; a provider at home"
                " answers to domestic process.",
            )
        return HookTest(
            False,
            f"{name} ({entity.country}) is not subject to {code}: no executive agreement"
            f" between {issuer} and {entity.country} designating {code} is in force on"
            f" {self.as_of.isoformat()}.",
        )

    def _executive_agreement(self, country: str) -> Agreement | None:
        for agreement in self.cat.agreements:
            if (
                agreement.kind == "executive"
                and self.instrument.code in agreement.designates
                and in_range(self.as_of, agreement.start, agreement.end)
                and covers(self.cat, agreement, self.issuer, country, self.as_of)
            ):
                return agreement
        return None

    def _present_in_group(self, root: str) -> Entity | None:
        """The first entity (in the facts' order) under `root` with a presence in the
        issuing state; one pass over the entities for the whole evaluation."""
        if self._present_by_root is None:
            present: dict[str, Entity] = {}
            for other in self.facts.entities:
                if self._presence(other):
                    present.setdefault(self._root(other.name), other)
            self._present_by_root = present
        return self._present_by_root.get(root)

    def _root(self, name: str) -> str:
        """The ultimate parent: the last of `_chain(name)`. Memoised along each walk, so
        the roots of a whole group cost one pass over it, not one walk per entity."""
        found = self._roots.get(name)
        if found is not None:
            return found
        walked = [name]
        seen = {name}
        entity = self.entities.get(name)
        while entity is not None and entity.parent and entity.parent not in seen:
            parent = entity.parent
            known = self._roots.get(parent)
            if known is not None:
                root = known
                break
            walked.append(parent)
            seen.add(parent)
            entity = self.entities.get(parent)
        else:
            root = walked[-1]
            if entity is not None and entity.parent and entity.parent in seen:
                # A loop (the contract refuses one; a database row might not): each
                # entity on or above it has its own "last before the loop": none is kept.
                return root
        for n in walked:
            self._roots[n] = root
        return root

    def _chain(self, name: str) -> list[str]:
        """`name`, its parent, its grandparent... (stops on a cycle)."""
        chain = [name]
        seen = {name}
        entity = self.entities.get(name)
        while entity is not None and entity.parent and entity.parent not in seen:
            chain.append(entity.parent)
            seen.add(entity.parent)
            entity = self.entities.get(entity.parent)
        return chain

    # ----------------------------------------------------------------- control

    def _controlled_setup(self) -> None:
        inst = self.instrument
        self._designated = set(self.served.designated_for) if inst.hook == "eu-establishment" else set()
        self._group_root = self._root(self.served.name) if inst.group_control else None
        self._control_citation = self.cat.cite(CitationCode.CONTROL, inst)

    def _control(self, name: str) -> Reason | None:
        """The link by which the served entity controls `name`, or None. Worked out only
        for the entities that hold data (once each), not for the whole group: the
        group can be large and each answer walks the chain above the entity."""
        if name in self._control_memo:
            return self._control_memo[name]
        found = self._control_memo[name] = self._control_uncached(name)
        return found

    def _control_uncached(self, name: str) -> Reason | None:
        inst, served = self.instrument, self.served.name
        designated, group_root, control = self._designated, self._group_root, self._control_citation
        if name not in self.entities:
            return None
        chain = self._chain(name)
        if name == served:
            return Reason("control", f"{name} is the served entity itself.", control)
        if served in chain:
            path = " → ".join(reversed(chain[: chain.index(served) + 1]))
            return Reason("control", f"{served} controls {name}, its subsidiary ({path}).", control)
        if designated and not designated.isdisjoint(chain):
            via = next(n for n in chain if n in designated)
            whom = name if via == name else f"{via}, an ancestor of {name}"
            return Reason(
                "control",
                f"{served} reaches {name}'s data as the designated establishment or legal"
                f" representative for {whom} under Directive (EU) 2023/1544.",
                self.cat.cite(CitationCode.DESIGNATION),
            )
        if group_root is not None and self._root(name) == group_root:
            dated = self._dated(inst.control_authorities)
            return Reason(
                "control",
                self._confirm(
                    f"{served} answers for the whole of its group under {inst.code}: {name}"
                    f" shares its ultimate parent {group_root}.",
                    inst.to_confirm,
                ),
                self._cite(dated, inst.citation),
            )
        return None

    def _not_controlled(self, name: str) -> str:
        inst, served = self.instrument, self.served.name
        links = ["the served entity", "one of its subsidiaries"]
        if inst.hook == "eu-establishment":
            links.append("an entity it is designated for")
        if inst.group_control:
            links.append("of its group")
        return f"{served} does not control {name}: {name} is not {', nor '.join(links)}."

    # --------------------------------------------------------------- conflicts

    def _rules_in_force(self) -> tuple[tuple[ConflictRule, ...], tuple[ConflictRule, ...]]:
        """Rules in force whose issuer-side condition holds, and those an agreement lifts.

        A preservation discloses nothing: it collects no disclosure conflict.
        """
        if self.preserving:
            return (), ()
        lifting = self.agreement.lifts if self.agreement is not None and self.hook_ok else ()
        rules: list[ConflictRule] = []
        lifted: list[ConflictRule] = []
        for rule in self.cat.conflict_rules:
            if not in_range(self.as_of, rule.start, rule.end):
                continue
            if rule.trigger == "stored_in_bloc_not_issuer":
                if self.cat.is_member(rule.bloc or "", self.issuer, self.as_of):
                    continue
            elif self.issuer in rule.countries:
                continue
            (lifted if rule.code in lifting else rules).append(rule)
        return tuple(rules), tuple(lifted)

    def _triggered(self, rule: ConflictRule, category: str, storage: str | None, controller: Entity) -> str | None:
        """Why `rule` applies to the holding, or None when it does not."""
        if rule.categories and category not in rule.categories:
            return None
        trigger = rule.trigger
        if trigger == "stored_in_country_not_issuer":
            if storage in rule.countries:
                return f"the data is stored in {storage} and the demand comes from {self.issuer}"
            return None
        if trigger == "stored_in_bloc_not_issuer":
            if (
                storage is not None
                and storage not in rule.except_countries
                and self.cat.is_member(rule.bloc or "", storage, self.as_of)
            ):
                bloc = next((b.name for b in self.cat.blocs if b.code == rule.bloc), rule.bloc)
                return f"the data is stored in {storage}, in the {bloc}, and {self.issuer} is outside it"
            return None
        if controller.country in rule.countries:  # "controller_in_country_not_issuer"
            return (
                f"the {category} data is held by {controller.name}, incorporated in {controller.country},"
                f" and the demand comes from {self.issuer}"
            )
        return None

    def _excepted(self, rule: ConflictRule, category: str, storage: str | None) -> str | None:
        """Why a bloc rule does not reach data stored in one of its excepted countries."""
        if (
            rule.trigger == "stored_in_bloc_not_issuer"
            and storage is not None
            and storage in rule.except_countries
            and (not rule.categories or category in rule.categories)
            and self.cat.is_member(rule.bloc or "", storage, self.as_of)
        ):
            return f"{rule.law} does not apply to data stored in {storage}, which the rule excepts."
        return None

    # ------------------------------------------------------------------ comity

    def _comity_possible(self) -> bool:
        code = self.instrument.comity_period
        if code is None or self.preserving:
            return False
        period = self.cat.period_by_code[code]
        return period.start is None or self.as_of >= period.start

    def _qualifying(self, storage: str) -> Agreement | None:
        home = self.instrument.jurisdiction
        for agreement in self.cat.agreements:
            if (
                agreement.qualifying_foreign_government
                and in_range(self.as_of, agreement.start, agreement.end)
                and covers(self.cat, agreement, home, storage, self.as_of)
            ):
                return agreement
        return None

    # ------------------------------------------------------------------- mlat

    def _mlat(self, storage: str | None) -> tuple[str, ...]:
        found = self._mlat_memo.get(storage)
        if found is None:
            names = []
            if storage is not None and storage != self.issuer:
                for agreement in self.cat.agreements:
                    if (
                        agreement.kind == "mlat"
                        and in_range(self.as_of, agreement.start, agreement.end)
                        and covers(self.cat, agreement, self.issuer, storage, self.as_of)
                    ):
                        names.append(agreement.name)
            found = self._mlat_memo[storage] = tuple(names)
        return found

    # --------------------------------------------------- step 4.8: voluntary

    def _voluntary(
        self, category: str, controller: Entity, route: Route, prohibited: bool
    ) -> tuple[bool, Reason | None]:
        """May the US provider holding it disclose it of its own accord (RULES.md §2 step 4.8)?"""
        permission: DisclosurePermission | None = self.permissions.get(controller.country)
        if (
            self.preserving
            or permission is None
            or category not in permission.categories
            or category not in self.instrument.categories
            or route in (Route.INSUFFICIENT_INSTRUMENT, Route.AGREEMENT)
            or prohibited
        ):
            return False, None
        binds = (
            "whether or not the demand binds it"
            if route in (Route.MLAT, Route.REDIRECT)
            else "besides answering the demand"
        )
        return True, Reason(
            "voluntary",
            f"Voluntary disclosure: the law of {controller.country} permits {controller.name} to disclose"
            f" this {category} data to the {self.issuer} requester of its own accord, {binds}. The"
            " provider's own policy, and any other law that weighs, decide whether it does.",
            self._cite(self._dated(permission.authorities), permission.citation),
        )

    # ------------------------------------------------------- step 4: a holding

    def _assess(
        self,
        category: str,
        storage: str | None,
        controlled_by: str,
        us_person: bool | None,
        residence: str | None,
    ) -> Outcome:
        """The outcome of one holding shape: equal shapes, equal outcomes (run() memoises).

        Built from parts memoised on the inputs each depends on (the controller, the
        storage country, the category), so a new shape costs a few look-ups, not a
        fresh set of reasons.
        """
        if not self.hook_ok:
            return self._unreached_outcome(("hook", category, controlled_by), storage)
        if category not in self.instrument.categories:
            return self._unreached_outcome(("category", category, controlled_by), storage)
        agreement = self.agreement
        if (
            agreement is not None
            and agreement.forbids_targeting_us_persons
            and (us_person is True or residence == "US")
        ):
            return self._unreached_outcome(("targeting", category, controlled_by, us_person is True), storage)
        control = self._control(controlled_by)
        if control is None:
            return self._unreached_outcome(("control", category, controlled_by), storage)
        reach, reach_reason = self._reach_of(storage)
        if reach is Reach.NONE:
            controller = self.entities[controlled_by]
            reasons: tuple[Reason, ...] = (self.hook_reason, control, reach_reason)
            voluntary, why = self._voluntary_of(category, controller, Route.MLAT, False)
            if why is not None:
                reasons = (*reasons, why)
            return tuple.__new__(Outcome, (Reach.NONE, Route.MLAT, (), False, voluntary, self._mlat(storage), reasons))
        if self.preserving:
            reasons = (self.hook_reason, control, reach_reason, self._preservation_route())
            return tuple.__new__(Outcome, (reach, Route.DIRECT, (), False, False, (), reasons))

        controller = self.entities[controlled_by]
        part = self._rules_for(category, storage, controller)
        prohibited = part.prohibited
        if prohibited:
            route = Route.MLAT
            route_reason = self._prohibited_route(prohibited, part.rules, storage)
        else:
            route, route_reason = self._free_route()
        comity_reasons: tuple[Reason, ...] = ()
        comity = False
        if self.comity_possible and category == "content" and reach == Reach.CONTROL:
            self.comity_proxy_used = True
            if self.defer_comity:  # run() adds it per account holder
                self.deferred = True
                reasons = (self.hook_reason, control, reach_reason, *part.reasons, *part.lifted, route_reason)
                mlat = self._mlat(storage) if route == Route.MLAT else ()
                return tuple.__new__(Outcome, (reach, route, part.conflicts, False, False, mlat, reasons))
            comity, reason = self._comity_reason(storage, us_person, residence)
            comity_reasons = (reason,)
        voluntary, why_voluntary = self._voluntary_of(category, controller, route, bool(prohibited))
        reasons = (self.hook_reason, control, reach_reason, *part.reasons, *part.lifted, route_reason, *comity_reasons)
        if why_voluntary is not None:
            reasons = (*reasons, why_voluntary)
        mlat = self._mlat(storage) if route == Route.MLAT else ()
        # tuple.__new__ skips the NamedTuple's Python-level __new__: this runs once per holding shape.
        return tuple.__new__(Outcome, (reach, route, part.conflicts, comity, voluntary, mlat, reasons))

    # ----------------------------------------------- step 4: the memoised parts

    def _unreached_outcome(self, key: tuple, storage: str | None) -> Outcome:
        """A holding not reached before its storage counts: the route, the voluntary flag
        and the reasons depend on `key` (why, the category, the controller...); the
        treaties of a `mlat` route on the storage country."""
        found = self._unreached_memo.get(key)
        if found is None:
            found = self._unreached_memo[key] = self._unreached_uncached(key)
        route, voluntary, reasons = found
        mlat = self._mlat(storage) if route == Route.MLAT else ()
        return tuple.__new__(Outcome, (Reach.NONE, route, (), False, voluntary, mlat, reasons))

    def _unreached_uncached(self, key: tuple) -> tuple[Route, bool, tuple[Reason, ...]]:
        why, category, controlled_by = key[0], key[1], key[2]
        controller = self.entities[controlled_by]
        code = self.instrument.code
        if why == "category":
            allowed = ", ".join(sorted(self.instrument.categories))
            route = Route.INSUFFICIENT_INSTRUMENT
            reasons: tuple[Reason, ...] = (
                Reason("category", f"{code} reaches {allowed} data only, not {category}.", self.instrument.citation),
            )
        elif why == "targeting":
            agreement = self.agreement
            assert agreement is not None  # noqa: S101 - _assess only asks with an agreement
            who = "a US person" if key[3] else "a person in the US"
            route = Route.MLAT
            reasons = (
                Reason("targeting", f"The {agreement.name} forbids orders targeting {who}.", agreement.citation),
            )
        else:
            if why == "hook":
                text = (
                    f"The served entity {self.served.name} is not subject to {code}, so nothing is reached through it."
                )
                citation = self._hook_citation()
            else:  # "control"
                text = self._not_controlled(controlled_by)
                citation = self.cat.cite(CitationCode.CONTROL, self.instrument)
            hook = self._hook(controller)
            route = Route.REDIRECT if hook.ok else Route.MLAT
            where = (
                f"Route: redirect the requester to {controlled_by}, which is itself subject to {code}."
                if hook.ok
                else "Route: mutual legal assistance."
            )
            reasons = (Reason("route", f"{text} {hook.text} {where}", citation),)
        voluntary, why_voluntary = self._voluntary_of(category, controller, route, False)
        if why_voluntary is not None:
            reasons = (*reasons, why_voluntary)
        return route, voluntary, reasons

    def _reach_of(self, storage: str | None) -> tuple[Reach, Reason]:
        """Is a controlled holding stored in `storage` reached (Reach.NONE: not), and why."""
        found = self._reach_memo.get(storage)
        if found is None:
            found = self._reach_memo[storage] = self._reach_uncached(storage)
        return found

    def _reach_uncached(self, storage: str | None) -> tuple[Reach, Reason]:
        where = f"Stored in {storage}" if storage else "Storage unknown"
        if storage is not None and storage == self.issuer:
            return Reach.STORAGE, Reason(
                "reach",
                f"Stored in {self.issuer}, the issuing jurisdiction: reached where it is stored.",
                self.instrument.citation,
            )
        if self.preserving:
            return Reach.CONTROL, Reason(
                "reach",
                f"{where}: a preservation request reaches what the served entity controls, wherever"
                f" stored. {self.doctrine_text}",
                self._cite([], self.doctrine_citation),
            )
        if self.doctrine == "control-based":
            return Reach.CONTROL, Reason(
                "reach",
                f"{where}, outside {self.issuer}: reached by control. {self.doctrine_text}",
                self.doctrine_citation,
            )
        return Reach.NONE, Reason(
            "reach",
            f"{where}, outside {self.issuer}: not reached, so it goes through mutual legal assistance."
            f" {self.doctrine_text}",
            self.doctrine_citation,
        )

    def _preservation_route(self) -> Reason:
        found = self._preservation_route_memo
        if found is None:
            found = self._preservation_route_memo = Reason(
                "route",
                "Route: direct. A preservation discloses nothing, so no law restricting disclosure"
                " applies to it; a later demand for the data is analysed on its own.",
                self.cat.cite(CitationCode.PRESERVATION, self.instrument),
            )
        return found

    def _free_route(self) -> tuple[Route, Reason]:
        """The route of a reached holding no prohibition stops: one per demand."""
        found = self._free_route_memo
        if found is None:
            agreement = self.agreement
            if self.hook_kind == "agreement" and agreement is not None:
                found = (
                    Route.AGREEMENT,
                    Reason(
                        "route",
                        f"Route: under the {agreement.name}, which designates {self.instrument.code}.",
                        agreement.citation,
                    ),
                )
            else:
                found = (
                    Route.DIRECT,
                    Reason(
                        "route",
                        f"Route: direct: {self.served.name} produces it in answer to {self.instrument.code}.",
                        self.instrument.citation,
                    ),
                )
            self._free_route_memo = found
        return found

    def _prohibited_route(
        self, prohibited: tuple[str, ...], rules: tuple[ConflictRule, ...], storage: str | None
    ) -> Reason:
        key = (prohibited, storage)
        found = self._prohibited_route_memo.get(key)
        if found is None:
            treaties = self._mlat(storage)
            via = f" ({', '.join(treaties)})" if treaties else ""
            found = self._prohibited_route_memo[key] = Reason(
                "route",
                f"Route: mutual legal assistance{via}, because {' and '.join(prohibited)}"
                f" {'prohibits' if len(prohibited) == 1 else 'prohibit'} direct disclosure.",
                "; ".join(rule.citation for rule in rules if rule.severity == "prohibition"),
            )
        return found

    def _rules_for(self, category: str, storage: str | None, controller: Entity) -> "_RulePart":
        """The conflict rules a reached holding triggers, with their reasons, in catalogue
        order: the rules that look at the storage country memoised per (category,
        storage), those that look at the controller per (category, controller)."""
        by_storage = self._storage_parts.get((category, storage))
        if by_storage is None:
            by_storage = self._storage_parts[(category, storage)] = self._rule_part(
                self._storage_rules, self._storage_lifted, category, storage, None
            )
        by_controller = self._controller_parts.get((category, controller.name))
        if by_controller is None:
            by_controller = self._controller_parts[(category, controller.name)] = self._rule_part(
                self._controller_rules, self._controller_lifted, category, None, controller
            )
        if not by_controller.entries and not by_controller.lifted_entries:
            return by_storage
        if not by_storage.entries and not by_storage.lifted_entries:
            return by_controller
        key = (category, storage, controller.name)
        found = self._merged_parts.get(key)
        if found is None:
            found = self._merged_parts[key] = _RulePart.of(
                tuple(sorted((*by_storage.entries, *by_controller.entries), key=_first)),
                tuple(sorted((*by_storage.lifted_entries, *by_controller.lifted_entries), key=_first)),
            )
        return found

    def _rule_part(
        self,
        rules: tuple[tuple[int, ConflictRule], ...],
        lifted: tuple[tuple[int, ConflictRule], ...],
        category: str,
        storage: str | None,
        controller: Entity | None,
    ) -> "_RulePart":
        """`rules` and `lifted` (each with its place in the catalogue) applied to a holding:
        the storage rules never look at the controller, the controller rules never at the
        storage, so the caller passes None for the one that does not count."""
        entries: list[tuple[int, ConflictRule | None, Reason]] = []
        for index, rule in rules:
            why = self._triggered(rule, category, storage, controller)  # type: ignore[arg-type]
            if why is not None:
                reason = Reason(
                    rule.code,
                    f"{rule.law} ({rule.severity}): {why}.",
                    self._cite(self._dated(rule.authorities), rule.citation),
                )
                entries.append((index, rule, reason))
            else:
                excepted = self._excepted(rule, category, storage)
                if excepted is not None:
                    entries.append(
                        (index, None, Reason(rule.code, excepted, self._cite(self._dated(rule.except_authorities))))
                    )
        lifted_entries: list[tuple[int, ConflictRule | None, Reason]] = []
        agreement = self.agreement
        for index, rule in lifted:
            why = self._triggered(rule, category, storage, controller)  # type: ignore[arg-type]
            if why is not None and agreement is not None:
                reason = Reason(
                    rule.code,
                    f"{rule.law} would bar this disclosure ({why}), but the {agreement.name} lifts it"
                    f" for orders under it.",
                    self._cite(self._dated(rule.except_authorities), agreement.citation),
                )
                lifted_entries.append((index, None, reason))
        return _RulePart.of(tuple(entries), tuple(lifted_entries))

    def _voluntary_of(
        self, category: str, controller: Entity, route: Route, prohibited: bool
    ) -> tuple[bool, Reason | None]:
        """`_voluntary`, memoised per (category, controller, route, prohibited)."""
        key = (category, controller.name, route, prohibited)
        found = self._voluntary_memo.get(key)
        if found is None:
            found = self._voluntary_memo[key] = self._voluntary(category, controller, route, prohibited)
        return found

    def _comity_reason(self, storage: str | None, us_person: bool | None, residence: str | None) -> tuple[bool, Reason]:
        """`_comity` as the item's reason, memoised per (storage, person)."""
        key = (storage, us_person, residence)
        found = self._comity_memo.get(key)
        if found is None:
            test = self._comity(storage, us_person, residence)
            found = self._comity_memo[key] = (
                test.available,
                Reason("comity_motion", test.text, self.cat.cite(CitationCode.COMITY_MOTION)),
            )
        return found

    def _comity(self, storage: str | None, us_person: bool | None, residence: str | None) -> ComityTest:
        home = self.instrument.jurisdiction
        if storage is None:
            return ComityTest(False, "No comity motion: the storage country is unknown.")
        agreement = self._qualifying(storage)
        if agreement is None:
            return ComityTest(
                False,
                f"No comity motion: {storage} (storage country, the proxy) is not a"
                f" qualifying foreign government on {self.as_of.isoformat()}.",
            )
        if us_person is not False:
            state = "unknown" if us_person is None else "a US person"
            return ComityTest(False, f"No comity motion: the account holder is {state}.")
        if residence is None or residence == home:
            state = "unknown" if residence is None else f"in {home}"
            return ComityTest(False, f"No comity motion: the account holder's residence is {state}.")
        return ComityTest(
            True,
            f"Comity motion available: {storage} (storage country, the proxy) is a"
            f" qualifying foreign government under the {agreement.name}; the account"
            f" holder is not a US person and resides in {residence}.",
        )

    # -------------------------------------------------------------- deadlines

    def _count(self, period: Period, kind: str, court: Court | None, *, length: int | None = None) -> Deadline | None:
        """The period counted on its clock; None when its end falls after 9999-12-31."""
        clock = self._clock(period.clock, court)
        try:
            return periods.count(
                period,
                kind=kind,
                served_at=self.demand.served_at,
                as_of=self.as_of,
                time_zone=clock.time_zone,
                calendars=clock.calendars,
                holidays=periods.holidays_for(self.cat, clock.calendars) if period.roll_over else None,
                length=length,
                names=periods.holiday_names_for(self.cat, clock.calendars) if period.roll_over else None,
            )
        except OverflowError:
            return None

    def _response_due(self, outcomes: list[Outcome]) -> Deadline | None:
        if self.demand.due_at is not None:
            deadline = periods.given("response", self.demand.due_at)
        else:
            code = self.instrument.response_period
            if code is None or not any(outcome.reach != Reach.NONE for outcome in outcomes):
                return None
            if self.demand.emergency and self.instrument.emergency_period:
                code = self.instrument.emergency_period
            counted = self._count(self.cat.period_by_code[code], "response", None)
            if counted is None:
                return None
            deadline = counted
        self.reasons.append(Reason("response_due", periods.describe(deadline), deadline.citation))
        return deadline

    def _comity_due(self, outcomes: list[Outcome], court: Court | None) -> Deadline | None:
        code = self.instrument.comity_period
        if code is None or not any(outcome.comity_motion for outcome in outcomes):
            return None
        deadline = self._count(self.cat.period_by_code[code], "comity_motion", court)
        if deadline is None:
            return None
        citation = deadline.citation
        if court is not None and court.state:
            citation += f"; {self.cat.cite(CitationCode.STATE_HOLIDAYS)}"
        self.reasons.append(Reason("comity_motion_due", periods.describe(deadline), citation))
        return deadline

    def _preservation_expires(self, outcomes: list[Outcome], court: Court | None) -> Deadline | None:
        code = self.instrument.preservation_period
        if code is None or not any(outcome.reach != Reach.NONE for outcome in outcomes):
            return None
        period = self.cat.period_by_code[code]
        length = period.extended_length if self.demand.extended and period.extended_length else None
        deadline = self._count(period, "preservation", court, length=length)
        if deadline is None:
            return None
        extended = " (extended once)" if length else ""
        self.reasons.append(
            Reason("preservation_expires", f"Preservation{extended}: {periods.describe(deadline)}", deadline.citation)
        )
        return deadline

    def _objection_due(self, outcomes: list[Outcome]) -> Deadline | None:
        """Art. 17: a reasoned objection when a reached holding meets a third country's law."""
        code = self.instrument.objection_period
        if code is None or not self.hook_ok:
            return None
        home, blocs = self.instrument.jurisdiction, self.instrument.issuing_blocs
        by_code = {r.code: r for r in self.rules}

        def third_country(rule: ConflictRule) -> bool:
            law_of = rule.jurisdiction
            return law_of != home and not any(self.cat.is_member(b, law_of, self.as_of) for b in blocs)

        laws = sorted(
            {
                c
                for outcome in outcomes
                if outcome.reach != Reach.NONE
                for c in outcome.conflicts
                if third_country(by_code[c])
            }
        )
        if not laws:
            return None
        deadline = self._count(self.cat.period_by_code[code], "conflict_objection", None)
        if deadline is None:
            return None
        self.reasons.append(
            Reason(
                "conflict_objection_due",
                f"A reached holding meets the law of a third country ({', '.join(laws)}): a reasoned"
                f" objection is due. {periods.describe(deadline)}",
                deadline.citation,
            )
        )
        return deadline

    def _clock(self, clock: str, court: Court | None) -> Clock:
        """The time zone and holiday calendars a period is counted in."""
        home = self.cat.jurisdiction_by_code[self.instrument.jurisdiction]
        if clock == "court" and court is not None:
            court_home = self.cat.jurisdiction_by_code[court.jurisdiction]
            calendars: tuple[str, ...] = (court_home.holidays_country,) if court_home.holidays_country else ()
            if court.state:
                calendars += (f"{court.jurisdiction}-{court.state}",)
            return Clock(court.time_zone, calendars)
        if clock == "enforcing-state" and self.enforcing_state:
            state = self.cat.jurisdiction_by_code.get(self.enforcing_state)
            if state is not None:
                return Clock(state.time_zone, (state.holidays_country,) if state.holidays_country else ())
        return Clock(home.time_zone, (home.holidays_country,) if home.holidays_country else ())
