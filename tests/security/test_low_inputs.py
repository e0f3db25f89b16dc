"""Low items: the transparency CSV writes no formula, a report period past 9998 is a
400 naming the field, a URL typed in a demand never makes the memo fetch or fail, and
everything behind login or the API answers `Cache-Control: no-store`."""

import csv
import datetime as dt
import io

import pypdf
import pytest
from django.test import Client
from rest_framework.test import APIClient

from cases import export, report

# ----------------------------------------------------------------------- the CSV


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_the_csv_quotes_a_cell_a_spreadsheet_would_run(start):
    name = f'{start}HYPERLINK("http://evil.example/")'
    line = report.Line("ZZ", name, "X-1", f"{start}cmd|' /C calc'!A0")
    period = report.Period(dt.date(2026, 1, 1), dt.date(2026, 6, 30), "2026-H1")
    line.figures.demands = 1
    built = report.Report(period=period, min_count=1, countries=[line], lines=[line], total=line.figures,
                          other_countries=0)  # fmt: skip
    rows = list(csv.reader(io.StringIO(report.as_csv(built))))
    for row in rows[1:-1]:
        assert row[3] == "'" + name and row[5].startswith("'" + start)
    assert rows[1][6] == "1"  # figures stay numbers


def test_plain_names_are_written_as_they_are():
    assert report.csv_cell("Germany") == "Germany" and report.csv_cell(3) == 3


# -------------------------------------------------------------------- the period


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"start": "2026-01-01", "end": "9999-12-31"}, "end"),
        ({"start": "0001-01-01", "end": "2026-01-01"}, "start"),
    ],
)
def test_a_period_outside_the_bounds_is_a_400_naming_the_field(client, viewer_user, params, field):
    client.force_login(viewer_user)
    for name in ("reports:transparency", "reports:transparency_csv", "reports:transparency_json"):
        from django.urls import reverse

        response = client.get(reverse(name), params)
        assert response.status_code == 400, (name, response.status_code)
        assert field in response.content.decode()
    with pytest.raises(Exception) as refused:
        report.period_from(params, today=dt.date(2026, 1, 1))
    assert field in refused.value.message_dict


# ---------------------------------------------------------------------- the memo


@pytest.fixture
def case(catalogue):
    from tests.factories import CaseFactory

    return CaseFactory()


@pytest.mark.parametrize(
    "typed",
    [
        '<img src="http://127.0.0.1:9/x">',
        "file:///etc/passwd",
        '<img src="file:///etc/passwd"><link rel="stylesheet" href="http://127.0.0.1:9/s.css">',
        "https://evil.example/track.png",
        '<style>@import url("http://127.0.0.1:9/x.css");</style>',
    ],
)
def test_a_url_in_a_demand_field_renders_as_text_and_fetches_nothing(case, typed, monkeypatch):
    import urllib.request

    def no_network(*args, **kwargs):
        raise AssertionError("the memo tried to fetch a URL")

    monkeypatch.setattr(urllib.request.OpenerDirector, "open", no_network)
    record = export.case_record(case.pk)
    record["demand"]["issuing_authority"] = typed
    pdf = export.memo_pdf(record)
    text = " ".join(" ".join(p.extract_text().split()) for p in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    assert typed.split('"')[0][:8] in text


def test_the_fetcher_refuses_every_url_without_stopping_the_rendering():
    from weasyprint import HTML

    html = '<p>x</p><img src="http://127.0.0.1:9/x"><img src="file:///etc/passwd"><img src="data:image/png;base64,AA">'
    assert HTML(string=html, url_fetcher=export._memo_fetcher()).write_pdf().startswith(b"%PDF")


# --------------------------------------------------------------- Cache-Control


def _no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


def test_pages_memo_export_and_api_say_no_store(case, counsel_user):
    client = Client()
    client.force_login(counsel_user)
    for url in ("/", "/cases/", f"/cases/{case.pk}/", f"/cases/{case.pk}/export.json", f"/cases/{case.pk}/memo.pdf",
                "/reports/transparency.csv"):  # fmt: skip
        response = client.get(url)
        assert response.status_code == 200, url
        assert _no_store(response) and "private" in response["Cache-Control"], url
    api = APIClient()
    api.force_authenticate(counsel_user)
    response = api.get("/api/v1/cases/")
    assert response.status_code == 200 and _no_store(response)


def test_the_status_api_keeps_its_etag_and_304(case, counsel_user):
    api = APIClient()
    api.force_authenticate(counsel_user)
    first = api.get(f"/api/v1/cases/{case.pk}/status/")
    assert first.status_code == 200 and first["ETag"] and _no_store(first)
    again = api.get(f"/api/v1/cases/{case.pk}/status/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304


def test_anonymous_public_answers_are_left_alone(db):
    response = Client().get("/healthz")
    assert response.status_code == 200 and not _no_store(response)
