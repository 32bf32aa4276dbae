import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from commun.conftest import category, make_member
from commun.members.models import MAX_SHARES_PER_MOVEMENT, Cooperative, Member, ShareMovement


def test_capital_never_weighs_a_voice(coop):
    small = make_member("small@example.org", "Petite", "Part", category("Partenaires"), shares=1)
    large = make_member("large@example.org", "Grosse", "Part", category("Partenaires"), shares=1000)
    assert large.shares_paid == 1000 * small.shares_paid
    assert small.voice == large.voice == 1


def test_it_refuses_to_edit_a_movement_through_the_orm(alice):
    movement = ShareMovement.objects.first()
    movement.quantity = 99
    with pytest.raises(PermissionError):
        movement.save()
    with pytest.raises(PermissionError):
        ShareMovement.objects.filter(pk=movement.pk).update(quantity=99)
    with pytest.raises(PermissionError):
        movement.delete()
    with pytest.raises(PermissionError):
        ShareMovement.objects.all().delete()


def test_the_database_refuses_an_update_by_sql(alice):
    movement = ShareMovement.objects.first()
    with pytest.raises(Exception), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE members_sharemovement SET quantity = 99 WHERE id = %s", [movement.pk]
        )
    assert ShareMovement.objects.get(pk=movement.pk).quantity == movement.quantity


def test_a_correction_is_a_new_movement_that_reverses_the_first(alice):
    payment = alice.movements.get(kind="payment")
    correction = ShareMovement.objects.record(
        ShareMovement.Kind.CORRECTION,
        alice,
        payment.quantity,
        corrects=payment,
        reason="Virement rejeté par la banque",
    )
    alice.refresh_from_db()
    assert correction.number == payment.number + 1
    assert alice.shares_paid == 0
    assert Cooperative.get().capital_cents == 0
    with pytest.raises(ValidationError):
        ShareMovement.objects.record(
            ShareMovement.Kind.CORRECTION,
            alice,
            payment.quantity,
            corrects=payment,
            reason="Encore",
        )


def test_membership_becomes_effective_when_shares_are_paid(coop):
    member = make_member("eve@example.org", "Eve", "Leroy", category("Contrib"), paid=False)
    assert member.status == Member.Status.ADMITTED and member.voice == 0
    ShareMovement.objects.record(ShareMovement.Kind.PAYMENT, member, 1)
    member.refresh_from_db()
    assert member.status == Member.Status.ACTIVE and member.voice == 1


def test_a_payment_above_the_subscription_is_refused_and_writes_nothing(alice):
    before = ShareMovement.objects.count()
    with pytest.raises(ValidationError):
        ShareMovement.objects.record(ShareMovement.Kind.PAYMENT, alice, 1)
    assert ShareMovement.objects.count() == before


def test_the_database_refuses_a_paid_count_above_subscribed(alice):
    with pytest.raises(IntegrityError), transaction.atomic():
        Member.objects.filter(pk=alice.pk).update(shares_paid=alice.shares_subscribed + 1)


def test_a_stale_profile_save_keeps_the_register_figures(alice):
    stale = Cooperative.objects.get(pk=1)
    make_member("late@example.org", "Tardive", "Arrivée", category("Partenaires"))
    stale.name = "Nouveau nom"
    stale.save()
    fresh = Cooperative.get()
    assert fresh.name == "Nouveau nom"
    assert fresh.last_member_number == 2
    assert fresh.capital_cents == 3 * fresh.share_value_cents


def test_the_last_officer_cannot_resign(alice, bob):
    with pytest.raises(ValidationError, match="dernier responsable"):
        alice.resign()
    bob.set_officer(True)
    make_member("fred@example.org", "Fred", "Roux", category("Contrib"))  # keeps it filled
    alice.resign()


@pytest.mark.parametrize(
    ("kind", "quantity", "field"),
    [
        (ShareMovement.Kind.PAYMENT, 0, "quantity"),
        (ShareMovement.Kind.SUBSCRIPTION, MAX_SHARES_PER_MOVEMENT + 1, "quantity"),
        (ShareMovement.Kind.TRANSFER, 1, "counterpart"),
        (ShareMovement.Kind.SUBSCRIPTION, 1, "counterpart"),
    ],
)
def test_the_register_s_constraints_answer_on_their_field_and_write_nothing(
    alice, bob, kind, quantity, field
):
    """Checked in Python, without a query each: the same refusal the database would make."""
    counterpart = alice if kind == ShareMovement.Kind.TRANSFER else bob
    before = ShareMovement.objects.count(), Cooperative.get().last_movement_number
    with pytest.raises(ValidationError) as refused:
        ShareMovement.objects.record(kind, alice, quantity, counterpart=counterpart, by=alice.user)
    assert list(refused.value.message_dict) == [field]
    assert (ShareMovement.objects.count(), Cooperative.get().last_movement_number) == before
