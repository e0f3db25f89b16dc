"""The case list: the queues, filters, sorting, pages, and the filtered list as CSV."""

import csv
import datetime as dt
from collections.abc import Iterable, Iterator
from itertools import islice
from typing import cast

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.decorators.http import require_GET

from cases import queues, sign_off
from cases.filters import SORTS, CaseFilter, case_list_queryset
from cases.models import Case
from cases.report import csv_cell
from cases.views.common import PAGE_SIZE, READ_ROLES, HtmxHttpRequest, _require_role

# What a list row shows besides `case_list_queryset`: its counsel (joined) and the keys
# `sign_off.attach` reads the sign-off from (two subqueries), so a page of 50 rows is
# read in one query and its sign-offs in one more, whatever the number of rows.
SIGN_OFF_LABELS = {sign_off.SIGNED: "Signed", sign_off.AWAITING: "Awaiting", sign_off.VOIDED: "Voided"}
CLOSED_UNSIGNED = "Closed unsigned"
# The CSV is written in batches: the rows of one batch are in memory, never the whole list.
CSV_BATCH = 1000


class CappedPaginator(Paginator):
    """Pages of a list whose count stops at `cap` + 1 rows: counting reads at most that
    many (through the sort's index), not every case the filters match; beyond it the
    page says "more than 500" and offers its first ten pages (filters narrow it)."""

    cap = 500

    @cached_property
    def count(self) -> int:
        return cast(QuerySet, self.object_list).order_by().values("pk")[: self.cap + 1].count()

    @property
    def capped(self) -> bool:
        return self.count > self.cap


def _rows(filterset: CaseFilter):
    """The filtered, sorted cases with what a row of the list shows."""
    return filterset.qs.select_related("counsel").with_sign_off_keys()


@require_GET
def case_list(request: HtmxHttpRequest) -> HttpResponse:
    _require_role(request, *READ_ROLES)
    filterset = CaseFilter(request.GET or None, queryset=case_list_queryset(), request=request)
    page = CappedPaginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    # The page's rows in one query: the page's keys are picked in a subquery (read in
    # the sort's index), and the sign-off keys are computed for those 50 rows alone.
    ordering = filterset.qs.query.order_by
    keys = cast(QuerySet[Case], page.object_list).values("pk")  # a slice of filterset.qs: still a queryset
    rows = list(
        case_list_queryset().select_related("counsel").with_sign_off_keys().filter(pk__in=keys).order_by(*ordering)
    )
    sign_off.attach(rows)  # one query for the page's sign-offs
    for row in rows:
        row.sign_off_label = _sign_off_label(row)  # for the template
    page.object_list = rows
    params = request.GET.copy()
    params.pop("page", None)
    sort = request.GET.get("sort", "")
    now = timezone.now()
    context = {
        "filter": filterset,
        "page": page,
        "query": params.urlencode(),
        "sort": sort,
        "sort_links": _sort_links(params, sort),
        "queue": request.GET.get("queue", ""),
        "now": now,
    }
    partial = request.htmx and not request.htmx.boosted
    if not partial:  # the tabs are drawn with the page, not with each filtered table
        context["queues"] = _queue_links(request, now)
    template = "cases/list.html#results" if partial else "cases/list.html"
    # An unknown queue is bad input, said on the page (the form's errors), not ignored;
    # htmx swaps in only a 2xx answer, so the filtered table says it with a 200.
    refused = "queue" in filterset.errors and not partial
    return render(request, template, context, status=400 if refused else 200)


def _sign_off_label(case: Case) -> str:
    """The list's word for the sign-off `sign_off.attach` set: "" before any analysis."""
    found = case.sign_off  # type: ignore[attr-defined]
    if found is None:
        return ""
    if found.case_closed and found.state != sign_off.SIGNED:
        return CLOSED_UNSIGNED  # no sign-off can come any more: not "awaiting"
    return SIGN_OFF_LABELS.get(found.state, "")


def _queue_links(request: HtmxHttpRequest, now) -> list[dict]:
    """The queues as the list's tabs, each with its count (one query for all) and link."""
    counts = queues.counts(request.user, now)
    return [
        {
            "name": name,
            "label": queue.label,
            "description": queue.description,
            "count": counts[name],
            "count_label": queues.count_label(counts[name]),
        }
        for name, queue in queues.QUEUES.items()
    ]


def _sort_links(params, current: str) -> dict[str, str]:
    """Each column's sort link: ascending first, descending when already ascending."""
    links = {}
    for key in SORTS:
        query = params.copy()
        query["sort"] = f"-{key}" if current == key else key
        links[key] = query.urlencode()
    return links


# --------------------------------------------------------------------------- CSV

CSV_COLUMNS = [
    "Case",
    "Reference",
    "Instrument",
    "Request kind",
    "Issuer",
    "Status",
    "Appeal",
    "Contempt",
    "Next deadline (UTC)",
    "Next deadline kind",
    "Served (UTC)",
    "Emergency",
    "Counsel",
    "Sign-off",
    "Logged (UTC)",
]


def _utc(value: dt.datetime | None) -> str:
    """An instant as UTC ISO-8601 ("2026-12-10T05:00:00Z"); "" for none."""
    if value is None:
        return ""
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _csv_row(case: Case) -> list:
    demand = case.demand
    return [
        case.pk,
        demand.reference,
        demand.instrument.code,
        demand.get_request_kind_display(),
        demand.issuing_jurisdiction_id,
        case.get_status_display(),
        case.get_appeal_status_display(),
        case.get_contempt_status_display(),
        _utc(case.next_deadline_at),
        case.next_deadline_kind or "",
        _utc(demand.served_at),
        "yes" if demand.emergency else "no",
        case.counsel.get_username() if case.counsel else "",
        _sign_off_state(case),
        _utc(case.created_at),
    ]


def _sign_off_state(case: Case) -> str:
    """The CSV's sign-off: the state, or "closed unsigned" for a closed case without a
    standing one (no sign-off can come any more); "" before any analysis."""
    found = case.sign_off  # type: ignore[attr-defined]
    if found is None:
        return ""
    if found.case_closed and found.state != sign_off.SIGNED:
        return "closed unsigned"
    return found.state


class _Echo:
    """A file-like object whose write returns the line: csv.writer feeds a stream."""

    def write(self, value: str) -> str:
        return value


def _csv_lines(cases: Iterable[Case]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff"  # a byte-order mark: spreadsheets then read the file as UTF-8
    yield writer.writerow(CSV_COLUMNS)
    rows = iter(cases)
    while batch := list(islice(rows, CSV_BATCH)):
        sign_off.attach(batch)  # one query per batch
        for case in batch:
            yield writer.writerow([csv_cell(value) for value in _csv_row(case)])


@require_GET
def case_list_csv(request: HtmxHttpRequest) -> HttpResponse | StreamingHttpResponse:
    """The list as the page shows it (the same queue, filters, search and sort), every
    page of it, as a CSV streamed in batches: times in UTC (ISO 8601, the zone in each
    header), cells a spreadsheet will not run as formulas."""
    _require_role(request, *READ_ROLES)
    filterset = CaseFilter(request.GET or None, queryset=case_list_queryset(), request=request)
    if filterset.is_bound and filterset.errors:
        text = "; ".join(f"{name}: {' '.join(errors)}" for name, errors in filterset.errors.items())
        return HttpResponse(text, status=400, content_type="text/plain; charset=utf-8")
    cases = _rows(filterset).iterator(chunk_size=CSV_BATCH)
    response = StreamingHttpResponse(_csv_lines(cases), content_type="text/csv; charset=utf-8")
    stamp = timezone.now().astimezone(dt.UTC).strftime("%Y-%m-%d")
    response["Content-Disposition"] = f'attachment; filename="cases-{stamp}.csv"'
    return response
