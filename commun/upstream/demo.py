"""The demo cooperative's giving back: the projects it relies on, one split voted and paid,
one split still open to the members' dot votes.

`load()` is idempotent and meant to run after the members, the decisions and the ledger
demo (which fills the commons fund): if the fund holds less than 3,000 €, a top-up marked
as the demo's is booked first. Every change goes through the model methods under a clock
set in the past, as in `commun/decisions/demo.py`.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from commun.deliberation.demo import clock, people
from commun.ledger import chart, funds
from commun.ledger.models import Transaction
from commun.members.models import Member
from commun.upstream.models import CommonsSplit, Gift, UpstreamProject

NEEDED_CENTS = 300_000
PROJECTS = [
    ("Django", "https://www.djangoproject.com/", "Le cadriciel web sur lequel Commun est écrit."),
    ("PostgreSQL", "https://www.postgresql.org/", "La base de données de nos installations."),
    ("htmx", "https://htmx.org/", "L'interactivité de nos pages, sans application JavaScript."),
    (
        "OpenFisca",
        "https://openfisca.org/",
        "Le calcul du coût complet des missions salariées (OpenFisca-France).",
    ),
    ("Debian", "https://www.debian.org/", "Le système de nos serveurs et de nos postes."),
    ("Python", "https://www.python.org/", "Le langage de tous nos logiciels."),
    ("WeasyPrint", "https://weasyprint.org/", "Les certificats de parts en PDF."),
]
# (first name, {project: points}) for the split voted last spring, then for the open one.
CLOSED_BALLOTS = [
    ("Camille", {"Django": 30, "PostgreSQL": 20, "OpenFisca": 30, "htmx": 20}),
    ("Nadia", {"OpenFisca": 50, "Debian": 25, "Python": 25}),
    ("Thomas", {"Django": 40, "Python": 30, "WeasyPrint": 30}),
    ("Yannick", {"Debian": 60, "PostgreSQL": 40}),
    ("Julien", {"htmx": 50, "Django": 50}),
    ("Sophie", {"Django": 20, "PostgreSQL": 20, "Debian": 20, "Python": 20, "htmx": 20}),
    ("Hugo", {"WeasyPrint": 40, "Django": 60}),
    ("Manon", {"OpenFisca": 100}),
    ("Lucas", {"PostgreSQL": 50, "Debian": 50}),
]
OPEN_BALLOTS = [
    ("Camille", {"Django": 25, "PostgreSQL": 25, "Debian": 25, "htmx": 25}),
    ("Inès", {"WeasyPrint": 60, "Python": 40}),
    ("Karim", {"Debian": 70, "OpenFisca": 30}),
    ("Chloé", {"htmx": 50, "Django": 30, "PostgreSQL": 20}),
    ("Paul", {"OpenFisca": 40, "Python": 40, "Django": 20}),
]


def _say(stdout, text: str) -> None:
    if stdout is not None:
        stdout.write(text)


def _vote(split: CommonsSplit, ballots, start: datetime.datetime, members: dict) -> None:
    """Each (first name, points) ballot, an hour and a half apart from `start`."""
    option_of = dict(split.candidates.values_list("project__name", "option_id"))
    round = split.decision.current_round
    for i, (first_name, points) in enumerate(ballots):
        member = members.get(first_name)
        if member is None:  # the demo's people changed: vote with those who are there
            continue
        moment = start + datetime.timedelta(minutes=90 * i)
        ballot = {str(option_of[name]): n for name, n in points.items() if name in option_of}
        with clock(moment):
            round.take_stance(member, "ballot", ballot=ballot, now=moment)


def load(stdout=None) -> None:
    """Load the projects and, once, the two splits (the first one voted, closed and paid)."""
    now = timezone.now()
    with transaction.atomic():
        for name, url, used_for in PROJECTS:
            UpstreamProject.objects.get_or_create(
                name=name, defaults={"url": url, "used_for": used_for}
            )
        if CommonsSplit.objects.exists():
            _say(stdout, "Communs amont : déjà chargés.\n")
            return
        officer = Member.objects.active().filter(is_officer=True).order_by("number").first()
        if officer is None:
            _say(stdout, "Communs amont : aucun·e responsable, pas de répartition.\n")
            return
        members = people()

        held = funds.commons_fund_cents()
        if held < NEEDED_CENTS:
            missing = NEEDED_CENTS - held
            Transaction.objects.record(
                timezone.localdate(now) - datetime.timedelta(days=120),
                "Dotation du fonds pour les communs amont (démo)",
                [(chart.PROFIT, missing), (chart.COMMONS_FUND, -missing)],
                idempotency_key=f"demo-upstream-top-up-{missing}",
            )

        # Last spring's split: 1,800 €, voted over two weeks, every gift paid.
        opened = now - datetime.timedelta(days=90)
        with clock(opened):
            voted = CommonsSplit.objects.open(officer, amount_cents=180_000, days=14, now=opened)
        _vote(voted, CLOSED_BALLOTS, opened + datetime.timedelta(hours=2), members)
        deadline = voted.decision.closes_at
        with clock(deadline):
            voted.decision.close(now=deadline)
        paid_on = timezone.localdate(deadline) + datetime.timedelta(days=5)
        for gift in Gift.objects.filter(split=voted).select_related("project").order_by("pk"):
            with clock(deadline + datetime.timedelta(days=5)):
                gift.pay(officer, paid_on, f"demo-upstream-gift-{gift.pk}")

        # This autumn's split: 1,000 €, open, a few members have voted.
        opened = now - datetime.timedelta(days=3)
        with clock(opened):
            voting = CommonsSplit.objects.open(officer, amount_cents=100_000, days=14, now=opened)
        _vote(voting, OPEN_BALLOTS, opened + datetime.timedelta(hours=3), members)
    _say(
        stdout,
        f"Communs amont : {len(PROJECTS)} projets, répartition n°{voted.pk} versée, "
        f"répartition n°{voting.pk} ouverte au vote.\n",
    )
