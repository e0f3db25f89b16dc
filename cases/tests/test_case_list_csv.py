"""The case list as CSV (issue 15): the list the page shows (queue, filters, search,
sort), streamed in batches, formula-safe, times in UTC, for the legal team only."""

import csv
import io

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.tests import test_case_list_columns as columns
from cases.views import lists
from tests.factories import CaseFactory

analyse, four = columns.analyse, columns.four  # the five cases of the columns' tests

URL = "/cases/export.csv"


def rows_of(response) -> list[dict]:
    assert response.streaming  # never built whole in memory
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


def test_the_url_is_the_lists_export():
    assert reverse("cases:export_csv") == URL


@pytest.mark.parametrize("persona", ["intake_user", "counsel_user", "viewer_user"])
def test_the_legal_team_downloads_the_list(client, request, persona, four):
    client.force_login(request.getfixturevalue(persona))
    with time_machine.travel("2026-11-23 09:00 +0000", tick=False):
        response = client.get(URL)
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="cases-2026-11-23.csv"'
    rows = rows_of(response)
    assert list(rows[0]) == lists.CSV_COLUMNS
    assert {"Served (UTC)", "Next deadline (UTC)", "Logged (UTC)"} <= set(rows[0])  # the zone in the header
    by_ref = {r["Reference"]: r for r in rows}
    assert set(by_ref) == {"SIGNED-1", "VOIDED-1", "REPLACED-1", "AWAITING-1", "INTAKE-1"}
    signed = by_ref["SIGNED-1"]
    assert signed["Served (UTC)"] == "2026-03-02T14:30:00Z" and signed["Emergency"] == "yes"
    assert signed["Counsel"] == "carl.counsel" and signed["Sign-off"] == "signed"
    assert signed["Logged (UTC)"].endswith("Z") and signed["Case"] == str(four["signed"].pk)
    assert [by_ref[r]["Sign-off"] for r in ("VOIDED-1", "REPLACED-1", "AWAITING-1", "INTAKE-1")] == [
        "voided", "voided", "awaiting", ""
    ]  # fmt: skip
    assert by_ref["AWAITING-1"]["Served (UTC)"] == "" and by_ref["AWAITING-1"]["Emergency"] == "no"


@pytest.mark.parametrize("persona", ["api_user", "outsider_user"])
def test_other_roles_are_refused(client, request, persona, four):
    client.force_login(request.getfixturevalue(persona))
    response = client.get(URL)
    assert response.status_code == 403 and b"SIGNED-1" not in response.content


def test_anonymous_is_sent_to_login(client, four):
    response = client.get(URL)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_the_csv_is_the_filtered_sorted_list_the_page_shows(client, counsel_user, four):
    client.force_login(counsel_user)
    for params in ({"queue": "awaiting_sign_off", "sort": "reference"}, {"q": "-1", "sort": "-reference"},
                   {"queue": "mine"}, {"status": "intake"}, {"queue": "emergency"}):  # fmt: skip
        page = [c.demand.reference for c in client.get(reverse("cases:list"), params).context["page"]]
        exported = [r["Reference"] for r in rows_of(client.get(URL, params))]
        assert exported == page, params
    assert [r["Reference"] for r in rows_of(client.get(URL, {"queue": "awaiting_sign_off", "sort": "reference"}))] == [
        "AWAITING-1", "REPLACED-1", "VOIDED-1"
    ]  # fmt: skip
    assert [r["Reference"] for r in rows_of(client.get(URL, {"queue": "mine"}))] == ["SIGNED-1"]


def test_the_page_links_the_csv_with_its_query(client, viewer_user, four):
    client.force_login(viewer_user)
    page = client.get(reverse("cases:list"), {"queue": "emergency", "sort": "reference"}).content.decode()
    assert f'href="{URL}?queue=emergency&amp;sort=reference" id="download-csv"' in page
    assert f'href="{URL}" id="download-csv"' in client.get(reverse("cases:list")).content.decode()


def test_a_bad_filter_is_a_400_naming_it(client, viewer_user, four):
    client.force_login(viewer_user)
    response = client.get(URL, {"queue": "nope"})
    assert response.status_code == 400 and response.content.decode().startswith("queue:")


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_cells_are_formula_safe(client, viewer_user, start, db):
    CaseFactory(demand__reference=f'{start}HYPERLINK("http://evil.example/")')
    client.force_login(viewer_user)
    (row,) = rows_of(client.get(URL))
    assert row["Reference"] == f'\'{start}HYPERLINK("http://evil.example/")'


def test_rows_are_read_in_batches_in_a_constant_number_of_queries(client, viewer_user, version, monkeypatch):
    """The rows come through a cursor in batches (the whole list is never in memory);
    each batch's sign-offs are one query: 1 + batches, never one per row."""
    monkeypatch.setattr(lists, "CSV_BATCH", 4)
    for i in range(10):
        analyse(CaseFactory(demand__reference=f"R-{i:02d}"), version)
    client.force_login(viewer_user)
    response = client.get(URL)
    with CaptureQueriesContext(connection) as captured:
        rows = rows_of(response)
    assert len(rows) == 10 and {r["Sign-off"] for r in rows} == {"awaiting"}
    assert len(captured) == 1 + 3  # the list's query (read in chunks), a sign-off query per batch of 4
