from typing import cast

from django import forms
from django.contrib import admin
from django.urls import reverse
from simple_history.admin import SimpleHistoryAdmin

from requests_app.documents import validate_pdf_document
from requests_app.models import DEMAND_FACTS, Demand, Holding, NondisclosureOrder, TargetAccount, instrument_errors


class InlineAuthorAdmin(SimpleHistoryAdmin):
    """Rows added, changed or deleted through an inline name the admin in their history.

    SimpleHistoryAdmin names the author of the page's own object only (save_model);
    an inline row's history took its author from HistoryRequestMiddleware's
    thread-local request alone, so a deletion made where that is not set (a request
    outside the middleware, an async handler, a test's RequestFactory) was recorded by
    nobody. The author is set on every inline instance before the formset saves it.
    """

    def save_formset(self, request, form, formset, change):
        for inline_form in formset.forms:
            inline_form.instance._history_user = request.user  # django-simple-history's attribute
        super().save_formset(request, form, formset, change)


class TargetAccountInline(admin.TabularInline):
    model = TargetAccount
    extra = 0
    show_change_link = True


class NondisclosureOrderInline(admin.TabularInline):
    model = NondisclosureOrder
    extra = 0


class DocumentOnRecord:
    """The document on file as the admin's file widget shows it: linked to the
    permission-checked view, never to the storage's own URL (a signed object-storage
    URL would bypass it)."""

    def __init__(self, name: str, url: str) -> None:
        self.name, self.url = name, url

    def __str__(self) -> str:
        return self.name


class DemandDocumentInput(forms.ClearableFileInput):
    served_at = ""

    def format_value(self, value):
        value = super().format_value(value)
        return DocumentOnRecord(value.name, self.served_at) if value and self.served_at else value


class DemandAdminForm(forms.ModelForm):
    """An edit keeps to the instrument's rules, as intake does: who may issue it,
    `extended` only on a preservation, `pending_since` only on Indian process. A new
    document passes the same check as at intake."""

    class Meta:
        model = Demand
        fields = [*DEMAND_FACTS, "document", "created_by"]
        widgets = {"document": DemandDocumentInput}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and "document" in self.fields:
            widget = cast(DemandDocumentInput, self.fields["document"].widget)
            widget.served_at = reverse("demands:document", args=[self.instance.pk])

    def clean_document(self):
        return validate_pdf_document(self.cleaned_data.get("document"))

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
class DemandAdmin(InlineAuthorAdmin):
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
class TargetAccountAdmin(InlineAuthorAdmin):
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
