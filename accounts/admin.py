from django import forms
from django.contrib import admin, messages
from django.contrib.auth import admin as auth_admin
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import ApiToken, LoginThrottle
from accounts.security import users_named
from accounts.views import show_secrets_once


@admin.register(LoginThrottle)
class LoginThrottleAdmin(admin.ModelAdmin):
    """Failed logins counted now. Deleting a row unlocks what it counts: that user name
    at that address, that user name everywhere, or that address."""

    list_display = ["kind", "username", "address", "failures", "window_ends", "locked_until"]
    list_filter = ["kind"]
    search_fields = ["username", "address"]
    readonly_fields = ["kind", "username", "address", "failures", "window_ends", "locked_until"]

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
    """Admins issue and revoke client tokens. The key is shown once, in the response to
    the request that issued it (show_secrets_once)."""

    form = ApiTokenForm

    list_display = [
        "name",
        "user",
        "prefix",
        "scope",
        "expires_at",
        "revoked_at",
        "revoked_by",
        "last_used_at",
        "created_at",
    ]
    list_filter = ["scope"]
    fields = ["name", "user", "scope", "expires_at"]
    actions = ["revoke"]

    def get_readonly_fields(self, request, obj=None):
        return ["name", "user", "scope", "expires_at", "revoked_at", "revoked_by"] if obj else []

    def get_fields(self, request, obj=None):
        return [*self.fields, "revoked_at", "revoked_by"] if obj else self.fields

    def has_delete_permission(self, request, obj=None):
        return False  # revoke instead: a token's use stays on record

    def save_model(self, request, obj, form, change):
        if change:
            return
        token, key = ApiToken.issue(
            user=obj.user, name=obj.name, scope=obj.scope, expires_at=obj.expires_at, by=request.user
        )
        obj.pk = token.pk
        obj.issued_key = key  # for response_add only: never stored, never in a message

    def response_add(self, request, obj, post_url_continue=None):
        key = getattr(obj, "issued_key", None)
        if key is None:
            return super().response_add(request, obj, post_url_continue)
        return show_secrets_once(
            request,
            title="API token issued",
            secrets=[(f"Token for {obj.name} ({obj.get_scope_display()}, as {obj.user})", key)],
            onward=reverse("admin:accounts_apitoken_changelist"),
            onward_label="On to the API tokens",
        )

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request, queryset):
        count = 0
        for token in queryset.filter(revoked_at__isnull=True):
            if token.revoke(by=request.user):
                # The admin's history of the token: who revoked it and when.
                self.log_change(request, token, "Revoked the token.")
                count += 1
        messages.success(request, f"{count} token(s) revoked.")


# --- users: no two names that log in as one (accounts/security.py) -----------------------


def _refuse_taken_name(form, username: str | None) -> str | None:
    exclude = form.instance.pk if form.instance and form.instance.pk else None
    if username and users_named(username, exclude_pk=exclude):
        raise ValidationError(
            "A user with this name already exists (user names are compared ignoring case and width).",
            code="unique",
        )
    return username


class FoldedUserCreationForm(AdminUserCreationForm):
    def clean_username(self):
        return _refuse_taken_name(self, super().clean_username())


class FoldedUserChangeForm(UserChangeForm):
    def clean_username(self):
        return _refuse_taken_name(self, self.cleaned_data.get("username"))


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class UserAdmin(auth_admin.UserAdmin):
    """Django's user admin, refusing a name another user has up to case or width."""

    form = FoldedUserChangeForm
    add_form = FoldedUserCreationForm
