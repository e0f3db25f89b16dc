"""The roles of the legal team, as Django groups, and the checks views use."""

from django.contrib.auth.models import AnonymousUser, Group, User

INTAKE = "intake"
COUNSEL = "counsel"
VIEWER = "viewer"
API_CLIENT = "api-client"
ROLES = (INTAKE, COUNSEL, VIEWER, API_CLIENT)
_ROLES_CACHE = "_lexloci_roles"  # the user's roles, cached on the user object for the request


def ensure_groups() -> None:
    for name in ROLES:
        Group.objects.get_or_create(name=name)


def roles_of(user: User | AnonymousUser) -> frozenset[str]:
    """The user's roles (superusers have all); one query per request, not per check."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    if user.is_superuser:
        return frozenset(ROLES)
    names: frozenset[str] | None = getattr(user, _ROLES_CACHE, None)
    if names is None:
        names = frozenset(user.groups.values_list("name", flat=True))
        setattr(user, _ROLES_CACHE, names)
    return names


def has_role(user: User | AnonymousUser, *roles: str) -> bool:
    """True when the user is active and in one of the roles (superusers are in all)."""
    return bool(roles_of(user).intersection(roles))


HUMAN_ROLES = (INTAKE, COUNSEL, VIEWER)


def is_machine_user(user: User | AnonymousUser) -> bool:
    """A client system's account: the api-client role and no role of a person. It uses
    the REST API with a token only, never a login (accounts/security.py)."""
    if not user.is_authenticated or user.is_superuser:
        return False
    names = roles_of(user)
    return API_CLIENT in names and not names.intersection(HUMAN_ROLES)


def counsel_members():
    """The people a case may be assigned to: active users in the counsel role's group
    (a superuser outside it is not counsel to assign), by user name."""
    return User.objects.filter(is_active=True, groups__name=COUNSEL).order_by("username")


# --- REST API permissions -------------------------------------------------------

from rest_framework.permissions import SAFE_METHODS, BasePermission  # noqa: E402

READERS = (INTAKE, COUNSEL, VIEWER, API_CLIENT)


def _api_roles(request) -> frozenset[str]:
    """The roles a request acts in. With a token, the token user's. Without one (a
    browser session) the api-client role counts for nothing, so a client system's
    account gets no API access by a session: a client system uses its token, within
    the token's scope (a person who is also an API client acts as the person)."""
    names = roles_of(request.user)
    if getattr(request.auth, "scope", None) is None:
        return names - {API_CLIENT}
    return names


def _may_write(request, *allowed: str) -> bool:
    """A role that may write, and with a token, a read-write one."""
    scope = getattr(request.auth, "scope", None)
    return bool(_api_roles(request).intersection(allowed)) and scope in (None, "read-write")


def _may_read(request) -> bool:
    return bool(_api_roles(request).intersection(READERS))


class CanRead(BasePermission):
    """Every role of the legal team, and API clients, may read."""

    message = "Your role does not allow reading cases."

    def has_permission(self, request, view) -> bool:
        if request.method in SAFE_METHODS:
            return _may_read(request)
        return False


class CanLogDemands(BasePermission):
    message = "Only intake, counsel and read-write API clients may log demands."

    def has_permission(self, request, view) -> bool:
        if request.method in SAFE_METHODS:
            return _may_read(request)
        return _may_write(request, INTAKE, COUNSEL, API_CLIENT)


class CanTakeWorkflowSteps(BasePermission):
    message = "Only counsel and read-write API clients may change a case."

    def has_permission(self, request, view) -> bool:
        if request.method in SAFE_METHODS:
            return _may_read(request)
        return _may_write(request, COUNSEL, API_CLIENT)


class CanUseWhatIf(BasePermission):
    """The what-if analysis stores nothing: any reader may POST facts to it."""

    message = "Your role does not allow the what-if analysis."

    def has_permission(self, request, view) -> bool:
        return _may_read(request)
