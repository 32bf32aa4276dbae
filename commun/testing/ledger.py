"""Building a ledger in tests: random balanced transactions over the whole chart.

Plain functions, so any test module may import them.
"""

import datetime
import random

from django.core.management import call_command

from commun.accounts.models import User
from commun.ledger.models import Account, Transaction
from commun.members.models import Member

CODES = ["512", "706", "604", "641", "401", "411", "101", "1068-DISPO", "1068-COMMUNS", "74"]


def random_ledger(count: int, seed: int = 4, year: int = 2026) -> list[Transaction]:
    """`count` balanced transactions over the chart and two missions' funds, some reversed."""
    rng = random.Random(seed)
    Account.objects.load_chart()
    Account.objects.mission_commitment("M12", "Mission n°12 : « site » de l'été")
    Account.objects.mission_commitment("M7", "Mission n°7")
    codes = [*CODES, "1068-ENG-M12", "1068-ENG-M7"]
    booked = []
    year_end = datetime.date(year, 12, 31)
    for i in range(count):
        lines = rng.randint(2, 4)
        accounts = rng.sample(codes, lines)
        amounts = [
            rng.choice([1, 99, 100, 12345, 200000]) * rng.choice([1, -1]) for _ in accounts[1:]
        ]
        if sum(amounts) == 0:
            amounts[0] += 1
        postings = [(code, cents) for code, cents in zip(accounts[1:], amounts, strict=True)]
        postings.append((accounts[0], -sum(amounts)))
        label = rng.choice(
            ['Vente "spéciale"', "Facture n°3 \\ réglée", "Œuvre\tcollective", "Salaire — été"]
        )
        day = datetime.date(year, 1, 1) + datetime.timedelta(days=rng.randrange(365))
        # The whole year is booked, as on its last day: nothing is dated after "today".
        booked.append(
            Transaction.objects.record(
                day, f"{label} {i}", postings, idempotency_key=f"g{seed}-{i}", today=year_end
            )
        )
        if i % 7 == 3 and booked[-1].reverses_id is None:
            booked.append(
                booked[-1].reverse(
                    f"Annulation de {i}", idempotency_key=f"r{seed}-{i}", on=day, today=year_end
                )
            )
    return booked


def stand_in_officer():
    """An officer in a flushed database, which holds no register: the close only asks
    whether the person acting is an active officer."""
    officer = User.objects.create_user("treasurer@example.org")
    officer.__dict__["member"] = Member(status=Member.Status.ACTIVE, is_officer=True)
    return officer


def flush():
    """Hypothesis reuses the test's database between examples: start each from nothing."""
    call_command("flush", verbosity=0, interactive=False)
