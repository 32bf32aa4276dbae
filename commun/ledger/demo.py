"""The demo cooperative's accounts: 2025 closed with the default allocation, 2026 open.

"Les Communs Numériques" builds free software for local authorities and associations:
its income is services (706) and a regional subsidy (74); it pays hosting, telecoms,
bank fees, an accountant, subcontracting and travel. Every booking has a fixed
idempotency key, so `load()` may run again and books nothing twice; nothing is dated
after today. Run it after the members' demo (their share payments are dated in the years
this closes).
"""

import datetime

from django.db import transaction
from django.utils import timezone

from commun.ledger import closing
from commun.ledger.models import FiscalYear, Transaction, tax_in
from commun.members.models import Member

D = datetime.date
CLIENTS = [
    "Mairie de Saint-Affrique",
    "Réseau des tiers-lieux d'Occitanie",
    "Association Les Petits Débrouillards Grand Sud",
    "Coopérative Oxamyne",
    "Université Paul-Valéry — service numérique",
    "Communauté de communes du Haut-Languedoc",
]
WORK = [
    "portail citoyen",
    "maintenance de l'agenda partagé",
    "migration vers PostgreSQL",
    "formation à l'administration",
    "module de réservation de salles",
    "audit d'accessibilité",
]


def _entries_2025() -> list[tuple]:
    """(date, direction, label, account, cents paid, VAT rate, key) for the year 2025."""
    rows = []
    invoices = [
        (D(2025, 1, 28), 0, 0, 1_440_000),
        (D(2025, 2, 25), 1, 1, 960_000),
        (D(2025, 3, 27), 2, 2, 1_320_000),
        (D(2025, 4, 29), 3, 3, 1_800_000),
        (D(2025, 5, 27), 4, 4, 1_080_000),
        (D(2025, 6, 26), 5, 5, 2_160_000),
        (D(2025, 7, 29), 0, 1, 1_200_000),
        (D(2025, 9, 25), 1, 2, 1_560_000),
        (D(2025, 10, 28), 3, 0, 1_920_000),
        (D(2025, 11, 27), 4, 5, 1_380_000),
        (D(2025, 12, 18), 2, 3, 1_680_000),
    ]
    for n, (day, client, work, cents) in enumerate(invoices, start=1):
        label = f"Facture 2025-{n:03d} — {CLIENTS[client]}, {WORK[work]}"
        rows.append((day, "income", label, "706", cents, "20", f"demo-ledger-2025-invoice-{n}"))
    rows.append(
        (
            D(2025, 4, 15),
            "income",
            "Subvention Région Occitanie — programme « Numérique libre et solidaire »",
            "74",
            3_000_000,
            "",
            "demo-ledger-2025-subsidy",
        )
    )
    rows += _monthly_costs(2025, 12)
    rows += [
        (
            D(2025, 3, 31),
            "expense",
            "Cabinet Comptable du Rouergue — 1er trimestre",
            "622",
            72_000,
            "20",
            "demo-ledger-2025-accountant-1",
        ),
        (
            D(2025, 6, 30),
            "expense",
            "Cabinet Comptable du Rouergue — 2e trimestre",
            "622",
            72_000,
            "20",
            "demo-ledger-2025-accountant-2",
        ),
        (
            D(2025, 9, 30),
            "expense",
            "Cabinet Comptable du Rouergue — 3e trimestre",
            "622",
            72_000,
            "20",
            "demo-ledger-2025-accountant-3",
        ),
        (
            D(2025, 12, 31),
            "expense",
            "Cabinet Comptable du Rouergue — 4e trimestre et bilan",
            "622",
            180_000,
            "20",
            "demo-ledger-2025-accountant-4",
        ),
        (
            D(2025, 5, 20),
            "expense",
            "Train Montpellier–Paris, rencontres du logiciel libre",
            "625",
            38_400,
            "10",
            "demo-ledger-2025-travel-1",
        ),
        (
            D(2025, 10, 8),
            "expense",
            "Hébergement et repas, atelier avec le réseau des tiers-lieux",
            "625",
            64_500,
            "10",
            "demo-ledger-2025-travel-2",
        ),
        (
            D(2025, 6, 12),
            "expense",
            "Sous-traitance design d'interface — Atelier Paon",
            "611",
            960_000,
            "20",
            "demo-ledger-2025-design",
        ),
        (
            D(2025, 11, 5),
            "expense",
            "Ordinateurs portables reconditionnés (2)",
            "606",
            156_000,
            "20",
            "demo-ledger-2025-laptops",
        ),
    ]
    return rows


def _monthly_costs(year: int, months: int) -> list[tuple]:
    rows = []
    for month in range(1, months + 1):
        rows += [
            (
                D(year, month, 5),
                "expense",
                f"Serveurs dédiés — {month:02d}/{year}",
                "613",
                34_800,
                "20",
                f"demo-ledger-{year}-{month:02d}-servers",
            ),
            (
                D(year, month, 8),
                "expense",
                f"Noms de domaine et téléphonie — {month:02d}/{year}",
                "626",
                5_400,
                "20",
                f"demo-ledger-{year}-{month:02d}-telecom",
            ),
            (
                D(year, month, 28),
                "expense",
                f"Frais de tenue de compte — {month:02d}/{year}",
                "627",
                1_650,
                "",
                f"demo-ledger-{year}-{month:02d}-bank",
            ),
        ]
    return rows


def _entries_2026() -> list[tuple]:
    rows = []
    amounts = [
        1_260_000,
        1_080_000,
        1_500_000,
        900_000,
        1_740_000,
        1_320_000,
        1_140_000,
        600_000,
        1_620_000,
        1_380_000,
        1_020_000,
    ]
    for month, cents in enumerate(amounts, start=1):
        client, work = (month + 1) % len(CLIENTS), month % len(WORK)
        label = f"Facture 2026-{month:03d} — {CLIENTS[client]}, {WORK[work]}"
        rows.append(
            (
                D(2026, month, 20),
                "income",
                label,
                "706",
                cents,
                "20",
                f"demo-ledger-2026-invoice-{month}",
            )
        )
    rows += _monthly_costs(2026, 11)
    rows += [
        (
            D(2026, 3, 31),
            "expense",
            "Cabinet Comptable du Rouergue — 1er trimestre",
            "622",
            72_000,
            "20",
            "demo-ledger-2026-accountant-1",
        ),
        (
            D(2026, 6, 30),
            "expense",
            "Cabinet Comptable du Rouergue — 2e trimestre",
            "622",
            72_000,
            "20",
            "demo-ledger-2026-accountant-2",
        ),
        (
            D(2026, 9, 30),
            "expense",
            "Cabinet Comptable du Rouergue — 3e trimestre",
            "622",
            72_000,
            "20",
            "demo-ledger-2026-accountant-3",
        ),
        (
            D(2026, 2, 11),
            "expense",
            "Train et hébergement, Capitole du Libre",
            "625",
            41_200,
            "10",
            "demo-ledger-2026-travel-1",
        ),
        (
            D(2026, 9, 17),
            "expense",
            "Déplacement, rencontre des SCIC du numérique à Lyon",
            "625",
            52_800,
            "10",
            "demo-ledger-2026-travel-2",
        ),
        (
            D(2026, 5, 6),
            "income",
            "Formation « Administrer un service libre » — Coopérative Oxamyne",
            "706",
            240_000,
            "20",
            "demo-ledger-2026-training",
        ),
    ]
    return rows


def _vat_settlements(rows: list[tuple], year: int, quarters: int) -> list[tuple]:
    """One VAT return a quarter: the VAT collected less the VAT deductible, paid to the state."""
    settlements = []
    for quarter in range(1, quarters + 1):
        months = range(3 * quarter - 2, 3 * quarter + 1)
        collected = sum(
            tax_in(cents, vat)
            for day, direction, _l, _a, cents, vat, _k in rows
            if direction == "income" and day.year == year and day.month in months
        )
        deductible = sum(
            tax_in(cents, vat)
            for day, direction, _l, _a, cents, vat, _k in rows
            if direction == "expense" and day.year == year and day.month in months
        )
        due = collected - deductible
        postings = [("44571", collected), ("44566", -deductible), ("512", -due)]
        day = D(year, 3 * quarter, 1) + datetime.timedelta(days=50)
        settlements.append(
            (
                day,
                f"TVA — déclaration du {quarter}e trimestre {year}",
                [p for p in postings if p[1]],
                f"demo-ledger-{year}-vat-{quarter}",
            )
        )
    return settlements


def load(stdout=None) -> None:
    """Book the demo's accounts once (idempotent), close 2025, leave 2026 open."""
    today = timezone.localdate()
    say = stdout.write if stdout is not None else (lambda text: None)
    rows_2025, rows_2026 = _entries_2025(), _entries_2026()
    settlements = _vat_settlements(rows_2025, 2025, 4) + _vat_settlements(rows_2026, 2026, 3)
    # The treasurer books and closes: the first officer of the demo's register.
    treasurer = Member.objects.active().filter(is_officer=True).order_by("number").first()
    by = treasurer.user if treasurer is not None else None
    with transaction.atomic():
        booked = 0
        for day, direction, label, account, cents, vat, key in sorted(rows_2025 + rows_2026):
            if day > today or (day.year <= 2025 and FiscalYear.objects.filter(year=2025).exists()):
                continue
            Transaction.objects.record_income_or_expense(
                direction, day, label, account, cents, idempotency_key=key, vat_rate=vat, by=by
            )
            booked += 1
        for day, label, postings, key in settlements:
            if day <= today and not (
                day.year <= 2025 and FiscalYear.objects.filter(year=2025).exists()
            ):
                Transaction.objects.record(day, label, postings, idempotency_key=key)
        # Earlier years hold only the founders' share payments: closed with a nil result.
        year = closing.next_year_to_close(today)
        while year is not None and year <= 2025:
            reference = (
                "Assemblée générale du 13 juin 2026, résolution n°2"
                if year == 2025
                else f"Assemblée générale du {year + 1}, approbation des comptes"
            )
            closing.close_year(year, decision_reference=reference, by=by, today=today)
            year = closing.next_year_to_close(today)
    closed = FiscalYear.objects.filter(year=2025).first()
    say(
        f"Comptes de démonstration : {booked} recettes et dépenses ; exercice 2025 "
        f"{'clos, résultat ' + str(closed.result_cents // 100) + ' €' if closed else 'ouvert'}.\n"
    )
