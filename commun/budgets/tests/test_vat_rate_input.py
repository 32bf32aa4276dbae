"""A VAT rate typed on a mission's form: read as the person means it, or a clear field error.

« 5,5 » is how French writes 5.5; « 20 % » says the unit; anything else that is not a rate
from 0 to 100 % is refused on the field, never answered with a server error.
"""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from commun.budgets.forms import PercentField
from commun.testing.budgets import fund, need_by

RATE_ERROR = "Saisissez un taux de TVA en pourcentage, de 0 à 100 (par exemple 20 ou 5,5)."


def estimate(client, need, vat_rate: str):
    return client.post(
        reverse("budgets:mission_new", args=[need.pk]),
        {
            "title": "T",
            "scope": "S",
            "deliverables": "D",
            "start_on": "2026-01-01",
            "duration_months": "1",
            "pay_form": "invoice",
            "amount": "1000",
            "vat_rate": vat_rate,
            "estimate": "1",
        },
    )


@pytest.mark.parametrize(
    ("typed", "total_cents"),
    [("5,5", 105_500), ("5.5", 105_500), ("20 %", 120_000), ("20%", 120_000), ("0", 100_000)],
)
def test_a_rate_is_read_as_the_person_means_it(people, bob, typed, total_cents):
    need = need_by(bob)
    fund(1_000_000)

    response = estimate(people["member"], need, typed)

    assert response.status_code == 200
    assert "vat_rate" not in response.context["form"].errors
    assert response.context["cost"].total_cents == total_cents


@pytest.mark.parametrize(
    "typed", ["abc", "-5", "100,5", "150", "5,555", "9e999999", "1e99999", "NaN", "Infinity"]
)
def test_what_is_not_a_rate_is_a_field_error(people, bob, typed):
    need = need_by(bob)

    response = estimate(people["member"], need, typed)

    assert response.status_code in (200, 422)
    assert response.context["form"].errors["vat_rate"] == [RATE_ERROR]


def test_a_blank_rate_is_a_field_error_for_an_invoice(people, bob):
    response = estimate(people["member"], need_by(bob), "")

    assert response.context["form"].errors["vat_rate"]


def test_the_field_error_is_in_english_too():
    with translation.override("en"):
        with pytest.raises(ValidationError) as refused:
            PercentField(required=False).clean("abc")
        assert refused.value.messages == [
            "Enter a VAT rate in percent, from 0 to 100 (for example 20 or 5.5)."
        ]
