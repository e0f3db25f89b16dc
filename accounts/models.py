"""Who may do what: API tokens and login throttling. Roles are Django groups (accounts/roles.py)."""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class LoginThrottle(models.Model):
    """Failed logins counted one way (accounts/security.py): of one user name at one
    address, of one user name from anywhere, or from one address for any user name. In
    the database, so every web process counts the same failures; an admin unlocks by
    deleting the row."""

    class Kind(models.TextChoices):
        USER_AT_ADDRESS = "user-at-address", "User name at one address"
        USER = "user", "User name, from any address"
        ADDRESS = "address", "Address, for any user name"

    key = models.CharField(max_length=64, unique=True, editable=False, help_text="SHA-256 of kind|username|address.")
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.USER_AT_ADDRESS, editable=False)
    username = models.CharField(
        max_length=150, blank=True, editable=False, help_text="As compared: NFKC, case-folded. Blank: any."
    )
    address = models.GenericIPAddressField(null=True, blank=True, editable=False)
    failures = models.PositiveIntegerField(default=0, editable=False, help_text="In the current window.")
    window_ends = models.DateTimeField(editable=False)
    locked_until = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-window_ends"]
        indexes = [models.Index(fields=["window_ends"], name="loginthrottle_window")]

    def __str__(self) -> str:
        if self.kind == self.Kind.USER:
            return f"{self.username} from any address"
        if self.kind == self.Kind.ADDRESS:
            return f"any user name from {self.address or 'unknown address'}"
        return f"{self.username} from {self.address or 'unknown address'}"


class ApiToken(models.Model):
    """A client system's credential. Only a hash of the key is stored; the key itself
    is shown once, when an admin issues it. Requests act as `user` (whose role group
    says what it may do), limited to reading unless the scope is read-write."""

    class Scope(models.TextChoices):
        READ = "read", "Read only"
        READ_WRITE = "read-write", "Read and write"

    PREFIX_LENGTH = 12

    name = models.CharField(max_length=100, help_text="Which client system uses it.")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_tokens")
    prefix = models.CharField(max_length=PREFIX_LENGTH, unique=True, editable=False)
    digest = models.CharField(max_length=64, editable=False, help_text="SHA-256 of the key.")
    scope = models.CharField(max_length=12, choices=Scope.choices, default=Scope.READ)
    expires_at = models.DateTimeField(null=True, blank=True, help_text="Blank: does not expire.")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "API token"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(scope__in=["read", "read-write"]), name="apitoken_scope_known"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…, {self.scope})"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def issue(cls, *, user, name: str, scope: str = Scope.READ, expires_at=None, by=None) -> tuple["ApiToken", str]:
        """A new token and its key (`llk_<prefix>_<secret>`); the key is not stored."""
        prefix = secrets.token_hex(cls.PREFIX_LENGTH // 2)
        key = f"llk_{prefix}_{secrets.token_urlsafe(32)}"
        token = cls.objects.create(
            name=name,
            user=user,
            prefix=prefix,
            digest=cls.hash_key(key),
            scope=scope,
            expires_at=expires_at,
            created_by=by,
        )
        return token, key

    def revoke(self, *, by, now=None) -> bool:
        """Revoke the token, recording who and when (the admin's history logs it too).
        False when it was already revoked: the first revocation stays on record."""
        now = now or timezone.now()
        # One statement, so of two admins revoking at once only the first is recorded.
        revoked = ApiToken.objects.filter(pk=self.pk, revoked_at__isnull=True).update(revoked_at=now, revoked_by=by)
        if revoked:
            self.revoked_at, self.revoked_by = now, by
        return bool(revoked)

    def is_usable(self, now) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)
