"""Who may do what: API tokens and login throttling. Roles are Django groups (accounts/roles.py)."""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.dispatch import Signal
from django.utils import timezone

from accounts.time_zones import validate_time_zone


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


# Sent when `ApiToken.revoke` revokes a token, which it does by an update (no post_save):
# the API's cached answer for it is dropped (accounts/signals.py).
token_revoked = Signal()


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
            token_revoked.send(sender=ApiToken, instance=self)  # the update sends no post_save
        return bool(revoked)

    def is_usable(self, now) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


class Profile(models.Model):
    """A person's own settings, made the first time one is saved: the time zone pages
    show instants in (blank: not yet set, UTC until then; the browser's is taken on the
    first login) and the zone last picked on the intake form."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    time_zone = models.CharField(
        max_length=64,
        blank=True,
        validators=[validate_time_zone],
        help_text="IANA name, e.g. Europe/Berlin. Blank: not yet set (pages show UTC).",
    )
    intake_time_zone = models.CharField(
        max_length=64,
        blank=True,
        validators=[validate_time_zone],
        help_text="The zone last picked on the intake form; blank: none yet.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.user} ({self.time_zone or 'no time zone yet'})"

    @classmethod
    def of(cls, user) -> "Profile":
        """The user's profile, made (unsaved fields blank) when they have none."""
        profile, _ = cls.objects.get_or_create(user=user)
        return profile

    @classmethod
    def set_default_time_zone(cls, user, name: str) -> bool:
        """The browser's zone, kept only when the user has none yet (a zone they picked
        is never replaced); True when it was stored. One conditional UPDATE, so two tabs
        sending theirs at once store the first."""
        validate_time_zone(name)
        if not name:
            return False
        cls.objects.get_or_create(user=user)
        return bool(cls.objects.filter(user=user, time_zone="").update(time_zone=name))
