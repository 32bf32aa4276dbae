"""The API's shapes for assemblies. Input schemas bound types and refuse unknown fields;
the rules (a notice period the statutes allow, a proxy within the holder's limit) are the
model's, which answers in the caller's language on the field it is about."""

import datetime
from typing import Annotated, Literal

from ninja import Field, Schema

from commun.api_input import Input
from commun.assemblies.models import (
    MAX_NOTICE_DAYS,
    MAX_PROXIES_PER_MEMBER,
    AgendaItem,
    Assembly,
    Kind,
    Majority,
    Participant,
    Quorum,
    Vote,
)
from commun.lib.ids import MAX_API_ID

ObjectId = Annotated[int, Field(ge=1, le=MAX_API_ID)]
KindName = Literal[tuple(Kind.values)]
QuorumName = Literal[tuple(Quorum.values)]
MajorityName = Literal[tuple(Majority.values)]
ItemKind = Literal[tuple(AgendaItem.Kind.values)]
# An election goes on the agenda with its seats and method (`POST …/elections`).
NewItemKind = Literal["resolution", "information"]
AnswerMode = Literal[tuple(v for v in Participant.Mode.values if v)]


class RulesIn(Input):
    notice_days: int = Field(ge=1, le=MAX_NOTICE_DAYS)
    # Days before the meeting a request for an item must arrive (0: until the opening).
    requests_deadline_days: int = Field(ge=0, le=MAX_NOTICE_DAYS)
    quorum_first: QuorumName
    quorum_second: QuorumName
    majority: MajorityName
    proxies_allowed: bool
    max_proxies: int = Field(ge=0, le=MAX_PROXIES_PER_MEMBER)
    advance_votes_count: bool
    weighted_by_college: bool
    minutes_public: bool


class RulesOut(Schema):
    kind: KindName
    notice_days: int
    requests_deadline_days: int
    quorum_first: QuorumName
    quorum_second: QuorumName
    majority: MajorityName
    proxies_allowed: bool
    max_proxies: int
    advance_votes_count: bool
    weighted_by_college: bool
    minutes_public: bool


class AssemblyIn(Input):
    kind: KindName
    convocation: Literal[1, 2] = 1
    title: str = Field(min_length=1, max_length=200)
    starts_at: datetime.datetime
    place: str = Field("", max_length=300)
    video_link: str = Field("", max_length=500)


class ItemIn(Input):
    kind: NewItemKind
    # May stay empty for a resolution ratifying a decision: the decision's title is taken.
    title: str = Field("", max_length=300)
    text: str = Field("", max_length=20000)
    secret: bool = False
    # What the resolution does once adopted (docs/assemblies.md, « Effects »), e.g.
    # {"kind": "approve_accounts", "year": 2025, "allocation": {"1061": 150000, …}}.
    effect: dict | None = None
    decision_id: ObjectId | None = None


class ItemOut(Schema):
    position: int
    kind: ItemKind
    title: str
    text: str
    status: Literal[tuple(AgendaItem.Status.values)]
    adopted: bool | None
    secret: bool = False
    # An amendment from the floor: the resolution it amends, and whether it is admitted.
    amends_position: int | None = None
    admission: Literal[tuple(AgendaItem.Admission.values)] = ""
    # A resolution an adopted amendment changed: the text it is voted on (`text` as convened).
    amended_text: str = ""
    effect: dict
    effect_outcome: dict
    decision_id: int | None
    put_by_officers: bool


class AssemblyOut(Schema):
    id: int
    kind: KindName
    convocation: int
    title: str
    starts_at: datetime.datetime
    place: str
    video_link: str
    phase: Literal[tuple(Assembly.Phase.values)]
    convened_at: datetime.datetime | None
    items: list[ItemOut]
    actions: list[str]


class AnswerIn(Input):
    mode: AnswerMode
    holder_number: Annotated[int, Field(ge=1, le=MAX_API_ID)] | None = None


class AnswerOut(Schema):
    mode: str
    holder_number: int | None


class OpenIn(Input):
    chair_number: Annotated[int, Field(ge=1, le=MAX_API_ID)]
    secretary_number: Annotated[int, Field(ge=1, le=MAX_API_ID)]


class CheckInIn(Input):
    member_number: Annotated[int, Field(ge=1, le=MAX_API_ID)] | None = None


class CheckInOut(Schema):
    member_number: int
    signed_now: bool


class QuorumOut(Schema):
    eligible: int
    present: int
    remote: int
    represented: int
    advance: int
    voices: int
    needed: int
    reached: bool


class AgainIn(Input):
    starts_at: datetime.datetime


class VoteIn(Input):
    choice: Literal[tuple(Vote.Choice.values)]
    principal_number: Annotated[int, Field(ge=1, le=MAX_API_ID)] | None = None


class VoteOut(Schema):
    position: int
    choice: str
    principal_number: int
    # A secret vote's receipt, to find one's ballot in the box; the choice isn't kept with it.
    receipt: str | None = None


class CollegeTallyOut(Schema):
    college: int | None
    name: str
    weight: int | None
    yes: int
    no: int
    abstain: int


class ResultOut(Schema):
    """A resolution's figures: kept at the close, live while its vote is open."""

    position: int
    status: Literal[tuple(AgendaItem.Status.values)]
    adopted: bool | None
    yes: int
    no: int
    abstain: int
    blank_proxies: int
    advance_votes: int = 0
    secret: bool = False
    ballots_cast: int | None = None
    # An election's figures once closed: per candidate and college, who is elected, ties.
    election: dict | None = None
    weighted_share: str | None
    colleges: list[CollegeTallyOut]


class AdvanceVoteIn(Input):
    choice: Literal[tuple(Vote.Choice.values)]


class AdvanceVoteOut(Schema):
    """One resolution's advance vote, as the member sent it."""

    position: int
    choice: str


class AdvanceBallotIn(Input):
    candidates: list[Annotated[int, Field(ge=1, le=MAX_API_ID)]] = Field(max_length=50)


class AdvanceBallotOut(Schema):
    """One election's advance vote: the chosen candidates' member numbers (none: blank)."""

    position: int
    candidates: list[int]


class AmendmentIn(Input):
    text: str = Field(min_length=1, max_length=20000)


class DecisionIn(Input):
    admitted: bool


class ElectionIn(Input):
    title: str = Field(min_length=1, max_length=300)
    seats: Annotated[int, Field(ge=1, le=50)]
    method: Literal["majority", "approval"]
    # A public election records each voice's vote by name (the statutes may want it secret).
    secret: bool = True


class CandidateIn(Input):
    member_number: Annotated[int, Field(ge=1, le=MAX_API_ID)]


class CandidateOut(Schema):
    number: int
    name: str


class ElectionOut(Schema):
    position: int
    seats: int
    method: str
    candidates: list[CandidateOut]


class ElectionBallotIn(Input):
    candidates: list[Annotated[int, Field(ge=1, le=MAX_API_ID)]] = Field(max_length=50)
    principal_number: Annotated[int, Field(ge=1, le=MAX_API_ID)] | None = None


class ElectionBallotOut(Schema):
    position: int
    candidates: list[int]
    principal_number: int
    # A secret ballot's receipt, to find it in the box; none for a public election.
    receipt: str | None = None


# Closing the session, incidents, minutes, register (minutes_api.py) ----------------------------


class IncidentIn(Input):
    text: str = Field(max_length=2000)


class IncidentOut(Schema):
    at: datetime.datetime
    text: str


class MinutesOut(Schema):
    assembly: int
    phase: Literal[tuple(Assembly.Phase.values)]
    text: str
    frozen: bool
    sha256: str
    chair_confirmed_at: datetime.datetime | None
    secretary_confirmed_at: datetime.datetime | None
    frozen_at: datetime.datetime | None


class RegisterOut(Schema):
    id: int
    kind: KindName
    title: str
    starts_at: datetime.datetime
    frozen_at: datetime.datetime
    sha256: str


# Documents sent with the convocation, members' item requests --------------------------------


class DocumentOut(Schema):
    id: int
    kind: Literal["file", "report", "accounts"]
    title: str
    content_type: str
    size: int
    fiscal_year: int | None
    url: str


class AccountsIn(Input):
    year: int = Field(ge=1900, le=9999)


class ItemRequestIn(Input):
    kind: NewItemKind
    title: str = Field(min_length=1, max_length=300)
    text: str = Field("", max_length=20000)


class ItemRefusalIn(Input):
    reason: str = Field(min_length=1, max_length=2000)


class ItemRequestOut(Schema):
    id: int
    member_number: int
    kind: ItemKind
    title: str
    text: str
    status: Literal["pending", "accepted", "refused"]
    reason: str
    item_position: int | None
