from django import forms
from django.conf import settings
from django.contrib import admin

from jurisdictions import reach
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
    Period,
)


def check_authorities(value) -> list[str]:
    """A list of authority ids, each one the catalogue files know (authorities have no
    table: RULES.md §4.3, `reach.FILES_ONLY`), in date order."""
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise forms.ValidationError('A list of authority ids, e.g. ["US-CLOUD-ACT-2018-03-23"].')
    known = reach.shipped_catalogue(settings.CATALOGUE_DIR).authority_by_code
    unknown = [code for code in value if code not in known]
    if unknown:
        raise forms.ValidationError(
            "Unknown authority id(s): %(codes)s. The authorities are listed in the catalogue files.",
            params={"codes": ", ".join(unknown)},
        )
    dates = [known[code].dated for code in value]
    if dates != sorted(dates):
        raise forms.ValidationError("List the authorities in date order, oldest first.")
    return value


class AuthoritiesForm(forms.ModelForm):
    """A catalogue row with authority ids: checked against the files before saving (a
    version with a dangling id would be refused only after the edit)."""

    authority_fields: tuple[str, ...] = ("authorities",)

    def clean(self):
        super().clean()
        data = self.cleaned_data  # what ModelForm.clean() returns
        for name in self.authority_fields:
            if name in self.cleaned_data:
                try:
                    check_authorities(self.cleaned_data[name])
                except forms.ValidationError as exc:
                    self.add_error(name, exc)
        return data


class InstrumentForm(AuthoritiesForm):
    authority_fields = ("control_authorities",)

    def clean(self):
        super().clean()
        data = self.cleaned_data
        kind, period = data.get("kind"), data.get("preservation_period")
        if kind == "preservation" and period is None:
            self.add_error("preservation_period", "A preservation instrument needs its preservation period.")
        elif kind and kind != "preservation" and period is not None:
            self.add_error("preservation_period", "Only a preservation instrument has a preservation period.")
        if kind == "preservation" and data.get("response_period") is not None:
            self.add_error("response_period", "A preservation instrument has no response period.")
        if data.get("pending_rule") and data.get("pending_cutoff") is None:
            self.add_error("pending_cutoff", "A pending rule needs its cut-off day.")
        return data


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["jurisdiction"]


@admin.register(Jurisdiction)
class JurisdictionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "time_zone", "holidays_country"]
    search_fields = ["code", "name"]


@admin.register(Bloc)
class BlocAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    inlines = [MembershipInline]


@admin.register(LegalInstrument)
class LegalInstrumentAdmin(admin.ModelAdmin):
    form = InstrumentForm
    list_display = ["code", "name", "kind", "jurisdiction", "start", "end", "hook", "group_control"]
    list_filter = ["kind", "hook", "jurisdiction"]
    search_fields = ["code", "name", "citation"]
    filter_horizontal = ["issuing_blocs"]
    fieldsets = [
        (None, {"fields": ["code", "kind", "jurisdiction", "name", "citation", "start", "end", "categories"]}),
        (
            "Who is bound, and who may issue it",
            {"fields": ["hook", "issuing_blocs", "group_control", "control_authorities"]},
        ),
        (
            "Periods",
            {
                "fields": [
                    "response_period",
                    "emergency_period",
                    "comity_period",
                    "preservation_period",
                    "objection_period",
                ]
            },
        ),
        (
            "Pending proceedings (Indian process, BNSS s. 531(2)(a))",
            {"fields": ["pending_rule", "pending_cutoff", "pending_citation"]},
        ),
        ("For counsel", {"fields": ["to_confirm"]}),
    ]


@admin.register(Period)
class PeriodAdmin(admin.ModelAdmin):
    list_display = ["code", "length", "extended_length", "unit", "counting", "roll_over", "clock"]


@admin.register(DoctrinePeriod)
class DoctrinePeriodAdmin(admin.ModelAdmin):
    form = AuthoritiesForm
    list_display = ["position", "doctrine", "start", "end", "circuits", "except_circuits", "authorities"]
    filter_horizontal = ["instruments"]


@admin.register(Agreement)
class AgreementAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "start", "end"]
    list_filter = ["kind"]
    filter_horizontal = ["parties", "party_blocs", "designates", "lifts"]


class ConflictRuleForm(AuthoritiesForm):
    authority_fields = ("authorities", "except_authorities")


@admin.register(ConflictRule)
class ConflictRuleAdmin(admin.ModelAdmin):
    form = ConflictRuleForm
    list_display = ["code", "jurisdiction", "severity", "start", "end", "trigger"]
    filter_horizontal = ["countries", "except_countries"]
    list_filter = ["severity"]
    search_fields = ["code", "law"]


@admin.register(Court)
class CourtAdmin(admin.ModelAdmin):
    list_display = ["name", "jurisdiction", "circuit", "state", "time_zone"]
    list_filter = ["jurisdiction", "circuit", "state"]
    search_fields = ["name"]


@admin.register(CatalogueVersion)
class CatalogueVersionAdmin(admin.ModelAdmin):
    list_display = ["number", "content_hash", "source", "created_at", "created_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class DataLocationInline(admin.TabularInline):
    model = DataLocation
    extra = 0


@admin.register(ControllingEntity)
class ControllingEntityAdmin(admin.ModelAdmin):
    list_display = ["name", "country", "parent"]
    search_fields = ["name"]
    autocomplete_fields = ["parent"]
    filter_horizontal = ["designated_for"]
    inlines = [DataLocationInline]


@admin.register(DataLocation)
class DataLocationAdmin(admin.ModelAdmin):
    list_display = ["name", "country", "operated_by"]
    list_filter = ["country"]
    search_fields = ["name"]
