"""The case list: the queues, filters, sorting, pages."""

from typing import cast

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from cases import queues
from cases.filters import SORTS, CaseFilter, case_list_queryset
from cases.models import Case
from cases.views.common import PAGE_SIZE, READ_ROLES, HtmxHttpRequest, _require_role


@require_GET
def case_list(request: HtmxHttpRequest) -> HttpResponse:
    _require_role(request, *READ_ROLES)
    filterset = CaseFilter(request.GET or None, queryset=case_list_queryset(), request=request)
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    # The page's rows in one query: the page's keys are picked in a subquery (which
    # computes the next deadline only when it filters or sorts by it), and the next
    # deadline is computed for those 50 rows alone, not for every case before sorting.
    ordering = filterset.qs.query.order_by
    keys = cast(QuerySet[Case], page.object_list).values("pk")  # a slice of filterset.qs: still a queryset
    page.object_list = list(case_list_queryset().filter(pk__in=keys).order_by(*ordering))
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


def _queue_links(request: HtmxHttpRequest, now) -> list[dict]:
    """The queues as the list's tabs, each with its count (one query for all) and link."""
    counts = queues.counts(request.user, now)
    return [
        {"name": name, "label": queue.label, "description": queue.description, "count": counts[name]}
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
