"""Who may read and keep the register, role by role, on the rules and their predicates.

The expected table is written here by hand, apart from `members/rules.py`.
"""

import pytest

from commun.members import rules
from commun.testing.matrix import MEMBERS, OFFICER, wrong_answers

pytestmark = pytest.mark.django_db

EXPECTED = {
    "read_directory": MEMBERS,
    "read_register": MEMBERS,
    "edit_cooperative": OFFICER,
    "edit_structure": OFFICER,
    "decide_application": OFFICER,
    "record_movement": OFFICER,
    "appoint_officer": OFFICER,
}


def test_the_table_names_every_action():
    assert set(EXPECTED) == rules.RULES.actions


def test_who_may_act(roles):
    assert not wrong_answers(rules, EXPECTED, roles)


def test_the_predicates_answer_by_role(roles, bob):
    def answered(predicate):
        return {role for role, who in roles.items() if predicate(who)}

    assert answered(rules.is_active_member) == MEMBERS
    assert answered(rules.is_officer) == OFFICER
    assert answered(rules.can_see_register) == MEMBERS
    # Bob's certificate: Bob himself and the officers.
    assert answered(lambda who: rules.can_see_certificate(who, bob)) == MEMBERS


def test_a_leaver_is_no_longer_an_officer(roles, alice):
    alice.status = alice.Status.LEAVING
    alice.save(update_fields=["status"])
    officer = type(roles["officer"]).objects.get(pk=roles["officer"].pk)
    assert not rules.is_officer(officer)
    assert not rules.may(officer, "record_movement")


# The model methods ask the rules themselves, under their locks: a page or the API that
# forgot to ask could not admit, refuse, appoint or record for someone refused. A visitor
# reaches them as Django's AnonymousUser; `by=None` is the statutes' own path (automatic
# admission, a decision adopted, the first officer's installation) and is not a person.
@pytest.fixture
def acting(roles):
    from django.contrib.auth.models import AnonymousUser

    return roles | {"visitor": AnonymousUser()}


def refused_for(acting, run) -> set[str]:
    from commun.testing.matrix import refused

    return {role for role, who in acting.items() if refused(lambda who=who: run(who))}


def test_only_an_officer_admits_or_refuses_an_application(acting, carol):
    from commun.members.models import Application

    assert refused_for(acting, lambda who: carol.refuse("Pas de place.", by=who)) == set(acting) - {
        "officer"
    }
    assert Application.objects.get(pk=carol.pk).status == "refused"
    Application.objects.filter(pk=carol.pk).update(status="pending")
    assert refused_for(acting, lambda who: carol.admit(by=who)) == set(acting) - {"officer"}
    assert Application.objects.get(pk=carol.pk).status == "admitted"


def test_only_an_officer_appoints_an_officer(acting, bob):
    assert refused_for(acting, lambda who: bob.set_officer(True, by=who)) == set(acting) - {
        "officer"
    }
    bob.refresh_from_db()
    assert bob.is_officer


def test_only_an_officer_records_a_share_movement(acting, bob):
    from commun.members.models import ShareMovement

    def record(who):
        return ShareMovement.objects.record(ShareMovement.Kind.SUBSCRIPTION, bob, 1, by=who)

    before = ShareMovement.objects.count()
    assert refused_for(acting, record) == set(acting) - {"officer"}
    assert ShareMovement.objects.count() == before + 1


def test_only_an_officer_changes_the_structure(acting, coop):
    from commun.members.models import Category, College, Cooperative

    def save(who):
        Cooperative.get().save_structure(
            list(Category.objects.all()), list(College.objects.all()), by=who
        )

    assert refused_for(acting, save) == set(acting) - {"officer"}
