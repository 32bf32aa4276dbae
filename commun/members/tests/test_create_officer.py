import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from commun.members.models import Member


def test_it_bootstraps_the_first_officer(coop):
    call_command(
        "create_officer",
        email="Une@Example.org",
        first_name="Une",
        last_name="Pionnière",
        category="Contrib",
        password="un mot de passe solide",
    )
    member = Member.objects.get(user__email="une@example.org")
    assert member.number == 1 and member.is_officer and member.is_active_member
    assert member.user.check_password("un mot de passe solide")


def test_it_names_the_categories_when_the_one_given_is_unknown(coop):
    with pytest.raises(CommandError, match="Contributeur"):
        call_command(
            "create_officer",
            email="x@example.org",
            first_name="X",
            last_name="Y",
            category="Inexistante",
            password="un mot de passe solide",
        )
    assert not Member.objects.exists()


def test_it_answers_in_the_language_of_the_person_running_it(coop):
    out = io.StringIO()
    officer = {
        "email": "une@example.org",
        "first_name": "Une",
        "last_name": "Pionnière",
        "category": "Contrib",
        "password": "un mot de passe solide",
    }
    with translation.override("en"):
        call_command("create_officer", stdout=out, **officer)
        with pytest.raises(CommandError, match="An account already exists for une@example.org"):
            call_command("create_officer", **officer)
    assert "Une Pionnière is an officer. Sign in: une@example.org" in out.getvalue()
