"""What a reader sees of a thread, built once for the page and the API."""

from django.db.models import Case, IntegerField, Value, When
from django.db.models.functions import Coalesce

from commun.deliberation.models import Comment, Reaction, Space, Thread
from commun.members.models import Member

COMMENTS_PAGE_SIZE = 50

KIND_ORDER = Case(
    When(kind=Space.Kind.COOPERATIVE, then=Value(0)),
    When(kind=Space.Kind.COLLEGE, then=Value(1)),
    default=Value(2),
    output_field=IntegerField(),
)


def decorate(comments: list[Comment], viewer: Member | None, thread: Thread, read_before=None):
    """Names, reactions and rights each comment shows, for the whole page at once."""
    reactions = Reaction.summary(comments, viewer)
    can_post, can_react = thread.can_post(viewer), thread.space.can_post(viewer)
    for comment in comments:
        comment.thread = thread
        comment.author_name = comment.author.name_for(viewer)
        comment.reaction_list = reactions.get(comment.pk, [])
        comment.is_new = bool(
            read_before
            and comment.created_at > read_before
            and (viewer is None or comment.author_id != viewer.pk)
        )
        comment.editable = can_post and viewer is not None and comment.author_id == viewer.pk
        comment.reactable = can_react


def ordered_comments(thread: Thread):
    # Roots in order, each followed by its replies: a page is a slice of this order.
    return (
        thread.comments.select_related("author", "parent__author")
        .annotate(root=Coalesce("parent_id", "id"))
        .order_by("root", "pk")
    )
