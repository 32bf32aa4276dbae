"""People who log in, and the personal API tokens they hold."""

import datetime
import functools
import hashlib
import secrets

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from commun.lib import rows, rules
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
        return rules.is_officer(self)

    @cached_property
    def has_second_factor(self) -> bool:
        """Whether an authenticator app or a security key protects this login (one query)."""
        from commun.accounts.second_factor import factors

        return factors(self.pk).exists()

    def must_prove_second_factor(self, proven: bool) -> bool:
        """Whether this user may not act with a credential (session or token) that `proven`
        says passed a second factor or not. Officers act for the cooperative: they act only
        with one that did, never on a password alone.

        The one rule of the web, the API and tokens (`accounts.second_factor`). A factor
        removed since the credential proved it counts as none. One query for officers.
        """
        return self.is_officer and not (proven and self.has_second_factor)


DEFAULT_TOKEN_DAYS = 90
MAX_TOKEN_DAYS = 365


def default_token_expiry() -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=DEFAULT_TOKEN_DAYS)


class ApiTokenQuerySet(models.QuerySet):
    def usable(self):
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


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
    expires_at = models.DateTimeField(_("expire le"), default=default_token_expiry)
    # Revoking a token revokes the tokens it made, and theirs.
    parent = models.ForeignKey(
        "self",
        verbose_name=_("créé par le jeton"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
        editable=False,
    )
    second_factor = models.BooleanField(
        _("créé après un second facteur"),
        default=False,
        editable=False,
        help_text=_(
            "Créé depuis une session passée par un second facteur, ou par un jeton qui l’était : "
            "seul un tel jeton laisse agir un·e responsable juridique."
        ),
    )

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

    class Unusable(Exception):
        """A revoked or expired token makes no other token."""

    @property
    def expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @classmethod
    def issue(
        cls,
        user,
        name: str,
        days: int = DEFAULT_TOKEN_DAYS,
        parent: "ApiToken | None" = None,
        second_factor: bool = False,
    ) -> tuple["ApiToken", str]:
        """Create a token and return it with its secret, which is never stored.

        `second_factor` says the session creating it passed one; a token made by a token
        takes its parent's instead, and expires no later than it.
        """
        secret = "cmn_" + secrets.token_urlsafe(32)
        now = timezone.now()
        expires_at = now + datetime.timedelta(days=days)
        with transaction.atomic():
            if parent is not None:
                # Locked: a revocation walking the parent's descendants must not miss this one.
                parent = cls.objects.select_for_update().get(pk=parent.pk)
                if parent.user_id != user.pk or parent.revoked_at or parent.expired:
                    raise cls.Unusable
                expires_at = min(expires_at, parent.expires_at)
                second_factor = parent.second_factor
            token = cls.objects.create(
                user=user,
                name=name,
                created_at=now,
                prefix=secret[:12],
                digest=cls.hash(secret),
                expires_at=expires_at,
                parent=parent,
                second_factor=second_factor,
            )
        return token, secret

    @classmethod
    def find(cls, secret: str) -> "ApiToken | None":
        """The unrevoked token of an active user behind a secret, expired or not."""
        with connection.cursor() as cursor:
            cursor.execute(_find_sql(connection.vendor), [cls.hash(secret), True])
            row = cursor.fetchone()
        if row is None:
            return None
        token, user, member = rows.split(row, ApiToken, User, _member_model())
        user.__dict__["member"] = member
        token.user = user
        return token

    def touch(self):
        # Throttled write: touching last_used_at on every call would make reads write.
        now = timezone.now()
        if self.last_used_at is None or (now - self.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=self.pk).update(last_used_at=now)

    def revoke(self) -> int:
        """Revoke this token and every token it made, and theirs, at once; return how many
        were still usable."""
        now = timezone.now()
        family, generation = [], [self.pk]
        with transaction.atomic():
            while generation:
                # Each generation is locked before its children are read, so a child being
                # made at this moment (`issue` locks its parent) is either seen or refused.
                list(ApiToken.objects.select_for_update().filter(pk__in=generation).values("pk"))
                family += generation
                generation = list(
                    ApiToken.objects.filter(parent__in=generation).values_list("pk", flat=True)
                )
            revoked = ApiToken.objects.filter(pk__in=family, revoked_at__isnull=True).update(
                revoked_at=now
            )
        if self.revoked_at is None:
            self.revoked_at = now
        return revoked


def _member_model():
    """The members' model, through the relation `User.member` reads (not imported: accounts
    sits below members)."""
    return User._meta.get_field("memberships").related_model


@functools.cache
def _find_sql(vendor: str) -> str:
    """`ApiToken.find`'s one statement, written by hand (building it through the ORM costs
    more than running it) and once per process: the token, its user and the member every
    permission check asks for (`User.member`: the membership with the highest number)."""
    member = _member_model()
    t, u, m = "t", "u", "m"
    return (
        f"SELECT {', '.join(rows.columns(ApiToken, t) + rows.columns(User, u))}, "  # noqa: S608
        f"{', '.join(rows.columns(member, m))} FROM {rows.table(ApiToken)} {t} "
        f"JOIN {rows.table(User)} {u} ON {u}.id = {t}.user_id "
        f"LEFT JOIN {rows.table(member)} {m} ON {m}.user_id = {u}.id AND {m}.number = "
        f"(SELECT MAX(latest.number) FROM {rows.table(member)} latest "
        f"WHERE latest.user_id = {u}.id) "
        f"WHERE {t}.digest = %s AND {t}.revoked_at IS NULL AND {u}.is_active = %s "
        f"ORDER BY {t}.created_at DESC LIMIT 1"
    )
