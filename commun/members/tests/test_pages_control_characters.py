"""The web's forms refuse NUL and other control characters with a field error, never a 500.

Django's CharField refuses NUL alone; every form of Commun (RefusesControlCharacters in
commun/lib/controls.py) refuses the others too, with one message. A bank statement pasted
or sent names the line.
"""

import pytest

from commun.testing.decisions import thread_for
from commun.testing.members import CONTROL_CHARACTER_MESSAGE as MESSAGE
from commun.testing.members import every_row_count as rows

BAD = ("a\x00b", "a\x07b")
LINE = "la ligne contient un caractère de contrôle interdit (NUL ou autre)."


@pytest.mark.parametrize("bad", ["a%00b", "a%07b"])
@pytest.mark.parametrize(
    "url",
    [
        "/recherche/?q={bad}",
        "/associes/?q={bad}",
        "/decisions/?q={bad}",
        "/comptes/ecritures/?account={bad}",
        "/comptes/ecritures/?month={bad}",
    ],
)
def test_a_search_or_filter_says_what_is_wrong(people, url, bad):
    response = people["officer"].get(url.format(bad=bad))
    assert response.status_code in (200, 422)
    assert MESSAGE in response.content.decode()


def _forms(alice):
    thread = thread_for(alice)
    return [
        (f"/fils/{thread.pk}/commenter/", {"body": "{bad}"}),
        ("/espaces/cooperative/nouveau-fil/", {"title": "{bad}", "body": "Un fil."}),
        ("/besoins/nouveau/", {"title": "{bad}", "description": "Un besoin."}),
        ("/cercles/nouveau/", {"name": "{bad}", "description": "", "visibility": "members"}),
        (
            "/comptes/saisie/recette/",
            {"date": "2026-03-01", "label": "{bad}", "nature": "706", "amount": "10,00"},
        ),
    ]


def test_every_form_refuses_a_control_character_on_its_field(people, alice):
    officer = people["officer"]
    for path, fields in _forms(alice):
        for bad in BAD:
            before = rows()
            data = {name: value.format(bad=bad) for name, value in fields.items()}
            response = officer.post(path, data)
            assert response.status_code in (400, 422), (path, repr(bad), response.status_code)
            assert MESSAGE in response.content.decode(), (path, repr(bad))
            assert rows() == before, (path, repr(bad))


def test_tab_and_newlines_stay_allowed_in_a_comment(people, alice):
    thread = thread_for(alice)
    response = people["officer"].post(
        f"/fils/{thread.pk}/commenter/", {"body": "Deux\tcolonnes\r\net deux lignes"}
    )
    assert response.status_code in (200, 302)
    assert thread.comments.get().body == "Deux\tcolonnes\r\net deux lignes"


@pytest.mark.parametrize("confirm", [False, True])
@pytest.mark.parametrize("bad", BAD)
def test_a_pasted_bank_statement_names_the_line_of_a_control_character(people, alice, bad, confirm):
    statement = "date;libellé;montant;compte\n01/03/2026;Cotisation;10,00;706\n"
    statement += f"02/03/2026;Don{bad};5,00;706\n"
    data = {"text": statement} | ({"confirm": "1"} if confirm else {})
    before = rows()
    response = people["officer"].post("/comptes/import/", data)
    assert response.status_code == 422
    assert LINE in response.content.decode()
    assert rows() == before
