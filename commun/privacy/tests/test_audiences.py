"""Each declaration's audience is what the pages and the API really show, role by role.

Zélie, an associate, has a value in every field of her membership and account; Octave has
applied and waits. A visitor, a member (Bob) and an officer (Alice) read every page and
endpoint that shows associates or applications. A value must appear to exactly the roles
its declaration names: never to others (a leak), and somewhere to those it names (or the
privacy page promises what the software does not do). For the names a person chooses to
show, what they chose decides.
"""

import html
import re

import pytest
from django.test import Client

from commun.budgets.models import Need
from commun.conftest import category, client_for, make_applicant
from commun.deliberation.models import Space
from commun.members.models import AdmissionRule, Cooperative, Member
from commun.privacy.declarations import Audience, declared_fields
from commun.testing.privacy import member_with_every_field

ZELIE = {
    "email": "zelie.ravoux@example.org",
    "first_name": "Zélie",
    "last_name": "Ravoux",
    "phone": "+33 6 71 82 93 04",
    "postal_address": "3 chemin des Lavandières, 26110 Nyons",
    "iban": "FR7630006000011234567890189",
    "pseudonym": "lavandiere26",
    "bio": "Apicultrice, tient les ruches du tiers-lieu.",
    "motivation": "Partager les ruches avec la coopérative.",
}
OCTAVE = {
    "email": "octave.lumbroso@example.org",
    "first_name": "Octave",
    "last_name": "Lumbroso",
    "phone": "+33 7 55 44 33 22",
    "postal_address": "9 quai des Cordeliers, 84000 Avignon",
    "motivation": "Je répare des vélos et voudrais en parler ici.",
}
ROLES = ("visitor", "member", "officer")
CHOICES = [  # (what the public sees, what the associates see)
    ("hidden", "pseudonym"),
    ("pseudonym", "pseudonym"),
    ("name", "name"),
]


@pytest.fixture
def zelie(coop, alice, bob):
    zelie = member_with_every_field(ZELIE, category("Contrib"))
    space = Space.objects.cooperative()
    Space.objects.filter(pk=space.pk).update(visibility=Space.Visibility.PUBLIC)
    space.refresh_from_db()
    thread = space.start_thread(zelie, "Des ruches sur le toit", "Qui veut du miel ?")
    need = Need.objects.raise_need(zelie, title="Des ruches", description="Pour polliniser.")
    octave = make_applicant(
        OCTAVE["email"],
        OCTAVE["first_name"],
        OCTAVE["last_name"],
        category("Partenaires"),
        phone=OCTAVE["phone"],
        postal_address=OCTAVE["postal_address"],
        motivation=OCTAVE["motivation"],
    )
    return zelie, thread, need, octave


def pages(zelie, thread, need, octave) -> list[str]:
    return [
        "/",
        "/associes/",
        "/registre/",
        "/registre/registre.csv",
        f"/associes/{zelie.number}/certificat/",
        f"/fils/{thread.pk}/",
        "/besoins/",
        f"/besoins/{need.pk}/",
        "/responsables/associes/",
        "/responsables/candidatures/",
        "/api/v1/members",
        f"/api/v1/members/{zelie.number}",
        "/api/v1/register",
        f"/api/v1/threads/{thread.pk}",
        f"/api/v1/needs/{need.pk}",
        "/api/v1/applications",
        f"/api/v1/applications/{octave.pk}",
    ]


def seen_by(client: Client, urls: list[str]) -> str:
    """What the role reads on every page it may open, without spaces (an IBAN is grouped)."""
    seen = []
    for url in urls:
        response = client.get(url)
        if response.status_code != 200:
            continue  # refused, or sent to log in: shows nothing
        body = b"".join(response.streaming_content) if response.streaming else response.content
        seen.append(html.unescape(body.decode()))
    return re.sub(r"\s+", "", "\n".join(seen))


def shown_to(role: str, audience: Audience, value: str, person: Member | None, viewer) -> bool:
    """Whether a value declared for `audience` may be, and must be, shown to `role`."""
    if audience == Audience.NOBODY:
        return False
    if role == "officer" or audience == Audience.PUBLIC:
        return True
    if audience == Audience.MEMBERS:
        return role == "member"
    if audience == Audience.ADMISSION:
        return role == "member" and Cooperative.get().admission_rule == AdmissionRule.DECISION
    if audience == Audience.PUBLIC_BY_CHOICE and person is not None:
        shown = person.public_name if role == "visitor" else person.name_for(viewer)
        return value in (shown or "")
    return False  # OFFICERS, or a choice nobody could make (an applicant)


def expectations(zelie, octave) -> list[tuple[str, Audience, str, Member | None]]:
    """(field, audience, value, whose choice) for every declared field the two people fill."""
    rows = []
    for item in declared_fields():
        label = item.model._meta.label
        if label in ("members.Member", "accounts.User", "account.EmailAddress"):
            values, person = ZELIE, zelie
        elif label == "members.Application":
            values, person = OCTAVE, None
        else:
            continue
        value = values.get(item.field.name)
        if value:
            rows.append((item.label, item.declared.visibility, value, person))
    return rows


@pytest.mark.parametrize("public, members", CHOICES)
def test_each_declared_field_shows_to_exactly_its_audience(zelie, people, bob, public, members):
    subject, thread, need, octave = zelie
    Member.objects.filter(pk=subject.pk).update(
        public_visibility=public, members_visibility=members
    )
    subject.refresh_from_db()
    urls = pages(subject, thread, need, octave)
    wrong = []
    for role in ROLES:
        seen = seen_by(people[role], urls)
        for label, audience, value, person in expectations(subject, octave):
            expected = shown_to(role, audience, value, person, bob)
            if (re.sub(r"\s+", "", value) in seen) != expected:
                wrong.append(f"{label} {'hidden from' if expected else 'shown to'} {role}")
    assert not wrong, wrong


def test_the_check_covers_the_contact_details_of_member_pages(zelie):
    subject, _thread, _need, octave = zelie
    checked = {label for label, *_rest in expectations(subject, octave)}
    for field in ("first_name", "last_name", "phone", "postal_address", "iban", "bio"):
        assert f"members.Member.{field}" in checked
    assert {"accounts.User.email", "members.Application.email"} <= checked


def test_a_member_asked_to_admit_sees_the_applicants_name(zelie, bob):
    """Admission by decision: the associates asked to consent read who applies."""
    from commun.decisions.models import Decision

    subject, _thread, _need, octave = zelie
    Cooperative.objects.update(admission_rule=AdmissionRule.DECISION)
    decision = Decision.objects.open_for_admission(octave)
    seen = seen_by(client_for(bob.user), [f"/decisions/{decision.pk}/"])
    for label, audience, value, _person in expectations(subject, octave):
        if label.startswith("members.Application."):
            assert (value.replace(" ", "") in seen) == (audience == Audience.ADMISSION), label
