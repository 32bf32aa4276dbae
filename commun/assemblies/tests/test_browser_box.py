"""A member checks their secret ballot's receipt on the published box, in Chromium on a
phone-sized screen: the ballot is found and highlighted, the chain holds, the page is
axe-clean and nothing leaves the server."""

import pytest

from commun.assemblies.models import AgendaItem
from commun.testing.assemblies import draft
from commun.testing.browser import act_as, assert_all_local, axe_check

pytestmark = pytest.mark.browser


def test_a_member_finds_their_receipt_in_the_box(page, alice, bob):
    assembly = draft(alice.user)
    assembly.add_item(
        alice.user, AgendaItem.Kind.RESOLUTION, "Exclusion", "L'assemblée exclut…", secret=True
    )
    assembly.convene(alice.user)
    assembly.open(alice.user, chair=alice, secretary=bob, now=assembly.starts_at)
    for member in (alice, bob):
        assembly.participants.get(member=member).check_in(member.user)
    item = assembly.items.get(position=2)
    assembly.open_resolution(alice.user, item)
    receipt = item.vote(bob.user, "no").receipt
    item.vote(alice.user, "yes")
    item.close_vote(alice.user)

    page.set_viewport_size({"width": 390, "height": 844})
    act_as(page, bob)
    page.goto(f"/assemblees/{assembly.pk}/")
    page.get_by_role("link", name="L'urne publiée").click()
    page.get_by_text("La chaîne est intacte").wait_for()
    axe_check(page)
    page.get_by_label("Votre code de reçu").fill(receipt)
    page.get_by_role("button", name="Retrouver mon bulletin").click()
    page.get_by_text("Votre bulletin est dans l'urne, donc compté").wait_for()
    assert page.locator("tr[aria-current='true']").count() == 1
    axe_check(page)
    assert_all_local(page)
