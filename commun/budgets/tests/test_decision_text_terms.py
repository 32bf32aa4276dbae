"""The decision's text names every term that sets a salary's cost: members consent to that
text, so two missions whose costs differ never read the same, in French or in English."""

import datetime
from decimal import Decimal

import pytest
from django.utils import translation

from commun.budgets.models import BudgetSettings, Mission
from commun.decisions.models import Decision
from commun.testing.budgets import CHARTER, draft, invoice, shown

pytestmark = pytest.mark.django_db

MARCH_1ST = datetime.date(2027, 3, 1)
CDD = CHARTER | {"start_on": MARCH_1ST}
# Each term, the value that changes the cost, and how each language names both values.
TERMS = {
    "cadre": (
        True,
        {"fr": ("non cadre", ", cadre"), "en": ("non-executive", ", executive (cadre)")},
    ),
    "paid_leave_taken": (
        True,
        {
            "fr": ("congés payés en indemnité", "congés pris pendant le contrat"),
            "en": ("leave paid as an indemnity", "leave taken during the contract"),
        },
    ),
    "end_of_contract_due": (
        False,
        {
            "fr": ("indemnité de fin de contrat de 10 %", "sans indemnité de fin de contrat"),
            "en": ("end-of-contract indemnity of 10%", "no end-of-contract indemnity"),
        },
    ),
    "start_on": (
        datetime.date(2027, 4, 15),
        {
            "fr": ("à partir du 1er mars 2027", "à partir du 15 avr. 2027"),
            "en": ("from March 1, 2027", "from April 15, 2027"),
        },
    ),
}


def decision_text(member, **terms) -> str:
    mission = draft(member, **terms)
    mission.submit(member)
    return Decision.objects.get(
        pk=Mission.objects.get(pk=mission.pk).decision_id
    ).current_version.body


def pay_line(text: str) -> str:
    (line,) = [line for line in text.splitlines() if line.startswith(("Rémunération", "Pay"))]
    return line


@pytest.mark.parametrize("language", ["fr", "en"])
@pytest.mark.parametrize("term", TERMS)
def test_two_missions_differing_by_one_term_read_differently(bob, english, language, term):
    changed, (before, after) = TERMS[term][0], TERMS[term][1][language]
    with translation.override(language):
        usual = pay_line(decision_text(bob, **CDD))
        other = pay_line(decision_text(bob, **CDD | {term: changed}))

    assert usual != other
    assert before in usual and before not in other
    assert after in other and after not in usual


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_text_names_the_indemnity_rate_the_settings_give(bob, english, language):
    """A branch agreement at 6 %: the text states the rate the cost was computed with."""
    settings = BudgetSettings.get()
    with translation.override(language):
        at_ten = pay_line(decision_text(bob, **CDD))
        settings.end_of_contract_rate_percent = Decimal(6)
        settings.save()
        at_six = pay_line(decision_text(bob, **CDD))

    assert {"fr": "de 10 %", "en": "of 10%"}[language] in at_ten
    assert {"fr": "de 6 %", "en": "of 6%"}[language] in at_six


def test_the_sentence_reads_as_one_sentence_in_french(bob):
    with translation.override("fr"):
        line = pay_line(decision_text(bob, **CDD))

    assert line == (
        f"Rémunération demandée : CDD à 100 %, {shown(200_000)} net par mois pendant 6 mois "
        "à partir du 1er mars 2027, non cadre, congés payés en indemnité, indemnité de fin de "
        "contrat de 10 %."
    )


def test_a_cdi_names_cadre_but_no_cdd_indemnity(bob):
    with translation.override("fr"):
        line = pay_line(decision_text(bob, **CDD | {"contract": "cdi", "cadre": True}))

    assert "cadre" in line and "non cadre" not in line
    assert "indemnité" not in line and "congés" not in line


def test_each_other_person_paid_is_named_with_the_same_terms(bob, gus):
    """Gus, salaried beside Bob's invoice: his line names his cadre status, leave, indemnity
    and start, and a cadre Gus reads differently."""
    salaried = {
        name: CDD[name]
        for name in ("pay_form", "contract", "working_time_percent", "monthly_amount_cents")
    } | {"amount_basis": "net"}
    texts = []
    for cadre in (False, True):
        mission = draft(bob, **invoice(100_000, start_on=MARCH_1ST, duration_months=6))
        mission.add_contributor(bob, gus, **salaried | {"cadre": cadre})
        mission.submit(bob)
        mission.refresh_from_db()
        text = Decision.objects.get(pk=mission.decision_id).current_version.body
        (line,) = [line for line in text.splitlines() if line.startswith("Payé·e aussi")]
        texts.append(line)

    assert "à partir du 1er mars 2027, non cadre, congés payés en indemnité" in texts[0]
    assert "indemnité de fin de contrat de 10 %" in texts[0]
    assert ", cadre," in texts[1] and "non cadre" not in texts[1]
