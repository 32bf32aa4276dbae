"""Fill the database given by DATABASE_URL with a large cooperative, fast.

    DATABASE_URL=sqlite:////tmp/bench.sqlite3 .venv/bin/python bench/generate.py --members 100000

Rows are bulk-inserted, the one place where the register is not written movement by
movement through `ShareMovement.objects.record()`: that would take hours. Its invariants
are checked at the end instead, by recomputing every holding and the capital from the
movements. The database must be empty (it is migrated first).
"""

import argparse
import datetime
import os
import random
import secrets
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "commun.settings")
# Throwaway databases: a key drawn per run (the settings refuse to start without one).
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))

BATCH = 5000
SHARE_VALUE_CENTS = 5000
EMAIL_DOMAIN = "bench.commun.coop"
PASSWORD = "bench-commun-2026"
# The member the benchmark logs in as: an officer, so every page is open to them.
OFFICER_EMAIL = f"officer@{EMAIL_DOMAIN}"
# A plain member: pages seen by most people.
MEMBER_EMAIL = f"member@{EMAIL_DOMAIN}"

FIRST_NAMES = [
    "Camille",
    "Léa",
    "Manon",
    "Chloé",
    "Inès",
    "Jade",
    "Louise",
    "Alice",
    "Lina",
    "Rose",
    "Anna",
    "Zoé",
    "Emma",
    "Sarah",
    "Nadia",
    "Fatou",
    "Aïcha",
    "Salomé",
    "Margaux",
    "Élodie",
    "Aurélie",
    "Claire",
    "Jeanne",
    "Mathilde",
    "Isabelle",
    "Sophie",
    "Hugo",
    "Lucas",
    "Louis",
    "Gabriel",
    "Jules",
    "Arthur",
    "Adam",
    "Raphaël",
    "Paul",
    "Nathan",
    "Théo",
    "Tom",
    "Noah",
    "Ethan",
    "Mamadou",
    "Karim",
    "Yannick",
    "Thomas",
    "Julien",
    "Baptiste",
    "Rémi",
    "Olivier",
    "Éric",
    "Vincent",
    "Antoine",
    "Grégoire",
    "Victor",
    "Pierre",
    "Sébastien",
    "Romain",
    "Kévin",
    "Malik",
    "Yanis",
    "Bastien",
    "Loïc",
]
LAST_NAMES = [
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefebvre",
    "Michel",
    "Garcia",
    "David",
    "Bertrand",
    "Roux",
    "Vincent",
    "Fournier",
    "Morel",
    "Girard",
    "André",
    "Lefèvre",
    "Mercier",
    "Dupont",
    "Lambert",
    "Bonnet",
    "François",
    "Martinez",
    "Legrand",
    "Garnier",
    "Faure",
    "Rousseau",
    "Blanc",
    "Guérin",
    "Muller",
    "Henry",
    "Roussel",
    "Nicolas",
    "Perrin",
    "Morin",
    "Mathieu",
    "Clément",
    "Gauthier",
    "Dumont",
    "Lopez",
    "Fontaine",
    "Chevalier",
    "Robin",
    "Masson",
    "Sanchez",
    "Gérard",
    "Nguyen",
    "Boyer",
    "Denis",
    "Lemaire",
    "Duval",
    "Joly",
    "Gautier",
    "Roger",
    "Roche",
    "Roy",
    "Noël",
    "Meyer",
    "Lucas",
    "Meunier",
    "Jean",
    "Perez",
    "Marchand",
    "Dufour",
    "Blanchard",
    "Marie",
    "Barbier",
    "Brun",
    "Dumas",
    "Brunet",
    "Schmitt",
    "Leroux",
    "Colin",
    "Fernandez",
    "Diallo",
    "Benali",
    "Haddad",
    "Mansouri",
    "Traoré",
    "Sow",
    "Le Goff",
    "Caron",
    "Vidal",
    "Arnaud",
    "Dupuis",
    "Carré",
    "Rey",
    "Giraud",
    "Cohen",
]
ORGANISATIONS = (
    "Tiers-lieu",
    "Association",
    "Commune de",
    "Épicerie coopérative",
    "Médiathèque de",
    "Fablab",
    "Repair café",
)
TOWNS = [
    "Bléré",
    "Tours",
    "Rennes",
    "Lannion",
    "Die",
    "Crest",
    "Figeac",
    "Millau",
    "Autun",
    "Lodève",
    "Morlaix",
    "Aubenas",
    "Guéret",
    "Ruffec",
    "Nyons",
    "Saint-Affrique",
    "Pontivy",
    "Chinon",
    "Loches",
    "Vierzon",
]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--transfers", type=int, default=None, help="défaut : 1 %% des associé·es")
    parser.add_argument("--pending", type=int, default=200, help="candidatures en attente")
    parser.add_argument("--seed", type=int, default=2026)
    return parser.parse_args()


def main():
    args = parse_args()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    started = time.monotonic()
    call_command("migrate", verbosity=0, skip_checks=True)
    print(f"Base : {connection.vendor} ({connection.settings_dict['NAME']}), migrée.", flush=True)
    generator = Generator(args)
    generator.run()
    if connection.vendor == "postgresql":
        # Autovacuum would vacuum and analyse these fresh tables within minutes: do it now,
        # so that index-only scans (COUNT(*) on the directory) see a set visibility map.
        # Then write it all out, as a server at rest has: otherwise the timed checkpoint of
        # this bulk load lands minutes later, in the middle of the measured writes.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
            cursor.execute("CHECKPOINT")
    print(generator.check(), flush=True)
    print(f"Terminé en {time.monotonic() - started:.0f} s.", flush=True)


class Generator:
    def __init__(self, args):
        self.members_wanted = args.members
        self.transfers_wanted = (
            args.transfers if args.transfers is not None else args.members // 100
        )
        self.pending_wanted = args.pending
        self.random = random.Random(args.seed)
        self.today = datetime.date.today()
        self.first_day = self.today - datetime.timedelta(days=5 * 365)

    def step(self, label: str):
        print(f"  {label}…", flush=True)

    def run(self):
        from django.db import transaction

        from commun.members.models import Member

        if Member.objects.exists():
            sys.exit("La base contient déjà des associé·es : générez dans une base vide.")
        self.started = time.monotonic()
        with transaction.atomic():
            self.profile()
            self.people()
            self.movements()
            self.counters()

    def profile(self):
        from commun.members.models import (
            AdmissionRule,
            Category,
            College,
            Cooperative,
            LegalForm,
        )

        coop = Cooperative.get()
        coop.name = "Les Cent Mille Communs"
        coop.legal_form = LegalForm.SCIC
        coop.admission_rule = AdmissionRule.OFFICERS
        coop.share_value_cents = SHARE_VALUE_CENTS
        coop.charter = "# Charte\n\nUne personne, une voix."
        coop.save()
        specs = [
            ("Responsables juridiques et mainteneur·euses", 40, 2, False),
            ("Contributeur·ices", 30, 1, True),
            ("Partenaires et usager·es", 30, 1, True),
        ]
        self.categories = []
        for position, (name, weight, min_shares, mandatory) in enumerate(specs, start=1):
            college = College.objects.create(
                name=f"Collège des {name.lower()}", weight_percent=weight, position=position
            )
            self.categories.append(
                Category.objects.create(
                    name=name,
                    college=college,
                    min_shares=min_shares,
                    mandatory=mandatory,
                    position=position,
                )
            )

    def date_of(self, index: int) -> datetime.date:
        """Members arrive evenly over five years, in number order."""
        span = (self.today - self.first_day).days - 30
        return self.first_day + datetime.timedelta(days=index * span // self.members_wanted)

    def shares(self, category_index: int) -> int:
        # Mostly a few shares, a long tail up to 200, like a real cooperative.
        shares = min(200, int(self.random.paretovariate(1.4)))
        return max(shares, 2 if category_index == 0 else 1)

    def people(self):
        from django.contrib.auth.hashers import make_password
        from django.utils import timezone

        from commun.accounts.models import User
        from commun.members.models import Application, Member, MemberKind, Visibility

        self.step(f"{self.members_wanted} comptes, associé·es et candidatures admises")
        password = make_password(PASSWORD)  # one hash for all: Argon2 is slow by design
        rnd = self.random
        self.member_rows = []  # (number, member id, category index, subscribed, paid, date)
        visibilities = [Visibility.NAME] * 5 + [Visibility.PSEUDONYM] * 2 + [Visibility.HIDDEN] * 3
        for start in range(0, self.members_wanted, BATCH):
            numbers = range(start + 1, min(start + BATCH, self.members_wanted) + 1)
            specs = []
            for number in numbers:
                category_index = 0 if rnd.random() < 0.05 else (1 if rnd.random() < 0.45 else 2)
                shares = self.shares(category_index)
                # One member in a hundred is admitted but has not paid yet.
                paid = 0 if rnd.random() < 0.01 and number > 2 else shares
                visibility = rnd.choice(visibilities)
                organisation = ""
                if category_index == 2 and rnd.random() < 0.03:
                    organisation = f"{rnd.choice(ORGANISATIONS)} {rnd.choice(TOWNS)}"
                specs.append(
                    dict(
                        number=number,
                        email=(
                            OFFICER_EMAIL
                            if number == 1
                            else MEMBER_EMAIL
                            if number == 2
                            else f"associe{number}@{EMAIL_DOMAIN}"
                        ),
                        first_name=rnd.choice(FIRST_NAMES),
                        last_name=rnd.choice(LAST_NAMES),
                        organisation=organisation,
                        category_index=category_index,
                        shares=shares,
                        paid=paid,
                        visibility=visibility,
                        day=self.date_of(number - 1),
                    )
                )
            users = User.objects.bulk_create(
                [User(email=s["email"], password=password) for s in specs]
            )
            members = []
            applications = []
            for spec, user in zip(specs, users, strict=True):
                moment = timezone.make_aware(
                    datetime.datetime.combine(spec["day"], datetime.time(10, 0))
                )
                identity = dict(
                    kind=MemberKind.ORGANISATION if spec["organisation"] else MemberKind.PERSON,
                    first_name=spec["first_name"],
                    last_name=spec["last_name"],
                    organisation_name=spec["organisation"],
                )
                category = self.categories[spec["category_index"]]
                members.append(
                    Member(
                        user=user,
                        number=spec["number"],
                        category=category,
                        status=Member.Status.ACTIVE if spec["paid"] else Member.Status.ADMITTED,
                        is_officer=spec["number"] == 1,
                        pseudonym=f"{spec['first_name'].lower()}{spec['number']}",
                        public_visibility=spec["visibility"],
                        admitted_at=moment,
                        effective_on=spec["day"] if spec["paid"] else None,
                        shares_subscribed=spec["shares"],
                        shares_paid=spec["paid"],
                        **identity,
                    )
                )
                applications.append(
                    dict(
                        user=user,
                        email=spec["email"],
                        category=category,
                        shares=spec["shares"],
                        created_at=moment - datetime.timedelta(days=4),
                        decided_at=moment,
                        **identity,
                    )
                )
            members = Member.objects.bulk_create(members)
            Application.objects.bulk_create(
                [
                    Application(
                        **application,
                        member=member,
                        status=Application.Status.ADMITTED,
                        consents_to_charter=True,
                        consents_to_privacy=True,
                    )
                    for application, member in zip(applications, members, strict=True)
                ]
            )
            for spec, member in zip(specs, members, strict=True):
                self.member_rows.append(
                    [
                        spec["number"],
                        member.pk,
                        spec["category_index"],
                        spec["shares"],
                        spec["paid"],
                        spec["day"],
                    ]
                )
            print(
                f"    {numbers[-1]:>7} associé·es ({time.monotonic() - self.started:.0f} s)",
                flush=True,
            )
        self.pending(password)

    def pending(self, password: str):
        from django.utils import timezone

        from commun.accounts.models import User
        from commun.members.models import Application

        self.step(f"{self.pending_wanted} candidatures en attente")
        users = User.objects.bulk_create(
            [
                User(email=f"candidat{n}@{EMAIL_DOMAIN}", password=password)
                for n in range(1, self.pending_wanted + 1)
            ]
        )
        Application.objects.bulk_create(
            [
                Application(
                    user=user,
                    email=user.email,
                    first_name=self.random.choice(FIRST_NAMES),
                    last_name=self.random.choice(LAST_NAMES),
                    category=self.categories[2],
                    shares=1,
                    consents_to_charter=True,
                    consents_to_privacy=True,
                    created_at=timezone.now() - datetime.timedelta(hours=n),
                )
                for n, user in enumerate(users)
            ]
        )

    def movements(self):
        from commun.members.models import Member, ShareMovement

        self.step("registre : souscriptions, libérations, cessions")
        events = []  # (date, order, kind, member id, quantity, counterpart id)
        for _number, member_id, _category, subscribed, paid, day in self.member_rows:
            events.append((day, 0, ShareMovement.Kind.SUBSCRIPTION, member_id, subscribed, None))
            if paid:
                payday = day + datetime.timedelta(days=self.random.randint(1, 20))
                events.append(
                    (min(payday, self.today), 1, ShareMovement.Kind.PAYMENT, member_id, paid, None)
                )
        # Transfers between active members late in the history, keeping the giver's minimum.
        rows = self.member_rows
        holdings = {row[1]: row for row in rows}
        givers = [row for row in rows if row[4] >= 3]
        for _ in range(self.transfers_wanted):
            giver = self.random.choice(givers)
            receiver = self.random.choice(rows)
            if receiver[1] == giver[1] or not receiver[4] or giver[4] < 3:
                continue
            day = self.today - datetime.timedelta(days=self.random.randint(1, 25))
            events.append((day, 2, ShareMovement.Kind.TRANSFER, giver[1], 1, receiver[1]))
            giver[3] -= 1
            giver[4] -= 1
            receiver[3] += 1
            receiver[4] += 1
        events.sort(key=lambda event: (event[0], event[1]))
        self.movement_count = len(events)
        for start in range(0, len(events), BATCH):
            ShareMovement.objects.bulk_create(
                [
                    ShareMovement(
                        number=start + offset + 1,
                        kind=kind,
                        date=day,
                        member_id=member_id,
                        quantity=quantity,
                        counterpart_id=counterpart_id,
                        share_value_cents=SHARE_VALUE_CENTS,
                        reason="Virement reçu" if kind == ShareMovement.Kind.PAYMENT else "",
                    )
                    for offset, (
                        day,
                        _order,
                        kind,
                        member_id,
                        quantity,
                        counterpart_id,
                    ) in enumerate(events[start : start + BATCH])
                ]
            )
        print(f"    {len(events)} mouvements ({time.monotonic() - self.started:.0f} s)", flush=True)
        # Transfers changed some holdings after the members were inserted.
        moved = {e[3] for e in events if e[2] == ShareMovement.Kind.TRANSFER}
        moved |= {e[5] for e in events if e[2] == ShareMovement.Kind.TRANSFER}
        Member.objects.bulk_update(
            [
                Member(pk=pk, shares_subscribed=holdings[pk][3], shares_paid=holdings[pk][4])
                for pk in moved
            ],
            ["shares_subscribed", "shares_paid"],
            batch_size=1000,
        )

    def counters(self):
        from django.db.models import Sum

        from commun.members.models import Cooperative, Member

        paid = Member.objects.aggregate(total=Sum("shares_paid"))["total"] or 0
        Cooperative.objects.filter(pk=1).update(
            last_member_number=self.members_wanted,
            last_movement_number=self.movement_count,
            capital_cents=paid * SHARE_VALUE_CENTS,
            capital_high_water_cents=paid * SHARE_VALUE_CENTS,
        )

    def check(self) -> str:
        """Recompute holdings and capital from the register alone and compare."""
        from django.db.models import Count, Max, Min, Sum

        from commun.members.models import Cooperative, Member, ShareMovement

        coop = Cooperative.get()
        span = ShareMovement.objects.aggregate(n=Count("pk"), low=Min("number"), high=Max("number"))
        assert span == {
            "n": coop.last_movement_number,
            "low": 1,
            "high": coop.last_movement_number,
        }, span
        members = Member.objects.aggregate(n=Count("pk"), high=Max("number"))
        assert members == {"n": coop.last_member_number, "high": coop.last_member_number}, members
        subscribed, paid = defaultdict(int), defaultdict(int)
        sums = (
            ShareMovement.objects.values("kind", "member_id", "counterpart_id")
            .annotate(total=Sum("quantity"))
            .order_by()
        )
        for row in sums.iterator(chunk_size=20_000):
            kind, member, counterpart, total = (
                row["kind"],
                row["member_id"],
                row["counterpart_id"],
                row["total"],
            )
            if kind == "subscription":
                subscribed[member] += total
            elif kind == "payment":
                paid[member] += total
            elif kind == "transfer":
                for target, sign in ((member, -1), (counterpart, 1)):
                    subscribed[target] += sign * total
                    paid[target] += sign * total
            else:
                raise AssertionError(f"unexpected movement kind {kind}")
        wrong = 0
        for pk, held_subscribed, held_paid in Member.objects.values_list(
            "pk", "shares_subscribed", "shares_paid"
        ).iterator(chunk_size=20_000):
            wrong += (subscribed[pk], paid[pk]) != (held_subscribed, held_paid)
        assert wrong == 0, f"{wrong} associé·es dont les parts ne suivent pas le registre"
        capital = sum(paid.values()) * SHARE_VALUE_CENTS
        assert capital == coop.capital_cents, (capital, coop.capital_cents)
        return (
            f"Registre vérifié : {span['n']} mouvements numérotés 1..{span['high']} sans trou, "
            f"{members['n']} associé·es numéroté·es 1..{members['high']}, parts de chacun·e = "
            f"somme de ses mouvements, capital = {capital // 100:_} € = Σ parts libérées × 50 €."
        ).replace("_", " ")


if __name__ == "__main__":
    main()
