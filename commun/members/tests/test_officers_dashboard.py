"""The officers' dashboard: what waits for them, and the capital with its floor."""

from django.urls import reverse

from commun.conftest import category, make_member


def test_the_dashboard_shows_what_waits_and_the_capital(people, coop):
    make_member("eve@example.org", "Eve", "Leroy", category("Contrib"), shares=3, paid=False)
    response = people["officer"].get(reverse("officers:dashboard"))
    context = response.context
    assert context["pending_count"] == 1  # Carol
    assert context["awaiting_count"] == 1  # Eve
    html = response.content.decode()
    assert "Enregistrer le paiement de Eve Leroy" in html
    # Alice 2 shares and Bob 1 at 50 €: 150 €, floor a quarter of it.
    assert "150\u00a0€" in html
    assert "37,50\u00a0€" in html
    for name in ("applications", "record_movement", "repayments", "members", "profile"):
        assert reverse(f"officers:{name}") in html
