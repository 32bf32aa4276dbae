"""People who log in, and the personal API tokens they hold."""

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from commun.privacy.declarations import ACCOUNTS, Audience, Erasure, not_personal, personal


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra)


class User(AbstractUser):
    """A login: identified by email. Membership is a separate `members.Member`."""

    username = None
    first_name = None
    last_name = None
    email = personal(
        models.EmailField(_("adresse e-mail"), unique=True),
        ACCOUNTS,
        Audience.OFFICERS,
        Erasure.ERASE,
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()

    class Meta:
        verbose_name = _("compte")
        verbose_name_plural = _("comptes")

    def __str__(self):
        return self.email

    @cached_property
    def member(self):
        """The current membership, else the last one ended, else None (one query, cached).

        Numbers grow and an account has one current membership at most, so it is the last.
        """
        return self.memberships.order_by("-number").first()

    def refresh_from_db(self, *args, **kwargs):
        self.__dict__.pop("member", None)
        super().refresh_from_db(*args, **kwargs)

    @property
    def is_officer(self) -> bool:
        member = self.member
        return bool(member and member.is_officer and member.is_active_member)

    @cached_property
    def has_second_factor(self) -> bool:
        """Whether an authenticator app or a security key protects this login (one query)."""
        from allauth.mfa.models import Authenticator

        kinds = [Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
        return Authenticator.objects.filter(user=self, type__in=kinds).exists()

    @property
    def needs_second_factor(self) -> bool:
        """Officers act for the cooperative: their login must not rest on a password alone."""
        return self.is_officer and not self.has_second_factor


class ApiTokenQuerySet(models.QuerySet):
    def usable(self):
        return self.filter(revoked_at__isnull=True)


class ApiToken(models.Model):
    """A personal API token: only its SHA-256 is stored, the secret is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = not_personal(
        models.CharField(_("nom"), max_length=100), "the token's own label, chosen by its owner"
    )
    prefix = models.CharField(max_length=12, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("jeton d'API")
        verbose_name_plural = _("jetons d'API")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash(secret: str) -> str:
        return hashlib.sha256(secret.encode()).hexdigest()

    @classmethod
    def issue(cls, user, name: str) -> tuple["ApiToken", str]:
        """Create a token and return it with its secret, which is never stored."""
        secret = "cmn_" + secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user, name=name, prefix=secret[:12], digest=cls.hash(secret)
        )
        return token, secret

    @classmethod
    def authenticate(cls, secret: str):
        """The active user behind a secret, or None."""
        token = (
            cls.objects.usable()
            .select_related("user")
            .filter(digest=cls.hash(secret), user__is_active=True)
            .first()
        )
        if token is None:
            return None
        # Throttled write: touching last_used_at on every call would make reads write.
        now = timezone.now()
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            cls.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user

    def revoke(self):
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            self.save(update_fields=["revoked_at"])
