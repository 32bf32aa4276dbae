"""What the feeds' tests share: a public record with private things beside it.

Bob shows nothing of himself to the public (the default), Alice her name. The record holds
a public decision opened and one closed, a members-only one, one in the users' college
space, a need with a task, a submitted mission, a draft, and two transactions.
"""

import pytest
from django.utils import timezone

from commun.board.models import Task
from commun.conftest import category, make_member
from commun.decisions.models import Decision
from commun.deliberation.models import Space
from commun.members.models import Member, Visibility
from commun.testing.budgets import draft, fund, invoice, need_by, submitted
from commun.testing.decisions import by_users, opened, propose, users_college
from commun.testing.feeds import HIDDEN


@pytest.fixture
def gus(coop):
    return make_member("gus@example.org", "Gus", "Blanc", category("Partenaires"))


@pytest.fixture
def record(alice, bob):
    Member.objects.filter(pk=alice.pk).update(public_visibility=Visibility.NAME)
    Space.objects.filter(pk=Space.objects.cooperative().pk).update(
        visibility=Space.Visibility.PUBLIC
    )
    fund(1_000_000)
    need = need_by(bob, title="Une billetterie maintenue")
    mission = submitted(bob, need, **invoice(100_000, title="Maintenir la billetterie"))
    draft(bob, need, **invoice(50_000, title=HIDDEN))
    task = Task.objects.create_task(
        bob, need, title="Trier les anomalies", description="Les **plus vieilles** d'abord."
    )
    open_one = opened(alice, title="Acheter un serveur")
    closed_one = opened(alice, title="Changer de banque")
    closed_one.withdraw(alice, statement="Nous restons où nous sommes.")
    members_only = by_users(bob, title="Décision entre associé·es")
    members_only.open()
    college = propose(
        bob,
        space=Space.objects.for_college(users_college()),
        scope="colleges",
        colleges=[users_college()],
        title="Décision du collège des usager·es",
        min_deliberation=timezone.timedelta(0),
    )
    college.open()
    return {
        "need": need,
        "task": task,
        "mission": mission,
        "open": open_one,
        "closed": Decision.objects.get(pk=closed_one.pk),
        "members_only": members_only,
        "college": college,
    }
