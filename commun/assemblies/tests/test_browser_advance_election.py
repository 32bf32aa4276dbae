"""An advance vote in an election, in Chromium on a phone-sized screen: Bob answered « vote
avant la séance », ticks a candidate for the council and sends his choice; the page says
so and keeps the box ticked. Axe-clean, nothing leaves the server."""

import pytest

from commun.assemblies import elections
from commun.assemblies.elections import AdvanceElectionVote
from commun.assemblies.models import AssemblyRules, Kind
from commun.testing.assemblies import draft
from commun.testing.browser import act_as, assert_all_local, axe_check, done

pytestmark = pytest.mark.browser


def test_a_member_votes_in_an_election_before_the_day(page, alice, bob):
    AssemblyRules.of(Kind.ORDINARY).update(alice.user, advance_votes_count=True)
    assembly = draft(alice.user)
    item = elections.add_election(alice.user, assembly, "Conseil coopératif", 1, "majority")
    elections.add_candidate(alice.user, item, alice)
    assembly.convene(alice.user)
    assembly.participants.get(member=bob).answer(bob.user, "advance")

    page.set_viewport_size({"width": 390, "height": 844})
    act_as(page, bob)
    page.goto(f"/assemblees/{assembly.pk}/")
    ballot = page.locator("form", has=page.get_by_text("Conseil coopératif", exact=True))
    ballot.get_by_text("Cochez 1 candidat·e au plus.").wait_for()
    axe_check(page)
    ballot.get_by_role("checkbox").check()
    ballot.get_by_role("button", name="Envoyer mon choix").click()
    done(page, "Votre vote avant la séance est enregistré.")
    ballot = page.locator("form", has=page.get_by_text("Conseil coopératif", exact=True))
    assert ballot.get_by_role("checkbox").is_checked()
    assert ballot.get_by_text("Votre choix est enregistré.").is_visible()
    axe_check(page)
    assert AdvanceElectionVote.of(assembly, bob) == {item.pk: [alice.pk]}
    assert_all_local(page)
