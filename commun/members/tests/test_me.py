"""My space: an application's fate, a member's holdings, profile and resignation."""

import pytest
from django.urls import reverse

from commun.conftest import category, client_for, make_member
from commun.lib.months import add_months
from commun.members.models import Cooperative, Member, Repayment, Visibility

ME = "/moi/"
RESIGN = "/moi/demission/"


def profile(**overrides) -> dict:
    data = {
        "profile-public_visibility": "name",
        "profile-pseudonym": "",
        "profile-phone": "",
        "profile-postal_address": "",
        "profile-bio": "",
    }
    data.update({f"profile-{key}": value for key, value in overrides.items()})
    return data


def test_a_member_sees_number_holdings_and_movements(bob):
    page = client_for(bob.user).get(ME).content.decode()
    assert f"Associé·e n°{bob.number}" in page
    assert "Partenaires et usager·es" in page and "Usager·es" in page
    assert "Libération" in page and "Souscription" in page
    assert reverse("members:certificate", args=[bob.number]) in page
    assert "50\u00a0€" in page
    assert "Mon compte et sa sécurité" in page


def test_an_applicant_sees_their_pending_application(carol):
    page = client_for(carol.user).get(ME).content.decode()
    assert "Ma candidature" in page and "En attente" in page


def test_a_refused_applicant_sees_the_reason(carol):
    carol.refuse("Les statuts réservent cette catégorie aux structures partenaires.")
    page = client_for(carol.user).get(ME).content.decode()
    assert "Refusée" in page
    assert "Les statuts réservent cette catégorie aux structures partenaires." in page


def test_an_account_without_application_is_invited_to_join(dan):
    page = client_for(dan).get(ME).content.decode()
    assert "pas encore candidaté" in page and reverse("members:join") in page


def test_a_member_chooses_to_show_a_pseudonym(bob):
    client = client_for(bob.user)
    response = client.post(ME, profile(public_visibility="pseudonym", pseudonym="Bobo"))
    assert response.status_code == 302
    bob.refresh_from_db()
    assert (bob.public_visibility, bob.pseudonym) == (Visibility.PSEUDONYM, "Bobo")
    assert bob.public_name == "Bobo"


def test_showing_a_pseudonym_requires_one_as_a_field_error(bob):
    response = client_for(bob.user).post(ME, profile(public_visibility="pseudonym"))
    assert response.status_code == 400
    assert response.context["form"].errors["pseudonym"] == [
        "Choisissez un pseudonyme pour être montré·e sous ce nom."
    ]
    bob.refresh_from_db()
    assert bob.public_visibility == Visibility.HIDDEN


def test_the_profile_form_answers_htmx_with_its_fragment(bob):
    response = client_for(bob.user).post(
        ME, profile(public_visibility="hidden", bio="Bonjour"), HTTP_HX_REQUEST="true"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith("<form") and "<html" not in html
    assert "Votre profil est enregistré." in html
    bob.refresh_from_db()
    assert bob.bio == "Bonjour"


def test_a_member_cannot_change_what_the_profile_does_not_offer(bob):
    number = bob.number
    client_for(bob.user).post(ME, {**profile(), "profile-number": "99", "profile-status": "left"})
    bob.refresh_from_db()
    assert bob.number == number and bob.status == Member.Status.ACTIVE


def test_an_applicant_has_no_profile_to_post(carol):
    assert client_for(carol.user).post(ME, profile()).status_code == 403


def test_resignation_asks_for_confirmation_then_schedules_the_repayment(alice, bob):
    # Eve joins Bob's mandatory category, so his leaving does not empty it.
    make_member("eve@example.org", "Eve", "Leroy", category("Partenaires"))
    client = client_for(bob.user)
    confirmation = client.get(RESIGN)
    assert confirmation.status_code == 200
    assert "Je confirme ma démission" in confirmation.content.decode()
    assert not Repayment.objects.exists()

    response = client.post(RESIGN)
    assert response.status_code == 302 and response.url == ME
    repayment = Repayment.objects.get(member=bob)
    assert repayment.due_on == add_months(repayment.requested_on, 12)
    assert repayment.amount_cents == 5000 and repayment.shares == 1
    bob.refresh_from_db()
    assert bob.status == Member.Status.LEAVING
    page = client.get(ME).content.decode()
    assert "Démission enregistrée" in page and repayment.due_on.strftime("%Y") in page


@pytest.mark.parametrize("delay", [3, 12])
def test_the_repayment_waits_the_statutes_delay(bob, alice, delay):
    Cooperative.objects.filter(pk=1).update(repayment_delay_months=delay)
    make_member("eve@example.org", "Eve", "Leroy", category("Partenaires"))
    client_for(bob.user).post(RESIGN)
    repayment = Repayment.objects.get(member=bob)
    months = (repayment.due_on.year - repayment.requested_on.year) * 12 + (
        repayment.due_on.month - repayment.requested_on.month
    )
    assert months == delay


def test_the_last_member_of_a_mandatory_category_cannot_resign(bob):
    response = client_for(bob.user).post(RESIGN)
    assert response.status_code == 409
    assert "est obligatoire et resterait vide" in response.content.decode()
    bob.refresh_from_db()
    assert bob.status == Member.Status.ACTIVE
    assert not Repayment.objects.exists()


def test_a_resignation_is_not_recorded_twice(alice, bob):
    make_member("eve@example.org", "Eve", "Leroy", category("Partenaires"))
    client = client_for(bob.user)
    client.post(RESIGN)
    response = client.post(RESIGN)
    assert response.status_code == 409
    assert Repayment.objects.filter(member=bob).count() == 1


def test_resigning_needs_a_membership(carol, dan):
    assert client_for(carol.user).post(RESIGN).status_code == 403
    assert client_for(dan).get(RESIGN).status_code == 403


def test_script_tags_in_names_are_escaped_on_my_page(coop):
    member = make_member("x@example.org", "<script>alert(1)</script>", "X", category("Contrib"))
    page = client_for(member.user).get(ME).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
