"""Pages of the accounts app's own: the one-time display of a new secret."""

from django.contrib import admin
from django.template.response import TemplateResponse
from django.utils.cache import add_never_cache_headers


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
