"""The demo cooperative's needs and missions: one mission at each stage of its life.

Called by `commun demo` after the members, the conversations, the decisions and the
ledger. Everything goes through the model methods (`raise_need`, `propose`, `submit`,
`take_stance`, `close`, `record_payment`, `ask_review`…) under a clock set in the past, so
that the minimum deliberation time has really elapsed when a decision closes. Idempotent:
a second call changes nothing.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from commun.budgets.models import BudgetSettings, Mission, Need
from commun.decisions.models import Decision, Version
from commun.deliberation.demo import clock, people
from commun.ledger import chart, funds
from commun.ledger.models import Transaction

DAY = datetime.timedelta(days=1)
MARKER = "Une billetterie maintenue et sûre"
RESERVE_FLOOR_CENTS = 6_000_000  # 60,000 €: what the missions below need, with room to spare
RESERVE_TOP_CENTS = 12_000_000


def is_loaded() -> bool:
    return Need.objects.filter(title=MARKER).exists()


def load(stdout=None) -> None:
    """Load the demo's needs and missions (nothing happens when they are already there)."""
    if is_loaded():
        return
    with transaction.atomic():
        Demo().load()
    if stdout is not None:
        stdout.write(
            f"Besoins et missions : {Need.objects.count()} besoins, "
            f"{Mission.objects.count()} missions.\n"
        )


class Demo:
    def __init__(self, now: datetime.datetime | None = None):
        self.now = now or timezone.now()
        self.m = people()
        names = sorted(self.m, key=lambda name: self.m[name].number)
        officers = [n for n in names if self.m[n].is_officer]
        others = [n for n in names if not self.m[n].is_officer]
        # The demo's own names when present; any member otherwise (a smaller demo).
        self.officer = self._pick("Camille", officers or names)
        self.second_officer = self._pick("Nadia", officers[1:] or officers or names)
        self.voices = [self._pick(n, others or names) for n in ("Léa", "Julien", "Manon", "Hugo")]
        self.voices = list(dict.fromkeys(self.voices))

    def _pick(self, name: str, fallback: list[str]):
        return self.m.get(name) or self.m[fallback[0]]

    def ago(self, days: float) -> datetime.datetime:
        return self.now - datetime.timedelta(days=days)

    def load(self) -> None:
        BudgetSettings.get()
        self.ensure_reserve()
        lea, julien, manon, hugo = (self.voices * 4)[:4]
        ticketing = self.need(
            90,
            lea,
            MARKER,
            "Les anomalies de la billetterie s'accumulent.",
            [julien, manon, hugo, self.officer],
        )
        docs = self.need(
            60,
            julien,
            "Une documentation en anglais",
            "Nos utilisateurs hors de France ne lisent pas le français.",
            [manon],
        )
        welcome = self.need(
            45,
            manon,
            "Un accueil des nouvelles contributrices",
            "Les premières contributions restent sans réponse des semaines.",
            [lea, hugo],
        )
        meetings = self.need(
            80, hugo, "Des rencontres en région", "Se voir deux fois par an, hors de Paris.", [lea]
        )
        audit = self.need(
            120,
            self.second_officer,
            "Un audit d'accessibilité",
            "Vérifier nos pages avec des personnes concernées.",
            [lea, julien, manon],
        )
        backup = self.need(
            100, julien, "Un serveur de secours", "Un second serveur chez un autre hébergeur.", []
        )
        permanent = self.need(
            70,
            self.officer,
            "Un poste salarié permanent",
            "Quelqu'un à temps plein sur la maintenance.",
            [hugo],
        )
        with clock(self.ago(30)):
            backup.set_status(
                julien, Need.Status.DROPPED, "Notre hébergeur associatif en fournit un."
            )

        # The charter's example: a six-month CDD at 2,000 € net, adopted, two months paid.
        start = (self.now - 40 * DAY).date().replace(day=1)
        charter = self.adopted(
            85,
            lea,
            ticketing,
            title="Maintenir la billetterie pendant six mois",
            scope="Corriger les anomalies signalées, publier **deux versions** et leurs notes.",
            deliverables="Deux versions publiées ; le suivi des anomalies à jour.",
            start_on=start,
            duration_months=6,
            pay_form="salaried",
            contract="cdd",
            working_time_percent=100,
            monthly_amount_cents=200_000,
            amount_basis="net",
        )
        for index, month in enumerate(charter.cost_breakdown["months"][:2]):
            on = datetime.date.fromisoformat(month["month"]) + datetime.timedelta(days=27)
            if on > self.now.date():
                break
            charter.record_payment(
                self.officer,
                kind="payroll",
                on=on,
                label=f"Salaire {charter.ref}, mois {index + 1}",
                amount_cents=month["gross_cents"]
                + month["end_of_contract_cents"]
                + month["paid_leave_cents"],
                employer_contributions_cents=month["employer_contributions_cents"],
                idempotency_key=f"demo-{charter.pk}-{index}",
            )

        # A draft, only its proposer sees it.
        with clock(self.ago(3)):
            Mission.objects.propose(
                julien,
                docs,
                title="Traduire le guide d'installation",
                scope="Le guide d'installation et la FAQ, en anglais.",
                deliverables="Deux pages traduites et relues.",
                start_on=self.now.date() + 30 * DAY,
                duration_months=1,
                pay_form="invoice",
                amount_cents=120_000,
                vat_rate_bp=2000,
            )

        # Submitted: its decision is open.
        self.submitted(
            4,
            manon,
            welcome,
            title="Accompagner les premières contributions",
            scope="Répondre sous 48 h à chaque première contribution, trois mois durant.",
            deliverables="Un guide d'accueil ; un bilan des réponses.",
            start_on=self.now.date() + 15 * DAY,
            duration_months=3,
            pay_form="co_remuneration",
            estimated_hours=40,
            hourly_rate_cents=4500,
        )

        # Closing: the review decision is open. Adopted in its version 2: an objection
        # lowered the expenses, and the lower amount is what the reserve committed.
        trips = self.adopted_after_objection(
            75,
            hugo,
            meetings,
            lea,
            objection="Les trains en seconde classe et une salle associative suffisent : "
            "500 € de frais, pas 600 €.",
            note="Frais ramenés à 500 € (objection de Léa).",
            changes={"amount_cents": 50_000},
            title="Organiser la rencontre de Lyon",
            scope="Réserver la salle, les trains, l'accueil.",
            deliverables="La rencontre ; son compte rendu.",
            start_on=(self.now - 60 * DAY).date(),
            duration_months=2,
            pay_form="expenses",
            amount_cents=60_000,
        )
        trips.record_payment(
            self.officer,
            kind="reimbursement",
            on=(self.now - 20 * DAY).date(),
            label=f"Frais de la rencontre de Lyon ({trips.ref})",
            amount_cents=48_000,
            idempotency_key=f"demo-{trips.pk}-trains",
        )
        with clock(self.ago(5)):
            trips.ask_review(
                hugo, "La rencontre a réuni vingt personnes ; le compte rendu est en ligne."
            )

        # Closed: reviewed, what was not spent went back to the reserve, the need is met.
        review = self.adopted(
            115,
            self.second_officer,
            audit,
            title="Audit d'accessibilité des pages publiques",
            scope="Tester les pages publiques avec trois personnes concernées.",
            deliverables="Un rapport et les corrections prioritaires.",
            start_on=(self.now - 110 * DAY).date(),
            duration_months=1,
            pay_form="invoice",
            amount_cents=250_000,
            vat_rate_bp=2000,
        )
        review.record_payment(
            self.officer,
            kind="invoice",
            on=(self.now - 80 * DAY).date(),
            label=f"Facture de l'audit ({review.ref})",
            amount_cents=240_000,
            account="622",
            idempotency_key=f"demo-{review.pk}-invoice",
        )
        with clock(self.ago(50)):
            review.ask_review(
                self.second_officer,
                "Le rapport est publié ; les corrections faites.",
                mark_need_met=True,
            )
        self.consent_and_close(review.review_decision, self.second_officer)

        # Rejected: an objection still open at the deadline.
        rejected = self.submitted(
            65,
            self.officer,
            permanent,
            title="Un poste de mainteneur·euse en CDI",
            scope="La maintenance de tous nos logiciels, à temps plein.",
            deliverables="Des versions régulières ; un suivi des anomalies.",
            start_on=(self.now - 30 * DAY).date(),
            duration_months=12,
            pay_form="salaried",
            contract="cdi",
            working_time_percent=100,
            monthly_amount_cents=320_000,
            amount_basis="gross",
        )
        decision = Decision.objects.get(pk=rejected.decision_id)
        with clock(self.ago(63)):
            decision.current_round.take_stance(
                julien,
                "objection",
                reason=(
                    "Un CDI engage au-delà de ce que la réserve garantit : commençons par un CDD."
                ),
            )
        with clock(decision.closes_at):
            decision.close(now=decision.closes_at)

    # Helpers -----------------------------------------------------------------------------------

    def ensure_reserve(self) -> None:
        available = funds.available_cents()
        if available >= RESERVE_FLOOR_CENTS:
            return
        Transaction.objects.record(
            self.ago(130).date(),
            "Dotation initiale de la réserve (démo)",
            [
                ("110", RESERVE_TOP_CENTS - available),
                (chart.RESERVE_AVAILABLE, available - RESERVE_TOP_CENTS),
            ],
            idempotency_key="demo-budgets-reserve",
        )

    def need(self, days, author, title, description, supporters) -> Need:
        with clock(self.ago(days)):
            need = Need.objects.raise_need(author, title=title, description=description)
        for supporter in supporters:
            if supporter.pk != author.pk:
                with clock(self.ago(days - 1)):
                    need.support(supporter)
        return need

    def submitted(self, days, proposer, need, **fields) -> Mission:
        with clock(self.ago(days)):
            mission = Mission.objects.propose(proposer, need, **fields)
        with clock(self.ago(days - 0.5)):
            return mission.submit(proposer)

    def adopted(self, days, proposer, need, **fields) -> Mission:
        mission = self.submitted(days, proposer, need, **fields)
        self.consent_and_close(mission.decision, proposer)
        mission.refresh_from_db()
        return mission

    def adopted_after_objection(
        self, days, proposer, need, objector, *, objection, note, changes, **fields
    ) -> Mission:
        """Submitted, objected to, amended into version 2 that integrates the objection, then
        consented in a second round and adopted: version 2's cost is what is committed."""
        mission = self.submitted(days, proposer, need, **fields)
        decision = Decision.objects.get(pk=mission.decision_id)
        with clock(self.ago(days - 1)):
            decision.current_round.take_stance(objector, "objection", reason=objection)
        raised = decision.objections.get()
        with clock(self.ago(days - 1.5)):
            raised.begin_integration(proposer)
        with clock(self.ago(days - 2)):
            mission.amend(proposer, note=note, integrates=[raised], **changes)
        Version.objects.filter(decision=decision, number=2).update(created_at=self.ago(days - 2))
        with clock(self.ago(days - 2.5)):
            decision.start_new_round(proposer, now=self.ago(days - 2.5))
        with clock(self.ago(days - 3)):
            raised.resolve(objector)
        self.consent_and_close(decision, proposer)
        mission.refresh_from_db()
        return mission

    def consent_and_close(self, decision, by) -> None:
        """Everyone eligible consents, and `by` closes the day after the minimum deliberation."""
        decision = Decision.objects.get(pk=decision.pk)
        at = decision.deliberation_ends_at + DAY
        round = decision.current_round
        with clock(at - DAY):
            for eligibility in decision.eligible.select_related("member"):
                round.take_stance(eligibility.member, "consent")
        with clock(at):
            decision.close(now=at, by=by, statement="Adoptée sans objection.")
