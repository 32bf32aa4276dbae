"""The steps a resolution's advance votes (`ballots.AdvanceVote`) and an election's
(`elections.AdvanceElectionVote`) share: which of them count on the day, and how they go
into a secret box when its vote opens. Only what a row holds differs (a choice, or
candidates), so each kind passes its own rows and its own way into the box.
"""

import random

from commun.assemblies import counting


def counted(assembly, rows, voices: dict) -> list[tuple]:
    """The (participant, what they sent) pairs among `rows` ((participant id, what they
    sent) pairs) whose member still votes in advance on the day (`Assembly.voices`): never
    alongside a vote in the room."""
    if not assembly.rules.get("advance_votes_count"):
        return []  # nobody could answer « advance »: no need to ask the database
    kept = []
    for participant_id, sent in rows:
        participant, mode = voices.get(participant_id, (None, None))
        if mode == counting.ADVANCE:
            kept.append((participant, sent))
    return kept


def into_the_box(item, counted_votes: list[tuple], put, rows) -> None:
    """Put each counted vote into `item`'s box with `put(item, participant, sent)` in a
    random order, then delete every advance vote row (`rows`): from then on, nothing says
    what a member sent, and the box's order does not follow the order they were sent in."""
    random.SystemRandom().shuffle(counted_votes)
    for participant, sent in counted_votes:
        put(item, participant, sent)
    rows.delete()
