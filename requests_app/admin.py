from django import forms
from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from requests_app.models import DEMAND_FACTS, Demand, Holding, NondisclosureOrder, TargetAccount, instrument_errors


class TargetAccountInline(admin.TabularInline):
    model = TargetAccount
    extra = 0
    show_change_link = True


class NondisclosureOrderInline(admin.TabularInline):
    model = NondisclosureOrder
    extra = 0


class DemandAdminForm(forms.ModelForm):
    """An edit keeps to the instrument's rules, as intake does: who may issue it,
    `extended` only on a preservation, `pending_since` only on Indian process."""

    class Meta:
        model = Demand
        fields = [*DEMAND_FACTS, "document", "created_by"]

    def clean(self):
        super().clean()
        data = self.cleaned_data  # what ModelForm.clean() returns
        issuer = data.get("issuing_jurisdiction")
        for field, message in instrument_errors(
            data.get("instrument"),
            issuer.pk if issuer is not None else None,
            served_at=data.get("served_at"),
            received_at=data.get("received_at"),
            extended=bool(data.get("extended")),
            pending_since=data.get("pending_since"),
        ).items():
            if field in self.fields and field not in self.errors:
                self.add_error(field, message)
        return data


@admin.register(Demand)
class DemandAdmin(SimpleHistoryAdmin):
    form = DemandAdminForm
    list_display = [
        "reference",
        "instrument",
        "issuing_jurisdiction",
        "served_entity",
        "served_at",
        "emergency",
        "extended",
    ]
    list_filter = ["instrument", "issuing_jurisdiction", "emergency", "extended"]
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
