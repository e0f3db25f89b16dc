"""What drops the API's cached token answers (accounts/tokens.py) when they change:
a token revoked (`ApiToken.revoke`), saved (expiry, scope) or deleted; a user saved (active, superuser,
password, name) or deleted; a user's groups (roles) changed; a group renamed or
deleted. Connected in AccountsConfig.ready."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.dispatch import receiver

from accounts import tokens
from accounts.models import ApiToken, token_revoked

User = get_user_model()


@receiver(token_revoked, sender=ApiToken, dispatch_uid="apitoken-cache-revoke")
@receiver(post_save, sender=ApiToken, dispatch_uid="apitoken-cache-save")
@receiver(post_delete, sender=ApiToken, dispatch_uid="apitoken-cache-delete")
def token_changed(sender, instance: ApiToken, created: bool = False, **kwargs) -> None:
    if not created:  # a new token was never cached
        tokens.forget([instance.digest])


@receiver(post_save, sender=User, dispatch_uid="apitoken-cache-user-save")
def user_saved(sender, instance, created: bool, raw: bool = False, update_fields=None, **kwargs) -> None:
    if created or raw:
        return  # a new user has no token yet
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return  # a login: nothing the API caches changed
    tokens.forget_users([instance.pk])


@receiver(pre_delete, sender=User, dispatch_uid="apitoken-cache-user-delete")
def user_deleted(sender, instance, **kwargs) -> None:
    tokens.forget_users([instance.pk])


@receiver(m2m_changed, sender=User.groups.through, dispatch_uid="apitoken-cache-groups")
def groups_changed(sender, instance, action: str, reverse: bool, pk_set, **kwargs) -> None:
    """`user.groups.add(...)` (forward: the instance is the user) or
    `group.user_set.add(...)` (reverse: the users are in pk_set, or, when cleared, the
    group's members before the clearing)."""
    if action not in ("post_add", "post_remove", "pre_clear", "post_clear"):
        return
    if not reverse:
        if action != "pre_clear":
            tokens.forget_users([instance.pk])
    elif action == "pre_clear":
        tokens.forget_users(list(instance.user_set.values_list("pk", flat=True)))
    elif action != "post_clear":
        tokens.forget_users(list(pk_set or ()))


@receiver(post_save, sender=Group, dispatch_uid="apitoken-cache-group-save")
@receiver(pre_delete, sender=Group, dispatch_uid="apitoken-cache-group-delete")
def group_changed(sender, instance: Group, created: bool = False, raw: bool = False, **kwargs) -> None:
    """A role is a group's name: renaming or deleting a group changes its members' roles."""
    if created or raw or instance.pk is None:
        return
    tokens.forget_users(list(instance.user_set.values_list("pk", flat=True)))
