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


def counsel_members():
    """The people a case may be assigned to: active users in the counsel role's group
    (a superuser outside it is not counsel to assign), by user name."""
    return User.objects.filter(is_active=True, groups__name=COUNSEL).order_by("username")


# --- REST API permissions -------------------------------------------------------

from rest_framework.permissions import SAFE_METHODS, BasePermission  # noqa: E402

READERS = (INTAKE, COUNSEL, VIEWER, API_CLIENT)


def _token_allows_writes(request) -> bool:
    """A token client may write only with a read-write token; session users are not limited here."""
    scope = getattr(request.auth, "scope", None)
    return scope is None or scope == "read-write"


class CanRead(BasePermission):
    """Every role of the legal team, and API clients, may read."""

    message = "Your role does not allow reading cases."

    def has_permission(self, request, view) -> bool:
        if request.method in SAFE_METHODS:
            return has_role(request.user, *READERS)
        return False


class CanLogDemands(BasePermission):
    message = "Only intake, counsel and read-write API clients may log demands."

    def has_permission(self, request, view) -> bool:
        if request.method in SAFE_METHODS:
            return has_role(request.user, *READERS)
        return has_role(request.user, INTAKE, COUNSEL, API_CLIENT) and _token_allows_writes(request)


class CanTakeWorkflowSteps(BasePermission):
    message = "Only counsel and read-write API clients may change a case."

    def has_permission(self, request, view) -> bool:
        if request.method in SAFE_METHODS:
            return has_role(request.user, *READERS)
        return has_role(request.user, COUNSEL, API_CLIENT) and _token_allows_writes(request)


class CanUseWhatIf(BasePermission):
    """The what-if analysis stores nothing: any reader may POST facts to it."""

    message = "Your role does not allow the what-if analysis."

    def has_permission(self, request, view) -> bool:
        return has_role(request.user, *READERS)
