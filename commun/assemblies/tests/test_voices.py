"""A voter's own voice, read from their row and their holder's (`Assembly.voice_of`,
`Assembly.carried_by`), is the one the whole count gives them (`Assembly.voices`); a vote
and a voter's page read a few rows, whatever the number of members.

Alice (an officer) chairs, Bob is the secretary; the crowd are members written in bulk.
"""

import re
from collections import Counter, defaultdict

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from commun.assemblies import counting
from commun.assemblies.ballots import AdvanceVote, counted_advance_votes
from commun.assemblies.models import Assembly, Participant, Vote
from commun.members.models import Category
from commun.testing.assemblies import convened, crowd

pytestmark = pytest.mark.django_db

MODES = ["", counting.PRESENT, counting.REMOTE, counting.PROXY, counting.CHAIR, counting.ADVANCE]
CROWD = 2_000
PROXIES = 400  # each of the first 400 of the crowd gives a proxy to one of the next 400
# A query that reads every participant's row of an assembly: filtered on the assembly alone.
EVERY_PARTICIPANT = re.compile(
    r'^SELECT "assemblies_participant"\..* WHERE "assemblies_participant"\."assembly_id" = \d+'
    r"( ORDER BY .*)?$"
)


def every_participant_reads(captured) -> int:
    return sum(bool(EVERY_PARTICIPANT.search(query["sql"])) for query in captured)


@pytest.fixture
def assembly(alice, bob):
    return convened(alice.user, max_proxies=3, advance_votes_count=True)


@pytest.fixture
def eight(assembly):
    """The assembly's participants once six more members are convened: eight rows."""
    crowd(assembly, 6, Category.objects.order_by("pk").first())
    return list(assembly.participants.order_by("member__number"))


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    answers=st.lists(
        st.tuples(st.sampled_from(MODES), st.integers(0, 7), st.booleans()),
        min_size=8,
        max_size=8,
    ),
    max_proxies=st.integers(0, 3),
    votes=st.lists(
        st.tuples(st.integers(0, 7), st.sampled_from(Vote.Choice.values)), min_size=8, max_size=8
    ),
)
def test_a_voters_own_voice_is_their_row_of_the_whole_count(
    assembly, eight, answers, max_proxies, votes
):
    """Any answers (proxies past the limit, to someone who gave theirs, to oneself), any
    attendance, any votes cast by anyone for anyone: each participant counts alone as the
    whole count counts them and carries the principals it says, and the database's quorum
    and tallies are the whole count's."""
    now = timezone.now()
    for row, (mode, holder, signed) in zip(eight, answers, strict=True):
        row.mode = mode
        row.holder = eight[holder] if mode == counting.PROXY else None
        row.checked_in_at = now if signed else None
    Participant.objects.bulk_update(eight, ["mode", "holder", "checked_in_at"])
    assembly.rules["max_proxies"] = max_proxies
    item = assembly.items.get(position=1)
    item.votes.all().delete()
    item.advance_votes.all().delete()
    for principal, (voter, choice) in zip(eight, votes, strict=True):
        Vote.objects.create(item=item, principal=principal, voter=eight[voter], choice=choice)
        AdvanceVote.objects.create(item=item, participant=principal, choice=choice)
    assert item.tallies(assembly) == tallies_from_voices(item, assembly)
    counted = assembly.voices()
    for row in assembly.participants.all():
        assert assembly.voice_of(row) == counted.get(row.pk, (None, None))[1]
        carried = [
            voice.pk
            for voice, mode in counted.values()
            if mode == counting.PROXY and voice.holder_id == row.pk
        ]
        assert [principal.pk for principal in assembly.carried_by(row)] == carried
    for phase in (Assembly.Phase.CONVENED, Assembly.Phase.OPEN):
        assembly.phase = phase
        assert assembly.turnout() == turnout_from_rows(assembly)


def tallies_from_voices(item, assembly) -> tuple[dict, int, int]:
    """A resolution's count from the whole of `voices()`: each vote whose principal counts
    through its voter, the advance votes that count, the blank proxies."""
    voices = assembly.voices()
    counts = defaultdict(Counter)
    for principal, voter, choice in item.votes.values_list("principal_id", "voter_id", "choice"):
        participant, mode = voices.get(principal, (None, None))
        in_person = voter == principal and mode in (counting.PRESENT, counting.REMOTE)
        if in_person or (mode == counting.PROXY and participant.holder_id == voter):
            counts[participant.college_id][choice] += 1
    advance = counted_advance_votes(item, voices)
    for participant, choice in advance:
        counts[participant.college_id][choice] += 1
    blank = 0
    for participant, mode in voices.values():
        if participant.mode == counting.CHAIR and mode == counting.PROXY:
            blank += 1
            counts[participant.college_id][item.blank_proxy_choice] += 1
    tallies = {
        college: counting.Tally(c["yes"], c["no"], c["abstain"]) for college, c in counts.items()
    }
    return tallies, blank, len(advance)


def turnout_from_rows(assembly) -> dict:
    """The turnout as `counting` computes it from every participant's row."""
    rows = assembly.voice_rows()
    member_of = {voice.pk: voice.member_id for voice in rows}
    return counting.turnout_by_college(
        [
            counting.Answer(v.member_id, v.college_id, v.mode, member_of.get(v.holder_id))
            for v in rows
        ],
        Counter(voice.college_id for voice in rows),
        {voice.member_id for voice in rows if voice.signed_in},
        max_proxies=assembly.rules["max_proxies"],
        on_the_day=assembly.phase != Assembly.Phase.CONVENED,
    )


@pytest.fixture
def crowded(assembly, alice, bob):
    """The assembly in session with 2,000 more members: 400 gave a proxy to 400 others,
    everyone else signed in; a resolution at the vote. Returns a holder and their
    principal."""
    rows = crowd(assembly, CROWD, Category.objects.order_by("pk").first())
    now = timezone.now()
    principals, holders = rows[:PROXIES], rows[PROXIES : 2 * PROXIES]
    for principal, holder in zip(principals, holders, strict=True):
        principal.mode, principal.holder = counting.PROXY, holder
    for row in rows[PROXIES:]:
        row.mode, row.checked_in_at = counting.PRESENT, now
    Participant.objects.bulk_update(rows, ["mode", "holder", "checked_in_at"], batch_size=500)
    assembly.open(alice.user, chair=alice, secretary=bob, now=assembly.starts_at)
    assembly.open_resolution(alice.user, assembly.items.get(position=1))
    return holders[0], principals[0]


def test_a_vote_reads_the_voters_rows_not_every_participants(crowded):
    """For oneself and for a principal: a few queries, none reading all 2,000 rows."""
    holder, principal = crowded
    item = holder.assembly.items.get(position=1)
    for whose, choice in ((None, Vote.Choice.YES), (principal.member, Vote.Choice.NO)):
        with CaptureQueriesContext(connection) as captured:
            item.vote(holder.member.user, choice, whose)
        assert len(captured) <= 15
        assert every_participant_reads(captured) == 0
    voices = dict(item.votes.values_list("principal_id", "choice"))
    assert voices == {holder.pk: Vote.Choice.YES, principal.pk: Vote.Choice.NO}


def test_the_voters_page_and_vote_read_their_rows_not_every_participants(crowded, client):
    """The quorum is counted by the database; the ballots read the voter's principals."""
    holder, principal = crowded
    page = f"/assemblees/{holder.assembly_id}/"
    client.force_login(holder.member.user)
    client.get(page)  # the session and the language read once, as for any page after the first
    with CaptureQueriesContext(connection) as captured:
        shown = client.get(page)
    assert shown.status_code == 200
    assert f'name="principal" value="{principal.member.number}"' in shown.content.decode()
    assert len(captured) <= 40
    assert every_participant_reads(captured) == 0
    with CaptureQueriesContext(connection) as captured:
        cast = client.post(
            page + "resolutions/1/vote/",
            {"choice": Vote.Choice.ABSTAIN, "principal": principal.member.number},
        )
    assert cast.status_code == 302
    assert len(captured) <= 25
    assert every_participant_reads(captured) == 0
    assert Vote.objects.get(principal=principal).choice == Vote.Choice.ABSTAIN
