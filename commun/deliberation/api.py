"""API of the deliberation app: spaces, threads, comments, reactions, circles, notifications.

Thin like the web views, and through the same model methods. What the caller may not
read answers 404; what they read but may not do answers 403; bad input answers 422.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.decorators import decorate_view
from ninja.pagination import paginate

from commun.api_auth import authenticated, public
from commun.api_helpers import Pages, members_only
from commun.core.replica import public_read
from commun.deliberation import reading
from commun.deliberation.models import (
    Circle,
    Comment,
    Notification,
    NotificationPreference,
    Reaction,
    Space,
    Thread,
    search,
)
from commun.deliberation.schemas import (
    CircleIn,
    CircleOut,
    CommentIn,
    CommentOut,
    CommentPatch,
    MarkedOut,
    MarkReadIn,
    MembershipOut,
    NotificationOut,
    PreferenceIn,
    PreferenceOut,
    ReactionIn,
    ReactionsOut,
    RevisionOut,
    SearchHit,
    SearchQueryIn,
    SpaceOut,
    SubscriptionOut,
    ThreadDetail,
    ThreadIn,
    ThreadOut,
)
from commun.lib.ids import MAX_API_ID
from commun.web import viewer_of

router = Router(tags=["Délibération"])
Id = Path(..., ge=1, le=MAX_API_ID)
Slug = Path(..., max_length=120, pattern=r"^[-\w]+$")


class CommentPage(Schema):
    page: int = Field(1, ge=1, le=10_000_000)


def _space(request, slug: str) -> Space:
    space = get_object_or_404(Space.objects.select_related("college", "circle"), slug=slug)
    if not space.can_read(viewer_of(request)):
        raise Http404
    return space


def _thread(request, pk: int) -> Thread:
    thread = get_object_or_404(
        Thread.objects.select_related("space__college", "space__circle", "author"), pk=pk
    )
    if not thread.can_read(viewer_of(request)):
        raise Http404
    return thread


def _comment(request, pk: int) -> Comment:
    comment = get_object_or_404(
        Comment.objects.select_related("author", "thread__space__college", "thread__space__circle"),
        pk=pk,
    )
    if not comment.thread.can_read(viewer_of(request)):
        raise Http404
    return comment


def _named(threads, viewer):
    for thread in threads:
        thread.author_name = thread.author.name_for(viewer)
        if viewer is None or not viewer.is_active_member:
            thread.unread_count = None
    return threads


def _comment_out(comment: Comment, viewer) -> Comment:
    reading.decorate([comment], viewer, comment.thread)
    return comment


# Spaces and threads -------------------------------------------------------------------------


@router.get("/spaces", auth=public, response=list[SpaceOut])
@decorate_view(public_read)
def list_spaces(request):
    """The spaces the caller may read."""
    Space.objects.ensure_all()
    viewer = viewer_of(request)
    spaces = list(
        Space.objects.readable_by(viewer)
        .select_related("college", "circle")
        .order_by(reading.KIND_ORDER, "name")
    )
    for space in spaces:
        space.postable = space.can_post(viewer)
    return spaces


@router.get("/spaces/{slug}", auth=public, response=SpaceOut)
@decorate_view(public_read)
def get_space(request, slug: str = Slug):
    space = _space(request, slug)
    space.postable = space.can_post(viewer_of(request))
    return space


@router.get("/spaces/{slug}/threads", auth=public, response=list[ThreadOut])
@decorate_view(public_read)
@paginate(Pages)
def list_threads(request, slug: str = Slug):
    """A space's threads, most recently active first, with the caller's unread counts."""
    viewer = viewer_of(request)
    space = _space(request, slug)
    threads = space.threads.select_related("space", "author").with_unread(viewer)
    return _NamedPage(threads, viewer)


class _NamedPage:
    """A queryset whose sliced page gets its names set: the paginator slices, then we name."""

    def __init__(self, queryset, viewer):
        self.queryset, self.viewer = queryset, viewer

    def count(self):
        return self.queryset.count()

    def __len__(self):
        return self.count()

    def __getitem__(self, item):
        return _named(list(self.queryset[item]), self.viewer)


@router.post("/spaces/{slug}/threads", auth=authenticated, response={201: ThreadOut})
def start_thread(request, payload: ThreadIn, slug: str = Slug):
    """Open a thread; its first comment is `body`."""
    space = _space(request, slug)
    viewer = members_only(request)
    thread = space.start_thread(viewer, payload.title, payload.body)
    thread.space = space
    thread.author = viewer
    return Status(201, _named([thread], viewer)[0])


@router.get("/threads/{thread_id}", auth=public, response=ThreadDetail)
@decorate_view(public_read)
def get_thread(request, thread_id: int = Id, query: Query[CommentPage] = None):
    """A thread with one page of its comments (50, replies after their comment)."""
    viewer = viewer_of(request)
    thread = _thread(request, thread_id)
    paginator = Paginator(reading.ordered_comments(thread), reading.COMMENTS_PAGE_SIZE)
    paginator.__dict__["count"] = thread.comment_count
    page = paginator.get_page(query.page if query else 1)
    comments = list(page.object_list)
    reading.decorate(comments, viewer, thread)
    _named([thread], viewer)
    thread.unread_count = None
    thread.subscribed = thread.is_subscribed(viewer)
    thread.postable = thread.can_post(viewer)
    thread.page, thread.pages, thread.comments_page = page.number, paginator.num_pages, comments
    return thread


@router.post("/threads/{thread_id}/read", auth=authenticated, response={204: None})
def mark_thread_read(request, thread_id: int = Id):
    """Mark the thread read up to now, with its notifications."""
    thread = _thread(request, thread_id)
    viewer = members_only(request)
    thread.mark_read(viewer)
    Notification.objects.filter(member=viewer, thread=thread).mark_read()
    return Status(204, None)


@router.put("/threads/{thread_id}/subscription", auth=authenticated, response=SubscriptionOut)
def subscribe(request, thread_id: int = Id):
    """Follow a thread: be notified of its new comments."""
    thread = _thread(request, thread_id)
    thread.subscribe(members_only(request), True)
    return {"subscribed": True}


@router.delete("/threads/{thread_id}/subscription", auth=authenticated, response=SubscriptionOut)
def unsubscribe(request, thread_id: int = Id):
    thread = _thread(request, thread_id)
    thread.subscribe(members_only(request), False)
    return {"subscribed": False}


# Comments -----------------------------------------------------------------------------------


@router.post("/threads/{thread_id}/comments", auth=authenticated, response={201: CommentOut})
def post_comment(request, payload: CommentIn, thread_id: int = Id):
    """Comment, or reply with `parent`; Markdown is sanitised, @mentions notify."""
    thread = _thread(request, thread_id)
    viewer = members_only(request)
    parent = None
    if payload.parent is not None:
        parent = thread.comments.filter(pk=payload.parent).first()
        if parent is None:
            raise ValidationError({"parent": _("Ce commentaire n'appartient pas à ce fil.")})
    comment = thread.post_comment(viewer, payload.body, parent=parent)
    comment.author = viewer
    return Status(201, _comment_out(comment, viewer))


@router.get("/comments/{comment_id}", auth=public, response=CommentOut)
@decorate_view(public_read)
def get_comment(request, comment_id: int = Id):
    return _comment_out(_comment(request, comment_id), viewer_of(request))


@router.patch("/comments/{comment_id}", auth=authenticated, response=CommentOut)
def edit_comment(request, payload: CommentPatch, comment_id: int = Id):
    """Change one's comment; the previous text stays in its revisions."""
    comment = _comment(request, comment_id)
    viewer = members_only(request)
    comment.edit(viewer, payload.body)
    return _comment_out(comment, viewer)


@router.get("/comments/{comment_id}/revisions", auth=public, response=list[RevisionOut])
@decorate_view(public_read)
def comment_revisions(request, comment_id: int = Id):
    """The earlier texts of a comment, the latest replaced first."""
    return list(_comment(request, comment_id).revisions.all()[:200])


@router.post("/comments/{comment_id}/reactions", auth=authenticated, response=ReactionsOut)
def react(request, payload: ReactionIn, comment_id: int = Id):
    """Toggle a reaction: posted if absent, taken back if present."""
    comment = _comment(request, comment_id)
    viewer = members_only(request)
    reacted = comment.toggle_reaction(viewer, payload.kind)
    return {"reacted": reacted, "reactions": Reaction.summary([comment], viewer)[comment.pk]}


# Notifications ------------------------------------------------------------------------------


@router.get("/notifications", auth=authenticated, response=list[NotificationOut])
@paginate(Pages)
def list_notifications(request, unread: bool = False):
    """The caller's notifications, newest first (`?unread=true`: only those not read)."""
    viewer = members_only(request)
    mine = Notification.objects.for_member(viewer).select_related(
        "thread", "comment__author", "decision__author"
    )
    if unread:
        mine = mine.unread()
    return _Sentences(mine, viewer)


class _Sentences(_NamedPage):
    def __getitem__(self, item):
        notifications = list(self.queryset[item])
        for notification in notifications:
            author = notification.actor.name_for(self.viewer)
            notification.text = notification.sentence(author)
        return notifications


@router.post("/notifications/read", auth=authenticated, response=MarkedOut)
def mark_notifications_read(request, payload: MarkReadIn):
    viewer = members_only(request)
    mine = Notification.objects.filter(member=viewer)
    if payload.ids is not None:
        mine = mine.filter(pk__in=[pk for pk in payload.ids if 0 < pk <= MAX_API_ID])
    return {"marked": mine.mark_read()}


@router.get("/notifications/preference", auth=authenticated, response=PreferenceOut)
def get_preference(request):
    return NotificationPreference.of(members_only(request))


@router.put("/notifications/preference", auth=authenticated, response=PreferenceOut)
def set_preference(request, payload: PreferenceIn):
    """How notifications reach you by email: immediate, digest (daily) or none."""
    return NotificationPreference.choose(members_only(request), payload.email)


# Search -------------------------------------------------------------------------------------


@router.get("/search", auth=public, response=list[SearchHit])
@decorate_view(public_read)
@paginate(Pages)
def search_threads(request, query: Query[SearchQueryIn]):
    """Threads whose title or comments match `q`, among those the caller may read."""
    viewer = viewer_of(request)
    return _NamedPage(search(query.q, viewer), viewer)


# Circles ------------------------------------------------------------------------------------


def _circles():
    return Circle.objects.select_related("space").annotate(member_count=Count("memberships"))


def _circle_out(circle: Circle, viewer) -> Circle:
    circle.joined = circle.has_member(viewer)
    circle.space_slug = Space.objects.for_circle(circle).slug
    return circle


@router.get("/circles", auth=public, response=list[CircleOut])
@decorate_view(public_read)
def list_circles(request):
    viewer = viewer_of(request)
    Space.objects.ensure_all()
    circles = list(_circles())
    for circle in circles:
        circle.joined = circle.has_member(viewer)
        circle.space_slug = circle.space.slug
    return [_circle_dict(c) for c in circles]


def _circle_dict(circle) -> dict:
    return {
        "id": circle.pk,
        "slug": circle.slug,
        "name": circle.name,
        "description": circle.description,
        "member_count": circle.member_count,
        "joined": circle.joined,
        "space": circle.space_slug,
    }


@router.post("/circles", auth=authenticated, response={201: CircleOut})
def found_circle(request, payload: CircleIn):
    """Create a circle (any member); its founder joins it."""
    viewer = members_only(request)
    circle = Circle.found(payload.name, payload.description, viewer, payload.visibility)
    circle = _circles().get(pk=circle.pk)
    return Status(201, _circle_dict(_circle_out(circle, viewer)))


@router.get("/circles/{slug}", auth=public, response=CircleOut)
@decorate_view(public_read)
def get_circle(request, slug: str = Slug):
    viewer = viewer_of(request)
    circle = get_object_or_404(_circles(), slug=slug)
    return _circle_dict(_circle_out(circle, viewer))


@router.put("/circles/{slug}/membership", auth=authenticated, response=MembershipOut)
def join_circle(request, slug: str = Slug):
    get_object_or_404(Circle, slug=slug).join(members_only(request))
    return {"joined": True}


@router.delete("/circles/{slug}/membership", auth=authenticated, response=MembershipOut)
def leave_circle(request, slug: str = Slug):
    member = viewer_of(request)
    if member is None:
        raise PermissionDenied(_("Réservé aux associé·es."))
    get_object_or_404(Circle, slug=slug).leave(member)
    return {"joined": False}
