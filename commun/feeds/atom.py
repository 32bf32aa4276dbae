"""The public Atom feeds, one class each, on Django's syndication framework.

A feed lists what its public page shows a visitor, read through the same querysets
(`Mission.objects.public()`, `Decision.objects.readable_by(None)`…) and names people as a
visitor sees them (`Member.name_for(None)`). Adding a feed is one class and one line in
`FEEDS`: its address (/flux/<slug>.atom), the `{% feed_link %}` of its page and the API's
`GET /channels` follow.
"""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.cache import get_conditional_response
from django.utils.feedgenerator import Atom1Feed
from django.utils.http import parse_http_date_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from commun.board.models import Task
from commun.budgets.models import Mission, Need
from commun.decisions.models import Decision
from commun.ledger.models import Transaction
from commun.members.models import Cooperative

# Entries per feed: a reader polls often, so the latest are enough.
ENTRIES = 50


class PublicFeed(Feed):
    """An Atom feed of one public page: `slug` names its address, `page` the page it follows."""

    feed_type = Atom1Feed
    slug: str
    name: str  # a lazy translation: what the feed holds, in a few words
    page: str  # the URL name of the public page it follows

    def __init__(self):
        super().__init__()
        # Each entry's text, in the reader's language: feeds/templates/feeds/atom/<slug>.html.
        self.description_template = f"feeds/atom/{self.slug}.html"

    def __call__(self, request, *args, **kwargs):
        response = super().__call__(request, *args, **kwargs)
        # Last-Modified is the latest entry's date: a reader that holds it gets a 304.
        changed = parse_http_date_safe(response.get("Last-Modified", ""))
        return get_conditional_response(request, last_modified=changed, response=response)

    def title(self) -> str:
        return f"{Cooperative.get().name} · {self.name}"

    def link(self) -> str:
        return reverse(self.page)

    def feed_url(self) -> str:
        return reverse(f"feeds:{self.slug}")


class NeedFeed(PublicFeed):
    slug = "besoins"
    name = gettext_lazy("Besoins")
    page = "budgets:needs"

    def items(self):
        return Need.objects.select_related("raised_by").order_by("-created_at", "-pk")[:ENTRIES]

    def item_title(self, need: Need) -> str:
        return need.title

    def item_author_name(self, need: Need) -> str:
        return need.raised_by.name_for(None)

    def item_pubdate(self, need: Need) -> datetime:
        return need.created_at

    def item_updateddate(self, need: Need) -> datetime:
        return need.status_changed_at or need.created_at


class MissionFeed(PublicFeed):
    slug = "missions"
    name = gettext_lazy("Missions")
    page = "budgets:missions"

    def items(self):
        return (
            Mission.objects.public()
            .select_related("need", "proposer")
            .order_by("-created_at", "-pk")[:ENTRIES]
        )

    def item_title(self, mission: Mission) -> str:
        return f"{mission.ref} {mission.title} — {mission.get_status_display()}"

    def item_author_name(self, mission: Mission) -> str:
        return mission.proposer.name_for(None)

    def item_pubdate(self, mission: Mission) -> datetime:
        return mission.submitted_at or mission.created_at

    def item_updateddate(self, mission: Mission) -> datetime:
        moments = (mission.created_at, mission.submitted_at, mission.adopted_at, mission.closed_at)
        return max(moment for moment in moments if moment is not None)


@dataclass
class DecisionEvent:
    """A decision opened, or closed with its outcome: one entry each."""

    decision: Decision
    closed: bool

    @property
    def moment(self) -> datetime:
        return self.decision.closed_at if self.closed else self.decision.opened_at


class DecisionFeed(PublicFeed):
    slug = "decisions"
    name = gettext_lazy("Décisions ouvertes et closes")
    page = "decisions:register"

    def items(self) -> list[DecisionEvent]:
        public = Decision.objects.readable_by(None).select_related("author")
        opened = public.filter(opened_at__isnull=False).order_by("-opened_at", "-pk")
        closed = public.filter(phase=Decision.Phase.CLOSED).order_by("-closed_at", "-pk")
        events = [DecisionEvent(d, closed=False) for d in opened[:ENTRIES]]
        events += [DecisionEvent(d, closed=True) for d in closed[:ENTRIES]]
        events.sort(key=lambda event: (event.moment, event.closed), reverse=True)
        return events[:ENTRIES]

    def item_title(self, event: DecisionEvent) -> str:
        decision = event.decision
        if event.closed:
            return _("%(outcome)s : %(title)s") % {
                "outcome": decision.get_outcome_display(),
                "title": decision.title,
            }
        return _("Ouverte : %(title)s") % {"title": decision.title}

    def item_link(self, event: DecisionEvent) -> str:
        url = event.decision.get_absolute_url()
        # Two entries for one decision: each its own link, so each its own Atom id.
        return f"{url}#outcome-title" if event.closed else url

    def item_author_name(self, event: DecisionEvent) -> str:
        return event.decision.author.name_for(None)

    def item_pubdate(self, event: DecisionEvent) -> datetime:
        return event.moment


class TransactionFeed(PublicFeed):
    slug = "ecritures"
    name = gettext_lazy("Écritures des comptes publics")
    page = "ledger:transactions"

    def items(self) -> list[Transaction]:
        rows = list(Transaction.objects.select_related("reverses").order_by("-number")[:ENTRIES])
        for row in Transaction.objects.with_lines(rows):
            for line in row.lines:
                line.credit_cents = -line.amount_cents
        return rows

    def item_title(self, row: Transaction) -> str:
        return _("Écriture n°%(number)s : %(label)s") % {
            "number": row.number,
            "label": row.readable_label,
        }

    def item_link(self, row: Transaction) -> str:
        return reverse("ledger:transaction", args=[row.number])

    def item_pubdate(self, row: Transaction) -> datetime:
        return row.recorded_at


class TaskFeed(PublicFeed):
    slug = "taches"
    name = gettext_lazy("Tâches du tableau")
    page = "board:board"

    def items(self):
        return Task.objects.select_related("need", "created_by").order_by("-pk")[:ENTRIES]

    def item_title(self, task: Task) -> str:
        return f"{task.title} — {task.get_state_display()}"

    def item_author_name(self, task: Task) -> str:
        return task.created_by.name_for(None)

    def item_pubdate(self, task: Task) -> datetime:
        return task.created_at

    def item_updateddate(self, task: Task) -> datetime:
        return task.changed_at


# Every public feed: a new one is its class and one line here.
FEEDS: dict[str, type[PublicFeed]] = {
    feed.slug: feed for feed in (NeedFeed, MissionFeed, DecisionFeed, TransactionFeed, TaskFeed)
}
