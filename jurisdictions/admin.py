from django.contrib import admin

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
    list_display = ["code", "name", "jurisdiction", "start", "end", "hook"]
    list_filter = ["hook", "jurisdiction"]
    search_fields = ["code", "name", "citation"]
    filter_horizontal = ["issuing_blocs"]


@admin.register(Period)
class PeriodAdmin(admin.ModelAdmin):
    list_display = ["code", "length", "unit", "counting", "roll_over", "clock"]


@admin.register(DoctrinePeriod)
class DoctrinePeriodAdmin(admin.ModelAdmin):
    list_display = ["position", "doctrine", "start", "end", "circuits", "except_circuits"]
    filter_horizontal = ["instruments"]


@admin.register(Agreement)
class AgreementAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "start", "end"]
    list_filter = ["kind"]
    filter_horizontal = ["parties", "party_blocs", "designates", "lifts"]


@admin.register(ConflictRule)
class ConflictRuleAdmin(admin.ModelAdmin):
    list_display = ["code", "jurisdiction", "severity", "start", "end", "trigger"]
    filter_horizontal = ["countries", "except_countries"]
    list_filter = ["severity"]
    search_fields = ["code", "law"]


@admin.register(Court)
class CourtAdmin(admin.ModelAdmin):
    list_display = ["name", "jurisdiction", "circuit", "time_zone"]
    list_filter = ["jurisdiction", "circuit"]
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
