"""The catalogue, read-only for the legal team, and the what-if form over the engine."""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET, require_http_methods

from accounts import roles
from jurisdictions import reach
from jurisdictions.forms import WhatIfForm
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


def _provider_entities() -> list[dict]:
    """The provider's entity map in the scenario's shape (RULES.md §8)."""
    rows = list(
        ControllingEntity.objects.values(
            "pk", "name", "country_id", "parent__name", "establishments", "offers_services_in"
        )
    )
    names = {row["pk"]: row["name"] for row in rows}
    designations: dict[int, list[str]] = {}
    through = ControllingEntity.designated_for.through
    for source, target in through.objects.values_list("from_controllingentity_id", "to_controllingentity_id"):
        designations.setdefault(source, []).append(names[target])
    return [
        {
            "name": row["name"],
            "country": row["country_id"],
            "parent": row["parent__name"],
            "establishments": row["establishments"],
            "offers_services_in": row["offers_services_in"],
            "designated_for": designations.get(row["pk"], []),
        }
        for row in rows
    ]


@require_http_methods(["GET", "POST"])
def what_if(request: HttpRequest) -> HttpResponse:
    """Run the engine on facts typed in; shows the answer, stores nothing."""
    _require_role(request, *READ_ROLES)
    form = WhatIfForm(request.POST or None)
    result = scenario = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                version, catalogue_ = current_catalogue()
            except CatalogueNotLoaded as exc:
                form.add_error(None, str(exc))
            else:
                scenario = form.scenario_object(_provider_entities())
                try:
                    facts = reach.facts_from_scenario(scenario, catalogue_)
                    result = reach.result_to_contract(
                        str(scenario.get("id", "what-if")), reach.evaluate(catalogue_, facts)
                    )
                except reach.ScenarioError as exc:
                    form.add_error(form.field_for_error(exc.field), f"{exc.field}: {exc.message}")
                except reach.UnknownInstrumentError as exc:
                    form.add_error(form.field_for_error("demand.instrument"), str(exc))
        if result is None:
            status = 422
    return render(
        request,
        "jurisdictions/what_if.html",
        {"form": form, "result": result},
        status=status,
    )
