"""Searching members finds them by the name the reader is shown (`Member.name_for`), never
by a name they hid from that reader.

Alice is an officer (she sees every name); Bob is an associate. Hugo hides his name from
the associates and shows the pseudonym « hibou »; Inès shows her name to the associates and
the pseudonym « iris » to the public; Jade shows her name to everyone.
"""

import pytest

from commun.conftest import category, make_member
from commun.members.models import Member, MembersSee, Visibility
from commun.members.search import search_shown_names

pytestmark = pytest.mark.django_db


@pytest.fixture
def hugo(coop):
    hugo = make_member("hugo@example.org", "Hugo", "Lefort", category("Contrib"))
    Member.objects.filter(pk=hugo.pk).update(pseudonym="hibou")
    return Member.objects.get(pk=hugo.pk)


@pytest.fixture
def ines(coop):
    ines = make_member("ines@example.org", "Inès", "Garnier", category("Contrib"))
    Member.objects.filter(pk=ines.pk).update(
        pseudonym="iris", public_visibility=Visibility.PSEUDONYM, members_visibility=MembersSee.NAME
    )
    return Member.objects.get(pk=ines.pk)


@pytest.fixture
def jade(coop):
    jade = make_member("jade@example.org", "Jade", "Moreau", category("Contrib"))
    Member.objects.filter(pk=jade.pk).update(public_visibility=Visibility.NAME)
    return Member.objects.get(pk=jade.pk)


def found(reader, text) -> set[str]:
    return {m.first_name for m in search_shown_names(Member.objects.all(), reader, text)}


def test_a_hidden_surname_finds_nobody_the_name_shown_finds_them(alice, bob, hugo):
    assert found(bob, "Lefort") == set()
    assert found(bob, "Hugo") == set()
    assert found(bob, "hib") == {"Hugo"}


def test_the_number_still_finds_a_hidden_member(bob, hugo):
    assert found(bob, str(hugo.number)) == {"Hugo"}


def test_a_pseudonym_the_reader_is_not_shown_does_not_lead_to_the_name(bob, ines):
    # Associates see Inès's name: her public pseudonym would tie it to her.
    assert found(bob, "iris") == set()
    assert found(bob, "Garnier") == {"Inès"}
    assert found(None, "iris") == {"Inès"}
    assert found(None, "Garnier") == set()


def test_an_officer_finds_every_name_and_a_member_their_own(alice, bob, hugo):
    assert found(alice, "Lefort") == {"Hugo"}
    assert found(hugo, "Lefort") == {"Hugo"}


def test_a_whole_name_finds_as_it_is_written(bob, jade):
    assert found(bob, "jade mor") == {"Jade"}


def test_one_letter_finds_nobody(bob, jade):
    assert found(bob, "J") == set()


@pytest.mark.parametrize("text", ["Lefort", "hibou", "iris", "Garnier", "Jade", "ar", "o", "Mar"])
def test_every_match_is_a_name_the_reader_is_shown_and_every_such_name_matches(
    alice, bob, hugo, ines, jade, text
):
    for reader in (None, alice, bob, hugo, ines):
        expected = {
            m.first_name
            for m in Member.objects.all()
            if len(text) >= 2 and text.lower() in m.name_for(reader).lower()
        }
        assert found(reader, text) == expected, reader
