"""Giving one's proxy by typing a name, in Chromium on a phone-sized screen.

Bob types the first letters of the pseudonym Hugo shows the associates; the list offers
Hugo, Bob picks him and answers. Typing the surname Hugo hid offers nobody. The page is
axe-clean with the list open, and nothing leaves the server.
"""

import pytest

from commun.conftest import category, make_member
from commun.members.models import Member
from commun.testing.assemblies import convened
from commun.testing.browser import act_as, assert_all_local, axe_check, done

pytestmark = pytest.mark.browser


def test_a_member_gives_a_proxy_by_typing_a_name(page, alice, bob):
    hugo = make_member("hugo@example.org", "Hugo", "Lefort", category("Contrib"))
    Member.objects.filter(pk=hugo.pk).update(pseudonym="hibou")
    assembly = convened(alice.user)

    page.set_viewport_size({"width": 390, "height": 844})
    act_as(page, bob)
    page.goto(f"/assemblees/{assembly.pk}/")
    page.get_by_label("Pouvoir à un·e associé·e").check()
    field = page.get_by_label("Numéro d'associé·e qui portera votre pouvoir")
    offered = page.locator("#id_holder-options option")

    field.press_sequentially("Lefo")
    page.wait_for_timeout(600)
    assert offered.count() == 0

    field.fill("")
    field.press_sequentially("hib")
    offered.first.wait_for(state="attached")
    assert offered.evaluate_all("options => options.map(o => [o.value, o.textContent])") == [
        [str(hugo.number), f"hibou (n° {hugo.number})"]
    ]
    axe_check(page)
    # Picking an option writes its value, the member number, into the field.
    field.fill(offered.first.get_attribute("value"))
    page.get_by_role("button", name="Répondre").click()
    done(page, "Votre réponse est enregistrée.")
    assert assembly.participants.get(member=bob).holder.member == hugo
    axe_check(page)
    assert_all_local(page)
