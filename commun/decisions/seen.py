"""What a viewer sees of a decision: built once, for the page and the API."""

from commun.decisions import rules
from commun.decisions.models import Decision, Objection, Round, Stance, VoterRoll
from commun.members.models import Member

OBJECTION_ACTIONS = (
    "begin_integration",
    "dismiss_objection",
    "withdraw_objection",
    "resolve_objection",
)


def objections(decision: Decision, user, viewer: Member | None, round: Round | None):
    """The objections, each with its author's name as the viewer may see it and the set of
    actions the user may take on it."""
    listed: list[Objection] = list(
        decision.objections.select_related("author", "round", "integrated_in")
    )
    for objection in listed:
        objection.author_name = objection.author.name_for(viewer)
        objection.actions = {
            a
            for a in OBJECTION_ACTIONS
            if rules.objection_allows(a, objection) and rules.may(user, a, decision, objection)
        }
        # An objection is lifted on the revised version, in a later round.
        if round is None or objection.round.number >= round.number:
            objection.actions.discard("resolve_objection")
    return listed


def advice(decision: Decision, viewer: Member | None) -> list:
    """An advice process's requests, each with the advisor's name and whether it is the viewer's."""
    if decision.kind != Decision.Kind.ADVICE:
        return []
    listed = list(decision.advice.select_related("advisor").order_by("pk"))
    for request in listed:
        request.advisor_name = request.advisor.name_for(viewer)
        request.is_mine = viewer is not None and request.advisor_id == viewer.pk
    return listed


def own_ballot(
    decision: Decision, viewer: Member | None, round: Round | None
) -> tuple[Stance | None, bool | None]:
    """The viewer's stance in an open ballot, or whether they voted in a secret one (None
    where the question does not arise)."""
    if viewer is None or round is None:
        return None, None
    if decision.is_secret:
        return None, VoterRoll.objects.filter(round=round, member=viewer).exists()
    return Stance.objects.filter(round=round, member=viewer).first(), None
