"""`commun demo` tells the story of a cooperative that deliberates and decides."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from commun.accounts.models import User
from commun.conftest import client_for
from commun.decisions.models import Ballot, Decision, Objection, Stance, VoterRoll
from commun.deliberation.models import (
    Circle,
    Comment,
    CommentRevision,
    Notification,
    Reaction,
    Space,
    Thread,
)
from commun.members import demo_data
from commun.notifications.models import Notice


def run_demo() -> str:
    out = StringIO()
    call_command("demo", stdout=out, stderr=out)
    return out.getvalue()


@pytest.fixture
def demo(db) -> str:
    return run_demo()


def decision(kind: str, phase: str, outcome: str = "", secret: bool = False) -> Decision:
    """The decisions demo's own decision (others, like missions or splits, have a subject)."""
    return Decision.objects.get(
        kind=kind, phase=phase, outcome=outcome, is_secret=secret, subject_kind=""
    )


def test_the_demo_follows_the_default_rule_silence_is_consent(demo):
    silent = Decision.objects.get(
        kind="consent", outcome="adopted", subject_kind="", scope="cooperative"
    )
    assert silent.silence_is_consent and silent.result["silent"] > 0
    assert not silent.objections.exists()


def test_every_stage_of_a_decision_is_there(demo):
    clarifying = decision("consent", "clarification")
    assert clarifying.thread.comments.filter(parent__isnull=False).exists()  # answered

    objecting = decision("consent", "objections")
    stances = set(objecting.current_round.stances.values_list("choice", flat=True))
    assert stances == {"consent", "concern", "objection", "stand_aside"}
    assert objecting.objections.get().status == Objection.Status.RAISED

    integrating = decision("consent", "integration")
    assert integrating.versions.count() == 2
    assert integrating.objections.get().integrated_in.number == 2
    assert integrating.current_version.diff_from(integrating.versions.first())

    adopted = Decision.objects.get(
        kind="consent", phase="closed", outcome="adopted", subject_kind="", scope="circle"
    )
    assert adopted.rounds.count() == 2
    assert adopted.objections.get().status == Objection.Status.RESOLVED
    assert adopted.review_on and adopted.outcome_statement
    assert adopted.closed_at >= adopted.opened_at + adopted.min_deliberation
    assert adopted.scope == "circle"

    withdrawn = decision("consent", "closed", "withdrawn")
    assert withdrawn.outcome_statement

    advice = decision("advice", "advice")
    assert advice.advice.filter(given_at__isnull=False).count() == 2
    assert advice.advice.filter(given_at__isnull=True).count() == 1
    decided = decision("advice", "closed", "decided")
    told = Notice.objects.filter(kind=Notice.Kind.ADVICE_OUTCOME, url=decided.get_absolute_url())
    assert set(told.values_list("member_id", flat=True)) == set(
        decided.advice.values_list("advisor_id", flat=True)
    )

    vote = decision("yes_no", "voting")
    assert vote.weighted_by_college and vote.closes_at > vote.opened_at
    assert vote.current_round.stances.count() > 10
    assert set(vote.tally()["colleges"]) == set(
        str(pk) for pk in vote.eligible.values_list("college_id", flat=True).distinct()
    )

    approval = decision("approval", "closed", "adopted")
    ranked = decision("ranked", "closed", "adopted")
    assert ranked.options.get(pk=ranked.result["winners"][0]).label == "Accessibilité RGAA"
    split = decision("score", "closed", "adopted")
    labels = set(split.options.values_list("label", flat=True))
    assert {"Django", "htmx", "PostgreSQL", "OpenFisca"} <= labels
    assert sum(split.split_amount(600_000).values()) == 600_000
    for closed in (approval, ranked, split):
        assert closed.result["voters"] > 20

    election = decision("approval", "closed", "adopted", secret=True)
    round = election.current_round
    assert (
        Ballot.objects.filter(round=round).count() == VoterRoll.objects.filter(round=round).count()
    )
    assert round.verify_chain() == (True, None)
    assert not Stance.objects.filter(round=round).exists()


def test_members_talk_in_every_kind_of_space(demo):
    kinds = set(Thread.objects.values_list("space__kind", flat=True))
    assert kinds == {"cooperative", "college", "circle"}
    assert {"Développement", "Communication", "Finances"} <= set(
        Circle.objects.values_list("name", flat=True)
    )
    assert Circle.objects.get(name="Communication").members.count() >= 5
    assert Comment.objects.filter(parent__isnull=False).count() >= 5
    assert Comment.objects.filter(body_html__contains='class="mention"').count() >= 5
    assert Notification.objects.filter(kind="mention").exists()
    assert Reaction.objects.values("kind").distinct().count() >= 3
    edited = CommentRevision.objects.get().comment
    assert edited.edited_at > edited.created_at
    # Each open consent decision or vote has told those it concerns.
    assert Notification.objects.filter(kind="round").exists()
    assert Notification.objects.filter(kind="vote").exists()
    assert Space.objects.cooperative().visibility == Space.Visibility.PUBLIC


def counts() -> dict:
    models = [Circle, Thread, Comment, Reaction, Decision, Stance, Ballot, Objection, Notification]
    return {model.__name__: model.objects.count() for model in models}


def test_a_second_run_adds_nothing(demo):
    before = counts()
    assert "rien n'a changé" in run_demo()
    assert counts() == before


def test_every_demo_decision_and_thread_answers_a_demo_member(demo):
    member = client_for(User.objects.get(email=demo_data.MEMBER.email))
    paths = [d.get_absolute_url() for d in Decision.objects.all()]
    paths += [
        f"/api/v1/decisions/{pk}/tally" for pk in Decision.objects.values_list("pk", flat=True)
    ]
    paths += [f"/api/v1/decisions/{pk}" for pk in Decision.objects.values_list("pk", flat=True)]
    paths += [t.get_absolute_url() for t in Thread.objects.all()]
    paths += [c.get_absolute_url() for c in Circle.objects.all()]
    paths += [s.get_absolute_url() for s in Space.objects.all()]
    paths += [f"/decisions/{d.pk}/urne/" for d in Decision.objects.filter(is_secret=True)]
    paths += ["/decisions/", "/espaces/", "/cercles/", "/notifications/"]
    for path in paths:
        response = member.get(path)
        assert response.status_code == 200, path
    # Visitors read the cooperative's public space and its decisions.
    visitor = Client()
    public = Decision.objects.filter(space=Space.objects.cooperative())
    for decision_ in public:
        assert visitor.get(decision_.get_absolute_url()).status_code == 200


def test_no_demo_advice_decision_is_left_open_past_its_deadline(demo):
    from django.utils import timezone

    overdue = Decision.objects.filter(phase="advice", closes_at__lte=timezone.now())
    assert not overdue.exists()
    assert Decision.objects.filter(kind="advice", phase="closed").exists()
