"""A mission's life: proposed, submitted, adopted by consent, paid, reviewed and closed."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from commun.budgets.models import MAX_REASON_LENGTH, Mission, MissionPayment, Need
from commun.decisions.models import Decision
from commun.ledger import funds
from commun.lib.text import clean_text
from commun.testing.budgets import adopt, draft, fund, invoice, need_by, shown, submitted

TODAY = datetime.date(2026, 2, 1)


def test_submitting_opens_a_consent_decision_with_the_figures(alice, bob):
    fund(500_000)
    mission = submitted(bob, **invoice(100_000, 2000))

    decision = Decision.objects.get(subject_kind="mission", subject_id=mission.pk)
    assert mission.status == "submitted" and mission.decision == decision
    assert mission.full_cost_cents == 120_000 and mission.cost_engine == "invoice"
    assert decision.kind == "consent" and decision.phase == "objections"
    body = decision.current_version.body
    assert shown(120_000) in body and shown(500_000) in body and shown(380_000) in body
    assert set(decision.eligible.values_list("member_id", flat=True)) == {alice.pk, bob.pk}


def test_adoption_commits_the_full_cost_and_starts_the_need(alice, bob):
    fund(500_000)
    mission = submitted(bob, **invoice(100_000, 2000))

    assert adopt(mission, bob) == "adopted"

    assert mission.status == "adopted" and mission.committed_cents == 120_000
    assert funds.committed_cents(mission.ref) == 120_000
    assert funds.available_cents() == 380_000
    assert Need.objects.get().status == "in_progress"


def test_a_payment_then_its_cancellation_then_the_review_releases_the_rest(alice, bob):
    fund(500_000)
    mission = submitted(bob, **invoice(100_000, 2000))
    adopt(mission, bob)

    payment = mission.record_payment(
        alice,
        kind="invoice",
        on=TODAY,
        label="Facture 1",
        amount_cents=50_000,
        idempotency_key="k1",
    )
    assert funds.committed_cents(mission.ref) == 70_000
    again = mission.record_payment(
        alice,
        kind="invoice",
        on=TODAY,
        label="Facture 1",
        amount_cents=50_000,
        idempotency_key="k1",
    )
    assert again.pk == payment.pk and MissionPayment.objects.count() == 1

    payment.cancel(alice, "Erreur de montant")
    assert funds.committed_cents(mission.ref) == 120_000
    mission.record_payment(
        alice,
        kind="invoice",
        on=TODAY,
        label="Facture 1 bis",
        amount_cents=40_000,
        idempotency_key="k2",
    )

    mission.ask_review(bob, "Tout est livré.", mark_need_met=True)
    adopt_review = Decision.objects.get(subject_kind="mission_review")
    for eligibility in adopt_review.eligible.select_related("member"):
        adopt_review.current_round.take_stance(eligibility.member, "consent")
    adopt_review.close(now=adopt_review.deliberation_ends_at + datetime.timedelta(days=1), by=alice)

    mission.refresh_from_db()
    assert mission.status == "closed" and mission.released_cents == 80_000
    assert funds.committed_cents(mission.ref) == 0
    assert funds.available_cents() == 500_000 - 40_000
    assert Need.objects.get().status == "met"


def test_it_refuses_a_payment_over_the_commitment(alice, bob):
    fund(500_000)
    mission = submitted(bob, **invoice(100_000))
    adopt(mission, bob)

    with pytest.raises(ValidationError) as refused:
        mission.record_payment(
            alice, kind="invoice", on=TODAY, label="Trop", amount_cents=100_001, idempotency_key="k"
        )

    assert "dépasse ce qui reste engagé" in str(refused.value)
    assert MissionPayment.objects.count() == 0
    assert funds.committed_cents(mission.ref) == 100_000


def test_only_officers_record_payments(alice, bob):
    fund(500_000)
    mission = submitted(bob, **invoice(100_000))
    adopt(mission, bob)
    with pytest.raises(PermissionDenied):
        mission.record_payment(
            bob, kind="invoice", on=TODAY, label="Moi", amount_cents=1, idempotency_key="k"
        )


def test_a_top_up_commits_the_difference_once_adopted(alice, bob):
    fund(500_000)
    mission = submitted(bob, **invoice(100_000))
    adopt(mission, bob)

    top_up = mission.ask_top_up(bob, 30_000, "Une anomalie de plus.")
    decision = Decision.objects.get(subject_kind="mission_top_up", subject_id=top_up.pk)
    for eligibility in decision.eligible.select_related("member"):
        decision.current_round.take_stance(eligibility.member, "consent")
    decision.close(now=decision.deliberation_ends_at + datetime.timedelta(days=1), by=alice)

    top_up.refresh_from_db()
    mission.refresh_from_db()
    assert top_up.status == "adopted"
    assert mission.committed_cents == 130_000 == funds.committed_cents(mission.ref)


def test_withdrawing_a_submitted_mission_withdraws_its_decision(alice, bob):
    fund(500_000)
    mission = submitted(bob, **invoice(100_000))
    mission.withdraw(bob, "Finalement non.")
    assert mission.status == "withdrawn"
    assert Decision.objects.get().outcome == "withdrawn"


def test_an_objection_at_the_deadline_rejects_the_mission(alice, bob):
    fund(500_000)
    mission = submitted(bob, **invoice(100_000))
    decision = mission.decision
    decision.current_round.take_stance(alice, "objection", reason="Trop cher.")
    decision.close(now=decision.closes_at)
    mission.refresh_from_db()
    assert mission.status == "rejected"
    assert funds.committed_cents() == 0


def test_a_volunteer_mission_commits_nothing(alice, bob):
    values = invoice(1) | {"pay_form": "volunteer"}
    mission = submitted(bob, **values)
    adopt(mission, bob)
    assert mission.status == "adopted" and mission.full_cost_cents == 0
    assert mission.amount_cents is None


def test_a_draft_may_be_withdrawn_by_its_proposer_only(alice, bob):
    mission = draft(bob)
    with pytest.raises(PermissionDenied):
        mission.withdraw(alice)
    mission.withdraw(bob)
    assert Mission.objects.get().status == "withdrawn"
    assert need_by(alice).status == "open"


def test_a_withdrawal_reason_is_trimmed_and_kept_within_the_shared_length(alice, bob):
    mission = draft(bob)
    with pytest.raises(ValidationError) as refused:
        mission.withdraw(bob, "a" * (MAX_REASON_LENGTH + 1))
    with pytest.raises(ValidationError) as shared:
        clean_text("a" * (MAX_REASON_LENGTH + 1), "reason", None, MAX_REASON_LENGTH)
    assert refused.value.message_dict == shared.value.message_dict
    mission.withdraw(bob, "  Finalement non.\n")
    assert Mission.objects.get().status_reason == "Finalement non."


def test_outside_france_a_salary_is_costed_by_the_plain_ratios(alice, bob):
    from commun.budgets.models import BudgetSettings
    from commun.testing.budgets import CHARTER

    BudgetSettings.get().update(alice, country="BE")
    mission = draft(bob, **CHARTER)

    cost = mission.cost()

    assert cost.engine == "ratios" and "ratios" in cost.engine_label
    # 2,000 € net / 0.78 = 2,564.10 € gross; CDD indemnities 1.1 × 1.1; cost × 1.42.
    assert cost.breakdown["monthly_gross_cents"] == 256_410
    assert cost.total_cents == sum(m["employer_cost_cents"] for m in cost.months)


def test_the_settings_name_who_decides(alice, bob):
    from commun.budgets.models import BudgetSettings
    from commun.members.models import College

    BudgetSettings.get().update(alice, deciders="officers")
    officers_decide = submitted(bob, **invoice(100))
    assert officers_decide.decision.scope == "officers"
    assert list(officers_decide.decision.eligible.values_list("member_id", flat=True)) == [alice.pk]

    users = College.objects.get(name__startswith="Usager")
    BudgetSettings.get().update(alice, deciders="college", college=users, min_deliberation_days=2)
    college_decides = submitted(bob, **invoice(100))
    assert college_decides.decision.scope == "colleges"
    assert list(college_decides.decision.eligible.values_list("member_id", flat=True)) == [bob.pk]
    assert college_decides.decision.min_deliberation == datetime.timedelta(days=2)

    with pytest.raises(ValidationError) as refused:
        BudgetSettings.get().update(alice, deciders="college", college=None)
    assert "college" in refused.value.message_dict
    with pytest.raises(PermissionDenied):
        BudgetSettings.get().update(bob, deciders="members")
