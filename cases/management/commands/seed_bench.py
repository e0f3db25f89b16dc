"""Fill the database with realistic cases for the benchmarks (`make bench`).

    python manage.py seed_bench --cases 1000000 [--seed 7] [--batch 20000]

Each case has a demand from a varied country and instrument (its issuer one the
instrument allows, a court of that country where the catalogue has one), one or two
target accounts with one to three holdings on the provider's data map, a status
spread over the lifecycle (closed ones with an outcome), a "Demand logged" event and
a transition or two, an open response deadline (or a met one when closed), an
analysis copied from a real one for all but the cases still at intake, a sign-off on
about 40 % of them, a voided one on some, an override on about 5 %, an emergency on
about 2 % and an assigned counsel on most.

On PostgreSQL the rows go in with COPY, in batches, each batch in one transaction,
and the sequences are moved past them at the end: a million cases (about ten million
rows) in a few minutes. On SQLite (small runs, tests) the same rows go in with
bulk_create. The catalogue and the demo data (the data map, the users) are loaded
first when missing. History rows are not written: the cases are a benchmark's, not a
legal team's, and their history is not what is measured.
"""

import datetime as dt
import io
import json
import os
import random
import time
from dataclasses import dataclass
from decimal import Decimal
from typing import cast

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, models, transaction
from django.utils import timezone

from cases.models import Analysis, Case, CaseEvent, Deadline, HoldingOverride, Outcome, Status, report_flags
from jurisdictions.models import CatalogueVersion, ControllingEntity, Court, DataLocation, LegalInstrument
from requests_app.models import Demand, Holding, RequestKind, TargetAccount

# How the statuses of a large provider's caseload spread (most demands are old and closed).
STATUSES = [
    (Status.CLOSED, 55),
    (Status.RESPONDING, 15),
    (Status.COUNSEL_REVIEW, 12),
    (Status.ANALYSIS, 6),
    (Status.INTAKE, 7),
    (Status.LITIGATING, 5),
]
OUTCOMES = [
    (Outcome.PRODUCED_IN_FULL, 40),
    (Outcome.PRODUCED_IN_PART, 20),
    (Outcome.NO_DATA, 15),
    (Outcome.REJECTED, 15),
    (Outcome.WITHDRAWN, 7),
    (Outcome.MOOT, 3),
]
EU_ISSUERS = ["DE", "FR", "NL", "IE", "ES", "IT", "BE", "AT", "PL", "SE"]
CATEGORIES = ["subscriber", "traffic", "content"]
DAYS_BACK = 6 * 365  # demands served over the last six years


def weighted(rng: random.Random, table):
    values, weights = zip(*table, strict=True)
    return rng.choices(values, weights=weights, k=1)[0]


class Command(BaseCommand):
    help = "Fill the database with N realistic cases for the benchmarks (COPY on PostgreSQL)."

    def add_arguments(self, parser):
        parser.add_argument("--cases", type=int, required=True, help="How many cases to add.")
        parser.add_argument("--seed", type=int, default=7, help="Random seed (same seed and jobs, same cases).")
        parser.add_argument("--batch", type=int, default=20000, help="Cases per transaction.")
        parser.add_argument("--prefix", default="BENCH", help="Reference prefix (references must be unique).")
        parser.add_argument(
            "--jobs",
            type=int,
            default=0,
            help="Processes writing at once on PostgreSQL, each its own share of the cases "
            "(default: one per CPU; SQLite writes in one).",
        )

    def handle(self, *args, cases: int, seed: int, batch: int, prefix: str, jobs: int, **options):
        if cases < 1:
            raise CommandError("--cases: give a positive number of cases.")
        if batch < 1:
            raise CommandError("--batch: give a positive number of cases per transaction.")
        if jobs < 0:
            raise CommandError("--jobs: give a positive number of processes (or 0 for one per CPU).")
        if Demand.objects.filter(reference__startswith=f"{prefix}-").exists():
            raise CommandError(f"--prefix: demands with references {prefix}-… exist already; choose another prefix.")
        started = time.monotonic()
        world = World.load(self.stdout)
        first = {model: (model._default_manager.aggregate(m=models.Max("pk"))["m"] or 0) + 1 for model in TABLES}
        if connection.vendor != "postgresql":
            jobs = 1
        jobs = max(1, min(jobs or os.cpu_count() or 1, cases // 1000 or 1))
        share = -(-cases // jobs)  # each job's cases (the last may have fewer)
        parts = [
            Part(
                seed=seed + k,
                start=k * share,
                size=min(share, cases - k * share),
                ids={model: first[model] + k * share * ROWS_PER_CASE for model in TABLES},
            )
            for k in range(jobs)
            if k * share < cases
        ]
        if len(parts) == 1:
            fill(world, parts[0], batch=batch, prefix=prefix, report=self._progress(started, cases))
        else:
            self._in_processes(world, parts, batch=batch, prefix=prefix)
        reset_sequences()
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("ANALYZE")
        elapsed = time.monotonic() - started
        how = f" in {len(parts)} processes" if len(parts) > 1 else ""
        self.stdout.write(
            self.style.SUCCESS(f"Seeded {cases:,} cases{how} in {elapsed:.1f} s ({cases / elapsed:,.0f}/s).")
        )

    def _progress(self, started: float, total: int):
        def report(done: int) -> None:
            rate = done / max(time.monotonic() - started, 1e-9)
            self.stdout.write(f"{done:>10,} cases  ({rate:,.0f} cases/s)")

        return report

    def _in_processes(self, world: "World", parts: list["Part"], *, batch: int, prefix: str) -> None:
        """Each part in a forked process with its own connection; a failed part fails the
        command (the parts that finished stay written, each batch being whole)."""
        import multiprocessing

        from django.db import connections

        connections.close_all()  # each process opens its own
        context = multiprocessing.get_context("fork")
        processes = [
            context.Process(target=_fill_in_child, args=(world, part), kwargs={"batch": batch, "prefix": prefix})
            for part in parts
        ]
        for process in processes:
            process.start()
        for process in processes:
            process.join()
        failed = [part for part, process in zip(parts, processes, strict=True) if process.exitcode != 0]
        if failed:
            raise CommandError(f"{len(failed)} of {len(parts)} processes failed; see their errors above.")
        self.stdout.write(f"{sum(p.size for p in parts):>10,} cases written by {len(parts)} processes")


# The most rows of one table a case brings (holdings: two accounts of three each, and
# margin): each process's ids start this many per case of the processes before it.
ROWS_PER_CASE = 16


@dataclass
class Part:
    """One process's share of the cases: its own random seed, its cases' numbers, and
    the first id of each table it writes."""

    seed: int
    start: int
    size: int
    ids: dict


def _fill_in_child(world: "World", part: Part, *, batch: int, prefix: str) -> None:
    """`fill` in a forked process: a database connection the fork copied (the parent
    closes its own first; this makes sure) is the parent's socket, never used or closed
    here; this process opens its own."""
    from django.db import connections

    for conn in connections.all(initialized_only=True):
        conn.connection = None
    fill(world, part, batch=batch, prefix=prefix)


def fill(world: "World", part: Part, *, batch: int, prefix: str, report=None) -> None:
    """Write a part's cases, `batch` to a transaction."""
    rng = random.Random(part.seed)
    ids = dict(part.ids)
    limit = {model: first + part.size * ROWS_PER_CASE for model, first in part.ids.items()}
    done = 0
    while done < part.size:
        size = min(batch, part.size - done)
        rows = world.rows(rng, ids, start=part.start + done, size=size, prefix=prefix)
        over = [model.__name__ for model in TABLES if ids[model] > limit[model]]
        if over:
            raise CommandError(f"more than {ROWS_PER_CASE} rows per case of {', '.join(over)}")
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:  # a benchmark's rows: no need to wait for the WAL flush
                    cursor.execute("SET LOCAL synchronous_commit = off")
            for model in TABLES:
                write(model, rows[model])
        done += size
        if report is not None:
            report(done)


# The JSON columns given as text already dumped (the copied analysis).
JSON_TEXT = {"result", "summary"}

# Written in this order, parents first.
TABLES = [Demand, TargetAccount, Holding, Case, Analysis, CaseEvent, Deadline, HoldingOverride]


class World:
    """What the cases refer to: instruments, issuers, courts, the data map, users and a
    real analysis to copy."""

    instruments: list[LegalInstrument]
    courts: dict[str, list[int]]  # court ids by jurisdiction
    entities: list[int]
    locations: list[int]
    counsel: list[int | None]  # user ids ([None]: no counsel)
    intake: list[int | None]
    version: int | None
    result: str  # JSON text
    answer: dict  # the same, read
    summary: str  # JSON text
    fingerprint: str
    doctrine: str
    now: dt.datetime

    def __init__(self, **parts):
        self.__dict__.update(parts)

    @classmethod
    def load(cls, out) -> "World":
        if not CatalogueVersion.objects.exists():
            call_command("load_catalogue", stdout=io.StringIO())
        if not DataLocation.objects.exists() or not get_user_model().objects.filter(groups__name="counsel").exists():
            out.write("Loading the demo data (data map, users) first…")
            call_command("load_demo", stdout=io.StringIO())
        instruments = list(LegalInstrument.objects.select_related("jurisdiction"))
        if not instruments:
            raise CommandError("The catalogue has no instruments: run load_catalogue.")
        courts: dict[str, list[int]] = {}
        for court_id, jurisdiction in Court.objects.values_list("pk", "jurisdiction_id"):
            courts.setdefault(jurisdiction, []).append(court_id)
        users = get_user_model()
        counsel = list(users.objects.filter(groups__name="counsel").values_list("pk", flat=True))
        intake = list(users.objects.filter(groups__name="intake").values_list("pk", flat=True)) or counsel
        template = Analysis.objects.order_by("pk").first()
        return cls(
            instruments=instruments,
            courts=courts,
            entities=list(ControllingEntity.objects.values_list("pk", flat=True)),
            locations=list(DataLocation.objects.values_list("pk", flat=True)),
            counsel=counsel or [None],
            intake=intake or [None],
            version=CatalogueVersion.objects.order_by("-pk").values_list("pk", flat=True).first(),
            # Dumped once: every copied analysis holds the same JSON text.
            result=json.dumps(template.result if template else {"rows": [], "conflicts": [], "deadlines": []}),
            answer=template.result if template else {},
            summary=json.dumps(template.summary if template else {}),
            fingerprint=template.fingerprint if template else "0" * 64,
            doctrine=template.doctrine if template else "",
            now=timezone.now(),
        )

    def rows(self, rng: random.Random, ids: dict, *, start: int, size: int, prefix: str) -> dict:
        out: dict = {model: [] for model in TABLES}

        def next_id(model) -> int:
            value = ids[model]
            ids[model] = value + 1
            return value

        for n in range(start, start + size):
            instrument = rng.choice(self.instruments)
            home = instrument.jurisdiction_id
            issuer = rng.choice(EU_ISSUERS) if home == "EU" else home
            court = rng.choice(self.courts[issuer]) if self.courts.get(issuer) and rng.random() < 0.8 else None
            served = self.now - dt.timedelta(days=rng.random() * DAYS_BACK, minutes=rng.randrange(1440))
            received = served + dt.timedelta(minutes=rng.randrange(5, 600))
            status = weighted(rng, STATUSES)
            emergency = rng.random() < 0.02
            preservation = instrument.is_preservation
            demand_id = next_id(Demand)
            out[Demand].append(
                {
                    "id": demand_id,
                    "reference": f"{prefix}-{served:%Y}-{n:07d}",
                    "instrument_id": instrument.pk,
                    "issuing_jurisdiction_id": issuer,
                    "issuing_authority": f"Authority {rng.randrange(400):03d} ({issuer})",
                    "court_id": court,
                    "served_entity_id": rng.choice(self.entities),
                    "served_at": served,
                    "received_at": received,
                    "emergency": emergency,
                    "due_at": received + dt.timedelta(hours=48) if emergency else None,
                    "request_kind": RequestKind.PRESERVATION if preservation else RequestKind.COMPULSORY,
                    "created_by_id": rng.choice(self.intake),
                    "created_at": received,
                    "updated_at": received,
                }
            )
            for a in range(1 if rng.random() < 0.8 else 2):
                account_id = next_id(TargetAccount)
                out[TargetAccount].append(
                    {
                        "id": account_id,
                        "demand_id": demand_id,
                        "identifier": f"user{n}-{a}@example.{rng.choice(['com', 'org', 'net'])}",
                        "us_person": rng.choice([True, False, None]),
                    }
                )
                # Each category once per account: at a place, or (sometimes) unknown.
                for category in rng.sample(CATEGORIES, k=rng.randint(1, 3)):
                    location = rng.choice(self.locations)
                    out[Holding].append(
                        {
                            "id": next_id(Holding),
                            "account_id": account_id,
                            "category": category,
                            "data_location_id": location if rng.random() < 0.93 else None,
                            "controlled_by_id": rng.choice(self.entities),
                        }
                    )
            case_id = next_id(Case)
            closed = status == Status.CLOSED
            contempt = status == Status.LITIGATING and rng.random() < 0.1
            out[Case].append(
                {
                    "id": case_id,
                    "demand_id": demand_id,
                    "emergency": emergency,
                    "reference": out[Demand][-1]["reference"],
                    "status": status,
                    "outcome": weighted(rng, OUTCOMES) if closed else "",
                    "contempt_status": "held" if contempt else "none",
                    "contempt_kind": "civil" if contempt else "",
                    "contempt_sanctions_amount": Decimal(rng.randrange(1, 50) * 1000) if contempt else None,
                    "counsel_id": rng.choice(self.counsel) if status != Status.INTAKE and rng.random() < 0.85 else None,
                    "version": rng.randint(1, 12),
                    "created_at": received,
                    "updated_at": received + dt.timedelta(days=rng.random() * 30),
                }
            )
            case_row = out[Case][-1]
            analysis_id = None
            if status not in (Status.INTAKE,):
                analysis_id = next_id(Analysis)
                signed = rng.random() < 0.4 or closed
                voided = signed and not closed and rng.random() < 0.1
                signed_at = received + dt.timedelta(days=rng.random() * 5) if signed else None
                out[Analysis].append(
                    {
                        "id": analysis_id,
                        "case_id": case_id,
                        "as_of": served.date(),
                        "catalogue_version_id": self.version,
                        "doctrine": self.doctrine,
                        "result": self.result,
                        "fingerprint": self.fingerprint,
                        "summary": self.summary,
                        "created_at": received + dt.timedelta(minutes=1),
                        "signed_off_by_id": rng.choice(self.counsel) if signed else None,
                        "signed_off_at": signed_at,
                        "sign_off_voided_at": cast(dt.datetime, signed_at) + dt.timedelta(days=1) if voided else None,
                        "sign_off_voided_reason": "The facts were amended." if voided else "",
                    }
                )
                overridden = rng.random() < 0.05 and self.counsel[0] is not None
                # What the report counts of the answer, as `Analysis.save` would set it,
                # on the analysis and (the one in force) on the case.
                flags = report_flags(self.answer, {0: "none"} if overridden else {}, issuer)
                out[Analysis][-1].update(reaches_content=flags[0], reaches_abroad=flags[1])
                case_row.update(reaches_content=flags[0], reaches_abroad=flags[1])
                if overridden:
                    out[HoldingOverride].append(
                        {
                            "id": next_id(HoldingOverride),
                            "analysis_id": analysis_id,
                            "item": 0,
                            "account": f"user{n}-0",
                            "category": "content",
                            "storage": "IE",
                            "reach": "none",
                            "route": "mlat",
                            "reason": "Counsel's reading of the data map.",
                            "by_id": rng.choice(self.counsel),
                            "created_at": received + dt.timedelta(days=2),
                        }
                    )
            out[CaseEvent].append(
                {
                    "id": next_id(CaseEvent),
                    "case_id": case_id,
                    "kind": "demand_logged",
                    "occurred_on": received.date(),
                    "recorded_at": received,
                    "by_id": rng.choice(self.intake),
                    "note": f"{instrument.code} logged at intake.",
                }
            )
            if status != Status.INTAKE:
                out[CaseEvent].append(
                    {
                        "id": next_id(CaseEvent),
                        "case_id": case_id,
                        "kind": "transition",
                        "track": "main",
                        "from_state": "intake",
                        "to_state": status,
                        "occurred_on": (received + dt.timedelta(days=3)).date(),
                        "recorded_at": received + dt.timedelta(days=3),
                        "by_id": rng.choice(self.counsel),
                    }
                )
            deadlines_from = len(out[Deadline])
            due = received + dt.timedelta(days=rng.choice([2, 10, 14, 30, 45]))
            if not closed and rng.random() < 0.5:  # live cases: deadlines around today
                due = self.now + dt.timedelta(days=rng.uniform(-10, 40))
            out[Deadline].append(
                {
                    "id": next_id(Deadline),
                    "case_id": case_id,
                    "kind": "response",
                    "due_at": due,
                    "source": "computed",
                    "state": "met" if closed else "open",
                    "computation": {"rule": "response", "start": received.date().isoformat()},
                    "analysis_id": analysis_id,
                    "created_at": received,
                    "completed_on": due.date() if closed else None,
                }
            )
            if not closed and rng.random() < 0.3:
                out[Deadline].append(
                    {
                        "id": next_id(Deadline),
                        "case_id": case_id,
                        "kind": "custom",
                        "label": "Call back the requesting officer",
                        "due_at": self.now + dt.timedelta(days=rng.uniform(-5, 20)),
                        "source": "manual",
                        "state": "open",
                        "created_at": received,
                        "created_by_id": rng.choice(self.counsel),
                    }
                )
            # The case's next open deadline, as `refresh_next_deadline` keeps it.
            mine = [d for d in out[Deadline][deadlines_from:] if d["state"] == "open"]
            if mine:
                first = min(mine, key=lambda d: (d["due_at"], d["id"]))
                case_row.update(next_deadline_at=first["due_at"], next_deadline_kind=first["kind"])
        return out


class Layout:
    """A table's columns in order, with each column's default and whether it holds
    JSON, worked out once per model."""

    _cache: dict = {}

    def __init__(self, model):
        self.fields = [f for f in model._meta.concrete_fields if not f.generated]  # the database writes those
        self.names = [f.attname for f in self.fields]
        self.json_at = [i for i, f in enumerate(self.fields) if isinstance(f, models.JSONField)]
        self.defaults = []
        for field in self.fields:
            if field.has_default():
                value = field.get_default()
            elif field.null:
                value = None
            else:
                value = "" if isinstance(field, models.CharField | models.TextField | models.FileField) else None
            self.defaults.append(value)

    @classmethod
    def of(cls, model) -> "Layout":
        if model not in cls._cache:
            cls._cache[model] = cls(model)
        return cls._cache[model]

    def row(self, values: dict) -> list:
        """The row's values in column order, defaults where not given; JSON as text
        (a str is taken as JSON text already dumped)."""
        row = [values.get(name, default) for name, default in zip(self.names, self.defaults, strict=True)]
        for i in self.json_at:
            if row[i] is not None and not isinstance(row[i], str):
                row[i] = json.dumps(row[i])
        return row


def write(model, rows: list[dict]) -> None:
    if not rows:
        return
    if connection.vendor != "postgresql":
        objects = []
        for values in rows:
            loaded = {k: json.loads(v) if isinstance(v, str) and k in JSON_TEXT else v for k, v in values.items()}
            objects.append(model(**loaded))
        model.objects.bulk_create(objects, batch_size=500)
        return
    layout = Layout.of(model)
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(f.column) for f in layout.fields)
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg 3
        with raw.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for values in rows:
                copy.write_row(layout.row(values))


def reset_sequences() -> None:
    """Move each table's id sequence past the ids written here."""
    from django.core.management.color import no_style

    statements = connection.ops.sequence_reset_sql(no_style(), TABLES)
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
