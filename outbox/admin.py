from django.contrib import admin

from outbox.models import OutboxMessage, ScheduledRun


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    """Read-only: rows are written by enqueue and marked by the relay."""

    list_display = ["pk", "task", "args", "created_at", "available_at", "sent_at", "attempts", "last_error"]
    list_filter = ["task"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ScheduledRun)
class ScheduledRunAdmin(admin.ModelAdmin):
    """Read-only: the in-process scheduler's runs (`manage.py run_scheduler`), kept a day."""

    list_display = ["job", "due_at", "started_at", "finished_at", "result", "error"]
    list_filter = ["job"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
