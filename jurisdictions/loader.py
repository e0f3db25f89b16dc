"""Between the database and the reach engine's frozen dataclasses.

- `store_catalogue` writes a Catalogue (read from the data files) into the catalogue
  tables, upserting by code, and records a CatalogueVersion when the content changed.
- `catalogue_from_db` builds the engine's Catalogue from those tables in a fixed
  number of queries; `current_catalogue` caches it per version, so a request pays
  one query to learn the version is unchanged.
- `provider_entities` gives the provider's entities as the engine sees them (the
  case side builds a demand's Facts around them: cases/facts.py).
"""

import dataclasses
import datetime as dt
import hashlib
import json
import threading
from collections import defaultdict

from django.conf import settings
from django.db import transaction

from jurisdictions import reach
from jurisdictions.models import (
    Agreement,
    Bloc,
    CatalogueVersion,
    ConflictRule,
    ControllingEntity,
    Court,
    DoctrinePeriod,
    Jurisdiction,
    LegalInstrument,
    Membership,
    Period,
)

# ------------------------------------------------------------------ content hash


def _canonical(value):
    if isinstance(value, frozenset | set):
        return sorted(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"cannot hash {type(value).__name__}")


def content_hash(catalogue: reach.Catalogue) -> str:
    """A hash of the catalogue's rows, independent of where they were read from."""
    rows = {}
    for f in dataclasses.fields(catalogue):
        if f.init and f.name != "version":
            # Code lists (parties, countries, blocs...) are sets in meaning; their order
            # in the M2M tables is arbitrary, so sort them for a stable hash.
            items = [
                {k: sorted(v) if isinstance(v, tuple | frozenset) else v for k, v in dataclasses.asdict(row).items()}
                for row in getattr(catalogue, f.name)
            ]
            if f.name != "doctrine_periods":  # their order matters: first match wins
                items.sort(key=lambda r: json.dumps(r, sort_keys=True, default=_canonical))
            rows[f.name] = items
    text = json.dumps(rows, sort_keys=True, default=_canonical)
    return hashlib.sha256(text.encode()).hexdigest()


# ------------------------------------------------------------ files -> database


class _Syncing(threading.local):
    active = False


syncing = _Syncing()
"""True while `store_catalogue` writes, so admin-edit versioning stays quiet."""


@transaction.atomic
def store_catalogue(catalogue: reach.Catalogue, *, note: str = "") -> tuple[CatalogueVersion, bool]:
    """Upsert every row of `catalogue`; return the current version and whether it is new.

    Rows are matched by their code (memberships by bloc, jurisdiction and start;
    doctrine periods by position). Rows in the database that the files do not have
    are kept, since counsel may have added them in the admin, except doctrine
    periods, whose order is the files' and which are replaced as a whole.
    """
    shipped = reach.shipped_sections(settings.CATALOGUE_DIR)
    for name, rows in shipped.items():
        if getattr(catalogue, name) != rows:
            raise reach.CatalogueError(
                f"{name} have no table: they are read from {settings.CATALOGUE_DIR}, so load the catalogue from there"
            )
    syncing.active = True
    try:
        for j in catalogue.jurisdictions:
            Jurisdiction.objects.update_or_create(
                code=j.code,
                defaults={"name": j.name, "time_zone": j.time_zone, "holidays_country": j.holidays_country or ""},
            )
        for b in catalogue.blocs:
            Bloc.objects.update_or_create(code=b.code, defaults={"name": b.name, "citation": b.citation})
        for m in catalogue.memberships:
            Membership.objects.update_or_create(
                bloc_id=m.bloc,
                jurisdiction_id=m.jurisdiction,
                start=m.start,
                defaults={"end": m.end, "citation": m.citation},
            )
        for c in catalogue.courts:
            Court.objects.update_or_create(
                name=c.name,
                defaults={
                    "aliases": list(c.aliases),
                    "jurisdiction_id": c.jurisdiction,
                    "circuit": c.circuit,
                    "time_zone": c.time_zone,
                    "state": c.state or "",
                },
            )
        periods: dict[str | None, Period] = {}  # looked up by an instrument's optional period code
        for p in catalogue.periods:
            periods[p.code], _ = Period.objects.update_or_create(
                code=p.code,
                defaults={
                    "name": p.name,
                    "citation": p.citation,
                    "length": p.length,
                    "unit": p.unit,
                    "counting": p.counting,
                    "roll_over": p.roll_over,
                    "clock": p.clock,
                    "start": p.start,
                    "extended_length": p.extended_length,
                },
            )
        instruments = {}
        for i in catalogue.instruments:
            instrument, _ = LegalInstrument.objects.update_or_create(
                code=i.code,
                defaults={
                    "jurisdiction_id": i.jurisdiction,
                    "name": i.name,
                    "citation": i.citation,
                    "start": i.start,
                    "end": i.end,
                    "categories": sorted(i.categories),
                    "hook": i.hook,
                    "response_period": periods.get(i.response_period),
                    "emergency_period": periods.get(i.emergency_period),
                    "comity_period": periods.get(i.comity_period),
                    "kind": i.kind,
                    "preservation_period": periods.get(i.preservation_period),
                    "objection_period": periods.get(i.objection_period),
                    "group_control": i.group_control,
                    "control_authorities": list(i.control_authorities),
                    "pending_rule": i.pending_rule or "",
                    "pending_cutoff": i.pending_cutoff,
                    "pending_citation": i.pending_citation,
                    "to_confirm": i.to_confirm,
                },
            )
            instrument.issuing_blocs.set(i.issuing_blocs)  # type: ignore[arg-type]  # stub: pks may be str
            instruments[i.code] = instrument
        DoctrinePeriod.objects.all().delete()
        for position, d in enumerate(catalogue.doctrine_periods, start=1):
            row = DoctrinePeriod.objects.create(
                position=position,
                start=d.start,
                end=d.end,
                circuits=list(d.circuits),
                except_circuits=list(d.except_circuits),
                doctrine=d.doctrine,
                authorities=list(d.authorities),
                note=d.note,
                to_confirm=d.to_confirm,
            )
            row.instruments.set([instruments[code] for code in d.instruments])
        conflicts = {}
        for r in catalogue.conflict_rules:
            rule, _ = ConflictRule.objects.update_or_create(
                code=r.code,
                defaults={
                    "jurisdiction_id": r.jurisdiction,
                    "law": r.law,
                    "citation": r.citation,
                    "severity": r.severity,
                    "start": r.start,
                    "end": r.end,
                    "trigger": r.trigger,
                    "bloc_id": r.bloc,
                    "categories": sorted(r.categories),
                    "authorities": list(r.authorities),
                    "except_authorities": list(r.except_authorities),
                },
            )
            rule.countries.set(r.countries)  # type: ignore[arg-type]  # stub: pks may be str
            rule.except_countries.set(r.except_countries)  # type: ignore[arg-type]  # stub: pks may be str
            conflicts[r.code] = rule
        for a in catalogue.agreements:
            agreement, _ = Agreement.objects.update_or_create(
                code=a.code,
                defaults={
                    "name": a.name,
                    "citation": a.citation,
                    "kind": a.kind,
                    "start": a.start,
                    "end": a.end,
                    "qualifying_foreign_government": a.qualifying_foreign_government,
                    "forbids_targeting_us_persons": a.forbids_targeting_us_persons,
                },
            )
            agreement.parties.set(a.parties)  # type: ignore[arg-type]  # stub: pks may be str
            agreement.party_blocs.set(a.party_blocs)  # type: ignore[arg-type]  # stub: pks may be str
            agreement.designates.set([instruments[code] for code in a.designates])
            agreement.lifts.set([conflicts[code] for code in a.lifts])
    finally:
        syncing.active = False
    return record_version(source="files", note=note)


def record_version(*, source: str, note: str = "", by=None) -> tuple[CatalogueVersion, bool]:
    """Record a new CatalogueVersion if the catalogue's content changed since the last one.

    Raises reach.CatalogueError when the tables no longer make a consistent catalogue.
    """
    with transaction.atomic():
        # Serialise concurrent recorders; the unique number is the final guard.
        latest = CatalogueVersion.objects.select_for_update().order_by("-number").first()
        catalogue = catalogue_from_db(version="pending")
        digest = content_hash(catalogue)
        if latest is not None and latest.content_hash == digest:
            return latest, False
        version = CatalogueVersion.objects.create(
            number=(latest.number + 1) if latest else 1,
            content_hash=digest,
            source=source,
            note=note,
            created_by=by,
        )
        return version, True


# ------------------------------------------------------------- database -> engine


def _m2m(field, left: str, right: str) -> dict:
    """{left id: [right id, ...]} from an M2M through table, in one query."""
    through = field.through
    out = defaultdict(list)
    for a, b in through.objects.values_list(left, right).order_by("pk"):
        out[a].append(b)
    return out


def catalogue_from_db(*, version: str) -> reach.Catalogue:
    """The engine's Catalogue from the tables: 19 queries, whatever their size.

    The sections without a table (`reach.FILES_ONLY`: circuit names, the engine's own
    citations, court rules, authorities, hook periods, disclosure permissions,
    holiday rules) come from the catalogue files (settings.CATALOGUE_DIR), and the
    content hash covers them like every other row.
    """
    periods = {row["id"]: row for row in Period.objects.values()}
    instrument_codes = dict(LegalInstrument.objects.values_list("pk", "code"))
    conflict_codes = dict(ConflictRule.objects.values_list("pk", "code"))
    instrument_blocs = _m2m(LegalInstrument.issuing_blocs, "legalinstrument_id", "bloc_id")

    def period_code(pk):
        return periods[pk]["code"] if pk else None

    instruments = tuple(
        reach.Instrument(
            code=row["code"],
            jurisdiction=row["jurisdiction_id"],
            name=row["name"],
            citation=row["citation"],
            start=row["start"],
            end=row["end"],
            categories=frozenset(row["categories"]),
            hook=row["hook"],
            issuing_blocs=tuple(instrument_blocs.get(row["id"], ())),
            response_period=period_code(row["response_period_id"]),
            emergency_period=period_code(row["emergency_period_id"]),
            comity_period=period_code(row["comity_period_id"]),
            kind=row["kind"],
            preservation_period=period_code(row["preservation_period_id"]),
            objection_period=period_code(row["objection_period_id"]),
            group_control=row["group_control"],
            control_authorities=tuple(row["control_authorities"]),
            pending_rule=row["pending_rule"] or None,
            pending_cutoff=row["pending_cutoff"],
            pending_citation=row["pending_citation"],
            to_confirm=row["to_confirm"],
        )
        for row in LegalInstrument.objects.values()
    )
    doctrine_instruments = _m2m(DoctrinePeriod.instruments, "doctrineperiod_id", "legalinstrument_id")
    agreement_parties = _m2m(Agreement.parties, "agreement_id", "jurisdiction_id")
    agreement_blocs = _m2m(Agreement.party_blocs, "agreement_id", "bloc_id")
    agreement_designates = _m2m(Agreement.designates, "agreement_id", "legalinstrument_id")
    agreement_lifts = _m2m(Agreement.lifts, "agreement_id", "conflictrule_id")
    conflict_countries = _m2m(ConflictRule.countries, "conflictrule_id", "jurisdiction_id")
    conflict_except = _m2m(ConflictRule.except_countries, "conflictrule_id", "jurisdiction_id")
    return reach.Catalogue(
        version=version,
        jurisdictions=tuple(
            reach.Jurisdiction(
                code=r["code"], name=r["name"], time_zone=r["time_zone"], holidays_country=r["holidays_country"] or None
            )
            for r in Jurisdiction.objects.values()
        ),
        blocs=tuple(reach.Bloc(code=r["code"], name=r["name"], citation=r["citation"]) for r in Bloc.objects.values()),
        memberships=tuple(
            reach.Membership(
                bloc=r["bloc_id"],
                jurisdiction=r["jurisdiction_id"],
                start=r["start"],
                end=r["end"],
                citation=r["citation"],
            )
            for r in Membership.objects.values()
        ),
        courts=tuple(
            reach.Court(
                name=r["name"],
                jurisdiction=r["jurisdiction_id"],
                circuit=r["circuit"],
                time_zone=r["time_zone"],
                aliases=tuple(r["aliases"]),
                state=r["state"] or None,
            )
            for r in Court.objects.values()
        ),
        instruments=instruments,
        periods=tuple(
            reach.Period(
                code=r["code"],
                name=r["name"],
                citation=r["citation"],
                length=r["length"],
                unit=r["unit"],
                counting=r["counting"],
                roll_over=r["roll_over"],
                clock=r["clock"],
                start=r["start"],
                extended_length=r["extended_length"],
            )
            for r in periods.values()
        ),
        doctrine_periods=tuple(
            reach.DoctrinePeriod(
                instruments=tuple(instrument_codes[pk] for pk in doctrine_instruments.get(r["id"], ())),
                start=r["start"],
                end=r["end"],
                doctrine=r["doctrine"],
                authorities=tuple(r["authorities"]),
                circuits=tuple(r["circuits"]),
                except_circuits=tuple(r["except_circuits"]),
                note=r["note"],
                to_confirm=r["to_confirm"],
            )
            for r in DoctrinePeriod.objects.order_by("position").values()
        ),
        agreements=tuple(
            reach.Agreement(
                code=r["code"],
                name=r["name"],
                citation=r["citation"],
                kind=r["kind"],
                start=r["start"],
                end=r["end"],
                parties=tuple(agreement_parties.get(r["id"], ())),
                party_blocs=tuple(agreement_blocs.get(r["id"], ())),
                designates=tuple(instrument_codes[pk] for pk in agreement_designates.get(r["id"], ())),
                lifts=tuple(conflict_codes[pk] for pk in agreement_lifts.get(r["id"], ())),
                qualifying_foreign_government=r["qualifying_foreign_government"],
                forbids_targeting_us_persons=r["forbids_targeting_us_persons"],
            )
            for r in Agreement.objects.values()
        ),
        conflict_rules=tuple(
            reach.ConflictRule(
                code=r["code"],
                jurisdiction=r["jurisdiction_id"],
                law=r["law"],
                citation=r["citation"],
                start=r["start"],
                end=r["end"],
                severity=r["severity"],
                trigger=r["trigger"],
                countries=tuple(conflict_countries.get(r["id"], ())),
                bloc=r["bloc_id"],
                except_countries=tuple(conflict_except.get(r["id"], ())),
                categories=frozenset(r["categories"]),
                authorities=tuple(r["authorities"]),
                except_authorities=tuple(r["except_authorities"]),
            )
            for r in ConflictRule.objects.values()
        ),
        **reach.shipped_sections(settings.CATALOGUE_DIR),
    )


class CatalogueNotLoaded(LookupError):
    pass


_cache: dict[tuple[int, str], reach.Catalogue] = {}
_cache_lock = threading.Lock()


def current_catalogue() -> tuple[CatalogueVersion, reach.Catalogue]:
    """The latest catalogue version and its Catalogue; one query when cached.

    The cache is keyed by the version row's primary key and content hash: a number
    alone can name two different rows (a rolled-back transaction, a restored backup).
    """
    version = CatalogueVersion.objects.order_by("-number").first()
    if version is None:
        raise CatalogueNotLoaded("No catalogue loaded: run `python manage.py load_catalogue`.")
    key = (version.pk, version.content_hash)
    catalogue = _cache.get(key)
    if catalogue is None:
        catalogue = catalogue_from_db(version=f"v{version.number} ({version.content_hash[:12]})")
        with _cache_lock:
            _cache.clear()
            _cache[key] = catalogue
    return version, catalogue


# ---------------------------------------------------------------- the provider


def provider_entities() -> tuple[reach.Entity, ...]:
    """The provider's entities as the engine sees them: 2 queries (the entities, then
    their designations under Directive (EU) 2023/1544)."""
    entity_rows = list(
        ControllingEntity.objects.values(
            "pk", "name", "country_id", "parent_id", "establishments", "offers_services_in"
        )
    )
    designations = _m2m(ControllingEntity.designated_for, "from_controllingentity_id", "to_controllingentity_id")
    names = {row["pk"]: row["name"] for row in entity_rows}
    return tuple(
        reach.Entity(
            name=row["name"],
            country=row["country_id"],
            parent=names.get(row["parent_id"]),
            establishments=tuple(row["establishments"]),
            offers_services_in=tuple(row["offers_services_in"]),
            designated_for=tuple(names[pk] for pk in designations.get(row["pk"], ())),
        )
        for row in entity_rows
    )
