"""When the statutes say so, an application opens a consent decision, and adoption admits."""

import pytest

from commun.conftest import category, make_applicant, make_member
from commun.decisions.models import Decision
from commun.members.models import AdmissionRule, Application, College, Cooperative, ShareMovement
from commun.testing.decisions import DAY


@pytest.fixture
def by_decision(alice, bob):
    oscar = make_member("oscar@example.org", "Oscar", "Second", category("Contrib"), officer=True)
    Cooperative.objects.filter(pk=1).update(admission_rule=AdmissionRule.DECISION)
    return oscar


def apply():
    return make_applicant("zoe@example.org", "Zoé", "Nouvelle", category("Partenaires"), shares=3)


def test_an_application_opens_a_consent_decision_among_the_officers(by_decision, alice, bob):
    application = apply()

    decision = Decision.objects.get(subject_kind="admission", subject_id=application.pk)
    assert application.status == Application.Status.PENDING
    assert decision.kind == "consent" and decision.phase == "objections"
    assert decision.scope == "officers" and decision.visibility == "members"
    assert decision.author == alice  # the longest-standing officer carries it
    assert set(decision.eligible.values_list("member_id", flat=True)) == {alice.pk, by_decision.pk}
    assert "Zoé Nouvelle" in decision.current_version.body
    assert "Zoé" not in decision.thread.title  # the thread's space may be public


def test_consents_adopt_and_the_applicant_is_admitted_with_a_number(by_decision, alice):
    application = apply()
    decision = Decision.objects.get(subject_kind="admission")
    before = Cooperative.get().last_member_number
    decision.current_round.take_stance(alice, "consent")
    decision.current_round.take_stance(by_decision, "consent")

    decision.close(now=decision.opened_at + 4 * DAY, by=alice, statement="Bienvenue !")

    application.refresh_from_db()
    assert decision.outcome == "adopted"
    assert application.status == Application.Status.ADMITTED
    member = application.member
    assert member.number == before + 1
    subscription = ShareMovement.objects.get(member=member)
    assert subscription.quantity == 3
    assert subscription.authorised_by == f"Décision de consentement n°{decision.pk}"


def test_an_objection_at_the_deadline_refuses_with_the_reason(by_decision, alice):
    application = apply()
    decision = Decision.objects.get(subject_kind="admission")
    decision.current_round.take_stance(alice, "objection", reason="Nous ne la connaissons pas.")

    decision.close(now=decision.closes_at)

    application.refresh_from_db()
    assert decision.outcome == "lapsed"
    assert application.status == Application.Status.REFUSED
    assert "Caduque" in application.refusal_reason
    assert application.member is None


def test_a_withdrawn_admission_decision_refuses_with_its_statement(by_decision, alice):
    application = apply()
    decision = Decision.objects.get(subject_kind="admission")
    decision.withdraw(alice, statement="La candidate a demandé à patienter.")
    application.refresh_from_db()
    assert application.status == Application.Status.REFUSED
    assert application.refusal_reason == "La candidate a demandé à patienter."


def test_a_college_admits_when_the_profile_names_one(by_decision, alice, bob):
    users = College.objects.get(name__startswith="Usager")
    Cooperative.objects.filter(pk=1).update(admission_college=users)
    application = apply()
    decision = Decision.objects.get(subject_id=application.pk, subject_kind="admission")
    assert decision.scope == "colleges" and list(decision.colleges.all()) == [users]
    assert list(decision.eligible.values_list("member_id", flat=True)) == [bob.pk]


def test_an_application_decided_by_the_officers_meanwhile_is_left_alone(by_decision, alice):
    application = apply()
    decision = Decision.objects.get(subject_kind="admission")
    application.refuse("Doublon.", by=alice.user)
    decision.withdraw(alice)
    application.refresh_from_db()
    assert application.refusal_reason == "Doublon."


def test_without_any_officer_the_application_waits(coop):
    Cooperative.objects.filter(pk=1).update(admission_rule=AdmissionRule.DECISION)
    application = apply()
    assert application.status == Application.Status.PENDING
    assert not Decision.objects.exists()


def test_other_admission_rules_open_no_decision(alice, bob):
    apply()
    assert not Decision.objects.exists()
