"""Pages of the accounts app's own: the one-time display of a new secret, and the
person's profile (their time zone)."""

from typing import cast

from django.contrib import admin, messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_http_methods, require_POST

from accounts import roles
from accounts.forms import TimeZoneForm
from accounts.models import Profile
from accounts.time_zones import is_zone


def show_secrets_once(request, *, title: str, secrets: list[tuple[str, str]], onward: str, onward_label: str):
    """The admin page showing new secrets (an API token's key, a webhook's signing
    secret) in the response to the request that made them, and nowhere else: never
    through messages, the session or a cookie, so neither a reload of the next page nor
    anything stored can show them again. Not cached by the browser or anything between."""
    response = TemplateResponse(
        request,
        "admin/one_time_secret.html",
        {
            **admin.site.each_context(request),
            "title": title,
            "secrets": secrets,
            "onward": onward,
            "onward_label": onward_label,
        },
    )
    add_never_cache_headers(response)
    return response


# --- The person's own time zone ---------------------------------------------------------


def _refuse_machine_user(request: HttpRequest) -> None:
    """An API client's account has no pages (it cannot log in; a session of one is refused)."""
    if roles.is_machine_user(request.user):
        raise PermissionDenied("An API client's account has no profile page.")


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    """The person's time zone. Everyone who can sign in to the site has it; a saved
    form redirects back here (a reload does not post again); a bad zone is a 400 with
    the field's message."""
    _refuse_machine_user(request)
    user = cast(User, request.user)  # login_required: signed in
    instance = Profile.objects.filter(user=user).first() or Profile(user=user)
    if request.method == "POST":
        form = TimeZoneForm(request.POST, instance=instance)
        if form.is_valid():
            saved = form.save()
            messages.success(request, f"Time zone saved: {saved.time_zone}. Times are now shown in it.")
            return HttpResponseRedirect(reverse("profile"))
        return render(request, "accounts/profile.html", {"form": form, "profile": instance}, status=400)
    form = TimeZoneForm(instance=instance)
    return render(request, "accounts/profile.html", {"form": form, "profile": instance})


@login_required
@require_POST
def browser_time_zone(request: HttpRequest) -> JsonResponse:
    """The browser's zone (`Intl.DateTimeFormat().resolvedOptions().timeZone`, sent by
    static/js/timezone.js on the first page after the first login), stored only when
    the person has none yet: a zone they picked is never replaced."""
    _refuse_machine_user(request)
    name = (request.POST.get("time_zone") or "").strip()
    if not is_zone(name):
        return JsonResponse(
            {
                "error": {
                    "status": 400,
                    "code": "invalid",
                    "message": "time_zone: not a time zone name.",
                    "fields": {"time_zone": [f"{name[:64]!r} is not an IANA time zone name."]},
                }
            },
            status=400,
        )
    stored = Profile.set_default_time_zone(request.user, name)
    current = Profile.objects.filter(user=cast(User, request.user)).values_list("time_zone", flat=True).first() or ""
    return JsonResponse({"time_zone": current, "stored": stored})
