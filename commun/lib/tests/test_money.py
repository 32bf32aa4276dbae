"""The one money parser: what a person types in euros becomes cents exactly, or is refused.

Never rounded, never read as an exponent, never from digits other than 0 to 9; the forms,
the API's amounts and the bank import all go through it (their own tests show that)."""

import json
from decimal import Decimal

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter
from pydantic import ValidationError as PydanticError

from commun.core.tests.test_translations import compiled_locale, english  # noqa: F401
from commun.lib.money import (
    MAX_AMOUNT_CENTS,
    AmountError,
    Cents,
    EurosField,
    PositiveCents,
    format_cents,
    is_whole_cents,
    parse_euros,
)


@pytest.mark.parametrize(
    "text, cents",
    [
        ("12", 1200),
        ("12,5", 1250),
        ("12.50", 1250),
        ("0,01", 1),
        ("1 250,50", 125_050),
        ("1\u00a0250,50", 125_050),
        ("1\u202f250,50", 125_050),
        ("  7,00 ", 700),
        ("+3", 300),
        (",5", 50),
        ("12,", 1200),
        ("1000000000", MAX_AMOUNT_CENTS),
    ],
)
def test_it_reads_euros_into_exact_cents(text, cents):
    assert parse_euros(text) == cents


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("12,345", "au plus deux décimales"),
        ("0,001", "au plus deux décimales"),
        ("1.234,56", "Saisissez un montant en euros"),
        ("1e5", "sans exposant"),
        ("1E5", "sans exposant"),
        ("2,5e3", "sans exposant"),
        ("١٢", "chiffres 0 à 9"),
        ("１２", "chiffres 0 à 9"),
        ("1²", "chiffres 0 à 9"),
        ("true", "Saisissez un montant en euros"),
        ("", "Saisissez un montant en euros"),
        (",", "Saisissez un montant en euros"),
        ("--3", "Saisissez un montant en euros"),
        ("NaN", "Saisissez un montant en euros"),
        ("Infinity", "Saisissez un montant en euros"),
        ("0x10", "Saisissez un montant en euros"),
        ("1_000", "Saisissez un montant en euros"),
        ("12 €", "Saisissez un montant en euros"),
        ("9" * 5000, "Saisissez un montant en euros"),
        ("1000000000,01", "dépasse la limite"),
        ("-3", "ne peut pas être négatif"),
        ("0", "supérieur à zéro"),
        ("-0", "supérieur à zéro"),
        ("0,00", "supérieur à zéro"),
    ],
)
def test_it_refuses_what_is_not_exactly_an_amount(text, fragment):
    with pytest.raises(AmountError) as refused:
        parse_euros(text)

    assert fragment in str(refused.value.message)


def test_what_may_be_negative_or_zero_says_so():
    assert parse_euros("-12,50", negative=True) == -1250
    assert parse_euros("\u221212,50", negative=True) == -1250  # a bank's minus sign
    assert parse_euros("0", zero=True) == 0
    assert parse_euros("-0", zero=True) == 0  # minus zero is zero
    with pytest.raises(AmountError, match="nul"):
        parse_euros("-0", negative=True)
    with pytest.raises(AmountError, match="négatif"):
        parse_euros("-1", zero=True)
    with pytest.raises(AmountError, match="dépasse la limite"):
        parse_euros("1000001", maximum=100_000_000)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("12,345", "An amount has at most two decimals"),
        ("1e5", "without an exponent"),
        ("١٢", "digits 0 to 9"),
        ("true", "Enter an amount in euros"),
        ("-0", "greater than zero"),
    ],
)
@pytest.mark.usefixtures("english")
def test_the_messages_have_their_english(text, expected):
    with translation.override("en"):
        with pytest.raises(AmountError) as refused:
            parse_euros(text)
        shown = str(refused.value.message)

    assert expected in shown


@given(st.integers(min_value=-MAX_AMOUNT_CENTS, max_value=MAX_AMOUNT_CENTS))
def test_any_amount_written_out_reads_back_the_same(cents):
    sign = "-" if cents < 0 else ""
    units, hundredths = divmod(abs(cents), 100)
    for text in (
        f"{sign}{units},{hundredths:02d}",
        f"{sign}{units}.{hundredths:02d}",
        f"{sign}{units:,}.{hundredths:02d}".replace(",", " "),
    ):
        assert parse_euros(text, negative=True, zero=True) == cents
    with translation.override("fr"):
        shown = format_cents(cents, currency="").strip()
    assert parse_euros(shown, negative=True, zero=True) == cents


@given(
    st.integers(min_value=0, max_value=10**9),
    st.text(alphabet="0123456789", min_size=3, max_size=8),
    st.sampled_from([",", "."]),
)
def test_anything_with_more_than_two_decimals_is_refused(units, decimals, mark):
    with pytest.raises(AmountError, match="au plus deux décimales"):
        parse_euros(f"{units}{mark}{decimals}", negative=True, zero=True)


@given(st.text(max_size=30))
def test_any_text_is_either_an_exact_amount_or_refused(text):
    try:
        cents = parse_euros(text, negative=True, zero=True)
    except AmountError:
        return
    assert type(cents) is int and abs(cents) <= MAX_AMOUNT_CENTS
    # Beyond ASCII, only spaces (grouping, or around) and a typographic minus are read.
    assert all(c.isascii() or c.isspace() or c == "\u2212" for c in text)


def test_the_form_field_cleans_to_cents_with_the_parser_s_message():
    field = EurosField(required=False)

    assert field.clean("1 250,50") == 125_050
    assert field.clean("") is None
    with pytest.raises(Exception, match="au plus deux décimales"):
        field.clean("12,345")
    assert EurosField(zero=True).clean("0") == 0


@pytest.mark.parametrize("raw", ["true", "false", "1234.5", "1e5", "100.0", '"12"', '"١٢"', "null"])
def test_the_api_s_cents_are_strict_integers(raw):
    adapter = TypeAdapter(PositiveCents)

    with pytest.raises(PydanticError) as refused:
        adapter.validate_json(raw)
    with pytest.raises(PydanticError):
        adapter.validate_python(json.loads(raw))

    assert refused.value.errors()[0]["type"] == "cents_type"
    assert "nombre entier de centimes" in refused.value.errors()[0]["msg"]


def test_the_api_s_cents_keep_their_bounds_and_schema():
    positive = TypeAdapter(PositiveCents)
    signed = TypeAdapter(Cents)

    assert positive.validate_json("1250") == 1250
    assert signed.validate_json("-5") == -5
    with pytest.raises(PydanticError, match="greater_than_equal"):
        positive.validate_json("-0")
    with pytest.raises(PydanticError, match="less_than_equal"):
        positive.validate_json(str(MAX_AMOUNT_CENTS + 1))
    schema = positive.json_schema()
    assert schema["type"] == "integer"
    assert (schema["minimum"], schema["maximum"]) == (1, MAX_AMOUNT_CENTS)


@pytest.mark.parametrize("value", [0, 1250, -500, MAX_AMOUNT_CENTS])
def test_an_integer_is_whole_cents(value):
    assert is_whole_cents(value)


@pytest.mark.parametrize("value", [True, False, 12.0, 12.5, "1250", None, Decimal("12")])
def test_a_boolean_a_float_a_text_or_a_decimal_is_not_whole_cents(value):
    assert not is_whole_cents(value)
