"""Finding members by the name a reader is shown, never by a name hidden from them.

`Member.name_for` decides which name a reader sees; `search_shown_names` is the same rule
written as a database filter, so that typing a name someone hid finds nobody.
"""

from django.db.models import Q, QuerySet, Value
from django.db.models.functions import Concat

from commun.members.models import Member, MemberKind, MembersSee, Visibility, number_searched

# Fewer letters would list half the cooperative: a search starts at two, or a number.
MIN_LETTERS = 2


def search_shown_names(
    members: QuerySet, reader: Member | None, text: str, min_letters: int = MIN_LETTERS
) -> QuerySet:
    """The `members` whose name as `reader` is shown it contains `text`, or whose number it
    is; none by name for fewer than `min_letters` letters."""
    text = text.replace("\x00", "").strip()
    number = number_searched(text)
    matches = Q(number=number) if number is not None else Q(pk__in=[])
    if len(text) >= min_letters:
        matches |= _shown_name_contains(reader, text)
    # « prénom nom » as `Member.full_name` writes it, so that a whole name finds too.
    person = Concat("first_name", Value(" "), "last_name")
    return members.alias(shown_person=person).filter(matches)


def _shown_name_contains(reader: Member | None, text: str) -> Q:
    """`Member.name_for(reader)` as a filter: the full name where the reader sees it, the
    pseudonym where that is what the reader sees instead."""
    full_name = Q(shown_person__icontains=text) | Q(
        kind=MemberKind.ORGANISATION, organisation_name__icontains=text
    )
    pseudonym = Q(pseudonym__icontains=text)
    if reader is None or not reader.is_active_member:
        # The public's view: each member's own choice for visitors.
        return (Q(public_visibility=Visibility.NAME) & full_name) | (
            Q(public_visibility=Visibility.PSEUDONYM) & pseudonym
        )
    if reader.sees_every_name:
        return full_name
    named = (
        Q(public_visibility=Visibility.NAME)
        | Q(members_visibility=MembersSee.NAME)
        | Q(number=reader.number)
    )
    return (named & full_name) | (~named & pseudonym)
