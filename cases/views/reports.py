"""The transparency report and a case's export (JSON, memo PDF)."""

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from cases.views.common import READ_ROLES, _get_case_for_user, _require_role


def _report_for(request: HttpRequest):
    """The period and grouping threshold the request asks for, and its report; (None,
    errors) on bad input, every field named."""
    from django.conf import settings

    from cases import report

    errors: dict[str, list[str]] = {}
    period = min_count = None
    try:
        period = report.period_from(request.GET, today=timezone.localdate())
    except ValidationError as exc:
        errors.update(exc.message_dict)
    try:
        min_count = report.min_count_from(request.GET, default=settings.TRANSPARENCY_MIN_COUNT)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if period is None or min_count is None:
        return None, errors
    return report.transparency_report(period, min_count=min_count), {}


@require_GET
def transparency_report(request: HttpRequest) -> HttpResponse:
    """The transparency report for a half year or a range of days, with a chart per
    country and a trend across half years (each with its table)."""
    from django.conf import settings

    from cases import report as reports

    _require_role(request, *READ_ROLES)
    result, errors = _report_for(request)
    today = timezone.localdate()
    # The trend runs up to the half the report ends in, when that is in the past.
    trend = reports.trend(today=today, until=reports.half_of(result.period.end) if result is not None else None)
    # The half-year menu: from today's half back to the half of the first demand.
    current = reports.half_of(today)
    halves = list(reversed(reports.halves_between(trend.first or current, current)))
    shown_min = result.min_count if result is not None else request.GET.get("min_count", "")
    context = {
        "report": result,
        "errors": errors,
        "halves": halves,
        "params": request.GET,
        "buckets": reports.BUCKETS,
        "min_count": shown_min,
        "default_min_count": settings.TRANSPARENCY_MIN_COUNT,
        "download_query": _download_query(result) if result is not None else "",
        "trend": trend.points,
        "trend_chart": reports.trend_chart(trend.points),
        "legend": reports.legend(),
    }
    if result is not None:
        context["chart"] = reports.chart(result)
    return render(request, "reports/transparency.html", context, status=400 if errors else 200)


def _download_query(result) -> str:
    """The downloads ask for the same period and threshold as the page."""
    return f"{result.period.query}&min_count={result.min_count}"


@require_GET
def transparency_report_csv(request: HttpRequest) -> HttpResponse:
    from cases import report as reports

    _require_role(request, *READ_ROLES)
    result, errors = _report_for(request)
    if result is None:
        text = "; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items())
        return HttpResponse(text, status=400, content_type="text/plain; charset=utf-8")
    response = HttpResponse(reports.as_csv(result), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="transparency-{_slug(result.period.label)}.csv"'
    return response


@require_GET
def transparency_report_json(request: HttpRequest) -> HttpResponse:
    from cases import report as reports

    _require_role(request, *READ_ROLES)
    result, errors = _report_for(request)
    if result is None:
        first = next(iter(errors.items()))
        body = {"error": {"status": 400, "code": "invalid", "message": f"{first[0]}: {first[1][0]}", "fields": errors}}
        return JsonResponse(body, status=400)
    response = JsonResponse(reports.as_dict(result))
    response["Content-Disposition"] = f'attachment; filename="transparency-{_slug(result.period.label)}.json"'
    return response


def _slug(label: str) -> str:
    return label.replace(" to ", "_").replace(" ", "")


@require_GET
def case_export_json(request: HttpRequest, pk: int) -> HttpResponse:
    """The case's complete record as a JSON download."""
    from cases import export

    case = _get_case_for_user(request, pk)
    record = export.case_record(case.pk)
    response = HttpResponse(export.to_json(record), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{export.filename(record, "json")}"'
    return response


@require_GET
def case_memo_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """Counsel's memo on the case as a PDF: facts, the analysis table, deadlines, timeline."""
    from cases import export

    case = _get_case_for_user(request, pk)
    record = export.case_record(case.pk)
    response = HttpResponse(export.memo_pdf(record), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{export.filename(record, "pdf")}"'
    return response
