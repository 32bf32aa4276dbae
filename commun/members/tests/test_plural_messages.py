"""A count is written in the singular or the plural it calls for, in French and English."""

import datetime
from types import SimpleNamespace

import pytest
from django.template.loader import render_to_string
from django.utils import translation

MEMBER = SimpleNamespace(first_name="Alice", status="active", number=7)


def payment_email(quantity, language):
    movement = SimpleNamespace(quantity=quantity, date=datetime.date(2026, 3, 2))
    with translation.override(language):
        return render_to_string(
            "members/emails/payment_recorded.txt",
            {"member": MEMBER, "movement": movement, "url": "https://coop.example/"},
        )


@pytest.mark.parametrize(
    ("quantity", "language", "words"),
    [
        (1, "fr", "Le paiement de 1 part a été enregistré"),
        (3, "fr", "Le paiement de 3 parts a été enregistré"),
        (1, "en", "The payment for 1 share was recorded"),
        (3, "en", "The payment for 3 shares was recorded"),
    ],
)
def test_the_payment_email_counts_its_shares(quantity, language, words):
    assert words in payment_email(quantity, language)


@pytest.mark.parametrize(
    ("shares", "language", "words"),
    [
        (1, "fr", "avec 1 part."),
        (4, "fr", "avec 4 parts."),
        (1, "en", "with 1 share."),
        (4, "en", "with 4 shares."),
    ],
)
def test_the_officers_read_how_many_shares_an_applicant_asks_for(shares, language, words):
    application = SimpleNamespace(
        full_name="Alice Martin", category=SimpleNamespace(name="Soutiens"), shares=shares
    )
    with translation.override(language):
        text = render_to_string(
            "members/emails/application_to_review.txt",
            {"application": application, "url": "https://coop.example/"},
        )
    assert words in text
