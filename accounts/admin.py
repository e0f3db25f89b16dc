from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.models import ApiToken, LoginThrottle


@admin.register(LoginThrottle)
class LoginThrottleAdmin(admin.ModelAdmin):
    """Failed logins counted now. Deleting a row unlocks that username at that address."""

    list_display = ["username", "address", "failures", "window_ends", "locked_until"]
    search_fields = ["username", "address"]
    readonly_fields = ["username", "address", "failures", "window_ends", "locked_until"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ApiTokenForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ["name", "user", "scope", "expires_at"]

    def clean_expires_at(self):
        expires_at = self.cleaned_data.get("expires_at")
        if expires_at is not None and expires_at <= timezone.now():
            raise ValidationError("This date has passed: the token would never work. Give a future date, or none.")
        return expires_at


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Admins issue and revoke client tokens. The key is shown once, on issue."""

    form = ApiTokenForm

    list_display = ["name", "user", "prefix", "scope", "expires_at", "revoked_at", "last_used_at", "created_at"]
    list_filter = ["scope"]
    fields = ["name", "user", "scope", "expires_at"]
    actions = ["revoke"]

    def get_readonly_fields(self, request, obj=None):
        return ["name", "user", "scope", "expires_at"] if obj else []

    def has_delete_permission(self, request, obj=None):
        return False  # revoke instead: a token's use stays on record

    def save_model(self, request, obj, form, change):
        if change:
            return
        token, key = ApiToken.issue(
            user=obj.user, name=obj.name, scope=obj.scope, expires_at=obj.expires_at, by=request.user
        )
        obj.pk = token.pk
        messages.warning(
            request, f"Token for {token.name}: {key} (copy it now: it is not stored and cannot be shown again)"
        )

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request, queryset):
        count = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        messages.success(request, f"{count} token(s) revoked.")
