"""The transparency report: demands per issuing country and instrument for a period.

A demand belongs to the period by the day it reached the provider: `received_at`,
else `served_at`, else the day it was logged (`created_at`); the period is a half
year (`2026-H2`) or a range of days, both ends included, in the server's time zone.

Per country and instrument the report counts demands, the accounts they specify,
emergency demands, demands under a nondisclosure order, and "extraterritorial"
demands: those whose latest analysis reaches data stored outside the issuing
jurisdiction through control (an item with reach "control" whose storage is another
country or unknown). Each demand falls into exactly one outcome bucket, derived from
its case's productions, recorded outcome and tracks, in this order:

=================================  ====================================================
case                               bucket
=================================  ====================================================
a production produced content      "content disclosed"
(any status)
a production produced data, none   "only non-content disclosed"
of it content (any status)
closed, produced in full or part,  "content disclosed" if the latest analysis reaches a
no production recorded             content holding (reach storage or control), else
                                   "only non-content disclosed" (cases closed before
                                   productions were recorded)
closed, no data                    "no data found"
closed, rejected, withdrawn, moot  "rejected or challenged"
open, litigating, or with an       "rejected or challenged"
appeal or contempt track not none
any other open case                "pending"
=================================  ====================================================

A disclosure is reported as a disclosure even when the demand was challenged first,
or the case is still open: the report says what was handed over. Productions that
withheld everything disclose nothing: such a case falls to its outcome or tracks (the
three classes of `cases.actions.productions.production_summary`: content, only
non-content, nothing). Counsel's overrides count: for each holding
of the latest analysis, its latest override (if any) replaces the engine's reach.

Countries with fewer demands in the period than `TRANSPARENCY_MIN_COUNT` are shown
together as one "Other" line (without instruments, which would name them), as
published transparency reports do.

`build_report` is pure (rows in, a `Report` out); `load_rows` reads the rows in three
queries whatever the number of cases.
"""

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import NamedTuple

from django.core.exceptions import ValidationError

from cases.models import AppealStatus, ContemptStatus, Outcome, Status
from jurisdictions.reach import Reach

OTHER = "OTHER"
BUCKETS = {
    "content": "Content disclosed",
    "non_content": "Only non-content disclosed",
    "no_data": "No data found",
    "rejected_or_challenged": "Rejected or challenged",
    "pending": "Pending",
}
COUNTS = {
    "demands": "Demands",
    "accounts": "Accounts specified",
    **BUCKETS,
    "emergency": "Emergency",
    "nondisclosure": "Under a nondisclosure order",
    "extraterritorial": "Extraterritorial (control, stored elsewhere)",
}
PRODUCED = (Outcome.PRODUCED_IN_FULL, Outcome.PRODUCED_IN_PART)
HALF = re.compile(r"^(\d{4})-H([12])$")
# A period's days: the report's bounds add a day to the end (9999-12-31 would overflow).
FIRST_DAY = dt.date(1900, 1, 1)
LAST_DAY = dt.date(9998, 12, 31)


# --------------------------------------------------------------------------- period


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date  # included
    label: str

    @property
    def query(self) -> str:
        """The query string that asks for this period again."""
        if re.match(r"^\d{4}-H[12]$", self.label):
            return f"half={self.label}"
        return f"start={self.start.isoformat()}&end={self.end.isoformat()}"


def half_year(year: int, half: int) -> Period:
    if half == 1:
        return Period(dt.date(year, 1, 1), dt.date(year, 6, 30), f"{year}-H1")
    return Period(dt.date(year, 7, 1), dt.date(year, 12, 31), f"{year}-H2")


def period_from(params: Mapping[str, str], *, today: dt.date) -> Period:
    """The period a request asks for: `half=2026-H2`, or `start=` and `end=` (ISO days);
    the current half year when it asks for none. Raises ValidationError naming the field."""
    half = (params.get("half") or "").strip()
    start, end = (params.get("start") or "").strip(), (params.get("end") or "").strip()
    if half and (start or end):
        raise ValidationError({"half": "Give a half year or a start and end date, not both."})
    if half:
        match = HALF.match(half)
        if not match or not 1900 <= int(match[1]) <= 9998:
            raise ValidationError({"half": f"Write a half year as YYYY-H1 or YYYY-H2, e.g. 2026-H2; got {half!r}."})
        return half_year(int(match[1]), int(match[2]))
    if start or end:
        days = {}
        for name, value in (("start", start), ("end", end)):
            if not value:
                raise ValidationError({name: f"Give both start and end dates; {name} is missing."})
            try:
                days[name] = dt.date.fromisoformat(value)
            except ValueError:
                raise ValidationError({name: f"{name} must be a date as YYYY-MM-DD; got {value!r}."}) from None
        for name, day in days.items():
            if not FIRST_DAY <= day <= LAST_DAY:
                bounds = f"{FIRST_DAY.isoformat()} and {LAST_DAY.isoformat()}"
                raise ValidationError({name: f"{name} must be between {bounds}; got {day.isoformat()}."})
        if days["end"] < days["start"]:
            raise ValidationError({"end": f"end {days['end']} is before start {days['start']}."})
        return Period(days["start"], days["end"], f"{days['start'].isoformat()} to {days['end'].isoformat()}")
    return half_year(today.year, 1 if today.month <= 6 else 2)


# --------------------------------------------------------------------------- rows


class Item(NamedTuple):
    """One holding of a case's latest analysis, counsel's override applied. (Named
    tuples, not dataclasses: the report builds hundreds of thousands of them.)"""

    category: str
    reach: str
    storage: str | None


class CaseRow(NamedTuple):
    country: str
    country_name: str
    instrument: str
    instrument_name: str
    accounts: int
    emergency: bool
    under_ndo: bool
    status: str
    outcome: str
    appeal_status: str = AppealStatus.NONE
    contempt_status: str = ContemptStatus.NONE
    items: tuple[Item, ...] = ()
    # What the case's productions handed over: None when it has no production with
    # anything produced (the bucket then comes from the outcome), else whether content.
    produced_content: bool | None = None


def outcome_bucket(row: CaseRow) -> str:
    """The mapping in the module docstring."""
    if row.produced_content is not None:
        return "content" if row.produced_content else "non_content"
    if row.status == Status.CLOSED:
        if row.outcome in PRODUCED:
            content = any(i.category == "content" and i.reach != Reach.NONE for i in row.items)
            return "content" if content else "non_content"
        if row.outcome == Outcome.NO_DATA:
            return "no_data"
        return "rejected_or_challenged"
    if (
        row.status == Status.LITIGATING
        or row.appeal_status != AppealStatus.NONE
        or row.contempt_status != ContemptStatus.NONE
    ):
        return "rejected_or_challenged"
    return "pending"


def is_extraterritorial(row: CaseRow) -> bool:
    return any(i.reach == Reach.CONTROL and (not i.storage or i.storage != row.country) for i in row.items)


# --------------------------------------------------------------------------- report


@dataclass
class Figures:
    demands: int = 0
    accounts: int = 0
    content: int = 0
    non_content: int = 0
    no_data: int = 0
    rejected_or_challenged: int = 0
    pending: int = 0
    emergency: int = 0
    nondisclosure: int = 0
    extraterritorial: int = 0

    def add_case(self, row: CaseRow) -> None:
        self.demands += 1
        self.accounts += row.accounts
        bucket = outcome_bucket(row)
        setattr(self, bucket, getattr(self, bucket) + 1)
        self.emergency += row.emergency
        self.nondisclosure += row.under_ndo
        self.extraterritorial += is_extraterritorial(row)

    def add(self, other: "Figures") -> None:
        for name in COUNTS:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def buckets(self) -> list[tuple[str, str, int]]:
        return [(key, label, getattr(self, key)) for key, label in BUCKETS.items()]


@dataclass
class Line:
    country: str
    country_name: str
    instrument: str
    instrument_name: str
    figures: Figures = field(default_factory=Figures)


@dataclass
class Report:
    period: Period
    min_count: int
    countries: list[Line]  # one per country shown, "Other" last; instrument blank
    lines: list[Line]  # per country and instrument; "Other" as one line, last
    total: Figures
    other_countries: int  # how many countries "Other" stands for


def build_report(rows: Iterable[CaseRow], *, period: Period, min_count: int) -> Report:
    """Count the rows per country and instrument, grouping small countries into "Other"."""
    per_country: dict[str, Line] = {}
    per_instrument: dict[tuple[str, str], Line] = {}
    for row in rows:
        country = per_country.setdefault(row.country, Line(row.country, row.country_name, "", ""))
        country.figures.add_case(row)
        key = (row.country, row.instrument)
        line = per_instrument.setdefault(key, Line(row.country, row.country_name, row.instrument, row.instrument_name))
        line.figures.add_case(row)
    small = {code for code, line in per_country.items() if line.figures.demands < min_count}

    def order(line: Line):
        return (-line.figures.demands, line.country, line.instrument)

    countries = sorted((c for code, c in per_country.items() if code not in small), key=order)
    lines = sorted((line for (code, _), line in per_instrument.items() if code not in small), key=order)
    if small:
        other = Line(OTHER, "Other", "", "All instruments")
        for code in small:
            other.figures.add(per_country[code].figures)
        countries.append(Line(OTHER, "Other", "", ""))
        countries[-1].figures.add(other.figures)
        lines.append(other)
    total = Figures()
    for line in countries:
        total.add(line.figures)
    return Report(
        period=period, min_count=min_count, countries=countries, lines=lines, total=total, other_countries=len(small)
    )


def as_dict(report: Report) -> dict:
    """The report as plain JSON data (the downloads and the API)."""

    def line(row: Line, *, with_instrument: bool) -> dict:
        data = {"country": row.country, "country_name": row.country_name}
        if with_instrument:
            data.update(instrument=row.instrument, instrument_name=row.instrument_name)
        return data | asdict(row.figures)

    return {
        "period": {
            "label": report.period.label,
            "start": report.period.start.isoformat(),
            "end": report.period.end.isoformat(),
        },
        "min_count": report.min_count,
        "other_countries": report.other_countries,
        "outcomes": dict(BUCKETS),
        "countries": [line(c, with_instrument=False) for c in report.countries],
        "lines": [line(r, with_instrument=True) for r in report.lines],
        "total": asdict(report.total),
    }


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value):
    """A text cell a spreadsheet will not run as a formula: one starting with = + - @,
    a tab or a carriage return gets a leading apostrophe (OWASP, CSV injection).
    Numbers are written as they are."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def as_csv(report: Report) -> str:
    """One line per country and instrument, then per country, then the total."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["period", "level", "country", "country_name", "instrument", "instrument_name", *COUNTS])

    def write(level: str, row: Line) -> None:
        figures = asdict(row.figures)
        writer.writerow(
            [csv_cell(text) for text in (report.period.label, level, row.country, row.country_name)]
            + [csv_cell(row.instrument), csv_cell(row.instrument_name)]
            + [figures[k] for k in COUNTS]
        )

    for row in report.lines:
        write("instrument", row)
    for row in report.countries:
        write("country", row)
    write("total", Line("", "All countries", "", "", report.total))
    return out.getvalue()


def chart(report: Report) -> dict:
    """Geometry for a server-rendered SVG of stacked outcome bars per country (no JS)."""
    colours = {
        "content": "#b03a2e",
        "non_content": "#d68910",
        "no_data": "#7f8c8d",
        "rejected_or_challenged": "#1e8449",
        "pending": "#aab7b8",
    }
    top = max((c.figures.demands for c in report.countries), default=0)
    bar_height, gap, label_width, width = 22, 6, 150, 640
    span = width - label_width - 50
    bars = []
    for i, country in enumerate(report.countries):
        y = i * (bar_height + gap)
        x: float = label_width
        segments = []
        for key, label, n in country.figures.buckets():
            if not n:
                continue
            length = span * n / top
            segments.append({"x": round(x, 1), "width": round(length, 1), "fill": colours[key], "label": label, "n": n})
            x += length
        bars.append(
            {
                "name": country.country_name,
                "n": country.figures.demands,
                "y": y,
                "text_y": y + bar_height * 0.7,
                "segments": segments,
                "value_x": round(x + 6, 1),
            }
        )
    return {
        "bars": bars,
        "width": width,
        "height": max(len(bars) * (bar_height + gap), bar_height),
        "label_width": label_width,
        "bar_height": bar_height,
        "legend": [{"label": BUCKETS[k], "fill": c} for k, c in colours.items()],
    }


# --------------------------------------------------------------------------- database


def period_bounds(period: Period) -> tuple[dt.datetime, dt.datetime]:
    """[start, end + 1 day) as aware datetimes in the current time zone."""
    from django.utils import timezone

    zone = timezone.get_current_timezone()
    start = dt.datetime.combine(period.start, dt.time.min, tzinfo=zone)
    end = dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    return start, end


def load_rows(period: Period) -> list[CaseRow]:
    """The period's cases as rows, in three queries: the cases with their demand's
    figures, what their productions produced and latest analysis id; those analyses'
    items; their overrides."""
    from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery, Value
    from django.db.models.functions import Coalesce

    from cases.models import Analysis, Case, HoldingOverride, ProductionItem
    from requests_app.models import NondisclosureOrder, TargetAccount

    start, end = period_bounds(period)
    produced = ProductionItem.objects.filter(production__case_id=OuterRef("pk"), disposition="produced")
    accounts = (
        TargetAccount.objects.filter(demand_id=OuterRef("demand_id"))
        .order_by()
        .values("demand_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    cases = (
        Case.objects.with_latest_analysis()
        .annotate(on=Coalesce("demand__received_at", "demand__served_at", "demand__created_at"))
        .filter(on__gte=start, on__lt=end)
        .annotate(
            n_accounts=Coalesce(Subquery(accounts, output_field=IntegerField()), Value(0)),
            under_ndo=Exists(NondisclosureOrder.objects.filter(demand_id=OuterRef("demand_id"))),
            produced_any=Exists(produced),
            produced_content=Exists(produced.filter(Q(holding__category="content") | Q(category="content"))),
        )
        .order_by()
    )
    case_rows = list(
        cases.values_list(
            "latest_analysis_id",
            "demand__issuing_jurisdiction_id",
            "demand__issuing_jurisdiction__name",
            "demand__instrument__code",
            "demand__instrument__name",
            "n_accounts",
            "demand__emergency",
            "under_ndo",
            "status",
            "outcome",
            "appeal_status",
            "contempt_status",
            "produced_any",
            "produced_content",
        )
    )
    analysis_ids = cases.filter(latest_analysis_id__isnull=False).values("latest_analysis_id")
    items = dict(Analysis.objects.filter(pk__in=analysis_ids).order_by().values_list("pk", "result__items"))
    overrides = HoldingOverride.objects.filter(analysis_id__in=analysis_ids).only("analysis_id", "item", "reach")
    reach_overrides = {(o.analysis_id, o.item): o.reach for o in overrides.in_force()}
    rows = []
    for analysis_id, *facts, produced_any, produced_content in case_rows:
        effective = tuple(
            Item(
                category=item.get("category", ""),
                reach=reach_overrides.get((analysis_id, index), item.get("reach", Reach.NONE)),
                storage=item.get("storage") or None,
            )
            for index, item in enumerate(items.get(analysis_id) or [])
        )
        rows.append(CaseRow._make([*facts, effective, produced_content if produced_any else None]))
    return rows


def transparency_report(period: Period, *, min_count: int | None = None) -> Report:
    from django.conf import settings

    if min_count is None:
        min_count = settings.TRANSPARENCY_MIN_COUNT
    return build_report(load_rows(period), period=period, min_count=min_count)
