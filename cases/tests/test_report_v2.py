"""The transparency report computed by the database (issue 18) says exactly what the
Python loop over cases said (issue 15 adds percentages, a chosen threshold and a
trend): the old computation is kept here as the reference and compared, cell by cell,
on a varied set of cases, on SQLite and on PostgreSQL alike."""

import datetime as dt
import random
from typing import NamedTuple

import pytest
import time_machine
from django.urls import reverse
from rest_framework.test import APIClient

from cases import report
from cases.models import Analysis, AppealStatus, Case, ContemptStatus, HoldingOverride, Production, ProductionItem
from cases.tests import test_report as known_set
from requests_app.models import NondisclosureOrder, TargetAccount
from tests.factories import CaseFactory, HoldingFactory

# The known set of test_report (its cells are pinned there) and its case builder.
FIELDS, H1, at, item = known_set.FIELDS, known_set.H1, known_set.at, known_set.item
known, make_case, version = known_set.known, known_set.make_case, known_set.version

# ------------------------------------------------------------------ the reference
# The report as it was computed before issue 18: rows per case, then a Python loop.


class RefItem(NamedTuple):
    category: str
    reach: str
    storage: str | None


class RefRow(NamedTuple):
    country: str
    country_name: str
    instrument: str
    instrument_name: str
    accounts: int
    emergency: bool
    under_ndo: bool
    status: str
    outcome: str
    appeal_status: str
    contempt_status: str
    items: tuple
    produced_content: bool | None


def ref_bucket(row: RefRow) -> str:
    if row.produced_content is not None:
        return "content" if row.produced_content else "non_content"
    if row.status == "closed":
        if row.outcome in ("produced_in_full", "produced_in_part"):
            return "content" if any(i.category == "content" and i.reach != "none" for i in row.items) else "non_content"
        if row.outcome == "no_data":
            return "no_data"
        return "rejected_or_challenged"
    if row.status == "litigating" or row.appeal_status != "none" or row.contempt_status != "none":
        return "rejected_or_challenged"
    return "pending"


def ref_rows(period: report.Period) -> list[RefRow]:
    start, end = report.period_bounds(period)
    rows = []
    cases = Case.objects.select_related("demand__issuing_jurisdiction", "demand__instrument")
    for case in cases:
        demand = case.demand
        on = demand.received_at or demand.served_at or demand.created_at
        if not start <= on < end:
            continue
        latest = Analysis.objects.filter(case=case).newest_first().first()
        items = []
        if latest is not None:
            overrides = {o.item: o.reach for o in HoldingOverride.objects.filter(analysis=latest).in_force()}
            for index, entry in enumerate(latest.result.get("items") or []):
                reach = overrides.get(index, entry.get("reach", "none"))
                items.append(RefItem(entry.get("category", ""), reach, entry.get("storage") or None))
        produced = ProductionItem.objects.filter(production__case=case, disposition="produced")
        content = any(p.category == "content" or (p.holding and p.holding.category == "content") for p in produced)
        rows.append(
            RefRow(
                demand.issuing_jurisdiction_id,
                demand.issuing_jurisdiction.name,
                demand.instrument.code,
                demand.instrument.name,
                TargetAccount.objects.filter(demand=demand).count(),
                demand.emergency,
                NondisclosureOrder.objects.filter(demand=demand).exists(),
                case.status,
                case.outcome,
                case.appeal_status,
                case.contempt_status,
                tuple(items),
                content if produced.exists() else None,
            )
        )
    return rows


def ref_report(period: report.Period, min_count: int) -> dict:
    """{(level, country, instrument): figures tuple} and the "Other" count."""

    def one(row: RefRow) -> report.Figures:
        figures = report.Figures(demands=1, accounts=row.accounts, emergency=int(row.emergency))
        figures.nondisclosure = int(row.under_ndo)
        setattr(figures, ref_bucket(row), 1)
        figures.extraterritorial = int(
            any(i.reach == "control" and (not i.storage or i.storage != row.country) for i in row.items)
        )
        return figures

    lines = [report.Line(r.country, r.country_name, r.instrument, r.instrument_name, one(r)) for r in ref_rows(period)]
    return report.build_report(lines, period=period, min_count=min_count)


def cells(result: report.Report) -> list:
    def of(figures):
        return tuple(getattr(figures, name) for name in FIELDS)

    return (
        [("line", line.country, line.country_name, line.instrument, line.instrument_name, of(line.figures))
         for line in result.lines]
        + [("country", c.country, c.country_name, of(c.figures)) for c in result.countries]
        + [("total", of(result.total)), ("other", result.other_countries, result.min_count)]
    )  # fmt: skip


# ------------------------------------------------------------------ a varied set


@pytest.fixture
def varied(make_case, counsel_user):
    """Sixty cases drawn at random (fixed seed): six countries, every status, outcome and
    track, 0 to 3 accounts, productions of content, of non-content, withheld; analyses
    with holdings stored at home, abroad and nowhere known; overrides (some overridden
    twice); demands dated by received, served or logged time, some outside 2026-H1."""
    rng = random.Random(18)  # noqa: S311 - test data
    countries = [("US", ["US-SCA-WARRANT", "US-SUBPOENA"]), ("GB", ["GB-COPO"]), ("DE", ["DE-EPOC"]),
                 ("BR", ["BR-MCI-ORDER"]), ("FR", ["FR-REQ"]), ("IE", ["IE-ORDER"])]  # fmt: skip
    statuses = ["intake", "analysis", "counsel_review", "responding", "litigating", "closed", "closed", "closed"]
    outcomes = ["produced_in_full", "produced_in_part", "no_data", "rejected", "withdrawn", "moot"]
    dates = [at(2026, 1, 1), at(2026, 3, 15), at(2026, 6, 30, 21), at(2025, 12, 31, 23), at(2026, 7, 1, 1)]
    for _ in range(60):
        country, instruments = rng.choice(countries[: rng.choice([2, 6])])
        status = rng.choice(statuses)
        rows = [
            item(rng.choice(["content", "traffic", "subscriber"]), rng.choice(["storage", "control", "none"]),
                 rng.choice(["US", "IE", country, None, ""]))
            for _ in range(rng.randint(0, 4))
        ]  # fmt: skip
        if rng.random() < 0.15:
            rows = None  # not analysed
        overrides = []
        if rows and rng.random() < 0.3:
            index = rng.randrange(len(rows))
            overrides = [(index, rng.choice(["storage", "control", "none"])) for _ in range(rng.randint(1, 2))]
        dated = rng.random()
        received = rng.choice(dates) if dated < 0.7 else None
        served = rng.choice(dates) if dated < 0.85 else None
        if received and served and served > received:
            served, received = received, served
        case = make_case(
            country,
            rng.choice(instruments),
            status=status,
            outcome=rng.choice(outcomes) if status == "closed" else "",
            appeal=rng.choice([AppealStatus.NONE] * 5 + [AppealStatus.NOTICE_FILED]),
            contempt=rng.choice([ContemptStatus.NONE] * 6 + [ContemptStatus.HELD]),
            accounts=rng.randint(0, 3),
            emergency=rng.random() < 0.2,
            ndo=rng.random() < 0.3,
            received=received,
            served=served,
            created=rng.choice(dates),
            items=rows,
            older_items=[item("content", "control", "IE")] if rng.random() < 0.2 else None,
            overrides=overrides,
        )
        if rng.random() < 0.25:
            production = Production.objects.create(
                case=case, number="P-1", produced_on=dt.date(2026, 3, 1), recipient="FBI", method="portal",
                created_by=counsel_user,
            )  # fmt: skip
            account = case.demand.accounts.first()
            holdings = [HoldingFactory(account=account, category=c) for c in ("content", "traffic")] if account else []
            for _ in range(rng.randint(1, 3)):
                disposition = rng.choice(["produced", "withheld"])
                reason = "" if disposition == "produced" else "No such data"
                if rng.random() < 0.5 and holdings:
                    holding = rng.choice(holdings)
                    ProductionItem.objects.create(
                        production=production, holding=holding, disposition=disposition, reason=reason
                    )
                else:
                    ProductionItem.objects.create(
                        production=production, category=rng.choice(["content", "subscriber"]),
                        disposition=disposition, reason=reason,
                    )  # fmt: skip


PERIODS = [H1, report.half_year(2025, 2), report.Period(dt.date(2025, 1, 1), dt.date(2026, 12, 31), "all")]


def test_the_database_says_what_the_loop_said(varied):
    for period in PERIODS:
        for min_count in (0, 1, 3, 5, 100):
            expected = ref_report(period, min_count)
            assert expected.total.demands > 0
            got = report.transparency_report(period, min_count=min_count)
            assert cells(got) == cells(expected), (period.label, min_count)


def test_the_varied_set_reaches_every_bucket_and_count(varied):
    result = report.transparency_report(report.Period(dt.date(2025, 1, 1), dt.date(2026, 12, 31), "all"))
    for name in FIELDS:
        assert getattr(result.total, name) > 0, name  # the set exercises every figure


def test_the_report_is_three_queries_whatever_the_number_of_cases(make_case, django_assert_num_queries):
    # one aggregate query, and the names of the countries and of the instruments
    make_case("US", "US-SCA-WARRANT", items=[item("content", "control", "IE")])
    with django_assert_num_queries(3):
        small = report.transparency_report(H1, min_count=1)
    for n in range(20):
        make_case(["US", "GB", "DE"][n % 3], f"X-{n % 4}", status="closed", outcome="produced_in_full",
                  accounts=2, ndo=True, items=[item("content", "control", "IE")], overrides=[(0, "none")])  # fmt: skip
    with django_assert_num_queries(3):
        large = report.transparency_report(H1, min_count=1)
    assert (small.total.demands, large.total.demands) == (1, 21)
    with django_assert_num_queries(1):
        report.trend(today=dt.date(2026, 5, 1))


# ------------------------------------------------------------------ percentages


@pytest.mark.parametrize(
    ("counts", "expected"),
    [
        ({"a": 1, "b": 1, "c": 1}, {"a": 34, "b": 33, "c": 33}),
        ({"a": 2, "b": 1, "c": 0}, {"a": 67, "b": 33, "c": 0}),
        ({"a": 1, "b": 6, "c": 0, "d": 0, "e": 0}, {"a": 14, "b": 86, "c": 0, "d": 0, "e": 0}),
        ({"a": 0, "b": 0}, {"a": 0, "b": 0}),
        ({"a": 1, "b": 1, "c": 1, "d": 1, "e": 1, "f": 1, "g": 1}, {k: 15 if k < "c" else 14 for k in "abcdefg"}),
    ],
)
def test_shares_are_whole_per_cents_adding_up_to_100(counts, expected):
    result = report.shares(counts)
    assert result == expected
    assert sum(result.values()) == (100 if sum(counts.values()) else 0)


def test_every_line_of_the_known_set_has_shares_adding_up_to_100(known):
    result = report.transparency_report(H1)
    for line in [*result.lines, *result.countries]:
        assert sum(line.figures.shares().values()) == 100
    assert result.total.shares() == {"content": 20, "non_content": 14, "no_data": 13,
                                     "rejected_or_challenged": 40, "pending": 13}  # fmt: skip


# ------------------------------------------------------------------ min_count


def test_min_count_1_shows_gb_de_and_br_on_the_page(client, viewer_user, known):
    """The demo's complaint: GB, DE and BR were hidden in "Other"; the page now sets the threshold."""
    client.force_login(viewer_user)
    hidden = client.get(reverse("reports:transparency"), {"half": "2026-H1"}).content.decode()
    countries = hidden[hidden.index('id="countries"') :]
    assert ">Other<" in countries and ">Country DE<" not in countries and ">Country BR<" not in countries
    page = client.get(reverse("reports:transparency"), {"half": "2026-H1", "min_count": "1"}).content.decode()
    countries = page[page.index('id="countries"') :]
    for name in ("Country US", "Country GB", "Country DE", "Country BR"):
        assert f">{name}<" in countries
    assert ">Other<" not in countries
    assert 'name="min_count" id="half-min-count" min="0" step="1" inputmode="numeric" value="1"' in page
    assert "?half=2026-H1&amp;min_count=1" in page  # the downloads keep the threshold


def test_min_count_in_the_api_and_downloads(api_user, client, viewer_user, known):
    from accounts.models import ApiToken

    _, key = ApiToken.issue(user=api_user, name="dashboards")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    body = api.get("/api/v1/reports/transparency/", {"half": "2026-H1", "min_count": "1"}).json()
    assert [c["country"] for c in body["countries"]] == ["US", "GB", "BR", "DE"]
    assert body["min_count"] == 1 and body["other_countries"] == 0
    assert body["total"]["shares"]["rejected_or_challenged"] == 40
    assert all(sum(line["shares"].values()) == 100 for line in body["lines"])
    default = api.get("/api/v1/reports/transparency/", {"half": "2026-H1"}).json()
    assert default["min_count"] == 5 and default["countries"][-1]["country"] == "OTHER"
    client.force_login(viewer_user)
    data = client.get(reverse("reports:transparency_json"), {"half": "2026-H1", "min_count": "0"}).json()
    assert data["min_count"] == 0 and data["other_countries"] == 0
    text = client.get(reverse("reports:transparency_csv"), {"half": "2026-H1", "min_count": "1"}).content.decode()
    assert "country,DE," in text and "content_percent" in text.splitlines()[0]


@pytest.mark.parametrize("bad", ["-1", "x", "1.5", "٣", "1e3", "10000000000"])
def test_a_bad_min_count_is_a_400_naming_it(api_user, client, viewer_user, bad, db):
    client.force_login(viewer_user)
    page = client.get(reverse("reports:transparency"), {"min_count": bad})
    assert page.status_code == 400 and "min_count must be a whole number" in page.content.decode()
    for name in ("reports:transparency_csv", "reports:transparency_json"):
        response = client.get(reverse(name), {"min_count": bad})
        assert response.status_code == 400 and "min_count" in response.content.decode()
    api = APIClient()
    api.force_login(viewer_user)
    response = api.get("/api/v1/reports/transparency/", {"min_count": bad})
    assert response.status_code == 400
    assert "min_count" in response.json()["error"]["fields"]


# ------------------------------------------------------------------ trend and menu


def test_trend_counts_each_half_back_to_the_first_demand(make_case):
    make_case("US", "W", received=at(2024, 3, 1), status="closed", outcome="no_data")
    make_case("US", "W", received=at(2025, 8, 1), status="litigating")
    make_case("US", "W", received=at(2025, 8, 2))
    with time_machine.travel("2026-05-01 12:00 +0000", tick=False):
        result = report.trend(today=dt.date(2026, 5, 1))
    assert result.first == report.half_year(2024, 1)
    assert [(p.period.label, p.figures.demands) for p in result.points] == [
        ("2024-H1", 1), ("2024-H2", 0), ("2025-H1", 0), ("2025-H2", 2), ("2026-H1", 0)
    ]  # fmt: skip
    h2 = result.points[3].figures
    assert (h2.rejected_or_challenged, h2.pending, h2.shares()["pending"]) == (1, 1, 50)
    assert report.trend(today=dt.date(2026, 5, 1), halves=2).points[0].period.label == "2025-H2"


def test_page_menu_goes_back_to_the_first_demand_and_has_a_trend_with_a_table(client, viewer_user, make_case):
    make_case("US", "W", received=at(2022, 2, 1), status="closed", outcome="rejected")
    make_case("US", "W", received=at(2026, 2, 1))
    client.force_login(viewer_user)
    with time_machine.travel("2026-05-01 12:00 +0000", tick=False):
        page = client.get(reverse("reports:transparency")).content.decode()
    select = page[page.index('<select name="half"') : page.index("</select>")]
    assert '<option value="2022-H1"' in select and '<option value="2021-H2"' not in select
    assert '<option value="2026-H1"' in select and '<option value="2026-H2"' not in select
    trend = page[page.index('id="trend"') :]
    assert 'role="img" aria-labelledby="trend-title trend-desc"' in trend
    table = trend[trend.index('id="trend-table"') : trend.index("</table>")]
    assert '>2022-H1</a></th><td class="num">1</td>' in table
    assert 'outcome-rejected_or_challenged">1<span class="share"> (100%)</span>' in table
    assert "cdn" not in page.lower() and "style=" not in page


def _luminance(colour: str) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(int(colour[i : i + 2], 16) / 255) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def test_outcome_colours_differ_meet_aa_and_rejected_is_not_green():
    import colorsys

    assert set(report.COLOURS) == set(report.BUCKETS)
    assert len(set(report.COLOURS.values())) == len(report.COLOURS)
    for key, colour in report.COLOURS.items():
        assert (1.05) / (_luminance(colour) + 0.05) >= 4.5, key  # against the white page
    hues = {}
    for key, colour in report.COLOURS.items():
        rgb = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        hues[key] = colorsys.rgb_to_hls(*rgb)[0] * 360
    assert not 75 <= hues["rejected_or_challenged"] <= 165  # not green
    # "No data found" and "Pending": different hues and not two greys
    assert abs(hues["no_data"] - hues["pending"]) > 20


def test_page_uses_the_colours_and_shows_shares(client, viewer_user, known):
    client.force_login(viewer_user)
    page = client.get(reverse("reports:transparency"), {"half": "2026-H1"}).content.decode()
    for colour in report.COLOURS.values():
        assert f'fill="{colour}"' in page
    assert "#1e8449" not in page and "#aab7b8" not in page  # the old green and the grey close to "No data"
    total = page[page.index("<tfoot>") : page.index("</tfoot>")]
    assert 'outcome-rejected_or_challenged">6<span class="share"> (40%)</span>' in total


def test_the_trend_runs_up_to_an_earlier_half_picked(version):
    """A half picked years back is in the trend: the chart ends at it, not today."""
    from cases import report as reports

    for year in (2014, 2020, 2026):
        CaseFactory(demand__received_at=dt.datetime(year, 3, 1, tzinfo=dt.UTC))
    today = dt.date(2026, 12, 7)
    latest = reports.trend(today=today)
    assert latest.points[-1].period.label == "2026-H2" and latest.points[0].period.label == "2022-H1"
    back = reports.trend(today=today, until=reports.half_year(2016, 1))
    assert [p.period.label for p in back.points][-1] == "2016-H1"
    assert back.points[0].period.label == "2014-H1" and back.points[0].figures.demands == 1
    assert reports.trend(today=today, until=reports.half_year(2030, 1)).points[-1].period.label == "2026-H2"
