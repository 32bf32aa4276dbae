"""The API's shapes for spaces, threads, comments, reactions, circles and notifications.

Names of people are those the caller may see (`Member.name_for`), set on the objects
by the endpoints before they are serialised.
"""

import datetime
from typing import Literal

from ninja import Field, Schema

from commun.api_input import Input
from commun.deliberation.models import (
    MAX_BODY_LENGTH,
    MAX_QUERY_LENGTH,
    MAX_TITLE_LENGTH,
    NotificationPreference,
    Reaction,
    Space,
)
from commun.lib.ids import MAX_API_ID

ReactionKind = Literal[tuple(Reaction.Kind.values)]
SpaceKind = Literal[tuple(Space.Kind.values)]
SpaceVisibility = Literal[tuple(Space.Visibility.values)]
EmailChoice = Literal[tuple(NotificationPreference.Email.values)]


class SpaceOut(Schema):
    id: int
    slug: str
    kind: SpaceKind
    name: str = Field(..., alias="display_name")
    visibility: SpaceVisibility
    college: int | None = Field(..., alias="college_id")
    circle: str | None = Field(None, description="Le slug du cercle, pour un espace de cercle.")
    thread_count: int
    last_activity_at: datetime.datetime | None
    can_post: bool = Field(
        ..., alias="postable", description="Si l'appelant·e peut ouvrir un fil ici."
    )

    @staticmethod
    def resolve_circle(space) -> str | None:
        return space.circle.slug if space.circle_id else None


class ThreadOut(Schema):
    id: int
    space: str = Field(..., description="Le slug de l'espace.")
    title: str
    author: str = Field(..., alias="author_name")
    created_at: datetime.datetime
    last_activity_at: datetime.datetime
    comment_count: int
    is_locked: bool
    unread_count: int | None = Field(
        None, description="Commentaires non lus par l'appelant·e (null pour un·e visiteur·se)."
    )

    @staticmethod
    def resolve_space(thread) -> str:
        return thread.space.slug


class ReactionOut(Schema):
    kind: ReactionKind
    label: str
    emoji: str
    count: int
    mine: bool


class CommentOut(Schema):
    id: int
    thread: int = Field(..., alias="thread_id")
    parent: int | None = Field(..., alias="parent_id")
    author: str = Field(..., alias="author_name")
    body: str = Field(..., description="Le texte en Markdown, tel qu'écrit.")
    body_html: str = Field(..., description="Le HTML nettoyé, mentions en liens.")
    created_at: datetime.datetime
    edited_at: datetime.datetime | None
    reactions: list[ReactionOut] = Field(..., alias="reaction_list")


class ThreadDetail(ThreadOut):
    subscribed: bool
    can_post: bool = Field(..., alias="postable", description="Si l'appelant·e peut commenter.")
    page: int
    pages: int
    comments: list[CommentOut] = Field(..., alias="comments_page")


class ThreadIn(Input):
    title: str = Field(..., max_length=MAX_TITLE_LENGTH)
    body: str = Field(..., max_length=MAX_BODY_LENGTH, description="Markdown.")


class CommentIn(Input):
    body: str = Field(
        ..., max_length=MAX_BODY_LENGTH, description="Markdown ; @12, @pseudo, @cercle."
    )
    parent: int | None = Field(
        None, ge=1, le=MAX_API_ID, description="Le commentaire auquel on répond."
    )


class CommentPatch(Input):
    body: str = Field(..., max_length=MAX_BODY_LENGTH)


class RevisionOut(Schema):
    body: str
    body_html: str
    written_at: datetime.datetime
    replaced_at: datetime.datetime


class ReactionIn(Input):
    kind: ReactionKind


class ReactionsOut(Schema):
    reacted: bool = Field(..., description="Si la réaction est maintenant posée.")
    reactions: list[ReactionOut]


class SubscriptionOut(Schema):
    subscribed: bool


class NotificationOut(Schema):
    id: int
    kind: Literal["comment", "reply", "mention", "decision", "vote", "round"]
    text: str
    thread: int = Field(..., alias="thread_id")
    comment: int | None = Field(..., alias="comment_id")
    decision: int | None = Field(
        ..., alias="decision_id", description="La décision qui vous concerne, le cas échéant."
    )
    created_at: datetime.datetime
    read_at: datetime.datetime | None


class MarkReadIn(Input):
    ids: list[int] | None = Field(
        None, max_length=1000, description="Les notifications à marquer lues ; absent : toutes."
    )


class MarkedOut(Schema):
    marked: int


class PreferenceOut(Schema):
    email: EmailChoice


class PreferenceIn(Input):
    email: EmailChoice


class SearchHit(ThreadOut):
    first_match: int | None = Field(
        ..., alias="first_match_id", description="Le premier commentaire qui correspond."
    )


class SearchQueryIn(Schema):
    q: str = Field(..., min_length=1, max_length=MAX_QUERY_LENGTH)


class CircleOut(Schema):
    id: int
    slug: str
    name: str
    description: str
    member_count: int
    joined: bool
    space: str = Field(..., description="Le slug de l'espace du cercle.")


class CircleIn(Input):
    name: str = Field(..., max_length=120)
    description: str = Field("", max_length=MAX_BODY_LENGTH)
    visibility: Literal["members", "circle"] = "members"


class MembershipOut(Schema):
    joined: bool
