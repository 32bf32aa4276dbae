"""Bad input gets a clear French error, keyed by field, and changes nothing."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from commun.decisions.models import Decision, Objection, Stance, StanceChange
from commun.testing.decisions import DAY, in_objection_round, opened, propose


def written():
    return (Stance.objects.count(), StanceChange.objects.count(), Objection.objects.count())


def refused(call, field=None, match=None) -> ValidationError:
    before = written()
    with pytest.raises(ValidationError) as error:
        call()
    assert written() == before, "a refused input wrote something"
    if field:
        assert field in error.value.message_dict, error.value
    if match:
        assert match in " ".join(error.value.messages)
    return error.value


def test_an_objection_without_a_reason_is_refused(alice, bob):
    round = in_objection_round(bob).current_round
    refused(lambda: round.take_stance(alice, "objection", reason="   "), "reason", "motivée")


def test_a_changed_stance_to_an_objection_without_reason_keeps_the_old_one(alice, bob):
    round = in_objection_round(bob).current_round
    round.take_stance(alice, "consent")
    refused(lambda: round.take_stance(alice, "objection"), "reason")
    assert Stance.objects.get().choice == "consent"


def test_a_vote_after_the_close_is_refused(alice, bob):
    decision = opened(bob, "yes_no")
    decision.close(now=decision.closes_at)
    refused(lambda: decision.current_round.take_stance(alice, "yes"), match="clos")


def test_a_choice_that_does_not_fit_the_decision_is_refused(alice, bob):
    round = in_objection_round(bob).current_round
    refused(lambda: round.take_stance(alice, "yes"), "choice")
    vote = opened(bob, "yes_no").current_round
    refused(lambda: vote.take_stance(alice, "consent"), "choice", "pour, contre")


def test_an_option_that_does_not_exist_is_refused(alice, bob):
    other = opened(bob, "approval", options=["X", "Y"])
    decision = opened(bob, "approval", options=["A", "B"])
    foreign = other.options.first().pk
    for ballot in ([foreign], [999_999], ["abc"], [True], "A"):
        refused(
            lambda b=ballot: decision.current_round.take_stance(alice, "ballot", ballot=b), "ballot"
        )


def test_a_ranking_naming_an_option_twice_is_refused(alice, bob):
    decision = opened(bob, "ranked", options=["A", "B", "C"])
    a, b, c = decision.options.values_list("pk", flat=True)
    take = decision.current_round.take_stance
    refused(lambda: take(alice, "ballot", ballot=[[a], [b], [a]]), "ballot", "qu'une fois")
    refused(lambda: take(alice, "ballot", ballot=[[a, a], [b]]), "ballot", "qu'une fois")
    refused(lambda: take(alice, "ballot", ballot=[[a], []]), "ballot")
    refused(lambda: take(alice, "ballot", ballot=[a, b]), "ballot")
    take(alice, "ballot", ballot=[[b, c], [a]])  # ties are allowed
    assert Stance.objects.get().ballot == [[b, c], [a]]


def test_points_over_the_budget_are_refused(alice, bob):
    decision = opened(bob, "score", options=["A", "B"], points_per_voter=10)
    a, b = decision.options.values_list("pk", flat=True)
    take = decision.current_round.take_stance
    refused(lambda: take(alice, "ballot", ballot={a: 6, b: 5}), "ballot", "11 points")
    refused(lambda: take(alice, "ballot", ballot={a: -1}), "ballot")
    refused(lambda: take(alice, "ballot", ballot={a: 2.5}), "ballot")
    refused(lambda: take(alice, "ballot", ballot=[a]), "ballot")
    take(alice, "ballot", ballot={a: 6, b: 4})


def test_a_proposal_with_bad_fields_says_which(bob, alice):
    error = refused(
        lambda: propose(
            bob,
            "approval",
            title=" ",
            body="",
            options=["Seule"],
            quorum_percent=150,
            closes_at=timezone.now() + datetime.timedelta(hours=1),
        )
    )
    assert {"title", "body", "options", "quorum_percent", "closes_at"} <= set(error.message_dict)
    assert not Decision.objects.exists()


def test_options_must_differ_and_only_option_votes_have_them(bob, alice):
    refused(lambda: propose(bob, "approval", options=["A", "a"]), "options", "même intitulé")
    refused(lambda: propose(bob, "consent", options=["A", "B"]), "options")
    refused(lambda: propose(bob, "nonsense"), "kind")
    refused(lambda: propose(bob, "advice"), "advisors")
    refused(lambda: propose(bob, "advice", advisors=[bob]), "advisors", "vous-même")


def test_markdown_with_a_script_is_kept_as_written_and_shown_harmless(bob, alice):
    body = "Voici **mon** idée.\n\n<script>alert('x')</script>\n\n[lien](javascript:alert(1))"
    decision = propose(bob, body=body)
    version = decision.current_version
    assert version.body == body
    html = version.body_html
    assert "<strong>mon</strong>" in html
    assert "<script" not in html and "javascript:" not in html


def test_a_review_date_in_the_past_is_refused(alice, bob):
    decision = in_objection_round(bob)
    decision.current_round.take_stance(alice, "consent")
    decision.current_round.take_stance(bob, "consent")
    later = decision.opened_at + 2 * DAY
    refused(
        lambda: decision.close(now=later, by=bob, review_on=timezone.localdate(later)), "review_on"
    )
    assert Decision.objects.get(pk=decision.pk).phase == "objections"


def test_integrating_an_objection_of_another_decision_is_refused(alice, bob):
    other = in_objection_round(bob)
    other.current_round.take_stance(alice, "objection", reason="Non.")
    foreign = Objection.objects.get()
    decision = opened(bob)
    refused(
        lambda: decision.amend(bob, title="T", body="Nouveau", integrates=[foreign]),
        "integrates",
    )
    assert decision.versions.count() == 1


def test_a_dismissal_without_a_reason_is_refused(alice, bob):
    round = in_objection_round(bob).current_round
    round.take_stance(alice, "objection", reason="Non.")
    objection = Objection.objects.get()
    refused(lambda: objection.dismiss(bob, ""), "status_note")
    objection.refresh_from_db()
    assert objection.status == "raised"


def test_opening_with_nobody_to_decide_is_refused(alice, bob):
    from commun.members.models import College

    founders = College.objects.get(name__startswith="Fond")  # nobody in it yet
    decision = propose(bob, "yes_no", scope="colleges", colleges=[founders])
    with pytest.raises(ValidationError) as error:
        decision.open()
    assert "scope" in error.value.message_dict
    decision.refresh_from_db()
    assert decision.phase == "draft" and not decision.eligible.exists()
