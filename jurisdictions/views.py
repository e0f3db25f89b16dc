"""The catalogue, read-only for the legal team, and the what-if form over the engine."""

from typing import cast

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from accounts import roles
from jurisdictions import reach
from jurisdictions.forms import RowError, WhatIfPage, add_account, add_holding
from jurisdictions.loader import CatalogueNotLoaded, current_catalogue
from jurisdictions.models import (
    Agreement,
    Bloc,
    CatalogueVersion,
    ConflictRule,
    ControllingEntity,
    Court,
    DataLocation,
    DoctrinePeriod,
    Jurisdiction,
    LegalInstrument,
    Membership,
)

READ_ROLES = (roles.INTAKE, roles.COUNSEL, roles.VIEWER)


def _require_role(request: HttpRequest, *allowed: str) -> None:
    if not roles.has_role(request.user, *allowed):
        raise PermissionDenied("Your role does not allow this page.")


@require_GET
def catalogue(request: HttpRequest) -> HttpResponse:
    _require_role(request, *READ_ROLES)
    memberships = Prefetch("memberships", Membership.objects.select_related("bloc").order_by("bloc", "start"))
    context: dict[str, object] = {
        "version": CatalogueVersion.objects.order_by("-number").select_related("created_by").first(),
        "jurisdictions": Jurisdiction.objects.prefetch_related(memberships).order_by("code"),
        "blocs": Bloc.objects.order_by("code"),
        "instruments": LegalInstrument.objects.select_related(
            "jurisdiction",
            "response_period",
            "emergency_period",
            "comity_period",
            "preservation_period",
            "objection_period",
        )
        .prefetch_related("issuing_blocs")
        .order_by("code"),
        "doctrine_periods": DoctrinePeriod.objects.prefetch_related("instruments").order_by("position"),
        "agreements": Agreement.objects.prefetch_related("parties", "party_blocs", "designates", "lifts").order_by(
            "kind", "code"
        ),
        "conflict_rules": ConflictRule.objects.select_related("jurisdiction", "bloc")
        .prefetch_related("countries", "except_countries")
        .order_by("code"),
        "courts": Court.objects.select_related("jurisdiction").order_by("jurisdiction", "name"),
        "entities": ControllingEntity.objects.select_related("country", "parent")
        .prefetch_related("designated_for")
        .order_by("name"),
        "locations": DataLocation.objects.select_related("country", "operated_by").order_by("country", "name"),
    }
    # Authorities, hook changes, disclosure permissions and holidays are catalogue
    # files without a table: read from the files (cached), not the database.
    files = reach.shipped_sections(settings.CATALOGUE_DIR)
    holidays: dict[str, list[str]] = {}
    for rule in files["holiday_rules"]:
        holidays.setdefault(rule.calendar, []).append(rule.name)
    context.update(
        authorities=sorted(files["authorities"], key=lambda a: (a.dated, a.code)),
        hook_periods=files["hook_periods"],
        disclosure_permissions=files["disclosure_permissions"],
        holiday_calendars=sorted(holidays.items()),
    )
    return render(request, "jurisdictions/catalogue.html", context)


def _provider_entities(chosen: set[str] | None = None) -> list[dict]:
    """The provider's entity map in the scenario's shape (RULES.md §8): all of it, or
    the entities named in `chosen`, whose designations for an entity left out are
    left out too (the form has checked that every chosen entity's parent is chosen)."""
    rows = list(
        ControllingEntity.objects.values(
            "pk", "name", "country_id", "parent__name", "establishments", "offers_services_in"
        ).order_by("name")
    )
    names = {row["pk"]: row["name"] for row in rows}
    kept = set(names.values()) if chosen is None else chosen
    designations: dict[int, list[str]] = {}
    through = ControllingEntity.designated_for.through
    for source, target in through.objects.values_list("from_controllingentity_id", "to_controllingentity_id"):
        if names[target] in kept:
            designations.setdefault(source, []).append(names[target])
    return [
        {
            "name": row["name"],
            "country": row["country_id"],
            "parent": row["parent__name"],
            "establishments": row["establishments"],
            "offers_services_in": row["offers_services_in"],
            "designated_for": sorted(designations.get(row["pk"], [])),
        }
        for row in rows
        if row["name"] in kept
    ]


def run_what_if(scenario: dict) -> dict:
    """The engine's answer to a scenario (RULES.md §9) against the current catalogue.
    Raises CatalogueNotLoaded, reach.ScenarioError or reach.UnknownInstrumentError."""
    _, catalogue_ = current_catalogue()
    facts = reach.facts_from_scenario(scenario, catalogue_)
    scenario_id = cast(str, scenario.get("id")) if isinstance(scenario.get("id"), str) else "what-if"
    return reach.result_to_contract(scenario_id, reach.evaluate(catalogue_, facts))


@require_http_methods(["GET", "POST"])
def what_if(request: HttpRequest) -> HttpResponse:
    """Run the engine on facts typed in; shows the answer, stores nothing.

    "Add account" and "Add holding" are submit buttons too (the page works without
    its script): they show the page again with a blank row, checking and running
    nothing. A page the form or the engine refuses answers 400 and runs nothing.
    """
    _require_role(request, *READ_ROLES)
    result = None
    status = 200
    if request.method != "POST":
        page = WhatIfPage()
    elif "add_account" in request.POST or "add_holding" in request.POST:
        data = request.POST.copy()
        notice = ""
        try:
            if "add_account" in data:
                add_account(data)
            else:
                add_holding(data, data.get("add_holding", ""))
        except RowError as exc:
            notice = str(exc)
            status = 400
        page = WhatIfPage(data)
        page.quiet()
        page.notice = notice
    else:
        page = WhatIfPage(request.POST)
        if page.is_valid():
            chosen = page.demand.cleaned_data.get("entities")
            try:
                # A whole scenario brings its own entities: the map is not read for it.
                # Otherwise the entities field, cleaned, is a queryset (maybe empty), never None.
                ticked = cast(QuerySet[ControllingEntity], chosen)
                entities = [] if page.demand.whole_scenario else _provider_entities({e.name for e in ticked})
                scenario = page.scenario_object(entities)
                result = run_what_if(scenario)
            except CatalogueNotLoaded as exc:
                page.demand.add_error(None, str(exc))
            except reach.ScenarioError as exc:
                page.add_engine_error(exc.field, exc.message)
            except reach.UnknownInstrumentError as exc:
                page.add_engine_error("demand.instrument", str(exc))
        if result is None:
            status = 400
    return render(
        request,
        "jurisdictions/what_if.html",
        {
            "page": page,
            "form": page.demand,
            "result": result,
            # Each data location's operator, the controller the page's script suggests.
            "operators": {str(pk): name for pk, name in DataLocation.objects.values_list("pk", "operated_by__name")},
        },
        status=status,
    )
