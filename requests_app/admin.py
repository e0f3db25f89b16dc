from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from requests_app.models import Demand, Holding, NondisclosureOrder, TargetAccount


class TargetAccountInline(admin.TabularInline):
    model = TargetAccount
    extra = 0
    show_change_link = True


class NondisclosureOrderInline(admin.TabularInline):
    model = NondisclosureOrder
    extra = 0


@admin.register(Demand)
class DemandAdmin(SimpleHistoryAdmin):
    list_display = ["reference", "instrument", "issuing_jurisdiction", "served_entity", "served_at", "emergency"]
    list_filter = ["instrument", "issuing_jurisdiction", "emergency"]
    search_fields = ["reference", "accounts__identifier"]
    inlines = [TargetAccountInline, NondisclosureOrderInline]

    def has_add_permission(self, request):
        return False  # a demand is logged at intake or through the API (cases.actions.log_demand), with its case

    def has_delete_permission(self, request, obj=None):
        return False  # nothing is ever deleted from a case's record


class HoldingInline(admin.TabularInline):
    model = Holding
    extra = 0


@admin.register(TargetAccount)
class TargetAccountAdmin(SimpleHistoryAdmin):
    list_display = ["identifier", "demand", "service", "us_person", "residence"]
    search_fields = ["identifier", "demand__reference"]
    inlines = [HoldingInline]

    def has_add_permission(self, request):
        return False  # accounts come with their demand (log_demand)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Holding)
class HoldingAdmin(SimpleHistoryAdmin):
    list_display = ["account", "category", "data_location", "controlled_by"]
    list_filter = ["category"]

    def has_add_permission(self, request):
        return False  # holdings come with their account (log_demand)

    def has_delete_permission(self, request, obj=None):
        return False
