"""The reach engine: `evaluate(catalogue, facts) -> Result` (shared/RULES.md §2).

Pure and deterministic: no ORM, no clock, no I/O. Everything that depends only on
the demand (availability, doctrine, hook, control, conflict rules in force) is
worked out once per demand; each distinct holding shape is then assessed once.
"""

from datetime import date

from . import periods
from .types import (
    Agreement,
    Catalogue,
    ConflictRule,
    Court,
    Deadline,
    Entity,
    Facts,
    Instrument,
    Item,
    Reason,
    Result,
    in_range,
)

CIRCUIT_NAMES = {
    "1": "First Circuit",
    "2": "Second Circuit",
    "3": "Third Circuit",
    "4": "Fourth Circuit",
    "5": "Fifth Circuit",
    "6": "Sixth Circuit",
    "7": "Seventh Circuit",
    "8": "Eighth Circuit",
    "9": "Ninth Circuit",
    "10": "Tenth Circuit",
    "11": "Eleventh Circuit",
    "DC": "D.C. Circuit",
    "FED": "Federal Circuit",
}
COMITY_CITATION = "18 U.S.C. §2703(h)(2)"
CONTROL_CITATION = "RULES.md §2 (control: the served entity, its subsidiaries down the chain)"


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


def _circuit_name(circuit: str) -> str:
    return CIRCUIT_NAMES.get(circuit, f"circuit {circuit}")


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
        self._hook_memo: dict[str, tuple[bool, str, object]] = {}
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
        self.hook_ok, hook_text, self.hook_detail = self._hook(self.served)
        self.reasons.append(Reason("hook", hook_text, self._hook_citation()))
        self.enforcing_state = self.hook_detail if self.instrument.hook == "eu-establishment" else None
        self.agreement = self.hook_detail if self.instrument.hook == "agreement" else None
        self.controlled = self._controlled()
        self.rules = self._rules_in_force()
        self.comity_possible = self._comity_possible()
        self.comity_proxy_used = False

        memo: dict[tuple, tuple] = {}
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
                    COMITY_CITATION,
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
                        account.identifier,
                        h.category,
                        h.storage,
                        h.controlled_by,
                        "none",
                        "mlat",
                        (),
                        False,
                        self._mlat(h.storage),
                        (reason,),
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
                    f" {_circuit_name(court.circuit)}; its deadlines are counted in"
                    f" {court.time_zone}.",
                    "RULES.md §4-5 (courts)",
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
        outside = " or ".join(f"the {_circuit_name(c)}" for c in circuits)
        self.reasons.append(
            Reason(
                "court",
                f"{described}: it is assumed to be outside {outside}.",
                "RULES.md §4 (Second Circuit courts)",
            )
        )
        jurisdiction = self.cat.jurisdiction_by_code[home]
        self.reasons.append(
            Reason(
                "court-time-zone",
                f"{described}: its time zone is assumed to be {jurisdiction.time_zone}"
                f" (the capital of {jurisdiction.name}).",
                "RULES.md §5 (time zones)",
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
                    where = " in the " + ", ".join(_circuit_name(c) for c in dp.circuits)
                elif dp.except_circuits:
                    where = " outside the " + ", ".join(_circuit_name(c) for c in dp.except_circuits)
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
            return f"{self.instrument.citation}; Marco Civil Art. 11 §2"
        if hook == "eu-establishment":
            return f"{self.instrument.citation}, Art. 1(1)"
        if hook == "agreement" and isinstance(self.hook_detail, Agreement):
            return self.hook_detail.citation
        return self.instrument.citation

    def _hook(self, entity: Entity) -> tuple[bool, str, object]:
        """Is `entity` subject to the instrument? (ok, explanation, detail)."""
        found = self._hook_memo.get(entity.name)
        if found is None:
            found = self._hook_memo[entity.name] = self._hook_uncached(entity)
        return found

    def _presence(self, entity: Entity) -> bool:
        return entity.country == self.issuer or self.issuer in entity.establishments

    def _services(self, entity: Entity) -> bool:
        offers = entity.offers_services_in
        return self._presence(entity) or "*" in offers or self.issuer in offers

    def _hook_uncached(self, entity: Entity) -> tuple[bool, str, object]:
        hook, code = self.instrument.hook, self.instrument.code
        name, issuer = entity.name, self.issuer
        if hook in ("presence", "services", "services-or-group"):
            if self._presence(entity):
                where = "is incorporated there" if entity.country == issuer else "has an establishment there"
                return True, f"{name} is subject to {code}: it {where} ({issuer}).", None
            if hook == "presence":
                return (
                    False,
                    f"{name} is not subject to {code}: it has no presence in {issuer}"
                    " (neither incorporated nor established there).",
                    None,
                )
            if self._services(entity):
                return (
                    True,
                    f"{name} is subject to {code}: it offers services in {issuer}.",
                    None,
                )
            if hook == "services":
                return (
                    False,
                    f"{name} is not subject to {code}: no presence in {issuer} and no services offered there.",
                    None,
                )
            root = self._root(entity.name)
            for other in self.facts.entities:
                if self._root(other.name) == root and self._presence(other):
                    return (
                        True,
                        f"{name} is subject to {code}: {other.name}, of the same group"
                        f" (ultimate parent {root}), has a presence in {issuer}.",
                        None,
                    )
            return (
                False,
                f"{name} is not subject to {code}: neither it nor any entity of its group"
                f" has a presence in {issuer}, and it offers no services there.",
                None,
            )
        if hook == "eu-establishment":
            for country in (entity.country, *entity.establishments):
                if country != issuer and all(
                    self.cat.is_member(b, country, self.as_of) for b in self.instrument.issuing_blocs
                ):
                    how = (
                        "its country" if country == entity.country else "the first of its establishments that qualifies"
                    )
                    return (
                        True,
                        f"{name} is subject to {code}: its enforcing state is {country}"
                        f" ({how}), a member state taking part in the Regulation other"
                        f" than the issuing state {issuer}.",
                        country,
                    )
            return (
                False,
                f"{name} is not subject to {code}: neither its country nor any of its"
                " establishments is a member state taking part in the Regulation other"
                f" than the issuing state {issuer}.",
                None,
            )
        # "agreement"
        agreement = self._executive_agreement(entity.country)
        if agreement is not None:
            return (
                True,
                f"{name} ({entity.country}) is subject to {code} under the"
                f" {agreement.name}, in force since {agreement.start.isoformat()}.",
                agreement,
            )
        if entity.country == issuer:
            return (
                False,
                f"{name} ({entity.country}) is in the issuing state itself: {code} reaches a provider"
                " in the US under an executive agreement designating it; a provider at home"
                " answers to domestic process.",
                None,
            )
        return (
            False,
            f"{name} ({entity.country}) is not subject to {code}: no executive agreement"
            f" between {issuer} and {entity.country} designating {code} is in force on"
            f" {self.as_of.isoformat()}.",
            None,
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
        lifted = self.agreement.lifts if isinstance(self.agreement, Agreement) else ()
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
    ) -> tuple:
        """(reach, route, conflicts, comity_motion, mlat, reasons) of one holding shape."""
        controller = self.entities[controlled_by]
        code = self.instrument.code

        def redirect_or_mlat(text: str, citation: str) -> tuple:
            ok, hook_text, _ = self._hook(controller)
            if ok:
                return self._outcome("none", "redirect", storage, Reason("route", f"{text} {hook_text}", citation))
            return self._outcome("none", "mlat", storage, Reason("route", f"{text} {hook_text}", citation))

        if not self.hook_ok:
            return redirect_or_mlat(
                f"The served entity {self.served.name} is not subject to {code}.",
                self._hook_citation(),
            )
        if category not in self.instrument.categories:
            allowed = ", ".join(sorted(self.instrument.categories))
            return self._outcome(
                "none",
                "insufficient_instrument",
                storage,
                Reason(
                    "category",
                    f"{code} reaches {allowed} data only, not {category}.",
                    self.instrument.citation,
                ),
            )
        agreement = self.agreement
        if (
            isinstance(agreement, Agreement)
            and agreement.forbids_targeting_us_persons
            and (us_person is True or residence == "US")
        ):
            who = "a US person" if us_person is True else "a person in the US"
            return self._outcome(
                "none",
                "mlat",
                storage,
                Reason(
                    "targeting",
                    f"The {agreement.name} forbids orders targeting {who}.",
                    agreement.citation,
                ),
            )
        if controlled_by not in self.controlled:
            return redirect_or_mlat(f"{self.served.name} does not control {controlled_by}.", CONTROL_CITATION)
        if storage is not None and storage == self.issuer:
            reach = "storage"
            why = f"Stored in the issuing jurisdiction {self.issuer}."
        elif self.doctrine == "control-based":
            reach = "control"
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
                "none",
                "mlat",
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
            route = "mlat"
        elif self.instrument.hook == "agreement":
            route = "agreement"
        else:
            route = "direct"
        comity = False
        if self.comity_possible and category == "content" and reach == "control":
            self.comity_proxy_used = True
            comity, text = self._comity(storage, us_person, residence)
            reasons.append(Reason("comity_motion", text, COMITY_CITATION))
        return (
            reach,
            route,
            tuple(sorted(rule.code for rule in rules)),
            comity,
            self._mlat(storage) if route == "mlat" else (),
            tuple(reasons),
        )

    def _comity(self, storage: str | None, us_person: bool | None, residence: str | None) -> tuple[bool, str]:
        home = self.instrument.jurisdiction
        if storage is None:
            return False, "No comity motion: the storage country is unknown."
        agreement = self._qualifying(storage)
        if agreement is None:
            return False, (
                f"No comity motion: {storage} (storage country, the proxy) is not a"
                f" qualifying foreign government on {self.as_of.isoformat()}."
            )
        if us_person is not False:
            state = "unknown" if us_person is None else "a US person"
            return False, f"No comity motion: the account holder is {state}."
        if residence is None or residence == home:
            state = "unknown" if residence is None else f"in {home}"
            return False, f"No comity motion: the account holder's residence is {state}."
        return True, (
            f"Comity motion available: {storage} (storage country, the proxy) is a"
            f" qualifying foreign government under the {agreement.name}; the account"
            f" holder is not a US person and resides in {residence}."
        )

    def _outcome(self, reach: str, route: str, storage: str | None, reason: Reason) -> tuple:
        mlat = self._mlat(storage) if route == "mlat" else ()
        return (reach, route, (), False, mlat, (reason,))

    # -------------------------------------------------------------- deadlines

    def _response_due(self, items: list[Item]) -> Deadline | None:
        if self.demand.due_at is not None:
            deadline = periods.given("response", self.demand.due_at)
        else:
            code = self.instrument.response_period
            if code is None or not any(item.reach != "none" for item in items):
                return None
            if self.demand.emergency and self.instrument.emergency_period:
                code = self.instrument.emergency_period
            period = self.cat.period_by_code[code]
            time_zone, holidays_country = self._clock(period.clock, None)
            deadline = periods.count(
                period,
                kind="response",
                served_at=self.demand.served_at,
                as_of=self.as_of,
                time_zone=time_zone,
                holidays_country=holidays_country,
            )
        self.reasons.append(Reason("response_due", periods.describe(deadline), deadline.citation))
        return deadline

    def _comity_due(self, items: list[Item], court: Court | None) -> Deadline | None:
        code = self.instrument.comity_period
        if code is None or not any(item.comity_motion for item in items):
            return None
        period = self.cat.period_by_code[code]
        time_zone, holidays_country = self._clock(period.clock, court)
        deadline = periods.count(
            period,
            kind="comity_motion",
            served_at=self.demand.served_at,
            as_of=self.as_of,
            time_zone=time_zone,
            holidays_country=holidays_country,
        )
        self.reasons.append(Reason("comity_motion_due", periods.describe(deadline), deadline.citation))
        return deadline

    def _clock(self, clock: str, court: Court | None) -> tuple[str, str | None]:
        """The time zone and holiday calendar a period is counted in."""
        home = self.cat.jurisdiction_by_code[self.instrument.jurisdiction]
        if clock == "court" and court is not None:
            court_home = self.cat.jurisdiction_by_code[court.jurisdiction]
            return court.time_zone, court_home.holidays_country
        if clock == "enforcing-state" and self.enforcing_state:
            state = self.cat.jurisdiction_by_code.get(self.enforcing_state)
            if state is not None:
                return state.time_zone, state.holidays_country
        return home.time_zone, home.holidays_country
