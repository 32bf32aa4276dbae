"""Building decisions in tests: a thread in the cooperative's space, a proposal, voters.

Plain functions (not fixtures), so any app's test module may import them.
"""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from commun.accounts.models import User
from commun.decisions.models import Decision
from commun.deliberation.models import Space, Thread
from commun.members.models import Category, College, Cooperative, Member

DAY = datetime.timedelta(days=1)
# At most this many queries for a decision's page, whatever its stances and objections.
DECISION_PAGE_QUERIES = 25


def thread_for(author: Member, space: Space | None = None) -> Thread:
    space = space or Space.objects.cooperative()
    return Thread.objects.create(space=space, title="Discussion", author=author)


def propose(
    author: Member, kind: str = "consent", space: Space | None = None, **fields
) -> Decision:
    """A draft by `author`; one day of minimum deliberation and ten days to decide by default."""
    values = {
        "title": "Acheter un serveur",
        "body": "Nous achetons un serveur pour héberger nos outils.",
        "min_deliberation": DAY,
        "closes_at": timezone.now() + 10 * DAY,
    }
    values.update(fields)
    return Decision.objects.propose(
        thread=thread_for(author, space), author=author, kind=kind, **values
    )


def opened(author: Member, kind: str = "consent", now=None, **fields) -> Decision:
    decision = propose(author, kind, **fields)
    decision.open(now=now)
    return decision


def in_objection_round(author: Member, **fields) -> Decision:
    """A consent decision opened and advanced to its first objection round."""
    decision = opened(author, "consent", **fields)
    decision.advance(author)
    decision.advance(author)
    return decision


def many_members(count: int, category: Category, prefix: str = "votant") -> list[Member]:
    """`count` active members at once, without the register (for counting tests only)."""
    coop = Cooperative.get()
    start = coop.last_member_number
    users = User.objects.bulk_create(
        [User(email=f"{prefix}{start + i}@example.org") for i in range(count)]
    )
    members = Member.objects.bulk_create(
        [
            Member(
                user=user,
                number=start + i + 1,
                category=category,
                first_name=f"Prénom{start + i}",
                last_name="Votant",
                status=Member.Status.ACTIVE,
            )
            for i, user in enumerate(users)
        ]
    )
    Cooperative.objects.filter(pk=coop.pk).update(last_member_number=start + count)
    return members


def queries_for(client, path) -> int:
    """How many queries `client` needs to read the page at `path`."""
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


def users_college() -> College:
    return College.objects.get(name="Usager·es")


def by_users(author, kind="consent", **fields) -> Decision:
    """A draft of `author` decided by the users' college, readable by members."""
    values = {
        "scope": "colleges",
        "colleges": [users_college()],
        "visibility": "members",
        "min_deliberation": datetime.timedelta(0),
    }
    values.update(fields)
    return propose(author, kind, **values)
