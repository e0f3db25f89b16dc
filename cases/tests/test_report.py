"""The transparency report: every cell on a known set of cases, the page, the
downloads and the API, and who may see them."""

import csv
import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import ApiToken
from cases import report
from cases.models import Analysis, Case, HoldingOverride
from jurisdictions.models import CatalogueVersion
from tests.factories import AccountFactory, CaseFactory, InstrumentFactory, JurisdictionFactory, NdoFactory

UTC = dt.UTC
H1 = report.half_year(2026, 1)
FIELDS = list(report.COUNTS)
MARCH_1 = dt.datetime(2026, 3, 1, tzinfo=UTC)


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def item(category, reach, storage):
    return {
        "account": "a@example.com",
        "category": category,
        "storage": storage,
        "controlled_by": "Example Inc.",
        "reach": reach,
        "route": "direct" if reach != "none" else "redirect",
        "conflicts": [],
        "comity_motion": False,
        "mlat": [],
        "reasons": [],
    }


@pytest.fixture
def version(db):
    return CatalogueVersion.objects.create(number=1, content_hash="0" * 64, source="files")


@pytest.fixture
def make_case(version, counsel_user):
    def make(
        country,
        instrument,
        *,
        status="intake",
        outcome="",
        appeal="none",
        contempt="none",
        accounts=1,
        emergency=False,
        ndo=False,
        received=MARCH_1,
        served=None,
        created=None,
        items=None,
        older_items=None,
        overrides=(),
    ) -> Case:
        jurisdiction = JurisdictionFactory(code=country)
        case = CaseFactory(
            demand__instrument=InstrumentFactory(
                code=instrument, name=f"{instrument} order", jurisdiction=jurisdiction
            ),
            demand__issuing_jurisdiction=jurisdiction,
            demand__court=None,
            demand__received_at=received,
            demand__served_at=served,
            demand__emergency=emergency,
            status=status,
            outcome=outcome,
            appeal_status=appeal,
            contempt_status=contempt,
        )
        if created is not None:
            type(case.demand).objects.filter(pk=case.demand_id).update(created_at=created)
        for _ in range(accounts):
            AccountFactory(demand=case.demand)
        if ndo:
            NdoFactory(demand=case.demand)
        for rows in (older_items, items):
            if rows is not None:
                analysis = Analysis.objects.create(
                    case=case,
                    as_of=dt.date(2026, 3, 1),
                    catalogue_version=version,
                    result={"doctrine": "control-based", "items": rows, "deadlines": {}, "reasons": []},
                    fingerprint="x",
                )
        for index, reach in overrides:
            HoldingOverride.objects.create(
                analysis=analysis,
                item=index,
                account="a@example.com",
                category=rows[index]["category"],
                storage=rows[index]["storage"] or "",
                reach=reach,
                route="direct",
                reason="Counsel's reading",
                by=counsel_user,
            )
        return case

    return make


@pytest.fixture
def known(make_case, settings):
    """Fifteen cases in 2026-H1 (US 7, GB 5, BR 2 and DE 1 under "Other") and two just outside."""
    settings.TRANSPARENCY_MIN_COUNT = 5
    W, S = "US-SCA-WARRANT", "US-SUBPOENA"
    # US warrants
    make_case(  # received in the period though served before it; content reached abroad through control
        "US", W, status="closed", outcome="produced_in_full", accounts=2, ndo=True,
        served=at(2025, 12, 30), received=at(2026, 1, 2),
        items=[item("content", "control", "IE"), item("subscriber", "storage", "US")],
    )  # fmt: skip
    make_case(  # the engine reached content; counsel's latest override says no: only non-content
        "US", W, status="closed", outcome="produced_in_part",
        older_items=[item("content", "control", "IE")],  # an older analysis does not count
        items=[item("content", "storage", "US"), item("subscriber", "storage", "US")],
        overrides=[(0, "storage"), (0, "none")],
    )  # fmt: skip
    make_case(  # no received time: counted by when it was served; control over data at home is not extraterritorial
        "US", W, status="closed", outcome="no_data", emergency=True, received=None, served=at(2026, 3, 1),
        items=[item("subscriber", "control", "US")],
    )  # fmt: skip
    make_case("US", W, status="litigating", items=[item("content", "control", None)])  # unknown storage
    make_case("US", W, status="counsel_review", contempt="motion_pending", items=[item("content", "storage", "US")])
    make_case("US", S, status="closed", outcome="rejected", emergency=True)
    make_case("US", S, accounts=0, received=None, served=None, created=at(2026, 6, 30, 23))  # by when logged
    # GB: exactly the threshold, so shown
    make_case("GB", "GB-COPO", status="closed", outcome="produced_in_full", ndo=True,
              items=[item("content", "storage", "GB")])  # fmt: skip
    make_case("GB", "GB-COPO", status="closed", outcome="produced_in_full", appeal="decided", ndo=True,
              items=[item("content", "none", "US"), item("traffic", "storage", "GB")])  # fmt: skip
    make_case("GB", "GB-COPO", status="closed", outcome="withdrawn")
    make_case("GB", "GB-COPO", status="closed", outcome="moot")
    make_case("GB", "GB-COPO", status="responding", appeal="notice_filed", emergency=True)
    # BR and DE: below the threshold, so "Other"
    make_case("BR", "BR-MCI-ORDER", status="closed", outcome="produced_in_part",
              items=[item("content", "control", "US")])  # fmt: skip
    make_case("BR", "BR-MCI-ORDER", status="analysis", items=[item("content", "none", "US")])
    make_case("DE", "DE-EPOC", status="closed", outcome="no_data", ndo=True)
    # outside the period
    make_case("US", W, served=at(2026, 6, 29), received=at(2026, 7, 1))
    make_case("US", W, received=at(2025, 12, 31, 23, 59, 59))


#                 demands accts content non  nodata chall pending emerg ndo extra
EXPECTED_LINES = [
    ("GB", "GB-COPO", (5, 5, 1, 1, 0, 3, 0, 1, 2, 0)),
    ("US", "US-SCA-WARRANT", (5, 6, 1, 1, 1, 2, 0, 1, 1, 2)),
    ("US", "US-SUBPOENA", (2, 1, 0, 0, 0, 1, 1, 1, 0, 0)),
    ("OTHER", "", (3, 3, 1, 0, 1, 0, 1, 0, 1, 1)),
]
EXPECTED_COUNTRIES = [
    ("US", (7, 7, 1, 1, 1, 3, 1, 2, 1, 2)),
    ("GB", (5, 5, 1, 1, 0, 3, 0, 1, 2, 0)),
    ("OTHER", (3, 3, 1, 0, 1, 0, 1, 0, 1, 1)),
]
EXPECTED_TOTAL = (15, 15, 3, 2, 2, 6, 2, 3, 4, 3)


def figures(line) -> tuple:
    return tuple(getattr(line.figures if hasattr(line, "figures") else line, name) for name in FIELDS)


def test_every_cell_of_the_known_set(known):
    result = report.transparency_report(H1)
    assert [(line.country, line.instrument, figures(line)) for line in result.lines] == EXPECTED_LINES
    assert [(c.country, figures(c)) for c in result.countries] == EXPECTED_COUNTRIES
    assert figures(result.total) == EXPECTED_TOTAL
    assert result.other_countries == 2 and result.min_count == 5
    assert result.lines[-1].country_name == "Other" and result.lines[-1].instrument_name == "All instruments"


def test_threshold_is_the_setting(known, settings):
    settings.TRANSPARENCY_MIN_COUNT = 1
    result = report.transparency_report(H1)
    assert [c.country for c in result.countries] == ["US", "GB", "BR", "DE"]
    assert result.other_countries == 0
    assert figures(result.total) == EXPECTED_TOTAL


def test_the_report_is_one_aggregate_query_and_the_names(known, django_assert_num_queries):
    # the figures per country, instrument and outcome, grouped by the database; the
    # names of the countries and of the instruments
    with django_assert_num_queries(3):
        result = report.transparency_report(H1)
    assert result.total.demands == 15


def test_a_range_of_days_counts_its_ends(known):
    # 2026-01-02 (received) to 2026-03-01 (received or served): the first three US warrants and the rest on 03-01
    result = report.transparency_report(report.period_from({"start": "2026-01-02", "end": "2026-03-01"}, today=None))
    assert result.total.demands == 14  # all but the one logged on 2026-06-30
    empty = report.transparency_report(report.period_from({"start": "2026-01-03", "end": "2026-02-28"}, today=None))
    assert empty.total.demands == 0 and empty.lines == [] and empty.countries == []


@pytest.mark.parametrize(
    ("status", "outcome", "appeal", "contempt", "items", "bucket"),
    [
        ("closed", "produced_in_full", "none", "none", [("content", "storage")], "content"),
        ("closed", "produced_in_part", "none", "none", [("content", "control")], "content"),
        ("closed", "produced_in_full", "none", "none", [("content", "none"), ("traffic", "storage")], "non_content"),
        ("closed", "produced_in_part", "none", "none", [], "non_content"),
        ("closed", "produced_in_full", "decided", "none", [("content", "storage")], "content"),
        ("closed", "no_data", "none", "none", [], "no_data"),
        ("closed", "rejected", "none", "none", [], "rejected_or_challenged"),
        ("closed", "withdrawn", "none", "none", [], "rejected_or_challenged"),
        ("closed", "moot", "certiorari_granted", "vacated", [], "rejected_or_challenged"),
        ("litigating", "", "none", "none", [], "rejected_or_challenged"),
        ("responding", "", "notice_filed", "none", [], "rejected_or_challenged"),
        ("counsel_review", "", "none", "held", [], "rejected_or_challenged"),
        ("intake", "", "none", "none", [], "pending"),
        ("responding", "", "none", "none", [("content", "storage")], "pending"),
    ],
)
def test_outcome_buckets(make_case, status, outcome, appeal, contempt, items, bucket):
    make_case("US", "W", status=status, outcome=outcome, appeal=appeal, contempt=contempt,
              items=[item(c, r, "US") for c, r in items])  # fmt: skip
    result = report.transparency_report(H1, min_count=0)
    assert {key: n for key, _, n in result.total.buckets() if n} == {bucket: 1}


@pytest.mark.parametrize(
    ("reach", "storage", "expected"),
    [("control", "IE", 1), ("control", None, 1), ("control", "", 1), ("control", "US", 0), ("storage", "IE", 0)],
)
def test_extraterritorial(make_case, reach, storage, expected):
    make_case("US", "W", items=[item("content", reach, storage)])
    assert report.transparency_report(H1, min_count=0).total.extraterritorial == expected


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"half": "2026-H2"}, (dt.date(2026, 7, 1), dt.date(2026, 12, 31), "2026-H2")),
        ({"half": "2025-H1"}, (dt.date(2025, 1, 1), dt.date(2025, 6, 30), "2025-H1")),
        ({}, (dt.date(2026, 1, 1), dt.date(2026, 6, 30), "2026-H1")),
        ({"start": "2026-02-01", "end": "2026-02-01"}, (dt.date(2026, 2, 1), dt.date(2026, 2, 1), None)),
    ],
)
def test_period_from(params, expected):
    period = report.period_from(params, today=dt.date(2026, 5, 4))
    assert (period.start, period.end) == expected[:2]
    if expected[2]:
        assert period.label == expected[2]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"half": "2026-H3"}, "half"),
        ({"half": "26-H1"}, "half"),
        ({"half": "2026-H1", "start": "2026-01-01"}, "half"),
        ({"start": "2026-01-01"}, "end"),
        ({"start": "2026-13-01", "end": "2026-12-31"}, "start"),
        ({"start": "2026-02-01", "end": "2026-01-31"}, "end"),
    ],
)
def test_bad_periods_name_the_field(params, field):
    with pytest.raises(ValidationError) as caught:
        report.period_from(params, today=dt.date(2026, 5, 4))
    assert field in caught.value.message_dict


# ------------------------------------------------------------------ page and downloads

READERS = ["intake_user", "counsel_user", "viewer_user"]
REFUSED = ["api_user", "outsider_user"]
PAGES = ["reports:transparency", "reports:transparency_csv", "reports:transparency_json"]


@pytest.mark.parametrize("persona", READERS)
def test_page_shows_the_figures(client, request, persona, known):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(reverse("reports:transparency"), {"half": "2026-H1"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Transparency report" in page and "2026-H1" in page
    assert "<svg" in page and "style=" not in page  # CSP: no inline styles
    assert "Rejected or challenged" in page and "How the figures are counted" in page
    assert "?half=2026-H1" in page  # the downloads ask for the same period
    table = page[page.index('id="countries"') :]
    assert ">Country US<" in table and ">Other<" in table and ">Total<" in table
    total = table[table.index("<tfoot>") : table.index("</tfoot>")]
    for name, value in zip(FIELDS, EXPECTED_TOTAL, strict=True):
        if name in report.BUCKETS:  # an outcome's count with its share of the demands
            assert f'<td class="num outcome-{name}">{value}<span class="share"> (' in total
        else:
            assert f'<td class="num">{value}</td>' in total


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("persona", REFUSED)
def test_other_roles_are_refused(client, request, persona, page, db):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse(page), {"half": "2026-H1"}).status_code == 403


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_is_sent_to_login(client, page, db):
    response = client.get(reverse(page))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_page_says_what_is_wrong_with_the_period(client, viewer_user):
    client.force_login(viewer_user)
    response = client.get(reverse("reports:transparency"), {"half": "2026-H9"})
    assert response.status_code == 400
    assert "YYYY-H1 or YYYY-H2" in response.content.decode()
    response = client.get(reverse("reports:transparency_json"), {"start": "2026-01-01"})
    assert response.status_code == 400 and response.json()["error"]["fields"]["end"]
    assert client.get(reverse("reports:transparency_csv"), {"half": "x"}).status_code == 400


def test_csv_download(client, viewer_user, known):
    client.force_login(viewer_user)
    response = client.get(reverse("reports:transparency_csv"), {"half": "2026-H1"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert 'filename="transparency-2026-H1.csv"' in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    lines = [
        (r["country"], r["instrument"], tuple(int(r[f]) for f in FIELDS)) for r in rows if r["level"] == "instrument"
    ]
    assert lines == EXPECTED_LINES
    countries = [(r["country"], tuple(int(r[f]) for f in FIELDS)) for r in rows if r["level"] == "country"]
    assert countries == EXPECTED_COUNTRIES
    (total,) = [r for r in rows if r["level"] == "total"]
    assert tuple(int(total[f]) for f in FIELDS) == EXPECTED_TOTAL
    assert {r["period"] for r in rows} == {"2026-H1"}


def _check_json(body: dict) -> None:
    assert body["period"] == {"label": "2026-H1", "start": "2026-01-01", "end": "2026-06-30"}
    assert body["min_count"] == 5 and body["other_countries"] == 2
    assert [(r["country"], r["instrument"], tuple(r[f] for f in FIELDS)) for r in body["lines"]] == EXPECTED_LINES
    assert [(r["country"], tuple(r[f] for f in FIELDS)) for r in body["countries"]] == EXPECTED_COUNTRIES
    assert tuple(body["total"][f] for f in FIELDS) == EXPECTED_TOTAL
    assert body["outcomes"]["rejected_or_challenged"] == "Rejected or challenged"


def test_json_download(client, viewer_user, known):
    client.force_login(viewer_user)
    response = client.get(reverse("reports:transparency_json"), {"half": "2026-H1"})
    assert response.status_code == 200
    _check_json(response.json())


def test_api_with_a_token(api_user, known):
    _, key = ApiToken.issue(user=api_user, name="dashboards")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = client.get("/api/v1/reports/transparency/", {"half": "2026-H1"})
    assert response.status_code == 200
    _check_json(response.json())
    ranged = client.get("/api/v1/reports/transparency/", {"start": "2026-01-01", "end": "2026-06-30"}).json()
    assert ranged["total"] == response.json()["total"] and ranged["period"]["label"] == "2026-01-01 to 2026-06-30"


def test_api_for_a_session_reader_and_bad_input(viewer_user, known):
    client = APIClient()
    client.force_login(viewer_user)
    _check_json(client.get("/api/v1/reports/transparency/", {"half": "2026-H1"}).json())
    response = client.get("/api/v1/reports/transparency/", {"half": "2026H1"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid" and "half" in response.json()["error"]["fields"]


def test_api_refuses_outsiders_and_anonymous(outsider_user):
    client = APIClient()
    assert client.get("/api/v1/reports/transparency/").status_code == 401
    client.force_login(outsider_user)
    assert client.get("/api/v1/reports/transparency/").status_code == 403
