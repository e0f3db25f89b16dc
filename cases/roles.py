"""The roles of the legal team, as Django groups, and the checks views use."""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, Group

INTAKE = "intake"
COUNSEL = "counsel"
VIEWER = "viewer"
API_CLIENT = "api-client"
ROLES = (INTAKE, COUNSEL, VIEWER, API_CLIENT)


def ensure_groups() -> None:
    for name in ROLES:
        Group.objects.get_or_create(name=name)


def has_role(user: AbstractBaseUser | AnonymousUser, *roles: str) -> bool:
    """True when the user is active and in one of the roles (superusers are in all)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    names = getattr(user, "_lexloci_roles", None)
    if names is None:
        names = frozenset(user.groups.values_list("name", flat=True))
        user._lexloci_roles = names  # one query per request, not per check
    return bool(names.intersection(roles))
