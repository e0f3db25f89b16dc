"""Template helpers for the pages: role checks for what a page shows (views still check)."""

from django import template

from accounts import roles

register = template.Library()


@register.filter
def has_role(user, names: str) -> bool:
    """`{% if user|has_role:"intake,counsel" %}`: one query per request, cached on the user."""
    return roles.has_role(user, *[n.strip() for n in names.split(",")])


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if hasattr(mapping, "get") else None


PAGE_ROLES = (roles.INTAKE, roles.COUNSEL, roles.VIEWER)


@register.filter
def page_roles(user) -> list[str]:
    """The user's roles that open pages (intake, counsel, viewer), in that order: the
    403 page names them, or says the account has no page access at all (an API client)."""
    held = roles.roles_of(user)
    return [name for name in PAGE_ROLES if name in held]
