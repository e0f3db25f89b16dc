"""The reach engine: `evaluate(catalogue, facts) -> Result` (shared/RULES.md §2).

Pure and deterministic: no ORM, no clock, no I/O. Everything that depends only on
the demand (availability, doctrine, hook, control, conflict rules in force) is
worked out once per demand; each distinct holding shape is then assessed once.
"""

from datetime import date
from typing import NamedTuple

from . import periods
from .types import (
    Agreement,
    Catalogue,
    CitationCode,
    ConflictRule,
    Court,
    Deadline,
    Entity,
    Facts,
    Instrument,
    Item,
    Reach,
    Reason,
    Result,
    Route,
    in_range,
)

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
    mlat: tuple[str, ...]
    reasons: tuple[Reason, ...]


class ComityTest(NamedTuple):
    """Can a comity motion be brought for a holding (18 U.S.C. §2703(h)(2)), and why."""

    available: bool
    text: str


class Clock(NamedTuple):
    """Where a period is counted: its time zone and public-holiday calendar."""

    time_zone: str
    holidays_country: str | None


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
        self.entities: dict[str, Entity] = {e.name: e for e in facts.entities}
        if facts.demand.served_entity not in self.entities:
            raise ValueError(f"served entity {facts.demand.served_entity!r} is not an entity")
        self.served = self.entities[facts.demand.served_entity]
        self.reasons: list[Reason] = []
        self._hook_memo: dict[str, HookTest] = {}
        self._roots: dict[str, str] | None = None
        self._mlat_memo: dict[str | None, tuple[str, ...]] = {}

    # ------------------------------------------------------------------ driver

    def run(self) -> Result:
        court = self._court()
        why_not = self._unavailable()
        if why_not:
            self.reasons.append(Reason("instrument", why_not, self.instrument.citation))
            return self._unavailable_result(why_not)
        self.reasons.append(
            Reason(
                "instrument",
                f"{self.instrument.code} ({self.instrument.name}) is available to"
                f" {self.issuer} on {self.as_of.isoformat()}.",
                self.instrument.citation,
            )
        )
        self.doctrine = self._doctrine(court)
        hook = self._hook(self.served)
        self.hook_ok = hook.ok
        self.enforcing_state = hook.enforcing_state
        self.agreement = hook.agreement
        self.reasons.append(Reason("hook", hook.text, self._hook_citation()))
        self.controlled = self._controlled()
        self.rules = self._rules_in_force()
        self.comity_possible = self._comity_possible()
        self.comity_proxy_used = False

        memo: dict[tuple, Outcome] = {}  # keyed by _assess's arguments
        items: list[Item] = []
        append = items.append
        assess = self._assess
        for account in self.facts.accounts:
            identifier = account.identifier
            us_person = account.us_person
            residence = account.residence
            for h in account.holdings:
                key = (h.category, h.storage, h.controlled_by, us_person, residence)
                found = memo.get(key)
                if found is None:
                    found = memo[key] = assess(*key)
                # An Outcome's fields are an Item's last six, in order (positional: this is the hot loop).
                append(Item(identifier, h.category, h.storage, h.controlled_by, *found))

        for rule in sorted({c for item in items for c in item.conflicts}):
            r = next(x for x in self.rules if x.code == rule)
            self.reasons.append(
                Reason(
                    rule,
                    f"{r.law} ({r.severity}) applies to at least one holding.",
                    r.citation,
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

        response_due = self._response_due(items)
        comity_due = self._comity_due(items, court)
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
        )

    # ------------------------------------------------------- step 1: available

    def _unavailable(self) -> str | None:
        inst, day = self.instrument, self.as_of
        if day < inst.start:
            return (
                f"{inst.code} is not available on {day.isoformat()}: it applies from"
                f" {inst.start.isoformat()}. Every holding goes through mutual legal"
                " assistance."
            )
        if inst.end is not None and day > inst.end:
            return (
                f"{inst.code} is not available on {day.isoformat()}: it ceased to apply after {inst.end.isoformat()}."
            )
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
        reason = Reason("instrument", why_not, self.instrument.citation)
        items = []
        for account in self.facts.accounts:
            for h in account.holdings:
                items.append(
                    Item(
                        account=account.identifier,
                        category=h.category,
                        storage=h.storage,
                        controlled_by=h.controlled_by,
                        reach=Reach.NONE,
                        route=Route.MLAT,
                        conflicts=(),
                        comity_motion=False,
                        mlat=self._mlat(h.storage),
                        reasons=(reason,),
                    )
                )
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
        )

    # --------------------------------------------------------- court, doctrine

    def _court(self) -> Court | None:
        """The issuing court, for process of a jurisdiction whose courts are listed."""
        home = self.instrument.jurisdiction
        if not any(c.jurisdiction == home for c in self.cat.courts):
            return None
        name = self.demand.issuing_court
        court = self.cat.court(name)
        if court is not None and court.jurisdiction != home:
            court = None
        if court is not None:
            self.reasons.append(
                Reason(
                    "court",
                    f"Issuing court {name!r} is {court.name}, in the"
                    f" {self.cat.circuit_name(court.circuit)}; its deadlines are counted in"
                    f" {court.time_zone}.",
                    self.cat.cite(CitationCode.COURT),
                )
            )
            return court
        described = f"Issuing court {name!r} is not in the catalogue" if name else ("No issuing court is given")
        circuits = sorted(
            {
                c
                for dp in self.cat.doctrine_by_instrument.get(self.instrument.code, ())
                for c in (*dp.circuits, *dp.except_circuits)
            }
            or {"2"}
        )
        outside = " or ".join(f"the {self.cat.circuit_name(c)}" for c in circuits)
        self.reasons.append(
            Reason(
                "court",
                f"{described}: it is assumed to be outside {outside}.",
                self.cat.cite(CitationCode.COURT_UNKNOWN),
            )
        )
        jurisdiction = self.cat.jurisdiction_by_code[home]
        self.reasons.append(
            Reason(
                "court-time-zone",
                f"{described}: its time zone is assumed to be {jurisdiction.time_zone}"
                f" (the capital of {jurisdiction.name}).",
                self.cat.cite(CitationCode.COURT_TIME_ZONE),
            )
        )
        return None

    def _doctrine(self, court: Court | None) -> str:
        circuit = court.circuit if court is not None else None
        for dp in self.cat.doctrine_by_instrument.get(self.instrument.code, ()):
            if dp.applies(self.as_of, circuit):
                end = dp.end.isoformat() if dp.end else "the present"
                where = ""
                if dp.circuits:
                    where = " in the " + ", ".join(self.cat.circuit_name(c) for c in dp.circuits)
                elif dp.except_circuits:
                    where = " outside the " + ", ".join(self.cat.circuit_name(c) for c in dp.except_circuits)
                self.reasons.append(
                    Reason(
                        "doctrine",
                        f"{self.instrument.code} is {dp.doctrine}{where} from {dp.start.isoformat()} to {end}.",
                        dp.authority,
                    )
                )
                return dp.doctrine
        self.reasons.append(
            Reason(
                "doctrine",
                f"{self.instrument.code} is control-based: it reaches data the served"
                " entity controls wherever it is stored (no doctrine period limits it).",
                self.instrument.citation,
            )
        )
        return "control-based"

    # -------------------------------------------------------------- step 3: hook

    def _hook_citation(self) -> str:
        hook = self.instrument.hook
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
        return found

    def _presence(self, entity: Entity) -> bool:
        return entity.country == self.issuer or self.issuer in entity.establishments

    def _services(self, entity: Entity) -> bool:
        offers = entity.offers_services_in
        return self._presence(entity) or "*" in offers or self.issuer in offers

    def _hook_uncached(self, entity: Entity) -> HookTest:
        hook, code = self.instrument.hook, self.instrument.code
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
            if self._services(entity):
                return HookTest(True, f"{name} is subject to {code}: it offers services in {issuer}.")
            if hook == "services":
                return HookTest(
                    False,
                    f"{name} is not subject to {code}: no presence in {issuer} and no services offered there.",
                )
            root = self._root(entity.name)
            for other in self.facts.entities:
                if self._root(other.name) == root and self._presence(other):
                    return HookTest(
                        True,
                        f"{name} is subject to {code}: {other.name}, of the same group"
                        f" (ultimate parent {root}), has a presence in {issuer}.",
                    )
            return HookTest(
                False,
                f"{name} is not subject to {code}: neither it nor any entity of its group"
                f" has a presence in {issuer}, and it offers no services there.",
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
                f" {agreement.name}, in force since {agreement.start.isoformat()}.",
                agreement=agreement,
            )
        if entity.country == issuer:
            return HookTest(
                False,
                f"{name} ({entity.country}) is in the issuing state itself: {code} reaches a provider"
                " in the US under an executive agreement designating it; a provider at home"
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

    def _root(self, name: str) -> str:
        if self._roots is None:
            roots: dict[str, str] = {}
            for entity in self.facts.entities:
                chain = self._chain(entity.name)
                roots[entity.name] = chain[-1]
            self._roots = roots
        return self._roots[name]

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

    def _controlled(self) -> frozenset[str]:
        served = self.served.name
        designated = set(self.served.designated_for) if self.instrument.hook == "eu-establishment" else set()
        controlled = set()
        for entity in self.facts.entities:
            chain = self._chain(entity.name)
            if served in chain or (designated and not designated.isdisjoint(chain)):
                controlled.add(entity.name)
        return frozenset(controlled)

    # --------------------------------------------------------------- conflicts

    def _rules_in_force(self) -> tuple[ConflictRule, ...]:
        """Rules in force on the as-of date whose issuer-side condition holds."""
        lifted = self.agreement.lifts if self.agreement is not None else ()
        rules = []
        for rule in self.cat.conflict_rules:
            if not in_range(self.as_of, rule.start, rule.end) or rule.code in lifted:
                continue
            if rule.trigger == "stored_in_bloc_not_issuer":
                if self.cat.is_member(rule.bloc or "", self.issuer, self.as_of):
                    continue
            elif self.issuer in rule.countries:
                continue
            rules.append(rule)
        return tuple(rules)

    def _conflicts(self, category: str, storage: str | None, controller: Entity) -> list[ConflictRule]:
        found = []
        for rule in self.rules:
            if rule.categories and category not in rule.categories:
                continue
            trigger = rule.trigger
            if trigger == "stored_in_country_not_issuer":
                hit = storage in rule.countries
            elif trigger == "stored_in_bloc_not_issuer":
                hit = (
                    storage is not None
                    and storage not in rule.except_countries
                    and self.cat.is_member(rule.bloc or "", storage, self.as_of)
                )
            else:  # "controller_in_country_not_issuer"
                hit = controller.country in rule.countries
            if hit:
                found.append(rule)
        return found

    # ------------------------------------------------------------------ comity

    def _comity_possible(self) -> bool:
        code = self.instrument.comity_period
        if code is None:
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

    # ------------------------------------------------------- step 4: a holding

    def _assess(
        self,
        category: str,
        storage: str | None,
        controlled_by: str,
        us_person: bool | None,
        residence: str | None,
    ) -> Outcome:
        """The outcome of one holding shape: equal shapes, equal outcomes (run() memoises)."""
        controller = self.entities[controlled_by]
        code = self.instrument.code

        def redirect_or_mlat(text: str, citation: str) -> Outcome:
            hook = self._hook(controller)
            route = Route.REDIRECT if hook.ok else Route.MLAT
            return self._outcome(Reach.NONE, route, storage, Reason("route", f"{text} {hook.text}", citation))

        if not self.hook_ok:
            return redirect_or_mlat(
                f"The served entity {self.served.name} is not subject to {code}.",
                self._hook_citation(),
            )
        if category not in self.instrument.categories:
            allowed = ", ".join(sorted(self.instrument.categories))
            return self._outcome(
                Reach.NONE,
                Route.INSUFFICIENT_INSTRUMENT,
                storage,
                Reason(
                    "category",
                    f"{code} reaches {allowed} data only, not {category}.",
                    self.instrument.citation,
                ),
            )
        agreement = self.agreement
        if (
            agreement is not None
            and agreement.forbids_targeting_us_persons
            and (us_person is True or residence == "US")
        ):
            who = "a US person" if us_person is True else "a person in the US"
            return self._outcome(
                Reach.NONE,
                Route.MLAT,
                storage,
                Reason(
                    "targeting",
                    f"The {agreement.name} forbids orders targeting {who}.",
                    agreement.citation,
                ),
            )
        if controlled_by not in self.controlled:
            return redirect_or_mlat(
                f"{self.served.name} does not control {controlled_by}.", self.cat.cite(CitationCode.CONTROL)
            )
        if storage is not None and storage == self.issuer:
            reach = Reach.STORAGE
            why = f"Stored in the issuing jurisdiction {self.issuer}."
        elif self.doctrine == "control-based":
            reach = Reach.CONTROL
            where = f"Stored in {storage}" if storage else "Storage unknown"
            held = (
                f"held by {controlled_by} itself"
                if controlled_by == self.served.name
                else f"held by {controlled_by}, which {self.served.name} controls"
            )
            why = f"{where}, {held}: reached by control (control-based doctrine)."
        else:
            where = f"Stored in {storage}" if storage else "Storage unknown"
            return self._outcome(
                Reach.NONE,
                Route.MLAT,
                storage,
                Reason(
                    "doctrine",
                    f"{where}, outside {self.issuer}: a storage-based doctrine does not reach it.",
                    self.instrument.citation,
                ),
            )
        reasons = [Reason("reach", why, self.instrument.citation)]
        rules = self._conflicts(category, storage, controller)
        for rule in rules:
            reasons.append(Reason(rule.code, f"{rule.law}: {rule.severity}.", rule.citation))
        if any(rule.severity == "prohibition" for rule in rules):
            route = Route.MLAT
        elif self.instrument.hook == "agreement":
            route = Route.AGREEMENT
        else:
            route = Route.DIRECT
        comity = False
        if self.comity_possible and category == "content" and reach == Reach.CONTROL:
            self.comity_proxy_used = True
            test = self._comity(storage, us_person, residence)
            comity = test.available
            reasons.append(Reason("comity_motion", test.text, self.cat.cite(CitationCode.COMITY_MOTION)))
        conflicts = tuple(sorted(rule.code for rule in rules))
        mlat = self._mlat(storage) if route == Route.MLAT else ()
        # tuple.__new__ skips the NamedTuple's Python-level __new__: this runs once per holding shape.
        return tuple.__new__(Outcome, (reach, route, conflicts, comity, mlat, tuple(reasons)))

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

    def _outcome(self, reach: Reach, route: Route, storage: str | None, reason: Reason) -> Outcome:
        """An outcome with no conflict and no comity motion, for one reason."""
        mlat = self._mlat(storage) if route == Route.MLAT else ()
        # No conflicts, no comity motion (tuple.__new__: see _assess).
        return tuple.__new__(Outcome, (reach, route, (), False, mlat, (reason,)))

    # -------------------------------------------------------------- deadlines

    def _response_due(self, items: list[Item]) -> Deadline | None:
        if self.demand.due_at is not None:
            deadline = periods.given("response", self.demand.due_at)
        else:
            code = self.instrument.response_period
            if code is None or not any(item.reach != Reach.NONE for item in items):
                return None
            if self.demand.emergency and self.instrument.emergency_period:
                code = self.instrument.emergency_period
            period = self.cat.period_by_code[code]
            clock = self._clock(period.clock, None)
            deadline = periods.count(
                period,
                kind="response",
                served_at=self.demand.served_at,
                as_of=self.as_of,
                time_zone=clock.time_zone,
                holidays_country=clock.holidays_country,
            )
        self.reasons.append(Reason("response_due", periods.describe(deadline), deadline.citation))
        return deadline

    def _comity_due(self, items: list[Item], court: Court | None) -> Deadline | None:
        code = self.instrument.comity_period
        if code is None or not any(item.comity_motion for item in items):
            return None
        period = self.cat.period_by_code[code]
        clock = self._clock(period.clock, court)
        deadline = periods.count(
            period,
            kind="comity_motion",
            served_at=self.demand.served_at,
            as_of=self.as_of,
            time_zone=clock.time_zone,
            holidays_country=clock.holidays_country,
        )
        self.reasons.append(Reason("comity_motion_due", periods.describe(deadline), deadline.citation))
        return deadline

    def _clock(self, clock: str, court: Court | None) -> Clock:
        """The time zone and holiday calendar a period is counted in."""
        home = self.cat.jurisdiction_by_code[self.instrument.jurisdiction]
        if clock == "court" and court is not None:
            court_home = self.cat.jurisdiction_by_code[court.jurisdiction]
            return Clock(court.time_zone, court_home.holidays_country)
        if clock == "enforcing-state" and self.enforcing_state:
            state = self.cat.jurisdiction_by_code.get(self.enforcing_state)
            if state is not None:
                return Clock(state.time_zone, state.holidays_country)
        return Clock(home.time_zone, home.holidays_country)
