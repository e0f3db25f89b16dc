from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from cases.models import Analysis, Case, CaseEvent, Deadline


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows that are a record: shown in the admin, never edited or deleted there."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class CaseEventInline(admin.TabularInline):
    model = CaseEvent
    fields = ["occurred_on", "kind", "track", "from_state", "to_state", "court", "citation", "by", "recorded_at"]
    readonly_fields = fields
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Case)
class CaseAdmin(SimpleHistoryAdmin):
    list_display = ["pk", "demand", "status", "appeal_status", "contempt_status", "counsel", "updated_at"]
    list_filter = ["status", "appeal_status", "contempt_status"]
    search_fields = ["demand__reference"]
    # The tracks change only through the workflow actions, which write events.
    readonly_fields = [
        "demand", "status", "outcome", "appeal_status", "appeal_disposition", "contempt_status",
        "contempt_kind", "contempt_by_stipulation", "contempt_sanctions_amount",
        "contempt_sanctions_period", "contempt_stayed", "version",
    ]
    inlines = [CaseEventInline]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CaseEvent)
class CaseEventAdmin(ReadOnlyAdmin):
    list_display = ["case", "occurred_on", "kind", "track", "to_state", "by", "recorded_at"]
    list_filter = ["kind", "track"]


@admin.register(Analysis)
class AnalysisAdmin(ReadOnlyAdmin):
    list_display = ["case", "as_of", "doctrine", "catalogue_version", "created_at", "signed_off_by"]


@admin.register(Deadline)
class DeadlineAdmin(ReadOnlyAdmin):
    list_display = ["case", "kind", "due_at", "source", "state"]
    list_filter = ["kind", "state", "source"]
