"""Who may give back upstream, role by role, on the rules and on the model methods.

The expected table is written here by hand, apart from `upstream/rules.py`.
"""

import datetime

import pytest

from commun.testing.matrix import OFFICER, ROLES, refused, wrong_answers
from commun.testing.upstream import fill_fund, projects
from commun.upstream import rules
from commun.upstream.models import CommonsSplit, Gift

pytestmark = pytest.mark.django_db

EXPECTED = {
    "edit_project": OFFICER,
    "open_split": OFFICER,
    "plan_gift": OFFICER,
    "pay_gift": OFFICER,
    "cancel_gift": OFFICER,
}


def test_the_table_names_every_action():
    assert set(EXPECTED) == rules.RULES.actions


def test_who_may_act(roles):
    assert not wrong_answers(rules, EXPECTED, roles)


def test_the_model_methods_refuse_everyone_but_an_officer(roles):
    django, *_others = projects(2)
    fill_fund(10_000)
    officer = roles["officer"]
    gift = Gift.objects.plan(officer, project=django, amount_cents=1_000, reference="AG 2026")
    status = gift.status
    writes = {
        "open_split": lambda who: CommonsSplit.objects.open(who, amount_cents=5_000),
        "plan_gift": lambda who: Gift.objects.plan(
            who, project=django, amount_cents=1_000, reference="AG 2026"
        ),
        "pay_gift": lambda who: gift.pay(who, datetime.date(2026, 2, 1), "pay-once"),
        "cancel_gift": lambda who: gift.cancel(who),
    }
    for action, write in writes.items():
        counts = (Gift.objects.count(), CommonsSplit.objects.count())
        for role in ROLES[:-1]:
            assert refused(lambda write=write, role=role: write(roles[role])), (action, role)
        assert (Gift.objects.count(), CommonsSplit.objects.count()) == counts, action
        gift.refresh_from_db()
        assert gift.status == status, action
    assert not refused(lambda: writes["open_split"](officer))
    assert not refused(lambda: writes["pay_gift"](officer))
    assert not refused(lambda: writes["cancel_gift"](officer))
