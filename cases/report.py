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

Countries with fewer demands in the period than `min_count` (default
`TRANSPARENCY_MIN_COUNT`) are shown together as one "Other" line (without
instruments, which would name them), as published transparency reports do. Beside
each outcome count the report gives its share of the line's demands, in whole per
cent rounded so that a line's shares add up to 100 (largest remainders).

The figures are computed by the database: one aggregate query grouped by country,
instrument and outcome bucket (`_grouped`), whatever the number of cases. What it
counts of an answer (a content holding reachable; a holding reached by control
abroad), with counsel's overrides in force, is kept on each analysis
(`Analysis.reaches_content`, `reaches_abroad`, from `cases.models.report_flags`), so
the query reads two columns of the analysis in force, not its JSON. `build_report`
turns those groups into a `Report` without a query.
`trend` counts the outcomes per half year, in one more query.
"""

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, NamedTuple

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Exists, OuterRef, Q, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce, ExtractMonth, ExtractYear
from django.utils import timezone

from cases.models import AppealStatus, Case, ContemptStatus, Outcome, ProductionItem, Status
from jurisdictions.models import Jurisdiction, LegalInstrument
from requests_app.models import NondisclosureOrder, TargetAccount

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
# One colour per outcome, each at least 4.5:1 against the page's white (WCAG AA for
# text, so also for the charts' shapes), with hues far apart: red, amber, charcoal,
# blue, purple. "Rejected or challenged" is blue, not green (green reads as "good");
# "No data found" (charcoal) and "Pending" (purple) differ in hue, not only in shade.
COLOURS = {
    "content": "#a4262c",
    "non_content": "#9c5700",
    "no_data": "#3f3f46",
    "rejected_or_challenged": "#1f5fbf",
    "pending": "#7a3fb0",
}
PRODUCED = (Outcome.PRODUCED_IN_FULL, Outcome.PRODUCED_IN_PART)
HALF = re.compile(r"^(\d{4})-H([12])$")
# A period's days: the report's bounds add a day to the end (9999-12-31 would overflow).
FIRST_DAY = dt.date(1900, 1, 1)
LAST_DAY = dt.date(9998, 12, 31)
# The grouping threshold a request may ask for (a whole number from 0; 0 groups nothing).
MIN_COUNT_MAX = 1_000_000_000
# How many half years the trend chart shows (the most recent ones).
TREND_HALVES = 10


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


def half_of(day: dt.date) -> Period:
    """The half year a day falls in."""
    return half_year(day.year, 1 if day.month <= 6 else 2)


def halves_between(first: Period, last: Period) -> list[Period]:
    """Every half year from `first` to `last`, both included, oldest first."""
    halves, year, half = [], first.start.year, 1 if first.start.month <= 6 else 2
    while (year, half) <= (last.start.year, 1 if last.start.month <= 6 else 2):
        halves.append(half_year(year, half))
        year, half = (year, 2) if half == 1 else (year + 1, 1)
    return halves


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
    return half_of(today)


def min_count_from(params: Mapping[str, str], *, default: int) -> int:
    """The grouping threshold a request asks for (`min_count`), else `default`. Raises
    ValidationError naming the field unless it is a whole number from 0."""
    raw = params.get("min_count")
    if raw is None or not raw.strip():
        return default
    value = raw.strip()
    if not value.isascii() or not value.isdigit() or int(value) > MIN_COUNT_MAX:
        raise ValidationError(
            {"min_count": f"min_count must be a whole number from 0 to {MIN_COUNT_MAX:,}; got {raw!r}."}
        )
    return int(value)


# --------------------------------------------------------------------------- report


def shares(counts: Mapping[str, int]) -> dict[str, int]:
    """Whole per cents of `counts` that add up to 100 (when any is counted): each share
    rounded down, then the points left given to the largest remainders (ties to the
    first key), so that a line never reads 101 % or 99 %. All 0 when nothing is counted."""
    total = sum(counts.values())
    if not total:
        return dict.fromkeys(counts, 0)
    exact = {key: 100 * n / total for key, n in counts.items()}
    floors = {key: int(value) for key, value in exact.items()}
    left = 100 - sum(floors.values())
    keys = list(counts)
    for key in sorted(keys, key=lambda k: (-(exact[k] - floors[k]), keys.index(k)))[:left]:
        floors[key] += 1
    return floors


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

    def add(self, other: "Figures") -> None:
        for name in COUNTS:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def buckets(self) -> list[tuple[str, str, int]]:
        return [(key, label, getattr(self, key)) for key, label in BUCKETS.items()]

    def shares(self) -> dict[str, int]:
        """Each outcome's share of the demands, in whole per cent adding up to 100."""
        return shares({key: getattr(self, key) for key in BUCKETS})

    def outcomes(self) -> list[dict[str, Any]]:
        """Each outcome with its count and share, for the page's cells."""
        percent = self.shares()
        return [{"key": key, "label": label, "n": n, "share": percent[key]} for key, label, n in self.buckets()]


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


def build_report(groups: Iterable[Line], *, period: Period, min_count: int) -> Report:
    """The report from the figures of each country and instrument (one `Line` each, as
    `_grouped` reads them), grouping small countries into "Other". No query."""
    per_country: dict[str, Line] = {}
    per_instrument: dict[tuple[str, str], Line] = {}
    for group in groups:
        country = per_country.setdefault(group.country, Line(group.country, group.country_name, "", ""))
        country.figures.add(group.figures)
        key = (group.country, group.instrument)
        line = per_instrument.setdefault(
            key, Line(group.country, group.country_name, group.instrument, group.instrument_name)
        )
        line.figures.add(group.figures)
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
        return data | asdict(row.figures) | {"shares": row.figures.shares()}

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
        "total": asdict(report.total) | {"shares": report.total.shares()},
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
    """One line per country and instrument, then per country, then the total; each
    outcome's share (per cent of the line's demands) after the counts."""
    out = io.StringIO()
    writer = csv.writer(out)
    shares_header = [f"{key}_percent" for key in BUCKETS]
    writer.writerow(
        ["period", "level", "country", "country_name", "instrument", "instrument_name", *COUNTS, *shares_header]
    )

    def write(level: str, row: Line) -> None:
        figures = asdict(row.figures)
        percent = row.figures.shares()
        writer.writerow(
            [csv_cell(text) for text in (report.period.label, level, row.country, row.country_name)]
            + [csv_cell(row.instrument), csv_cell(row.instrument_name)]
            + [figures[k] for k in COUNTS]
            + [percent[k] for k in BUCKETS]
        )

    for row in report.lines:
        write("instrument", row)
    for row in report.countries:
        write("country", row)
    write("total", Line("", "All countries", "", "", report.total))
    return out.getvalue()


def legend() -> list[dict[str, str]]:
    return [{"key": key, "label": BUCKETS[key], "fill": colour} for key, colour in COLOURS.items()]


def chart(report: Report) -> dict:
    """Geometry for a server-rendered SVG of stacked outcome bars per country (no JS)."""
    top = max((c.figures.demands for c in report.countries), default=0)
    bar_height, gap, label_width, width = 22, 6, 150, 640
    span = width - label_width - 50
    bars = []
    for i, country in enumerate(report.countries):
        y = i * (bar_height + gap)
        x: float = label_width
        segments = []
        percent = country.figures.shares()
        for key, label, n in country.figures.buckets():
            if not n:
                continue
            length = span * n / top
            segments.append(
                {
                    "x": round(x, 1),
                    "width": round(length, 1),
                    "fill": COLOURS[key],
                    "label": label,
                    "n": n,
                    "share": percent[key],
                }
            )
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
        "legend": legend(),
    }


# --------------------------------------------------------------------------- database


def period_bounds(period: Period) -> tuple[dt.datetime, dt.datetime]:
    """[start, end + 1 day) as aware datetimes in the current time zone."""
    zone = timezone.get_current_timezone()
    start = dt.datetime.combine(period.start, dt.time.min, tzinfo=zone)
    end = dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    return start, end


def _latest_is(flag: str) -> Q:
    """A report flag of the case's analysis in force (`Analysis.reaches_content` or
    `reaches_abroad`, with counsel's overrides in force), copied on the case: a column
    of the row the report reads anyway, no JSON and no join."""
    return Q(**{flag: True})


def outcome_bucket() -> models.Case:
    """The outcome bucket of a case (the table in the module docstring) as an SQL
    expression. CASE is read in order, so the subqueries after a match are not run."""
    produced = ProductionItem.objects.filter(production__case_id=OuterRef("pk"), disposition="produced")
    produced_content = produced.filter(Q(holding__category="content") | Q(category="content"))
    closed, produced_in_closed = Q(status=Status.CLOSED), Q(status=Status.CLOSED, outcome__in=PRODUCED)
    content_reached = _latest_is("reaches_content")
    challenged = (
        Q(status=Status.LITIGATING) | ~Q(appeal_status=AppealStatus.NONE) | ~Q(contempt_status=ContemptStatus.NONE)
    )
    return models.Case(
        When(Exists(produced_content), then=Value("content")),
        When(Exists(produced), then=Value("non_content")),
        When(produced_in_closed & content_reached, then=Value("content")),
        When(produced_in_closed, then=Value("non_content")),
        When(closed & Q(outcome=Outcome.NO_DATA), then=Value("no_data")),
        When(closed, then=Value("rejected_or_challenged")),
        When(challenged, then=Value("rejected_or_challenged")),
        default=Value("pending"),
        output_field=models.CharField(),
    )


def _received():
    """The day a demand reached the provider: received, else served, else logged."""
    return Coalesce("demand__received_at", "demand__served_at", "demand__created_at")


GROUP_KEYS = ("demand__issuing_jurisdiction_id", "demand__instrument_id")


def _grouped(period: Period):
    """The period's figures per country, instrument and outcome bucket: one query,
    grouped by keys of the demand's own row (the names are read apart, `_names`)."""
    start, end = period_bounds(period)
    accounts = (
        TargetAccount.objects.filter(demand_id=OuterRef("demand_id"))
        .order_by()
        .values("demand_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    extraterritorial = _latest_is("reaches_abroad")
    return (
        Case.objects.annotate(on=_received())
        .filter(on__gte=start, on__lt=end)
        .annotate(bucket=outcome_bucket())
        .values(*GROUP_KEYS, "bucket")
        .annotate(
            demands=Count("pk"),
            accounts=Coalesce(Sum(Coalesce(Subquery(accounts, output_field=models.IntegerField()), Value(0))), 0),
            emergency=Count("pk", filter=Q(demand__emergency=True)),
            nondisclosure=Count(
                "pk", filter=Q(Exists(NondisclosureOrder.objects.filter(demand_id=OuterRef("demand_id"))))
            ),
            extraterritorial=Count("pk", filter=Q(extraterritorial)),
        )
        .order_by()
    )


def _names() -> tuple[dict[str, str], dict[int, tuple[str, str]]]:
    """The catalogue's names: country code -> name, instrument id -> (code, name)."""
    countries = dict(Jurisdiction.objects.values_list("code", "name"))
    instruments = {pk: (code, name) for pk, code, name in LegalInstrument.objects.values_list("pk", "code", "name")}
    return countries, instruments


def _lines(groups: Iterable[dict]) -> list[Line]:
    """A Line per group row (one bucket's figures of a country and instrument)."""
    countries, instruments = _names()
    lines = []
    for group in groups:
        figures = Figures(
            demands=group["demands"],
            accounts=group["accounts"],
            emergency=group["emergency"],
            nondisclosure=group["nondisclosure"],
            extraterritorial=group["extraterritorial"],
        )
        setattr(figures, group["bucket"], group["demands"])
        country = group["demand__issuing_jurisdiction_id"]
        code, name = instruments.get(group["demand__instrument_id"], ("", ""))
        lines.append(
            Line(
                country=country,
                country_name=countries.get(country, country),
                instrument=code,
                instrument_name=name,
                figures=figures,
            )
        )
    return lines


def transparency_report(period: Period, *, min_count: int | None = None) -> Report:
    """The report for `period`: one aggregate query, whatever the number of cases,
    and two for the catalogue's names."""
    from django.conf import settings

    if min_count is None:
        min_count = settings.TRANSPARENCY_MIN_COUNT
    return build_report(_lines(_grouped(period)), period=period, min_count=min_count)


# --------------------------------------------------------------------------- trend


class TrendPoint(NamedTuple):
    period: Period
    figures: Figures


@dataclass
class Trend:
    points: list[TrendPoint]  # one per half year, oldest first (the chart's and table's)
    first: Period | None  # the half year of the first demand, if any


def trend(*, today: dt.date, halves: int = TREND_HALVES, until: Period | None = None) -> Trend:
    """Demands per outcome in each half year, from the first demand's half (at most the
    last `halves`, up to today's half or the latest with demands; up to `until`'s half
    when that is earlier, so a period picked years back is in the trend): one query."""
    received = _received()
    rows = (
        Case.objects.annotate(on=received)
        .annotate(year=ExtractYear("on"), month=ExtractMonth("on"))
        .annotate(
            half=models.Case(When(month__lte=6, then=Value(1)), default=Value(2), output_field=models.IntegerField()),
            bucket=outcome_bucket(),
        )
        .values("year", "half", "bucket")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts: dict[tuple[int, int], Figures] = {}
    for row in rows:
        figures = counts.setdefault((row["year"], row["half"]), Figures())
        figures.demands += row["n"]
        setattr(figures, row["bucket"], getattr(figures, row["bucket"]) + row["n"])
    if not counts:
        return Trend(points=[], first=None)
    first, last = half_year(*min(counts)), max(half_of(today), half_year(*max(counts)), key=lambda p: p.start)
    if until is not None and first.start <= until.start < last.start:
        last = half_of(until.start)
    shown = halves_between(first, last)[-halves:]
    points = [TrendPoint(p, counts.get((p.start.year, 1 if p.start.month <= 6 else 2), Figures())) for p in shown]
    return Trend(points=points, first=first)


def trend_chart(points: list[TrendPoint]) -> dict:
    """Geometry for a server-rendered SVG of stacked outcome columns per half year."""
    width, height, left, bottom, top_pad = 640, 240, 40, 30, 16
    plot_height = height - bottom - top_pad
    top = max((p.figures.demands for p in points), default=0) or 1
    slot = (width - left) / max(len(points), 1)
    column = min(48.0, slot * 0.6)
    columns = []
    for i, point in enumerate(points):
        x = left + i * slot + (slot - column) / 2
        y = float(top_pad + plot_height)
        segments = []
        percent = point.figures.shares()
        for key, label, n in point.figures.buckets():
            if not n:
                continue
            length = plot_height * n / top
            y -= length
            segments.append(
                {
                    "y": round(y, 1),
                    "height": round(length, 1),
                    "fill": COLOURS[key],
                    "label": label,
                    "n": n,
                    "share": percent[key],
                }
            )
        columns.append(
            {
                "label": point.period.label,
                "n": point.figures.demands,
                "x": round(x, 1),
                "width": round(column, 1),
                "centre": round(x + column / 2, 1),
                "value_y": round(y - 4, 1),
                "segments": segments,
            }
        )
    return {
        "columns": columns,
        "width": width,
        "height": height,
        "axis_y": top_pad + plot_height,
        "label_y": height - 10,
        "left": left,
        "top": top,
        "top_y": top_pad,
    }
