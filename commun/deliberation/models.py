"""Where members talk things through: spaces, circles, threads and their comments.

Who may read and who may write is answered once, here: `Space.can_read`, `Space.can_post`,
`Space.objects.readable_by` and `Space.readers`. Pages, the API, notifications and search
all ask them, so nobody hears of a thread they may not read. Which of them each action
needs is declared in `rules.py`.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Case, Count, F, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Coalesce, Greatest, Lower
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from commun.deliberation import mentions, rules
from commun.deliberation.signals import comment_written
from commun.lib import markdown
from commun.lib.dates import date_format
from commun.lib.rules import active_member, as_member, is_officer
from commun.lib.text import clean_text
from commun.members.models import Category, College, Member
from commun.privacy.declarations import (
    DELIBERATION,
    NOTIFICATIONS,
    Audience,
    Erasure,
    not_personal,
    personal,
)

MAX_BODY_LENGTH = 20_000
MAX_TITLE_LENGTH = 200


def _college_id(member: Member) -> int | None:
    return member.category.college_id


def _circle_ids(member: Member) -> set[int]:
    """The circles a member belongs to, read once per member object."""
    if not hasattr(member, "_circle_ids"):
        member._circle_ids = set(
            CircleMembership.objects.filter(member=member).values_list("circle_id", flat=True)
        )
    return member._circle_ids


def _unique_slug(model, base: str, exclude_pk=None, max_length=120) -> str:
    base = (slugify(base) or "espace")[: max_length - 8]
    slug, n = base, 1
    while model.objects.filter(slug=slug).exclude(pk=exclude_pk).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _latest(moment):
    # Two comments committing out of order must not move the activity date backwards.
    return Greatest(Coalesce(F("last_activity_at"), Value(moment)), Value(moment))


# Circles ------------------------------------------------------------------------------------


class Circle(models.Model):
    """A working circle that any member joins or leaves freely."""

    name = models.CharField(_("nom"), max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True)
    description = models.TextField(_("description"), blank=True)
    members = models.ManyToManyField(Member, through="CircleMembership", related_name="circles")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("cercle de travail")
        verbose_name_plural = _("cercles de travail")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("deliberation:circle", args=[self.slug])

    @classmethod
    def found(cls, name: str, description: str, by, visibility=None) -> "Circle":
        """Create a circle with its space; whoever founds it is its first member."""
        founder = rules.require(by, "found_circle")
        name = clean_text(name, "name", _("Donnez un nom au cercle."), 120)
        visibility = visibility or Space.Visibility.MEMBERS
        if visibility not in (Space.Visibility.MEMBERS, Space.Visibility.CIRCLE):
            raise ValidationError(
                {"visibility": _("Un cercle est lisible par les associé·es ou par ses membres.")}
            )
        if cls.objects.filter(name__iexact=name).exists():
            raise ValidationError({"name": _("Un cercle porte déjà ce nom.")})
        base = slugify(name) or "cercle"
        # A slug made of digits would read as a member number in an @mention, and
        # « nouveau » is the address of the form that creates circles.
        if mentions.member_number(base) is not None or base == "nouveau":
            base = f"cercle-{base}"
        with transaction.atomic():
            circle = cls.objects.create(
                name=name,
                slug=_unique_slug(cls, base),
                description=(description or "").strip()[:MAX_BODY_LENGTH],
            )
            Space.objects.filter(circle=circle).update(visibility=visibility)
            CircleMembership.objects.create(circle=circle, member=founder)
        founder.__dict__.pop("_circle_ids", None)
        return circle

    def has_member(self, who) -> bool:
        member = as_member(who)
        return member is not None and self.pk in _circle_ids(member)

    def join(self, who) -> bool:
        """Join freely; True when the member was not in the circle yet."""
        member = rules.require(who, "join_circle", self)
        with transaction.atomic():
            _membership, created = CircleMembership.objects.get_or_create(
                circle=self, member=member
            )
        member.__dict__.pop("_circle_ids", None)
        return created

    def leave(self, who) -> bool:
        """Leave freely; True when the member was in the circle."""
        member = as_member(who)
        if member is None:
            raise PermissionDenied(_("Vous n'êtes pas membre de ce cercle."))
        with transaction.atomic():
            deleted, _rows = CircleMembership.objects.filter(circle=self, member=member).delete()
        member.__dict__.pop("_circle_ids", None)
        return bool(deleted)


class CircleMembership(models.Model):
    circle = models.ForeignKey(Circle, on_delete=models.CASCADE, related_name="memberships")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="circle_memberships")
    joined_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["circle", "member"], name="one_membership_per_circle")
        ]

    def __str__(self):
        return f"{self.member} — {self.circle}"


# Spaces -------------------------------------------------------------------------------------


class SpaceQuerySet(models.QuerySet):
    def readable_by(self, who):
        """The spaces `who` may read (a user, a member or None)."""
        member = active_member(who)
        if member is None:
            return self.filter(visibility=Space.Visibility.PUBLIC)
        college = Category.objects.filter(pk=member.category_id).values("college_id")
        circles = CircleMembership.objects.filter(member=member).values("circle_id")
        return self.filter(
            Q(visibility__in=[Space.Visibility.PUBLIC, Space.Visibility.MEMBERS])
            | Q(visibility=Space.Visibility.COLLEGE, college_id__in=college)
            | Q(visibility=Space.Visibility.CIRCLE, circle_id__in=circles)
        )

    def cooperative(self) -> "Space":
        space, _created = self.get_or_create(
            kind=Space.Kind.COOPERATIVE,
            defaults={"name": str(_("Toute la coopérative")), "slug": "cooperative"},
        )
        return space

    def ensure_all(self):
        """Create the spaces that are missing: the cooperative's, and one per college and circle.

        Signals create them as colleges and circles appear; this catches rows written
        without signals (fixtures, bulk inserts) and a database flushed by tests.
        """
        self.cooperative()
        for college in College.objects.filter(space__isnull=True):
            self.for_college(college)
        for circle in Circle.objects.filter(space__isnull=True):
            self.for_circle(circle)

    def for_college(self, college: College) -> "Space":
        space = self.filter(college=college).first()
        if space is None:
            with transaction.atomic():
                space = self.create(
                    kind=Space.Kind.COLLEGE,
                    college=college,
                    name=college.name,
                    slug=_unique_slug(Space, f"college-{college.name}"),
                )
        return space

    def for_circle(self, circle: Circle) -> "Space":
        space = self.filter(circle=circle).first()
        if space is None:
            with transaction.atomic():
                space = self.create(
                    kind=Space.Kind.CIRCLE,
                    circle=circle,
                    name=circle.name,
                    slug=_unique_slug(Space, f"cercle-{circle.slug}"),
                )
        return space


class Space(models.Model):
    """A place for threads: the whole cooperative, one college, or one circle."""

    class Kind(models.TextChoices):
        COOPERATIVE = "cooperative", _("Toute la coopérative")
        COLLEGE = "college", _("Collège")
        CIRCLE = "circle", _("Cercle de travail")

    class Visibility(models.TextChoices):
        PUBLIC = "public", _("Public")
        MEMBERS = "members", _("Associé·es")
        COLLEGE = "college", _("Membres du collège")
        CIRCLE = "circle", _("Membres du cercle")

    kind = models.CharField(_("type"), max_length=20, choices=Kind)
    name = models.CharField(_("nom"), max_length=120)
    slug = models.SlugField(max_length=120, unique=True)
    college = models.OneToOneField(
        College, on_delete=models.CASCADE, null=True, blank=True, related_name="space"
    )
    circle = models.OneToOneField(
        Circle, on_delete=models.CASCADE, null=True, blank=True, related_name="space"
    )
    visibility = models.CharField(
        _("visibilité"), max_length=20, choices=Visibility, default=Visibility.MEMBERS
    )
    # Kept with F() as threads open and comments arrive: the spaces list never counts.
    thread_count = models.PositiveIntegerField(default=0, editable=False)
    last_activity_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = SpaceQuerySet.as_manager()

    class Meta:
        verbose_name = _("espace")
        verbose_name_plural = _("espaces")
        ordering = ["kind", "name"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(kind="cooperative") & Q(college__isnull=True) & Q(circle__isnull=True))
                | (Q(kind="college") & Q(college__isnull=False) & Q(circle__isnull=True))
                | (Q(kind="circle") & Q(circle__isnull=False) & Q(college__isnull=True)),
                name="space_kind_matches_its_scope",
            ),
            models.UniqueConstraint(
                fields=["kind"], condition=Q(kind="cooperative"), name="one_cooperative_space"
            ),
            models.CheckConstraint(
                condition=(~Q(visibility="college") | Q(kind="college"))
                & (~Q(visibility="circle") | Q(kind="circle")),
                name="space_visibility_fits_its_kind",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("deliberation:space", args=[self.slug])

    @property
    def display_name(self) -> str:
        """The cooperative's space is named in the reader's language."""
        if self.kind == self.Kind.COOPERATIVE:
            return str(self.Kind.COOPERATIVE.label)
        return self.name

    def visibility_choices(self) -> list[tuple[str, str]]:
        """The visibilities that make sense for this kind of space."""
        allowed = [self.Visibility.PUBLIC, self.Visibility.MEMBERS]
        if self.kind == self.Kind.COLLEGE:
            allowed.append(self.Visibility.COLLEGE)
        if self.kind == self.Kind.CIRCLE:
            allowed.append(self.Visibility.CIRCLE)
        return [(v.value, v.label) for v in allowed]

    def in_scope(self, who) -> bool:
        """Whether an active member belongs where this space is: its college, its circle."""
        member = active_member(who)
        if member is None:
            return False
        if self.kind == self.Kind.COLLEGE:
            return _college_id(member) == self.college_id
        if self.kind == self.Kind.CIRCLE:
            return self.circle_id in _circle_ids(member)
        return True

    def can_read(self, who) -> bool:
        if self.visibility == self.Visibility.PUBLIC:
            return True
        if active_member(who) is None:
            return False
        if self.visibility == self.Visibility.MEMBERS:
            return True
        return self.in_scope(who)

    def can_post(self, who) -> bool:
        """Active members of the space's scope who may read it open threads and comment."""
        return self.in_scope(who) and self.can_read(who)

    def can_moderate(self, who) -> bool:
        """Officers lock threads and set the visibility of the spaces they may read."""
        return is_officer(who) and self.can_read(who)

    def readers(self):
        """The members who may read this space (every active member of its audience)."""
        members = Member.objects.active()
        if self.visibility == self.Visibility.COLLEGE:
            return members.filter(category__college_id=self.college_id)
        if self.visibility == self.Visibility.CIRCLE:
            return members.filter(circle_memberships__circle_id=self.circle_id)
        return members

    def set_visibility(self, visibility: str, by) -> None:
        rules.require(by, "set_visibility", self)
        if visibility not in dict(self.visibility_choices()):
            raise ValidationError(
                {"visibility": _("Cette visibilité ne convient pas à cet espace.")}
            )
        with transaction.atomic():
            self.visibility = visibility
            self.save(update_fields=["visibility"])

    def start_thread(self, author, title: str, body: str) -> "Thread":
        """Open a thread whose first comment is `body`."""
        member = rules.require(author, "start_thread", self)
        title = " ".join((title or "").split())  # one line: it is also an email's subject
        title = clean_text(title, "title", _("Donnez un titre au fil."), MAX_TITLE_LENGTH)
        body = clean_text(body, "body", _("Écrivez le premier message du fil."), MAX_BODY_LENGTH)
        with transaction.atomic():
            now = timezone.now()
            thread = Thread.objects.create(
                space=self, title=title, author=member, created_at=now, last_activity_at=now
            )
            Space.objects.filter(pk=self.pk).update(
                thread_count=F("thread_count") + 1, last_activity_at=_latest(now)
            )
            thread.space = self
            thread.post_comment(member, body)
        thread.refresh_from_db()
        return thread


# Threads ------------------------------------------------------------------------------------


class ThreadQuerySet(models.QuerySet):
    def readable_by(self, who):
        return self.filter(space__in=Space.objects.readable_by(who))

    def with_unread(self, who):
        """Annotate `unread_count` for `who`: one subquery per listed thread, never a loop."""
        member = active_member(who)
        if member is None:
            return self.annotate(
                unread_count=Value(0), last_read_at=Value(None, models.DateTimeField())
            )
        mark = ReadMark.objects.filter(thread=OuterRef("pk"), member=member)
        newer = (
            Comment.objects.filter(thread=OuterRef("pk"), created_at__gt=OuterRef("last_read_at"))
            .order_by()
            .values("thread")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return self.annotate(last_read_at=Subquery(mark.values("last_read_at")[:1])).annotate(
            unread_count=Case(
                When(last_read_at__isnull=True, then=F("comment_count")),
                When(last_read_at__gte=F("last_activity_at"), then=Value(0)),
                default=Coalesce(Subquery(newer), Value(0)),
                output_field=models.IntegerField(),
            )
        )


class Thread(models.Model):
    """A conversation in a space; decisions are attached to threads."""

    space = models.ForeignKey(Space, on_delete=models.PROTECT, related_name="threads")
    title = models.CharField(_("titre"), max_length=200)
    author = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="threads")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_activity_at = models.DateTimeField(default=timezone.now, db_index=True)
    comment_count = models.PositiveIntegerField(default=0, editable=False)
    is_locked = models.BooleanField(_("fermé aux commentaires"), default=False)

    objects = ThreadQuerySet.as_manager()

    class Meta:
        verbose_name = _("fil de discussion")
        verbose_name_plural = _("fils de discussion")
        ordering = ["-last_activity_at"]
        indexes = [models.Index(fields=["space", "-last_activity_at"])]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("deliberation:thread", args=[self.pk])

    def can_read(self, who) -> bool:
        return self.space.can_read(who)

    def can_post(self, who) -> bool:
        return not self.is_locked and self.space.can_post(who)

    def can_lock(self, who) -> bool:
        member = active_member(who)
        return bool(member and (member.pk == self.author_id or self.space.can_moderate(member)))

    def post_comment(self, author, body: str, parent: "Comment | None" = None) -> "Comment":
        """Add a comment (a reply when `parent` is given) and notify who should hear of it."""
        member = rules.require(author, "post_comment", self)
        body = clean_text(body, "body", _("Écrivez votre commentaire."), MAX_BODY_LENGTH)
        if parent is not None and parent.thread_id != self.pk:
            raise ValidationError({"parent": _("Ce commentaire n'appartient pas à ce fil.")})
        # One level of replies: answering a reply joins the conversation of its root.
        root = None
        if parent is not None:
            root = parent if parent.parent_id is None else parent.parent
        html, mentioned = Comment.render(body)
        with transaction.atomic():
            now = timezone.now()
            # Counted only while open, in one statement that also locks the thread: a lock
            # taken meanwhile waits for this comment, or this comment sees it.
            counted = Thread.objects.filter(pk=self.pk, is_locked=False).update(
                comment_count=F("comment_count") + 1, last_activity_at=_latest(now)
            )
            if not counted:
                raise ValidationError(_("Ce fil est fermé aux commentaires."))
            comment = Comment.objects.create(
                thread=self,
                author=member,
                parent=root,
                body=body,
                body_html=html,
                created_at=now,
            )
            Space.objects.filter(pk=self.space_id).update(last_activity_at=_latest(now))
            # Followed (unless opted out) and read up to here: one upsert each, no savepoint.
            Subscription.objects.bulk_create(
                [Subscription(thread=self, member=member)], ignore_conflicts=True
            )
            ReadMark.objects.advance(self, member, now)
            replied_to = {parent.author_id, root.author_id} if parent else set()
            comment_written.send(
                Comment, comment=comment, mentioned=mentioned, replied_to=replied_to
            )
        self.refresh_from_db(fields=["comment_count", "last_activity_at"])
        return comment

    def set_locked(self, locked: bool, by) -> None:
        rules.require(by, "lock_thread", self)
        with transaction.atomic():
            Thread.objects.filter(pk=self.pk).update(is_locked=locked)
        self.is_locked = locked

    def mark_read(self, who, at=None) -> datetime.datetime | None:
        """Record that `who` has read up to now; return when they had read before, if ever."""
        member = active_member(who)
        if member is None:
            return None
        at = at or timezone.now()
        with transaction.atomic():
            mark = ReadMark.objects.select_for_update().filter(thread=self, member=member).first()
            if mark is None:
                try:
                    with transaction.atomic():
                        ReadMark.objects.create(thread=self, member=member, last_read_at=at)
                except IntegrityError:
                    pass  # the same person's other tab marked it meanwhile
                return None
            if mark.last_read_at < at:
                ReadMark.objects.filter(pk=mark.pk).update(last_read_at=at)
            return mark.last_read_at

    def is_subscribed(self, who) -> bool:
        member = as_member(who)
        if member is None:
            return False
        return Subscription.objects.filter(thread=self, member=member, is_active=True).exists()

    def subscribe(self, who, subscribed: bool = True) -> None:
        """Follow or stop following; an explicit choice outlasts later automatic subscription."""
        member = rules.require(who, "subscribe", self)
        with transaction.atomic():
            Subscription.objects.update_or_create(
                thread=self, member=member, defaults={"is_active": subscribed}
            )


# Comments -----------------------------------------------------------------------------------


class Comment(models.Model):
    """A message in a thread, in Markdown; its HTML is sanitised once, when written."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="comments")
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
    )
    # What a member wrote stays with the discussion; erasing their account renames the author.
    body = personal(
        models.TextField(_("message (Markdown)"), max_length=MAX_BODY_LENGTH),
        DELIBERATION,
        Audience.SPACE,
        Erasure.PSEUDONYMISE,
    )
    body_html = personal(
        models.TextField(_("message mis en forme"), editable=False),
        DELIBERATION,
        Audience.SPACE,
        Erasure.PSEUDONYMISE,
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    edited_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("commentaire")
        verbose_name_plural = _("commentaires")
        ordering = ["pk"]
        indexes = [models.Index(fields=["thread", "created_at"])]
        constraints = [
            models.CheckConstraint(condition=~Q(parent=F("pk")), name="comment_not_its_own_parent")
        ]

    def __str__(self):
        return f"{self.author} — {self.body[:40]}"

    def get_absolute_url(self):
        return reverse("deliberation:comment", args=[self.pk])

    @staticmethod
    def render(body: str) -> tuple[str, "Mentions"]:
        """Sanitised HTML with its @mentions linked, and whom it mentions."""
        html = markdown.render(body)
        found = Mentions.resolve(mentions.handles_in(html))
        return mentions.link(html, found.urls), found

    def can_edit(self, who) -> bool:
        member = active_member(who)
        return bool(
            member
            and member.pk == self.author_id
            and not self.thread.is_locked
            and self.thread.space.can_post(member)
        )

    def can_react(self, who) -> bool:
        return self.thread.space.can_post(who)

    def edit(self, by, body: str) -> "Comment":
        """Change the text; the previous one is kept as a revision anyone who reads sees."""
        rules.require(by, "edit_comment", self)
        body = clean_text(body, "body", _("Écrivez votre commentaire."), MAX_BODY_LENGTH)
        with transaction.atomic():
            # Locked so two edits at once each keep the other's text in the history.
            comment = Comment.objects.select_for_update().get(pk=self.pk)
            if comment.body == body:
                return self
            CommentRevision.objects.create(
                comment=comment,
                body=comment.body,
                body_html=comment.body_html,
                written_at=comment.edited_at or comment.created_at,
            )
            html, mentioned = Comment.render(body)
            comment.body, comment.body_html, comment.edited_at = body, html, timezone.now()
            comment.save(update_fields=["body", "body_html", "edited_at"])
            # Only people newly mentioned hear of it: each person is told once per comment.
            comment_written.send(Comment, comment=comment, mentioned=mentioned, subscribers=False)
        self.body, self.body_html, self.edited_at = (
            comment.body,
            comment.body_html,
            comment.edited_at,
        )
        return self

    def toggle_reaction(self, who, kind: str) -> bool:
        """Add the reaction, or take it back; True when it is now there."""
        if kind not in Reaction.Kind.values:
            raise ValidationError({"kind": _("Cette réaction n'existe pas.")})
        member = rules.require(who, "react", self)
        with transaction.atomic():
            deleted, _rows = Reaction.objects.filter(
                comment=self, member=member, kind=kind
            ).delete()
            if deleted:
                return False
            try:
                with transaction.atomic():
                    Reaction.objects.create(comment=self, member=member, kind=kind)
            except IntegrityError:
                pass  # a double click created it already: the unique constraint keeps one
            return True


class CommentRevision(models.Model):
    """A comment's earlier text, kept when it is edited."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="revisions")
    body = personal(
        models.TextField(_("message (Markdown)")),
        DELIBERATION,
        Audience.SPACE,
        Erasure.PSEUDONYMISE,
    )
    body_html = personal(
        models.TextField(_("message mis en forme")),
        DELIBERATION,
        Audience.SPACE,
        Erasure.PSEUDONYMISE,
    )
    written_at = models.DateTimeField()
    replaced_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("version d'un commentaire")
        verbose_name_plural = _("versions de commentaires")
        ordering = ["comment", "-replaced_at", "-pk"]

    def __str__(self):
        return f"{self.comment_id} @ {self.written_at:%Y-%m-%d %H:%M}"


class Mentions:
    """Who a text mentions: members (by number or pseudonym) and circles (by slug)."""

    def __init__(self, members=(), circles=(), urls=None):
        self.members = list(members)
        self.circles = list(circles)
        self.urls = urls or {}

    @classmethod
    def resolve(cls, handles: list[str]) -> "Mentions":
        if not handles:
            return cls()
        directory = reverse("members:directory")
        urls, members, circles = {}, {}, {}
        numbers = {h: mentions.member_number(h) for h in handles}
        by_number = {
            m.number: m
            for m in Member.objects.active().filter(number__in=[n for n in numbers.values() if n])
        }
        for handle, number in numbers.items():
            if number in by_number:
                members[by_number[number].pk] = by_number[number]
                urls[handle] = f"{directory}?q={number}"
        words = [h for h, n in numbers.items() if n is None]
        for circle in Circle.objects.filter(slug__in=words):
            circles[circle.pk] = circle
            urls[circle.slug] = circle.get_absolute_url()
        words = [w for w in words if w not in urls]
        if words:
            # A pseudonym two people share names nobody: @number always works.
            found: dict[str, list[Member]] = {}
            named = Member.objects.active().annotate(handle=Lower("pseudonym"))
            for member in named.filter(handle__in=words):
                found.setdefault(member.handle, []).append(member)
            for handle, people in found.items():
                if len(people) == 1:
                    members[people[0].pk] = people[0]
                    urls[handle] = f"{directory}?q={handle}"
        return cls(members.values(), circles.values(), urls)

    def member_ids(self) -> set[int]:
        ids = {m.pk for m in self.members}
        if self.circles:
            ids |= set(
                CircleMembership.objects.filter(circle__in=self.circles).values_list(
                    "member_id", flat=True
                )
            )
        return ids


class Reaction(models.Model):
    """A small sign of agreement or attention: one of each kind per member and comment."""

    class Kind(models.TextChoices):
        AGREE = "agree", _("D'accord")
        LOVE = "love", _("J'adore")
        BRAVO = "bravo", _("Bravo")
        PUZZLED = "puzzled", _("Perplexe")
        WATCHING = "watching", _("Je regarde")

    EMOJI = {"agree": "👍", "love": "❤️", "bravo": "🎉", "puzzled": "🤔", "watching": "👀"}

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="reactions")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="reactions")
    kind = models.CharField(_("réaction"), max_length=20, choices=Kind)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["comment", "member", "kind"], name="one_reaction_of_a_kind"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["agree", "love", "bravo", "puzzled", "watching"]),
                name="reaction_kind_known",
            ),
        ]

    def __str__(self):
        return f"{self.member} {self.EMOJI.get(self.kind, self.kind)}"

    @classmethod
    def summary(cls, comments, who) -> dict[int, list[dict]]:
        """For each comment: every kind with its count and whether `who` chose it (2 queries)."""
        ids = [c.pk for c in comments]
        counts: dict[tuple[int, str], int] = {}
        for row in (
            cls.objects.filter(comment_id__in=ids)
            .values("comment_id", "kind")
            .annotate(n=Count("pk"))
            .order_by()
        ):
            counts[(row["comment_id"], row["kind"])] = row["n"]
        member = as_member(who)
        mine = set()
        if member is not None and counts:
            mine = set(
                cls.objects.filter(comment_id__in=ids, member=member).values_list(
                    "comment_id", "kind"
                )
            )
        return {
            pk: [
                {
                    "kind": kind.value,
                    "label": str(kind.label),
                    "emoji": cls.EMOJI[kind.value],
                    "count": counts.get((pk, kind.value), 0),
                    "mine": (pk, kind.value) in mine,
                }
                for kind in cls.Kind
            ]
            for pk in ids
        }


# Following and reading ----------------------------------------------------------------------


class Subscription(models.Model):
    """Who hears of new comments in a thread; `is_active=False` records an explicit opt-out."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="subscriptions")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="subscriptions")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["thread", "member"], name="one_subscription_per_thread")
        ]

    def __str__(self):
        return f"{self.member} → {self.thread}"


class ReadMarkQuerySet(models.QuerySet):
    def advance(self, thread, member, at) -> None:
        """`member` has read `thread` up to `at`, never moved back: one upsert."""
        table = connection.ops.quote_name(ReadMark._meta.db_table)
        at = ReadMark._meta.get_field("last_read_at").get_db_prep_save(at, connection)
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (thread_id, member_id, last_read_at) "  # noqa: S608
                "VALUES (%s, %s, %s) ON CONFLICT (thread_id, member_id) DO UPDATE "
                f"SET last_read_at = excluded.last_read_at "
                f"WHERE {table}.last_read_at < excluded.last_read_at",
                [thread.pk, member.pk, at],
            )


class ReadMark(models.Model):
    """Up to when a member has read a thread."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="read_marks")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="read_marks")
    last_read_at = models.DateTimeField()

    objects = ReadMarkQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["thread", "member"], name="one_read_mark_per_thread")
        ]

    def __str__(self):
        return f"{self.member} → {self.thread} ({self.last_read_at:%Y-%m-%d %H:%M})"


# Notifications ------------------------------------------------------------------------------


class NotificationQuerySet(models.QuerySet):
    def for_member(self, who):
        """A member's notifications about what they may still read."""
        member = as_member(who)
        if member is None:
            return self.none()
        return self.filter(member=member, thread__space__in=Space.objects.readable_by(member))

    def unread(self):
        return self.filter(read_at__isnull=True)

    def mark_read(self) -> int:
        return self.unread().update(read_at=timezone.now())


class Notification(models.Model):
    """Something a member should know about, shown in the bell and sent by email.

    About a comment (`comment` set), or about a decision that asks for the member's voice
    (`decision` set, with the round it opened: 0 when a consent decision opens, before any
    round). The decisions app creates the latter; a string reference avoids importing it.
    """

    class Kind(models.TextChoices):
        COMMENT = "comment", _("Nouveau commentaire dans un fil suivi")
        REPLY = "reply", _("Réponse à votre commentaire")
        MENTION = "mention", _("Mention")
        DECISION = "decision", _("Une proposition vous concerne")
        VOTE = "vote", _("Un vote vous concerne")
        ROUND = "round", _("Un tour d'objections est ouvert")

    DECISION_KINDS = (Kind.DECISION, Kind.VOTE, Kind.ROUND)

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("motif"), max_length=20, choices=Kind)
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="+")
    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    decision = models.ForeignKey(
        "decisions.Decision", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    round_number = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = not_personal(
        models.DateTimeField(null=True, blank=True), "when a notice was emailed, not an address"
    )

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["member", "-created_at"]),
            models.Index(
                fields=["member"], condition=Q(read_at__isnull=True), name="notification_unread"
            ),
            models.Index(
                fields=["member"],
                condition=Q(emailed_at__isnull=True, read_at__isnull=True),
                name="notification_to_email",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "comment"], name="one_notification_per_comment"
            ),
            # Told once per step of a decision, however often the task runs.
            models.UniqueConstraint(
                fields=["member", "decision", "round_number"],
                condition=Q(decision__isnull=False),
                name="one_notification_per_decision_step",
            ),
            models.CheckConstraint(
                condition=Q(comment__isnull=False) | Q(decision__isnull=False),
                name="notification_is_about_something",
            ),
        ]

    def __str__(self):
        return f"{self.member}: {self.get_kind_display()}"

    def get_absolute_url(self):
        if self.decision_id:
            return reverse("decisions:detail", args=[self.decision_id])
        return reverse("deliberation:comment", args=[self.comment_id])

    @property
    def actor(self) -> Member:
        """Whose action this tells of: the comment's author, or the decision's."""
        return self.decision.author if self.decision_id else self.comment.author

    def excerpt(self) -> str:
        """A few words under the sentence: the comment, or where the decision stands."""
        if not self.decision_id:
            return self.comment.body[:300]
        decision = self.decision
        if decision.closes_at is None:
            return str(decision.get_phase_display())
        return _("%(phase)s — échéance : %(when)s") % {
            "phase": decision.get_phase_display(),
            "when": date_format(timezone.localtime(decision.closes_at), "DATETIME_FORMAT"),
        }

    def sentence(self, author_name: str) -> str:
        """What happened, in a sentence, for the in-app list and the emails."""
        if self.decision_id:
            values = {
                "author": author_name,
                "title": self.decision.title,
                "number": self.round_number,
            }
            if self.kind == self.Kind.VOTE:
                return _("%(author)s ouvre un vote qui vous concerne : « %(title)s »") % values
            if self.kind == self.Kind.ROUND:
                return (
                    _("Tour d'objections n°%(number)s sur « %(title)s » : donnez votre position")
                    % values
                )
            return _("%(author)s propose « %(title)s » : la décision vous concerne") % values
        values = {"author": author_name, "title": self.thread.title}
        if self.kind == self.Kind.MENTION:
            return _("%(author)s vous a mentionné·e dans « %(title)s »") % values
        if self.kind == self.Kind.REPLY:
            return _("%(author)s a répondu à votre commentaire dans « %(title)s »") % values
        return _("%(author)s a commenté « %(title)s »") % values


class NotificationPreference(models.Model):
    """How a member wants to hear of notifications by email (in-app they always appear)."""

    class Email(models.TextChoices):
        IMMEDIATE = "immediate", _("Tout de suite, un e-mail par notification")
        DIGEST = "digest", _("Un résumé par jour")
        NONE = "none", _("Jamais : seulement sur le site")

    member = models.OneToOneField(
        Member, on_delete=models.CASCADE, related_name="notification_preference"
    )
    email = personal(
        models.CharField(
            _("e-mails de notification"), max_length=20, choices=Email, default=Email.DIGEST
        ),
        NOTIFICATIONS,
        Audience.NOBODY,
        Erasure.ERASE,
    )

    class Meta:
        verbose_name = _("préférence de notification")
        verbose_name_plural = _("préférences de notification")

    def __str__(self):
        return f"{self.member}: {self.get_email_display()}"

    @classmethod
    def of(cls, member: Member) -> "NotificationPreference":
        """The member's preference, or the default (a daily digest) unsaved."""
        return cls.objects.filter(member=member).first() or cls(member=member)

    @classmethod
    def choose(cls, member: Member, email: str) -> "NotificationPreference":
        if email not in cls.Email.values:
            raise ValidationError({"email": _("Choisissez parmi les options proposées.")})
        with transaction.atomic():
            preference, _created = cls.objects.update_or_create(
                member=member, defaults={"email": email}
            )
        return preference


# Spaces follow colleges and circles ---------------------------------------------------------


@receiver(post_save, sender=College, dispatch_uid="deliberation_college_space")
def _college_saved(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    if created:
        Space.objects.for_college(instance)
    else:
        Space.objects.filter(college=instance).exclude(name=instance.name).update(
            name=instance.name
        )


@receiver(post_save, sender=Circle, dispatch_uid="deliberation_circle_space")
def _circle_saved(sender, instance, created, raw=False, **kwargs):
    if raw:
        return
    if created:
        Space.objects.for_circle(instance)
    else:
        Space.objects.filter(circle=instance).exclude(name=instance.name).update(name=instance.name)


# Search -------------------------------------------------------------------------------------

MAX_QUERY_LENGTH = 200


def search(query: str, viewer):
    """Threads `viewer` may read whose title or one of whose comments matches `query`.

    PostgreSQL searches words with the French dictionary (so « décisions » finds
    « décision »); SQLite, a development database, looks for each word as written.
    Each thread carries `first_match_id`, its first matching comment, if any.
    """
    query = " ".join((query or "").split())[:MAX_QUERY_LENGTH]
    threads = Thread.objects.readable_by(viewer)
    if not query:
        return threads.none()
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchVector

        terms = SearchQuery(query, config="french", search_type="websearch")
        matching = Comment.objects.annotate(document=SearchVector("body", config="french")).filter(
            document=terms
        )
        titled = Thread.objects.annotate(document=SearchVector("title", config="french"))
        # Two subqueries the GIN indexes of migration 0004 answer (PostgreSQL only).
        in_title = Q(pk__in=titled.filter(document=terms).values("pk"))
    else:
        words = query.split()[:10]
        matching = Comment.objects.filter(*[Q(body__icontains=word) for word in words])
        in_title = Q(*[Q(title__icontains=word) for word in words])
    first = matching.filter(thread=OuterRef("pk")).order_by("pk").values("pk")[:1]
    return (
        threads.filter(in_title | Q(pk__in=matching.values("thread_id")))
        .annotate(first_match_id=Subquery(first))
        .select_related("space", "author")
        .order_by("-last_activity_at", "-pk")
    )
