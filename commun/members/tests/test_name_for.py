"""How a member's name is shown to a viewer: the one privacy rule, on unsaved members."""

from commun.members.models import Member, MemberKind, MembersSee, Visibility

ACTIVE = Member.Status.ACTIVE


def person(number=7, public=Visibility.HIDDEN, members=MembersSee.PSEUDONYM, **fields) -> Member:
    values = {"first_name": "Zélie", "last_name": "Martin", "pseudonym": "zm", "status": ACTIVE}
    return Member(
        number=number, public_visibility=public, members_visibility=members, **values | fields
    )


def associate(**fields) -> Member:
    return person(number=1, first_name="Octave", last_name="Roy", **fields)


def test_a_visitor_sees_only_the_public_choice():
    assert person(public=Visibility.NAME).name_for(None) == "Zélie Martin"
    assert person(public=Visibility.PSEUDONYM).name_for(None) == "zm"
    assert person(members=MembersSee.NAME).name_for(None) == "Associé·e n°7"


def test_a_member_who_is_not_active_sees_only_the_public_choice():
    admitted = associate(status=Member.Status.ADMITTED)
    assert person(members=MembersSee.NAME).name_for(admitted) == "Associé·e n°7"


def test_an_associate_sees_the_choice_made_for_members():
    assert person(members=MembersSee.NAME).name_for(associate()) == "Zélie Martin"
    assert person().name_for(associate()) == "zm"
    assert person(pseudonym="").name_for(associate()) == "Associé·e n°7"


def test_an_officer_sees_every_name():
    assert person().name_for(associate(is_officer=True)) == "Zélie Martin"


def test_an_officer_who_has_left_no_longer_sees_hidden_names():
    former = associate(is_officer=True, status=Member.Status.LEFT)
    assert person().name_for(former) == "Associé·e n°7"


def test_a_member_sees_their_own_name():
    assert person().name_for(person()) == "Zélie Martin"


def test_a_member_reading_their_own_record_sees_counterparts_as_associates_do():
    former = associate(status=Member.Status.LEFT)
    assert person(members=MembersSee.NAME).name_for(former, own_record=True) == "Zélie Martin"


def test_an_organisation_is_named_with_its_contact():
    shown = person(kind=MemberKind.ORGANISATION, organisation_name="Scop", public=Visibility.NAME)
    assert shown.name_for(associate()) == "Scop (Zélie Martin)"


def test_an_erased_account_keeps_its_number_only():
    erased = person(first_name="", last_name="", members=MembersSee.NAME)
    assert erased.name_for(associate()) == "Associé·e n°7"
