"""The demo cooperative's decisions: one at each step, each kind of process and vote.

Called by `commun demo` after the conversations. Every change goes through the model
methods (`propose`, `open`, `advance`, `take_stance`, `amend`, `close`,
`cast_secret_ballot`…) under a clock set in the past, as in `commun/deliberation/demo.py`;
the minimum deliberation time has then really elapsed when a decision closes. Only the
dates that fields stamp by themselves are set afterwards.
"""

import datetime
import random

from django.utils import timezone

from commun.decisions import tasks
from commun.decisions.models import Decision, Version
from commun.deliberation.demo import Conversations, clock
from commun.deliberation.models import Circle, Notification, Space, Thread

DAY = datetime.timedelta(days=1)
MARKER = "Une charte de modération pour nos discussions"


def is_loaded() -> bool:
    return Thread.objects.filter(title=MARKER).exists()


class Decisions(Conversations):
    """Plays the decisions of the last two months, each in its own thread."""

    def load(self) -> None:
        if is_loaded():
            return
        self.circles = {circle.name: circle for circle in Circle.objects.all()}
        self.voters = sorted(self.m.values(), key=lambda member: member.number)
        self.adopted_in_a_circle()
        self.adopted_by_silence()
        self.approval_vote()
        self.ranked_vote()
        self.dot_vote()
        self.secret_election()
        self.withdrawn()
        self.in_integration()
        self.in_objection_round()
        self.yes_no_vote()
        self.advice_process()
        self.advice_decided()
        self.in_clarification()
        self.date_the_notifications()

    # Helpers ---------------------------------------------------------------------------------

    def propose(self, at, author: str, space: Space, title: str, body: str, comments=(), **fields):
        """A thread holding the proposal, its first comments, then the draft."""
        fields.setdefault("kind", "consent")
        thread = self.thread(
            space, at, author, title, f"Je propose une décision : **{title}**. Discutons-en ici."
        )
        for minutes, (who, text) in enumerate(comments, start=1):
            self.say(thread, at + datetime.timedelta(hours=minutes * 3), who, text)
        with clock(at):
            decision = Decision.objects.propose(
                thread=thread, author=self.m[author], title=title, body=body, **fields
            )
        Decision.objects.filter(pk=decision.pk).update(created_at=at)
        Version.objects.filter(decision=decision).update(created_at=at)
        return decision

    def at(self, moment, method, *args, **kwargs):
        """Call a model method as if it were `moment`."""
        with clock(moment):
            return method(*args, **kwargs)

    def stances(self, decision, start, choices: list[tuple[str, str, str]]):
        """Each (first name, choice, reason), an hour and a half apart from `start`."""
        round = decision.current_round
        for i, (who, choice, reason) in enumerate(choices):
            moment = start + datetime.timedelta(minutes=90 * i)
            self.at(moment, round.take_stance, self.m[who], choice, reason, now=moment)

    def option_ids(self, decision) -> list[int]:
        return list(decision.options.order_by("position").values_list("pk", flat=True))

    def tell(self, decision, round_number: int, moment) -> None:
        """What the worker does after the opening (the demo's tasks are switched off)."""
        tasks.tell_eligible.call(decision.pk, round_number)
        Notification.objects.filter(decision=decision, round_number=round_number).update(
            created_at=moment
        )

    # Consent ---------------------------------------------------------------------------------

    def adopted_in_a_circle(self):
        """Adopted after an objection, its integration and a second round; to review later."""
        start = self.ago(40, 9)
        decision = self.propose(
            start,
            "Thomas",
            self.space("Développement"),
            "Des versions publiées tous les deux mois",
            "Nous publions une version de chacun de nos logiciels **tous les deux mois**, "
            "le premier mardi du mois. Les correctifs de sécurité sortent dès qu'ils sont "
            "prêts, sans attendre.\n\n"
            "Chaque version a une personne responsable, tirée au sort parmi les membres du "
            "cercle Développement volontaires.",
            comments=[
                ("Yannick", "Bonne idée : les mises à jour chez nos usager·es seront prévisibles."),
            ],
            kind="consent",
            scope="circle",
            circle=self.circles["Développement"],
            min_deliberation=7 * DAY,
            closes_at=start + 21 * DAY,
        )
        thomas = self.m["Thomas"]
        self.at(start, decision.open, now=start)
        self.at(start + 3 * DAY, decision.advance, thomas)
        self.at(start + 6 * DAY, decision.advance, thomas)
        self.stances(
            decision,
            start + 6 * DAY + datetime.timedelta(hours=2),
            [
                ("Camille", "consent", ""),
                (
                    "Léa",
                    "objection",
                    "Tirer au sort la personne responsable sans tenir compte de ses "
                    "disponibilités fera porter les versions à qui a le moins de temps. Il "
                    "faut pouvoir refuser, et un binôme pour la première fois.",
                ),
                ("Yannick", "consent", ""),
                ("Mamadou", "concern", "Deux mois, c'est long pour les nouvelles traductions."),
            ],
        )
        objection = decision.objections.get()
        self.at(start + 8 * DAY, objection.begin_integration, thomas)
        self.at(
            start + 9 * DAY,
            decision.amend,
            thomas,
            title="Des versions publiées tous les deux mois",
            body="Nous publions une version de chacun de nos logiciels **tous les deux mois**, "
            "le premier mardi du mois. Les correctifs de sécurité sortent dès qu'ils sont "
            "prêts, sans attendre.\n\n"
            "Chaque version a une personne responsable, tirée au sort parmi les membres du "
            "cercle Développement qui se sont déclaré·es disponibles ; chacun·e peut refuser "
            "sans se justifier. Une personne qui n'a jamais publié de version est "
            "accompagnée par une autre, en binôme.",
            note="Le tirage au sort ne retient que les volontaires disponibles ; binôme pour "
            "une première fois (objection de Léa).",
            integrates=[objection],
        )
        Version.objects.filter(decision=decision, number=2).update(created_at=start + 9 * DAY)
        round_two = start + 10 * DAY
        self.at(round_two, decision.start_new_round, thomas, now=round_two)
        self.at(round_two + DAY, objection.resolve, self.m["Léa"])
        self.stances(
            decision,
            round_two + DAY,
            [
                ("Léa", "consent", ""),
                ("Thomas", "consent", ""),
                ("Camille", "consent", ""),
                ("Yannick", "consent", ""),
                ("Julien", "consent", ""),
                ("Manon", "stand_aside", ""),
                (
                    "Mamadou",
                    "concern",
                    "Je reste attentif aux traductions : à revoir à la révision.",
                ),
            ],
        )
        closed = round_two + 4 * DAY
        self.at(
            closed,
            decision.close,
            now=closed,
            by=thomas,
            statement="Adoptée par consentement du cercle Développement : une version tous "
            "les deux mois, le premier mardi, avec une personne responsable volontaire et un "
            "binôme pour une première fois. Première version en septembre.",
            review_on=timezone.localdate(self.now) + 150 * DAY,
        )

    def adopted_by_silence(self):
        """The default rule: no objection, most have spoken, the rest consent by silence."""
        start = self.ago(34, 10)
        decision = self.propose(
            start,
            "Nadia",
            self.space(),
            "Publier nos comptes chaque trimestre",
            "Nous publions un point des comptes (réserve, engagements, dépenses) chaque "
            "trimestre sur la page publique, en plus de la clôture annuelle.",
            min_deliberation=7 * DAY,
            closes_at=start + 14 * DAY,
        )
        nadia = self.m["Nadia"]
        self.at(start, decision.open, now=start)
        self.at(start + DAY, decision.advance, nadia)
        self.at(start + 2 * DAY, decision.advance, nadia)
        speaking = self.voters[: len(self.voters) * 2 // 3]
        round = decision.current_round
        for i, member in enumerate(speaking):
            moment = start + 2 * DAY + datetime.timedelta(hours=3 + 2 * i)
            choice = "concern" if i == 1 else "consent"
            reason = "Un point trimestriel demande du temps au trésorier." if i == 1 else ""
            self.at(moment, round.take_stance, member, choice, reason, now=moment)
        # The deadline job closes it: the silent third consents by its silence.
        self.at(decision.closes_at, decision.close, now=decision.closes_at)

    def withdrawn(self):
        start = self.ago(21, 11)
        decision = self.propose(
            start,
            "Julien",
            self.space(),
            "Ouvrir un second local à Nantes",
            "Louer un bureau de 30 m² à Nantes, partagé avec l'épicerie coopérative, pour "
            "accueillir les associé·es de l'Ouest. Loyer : 450 € par mois, bail de trois ans.",
            comments=[
                ("Aïcha", "L'épicerie a de la place à l'étage, on en parle avec plaisir."),
                ("Nadia", "Le bail de trois ans m'inquiète : pouvons-nous en sortir plus tôt ?"),
            ],
            min_deliberation=7 * DAY,
            closes_at=start + 30 * DAY,
        )
        julien = self.m["Julien"]
        self.at(start, decision.open, now=start)
        self.at(start + 3 * DAY, decision.advance, julien)
        self.at(
            start + 6 * DAY,
            decision.withdraw,
            julien,
            "Retirée : l'épicerie coopérative nous prête finalement une salle deux jours par "
            "semaine, sans loyer. Nous en reparlerons dans un an.",
        )

    def in_integration(self):
        start = self.ago(16, 10)
        decision = self.propose(
            start,
            "Camille",
            self.space(),
            "Un tarif solidaire pour les petites associations",
            "Les associations dont le budget annuel est inférieur à **20 000 €** paient "
            "l'hébergement de nos outils **5 € par mois** au lieu de 25 €.\n\n"
            "La différence est prise sur nos excédents ; nous faisons le point chaque année "
            "à l'assemblée.",
            comments=[
                ("Pierre", "Beaucoup d'associations de Touraine seraient concernées, merci."),
            ],
            min_deliberation=14 * DAY,
            closes_at=start + 30 * DAY,
        )
        camille = self.m["Camille"]
        self.at(start, decision.open, now=start)
        self.at(start + 3 * DAY, decision.advance, camille)
        self.at(start + 7 * DAY, decision.advance, camille)
        self.stances(
            decision,
            start + 7 * DAY + datetime.timedelta(hours=1),
            [
                ("Pierre", "consent", ""),
                ("Nadia", "concern", "Il faudra suivre ce que cela coûte dès le premier mois."),
                ("Jeanne", "consent", ""),
                (
                    "Isabelle",
                    "objection",
                    "Les petites communes rurales sont dans la même situation que les "
                    "associations : la nôtre a 600 habitant·es et un budget informatique "
                    "presque nul. Les exclure irait contre notre charte.",
                ),
                ("Océane", "consent", ""),
            ],
        )
        objection = decision.objections.get()
        self.at(start + 10 * DAY, objection.begin_integration, camille)
        self.at(
            start + 11 * DAY,
            decision.amend,
            camille,
            title="Un tarif solidaire pour les petites associations et communes",
            body="Les associations dont le budget annuel est inférieur à **20 000 €**, et les "
            "communes de moins de **1 000 habitant·es**, paient l'hébergement de nos outils "
            "**5 € par mois** au lieu de 25 €.\n\n"
            "La différence est prise sur nos excédents ; nous faisons le point chaque année "
            "à l'assemblée.",
            note="Étendu aux petites communes (objection d'Isabelle).",
            integrates=[objection],
        )
        Version.objects.filter(decision=decision, number=2).update(created_at=start + 11 * DAY)

    def in_objection_round(self):
        start = self.ago(12, 9, 30)
        decision = self.propose(
            start,
            "Yannick",
            self.space(),
            "Héberger nos services chez un membre du collectif CHATONS",
            "Nous quittons notre hébergeur actuel pour un hébergeur membre du collectif "
            "CHATONS, en France, alimenté en énergie renouvelable.\n\n"
            "- migration en deux temps : la messagerie en octobre, le reste en novembre ;\n"
            "- coût : 310 € par mois au lieu de 260 € ;\n"
            "- nous gardons une sauvegarde chiffrée chez nous, à Rennes.",
            comments=[
                ("Thomas", "Pourquoi deux temps et pas une seule bascule ?"),
                ("Yannick", "Pour ne pas couper la messagerie et le reste le même week-end."),
            ],
            min_deliberation=10 * DAY,
            closes_at=self.ago(-11, 18),
        )
        yannick = self.m["Yannick"]
        self.at(start, decision.open, now=start)
        self.at(start + 4 * DAY, decision.advance, yannick)
        objections = start + 9 * DAY
        self.at(objections, decision.advance, yannick)
        self.stances(
            decision,
            objections + datetime.timedelta(hours=1),
            [
                ("Camille", "consent", ""),
                ("Nadia", "consent", ""),
                (
                    "Thomas",
                    "concern",
                    "Prévoyons une semaine où les deux hébergements tournent ensemble.",
                ),
                ("Jeanne", "consent", ""),
                (
                    "Mathilde",
                    "objection",
                    "Octobre est notre plus gros mois au tiers-lieu (inscriptions aux "
                    "ateliers) : une coupure de la messagerie à ce moment-là nous ferait "
                    "perdre des inscriptions. Décaler la messagerie à novembre suffirait.",
                ),
                ("Pierre", "stand_aside", ""),
                ("Karim", "consent", ""),
                ("Hugo", "consent", ""),
            ],
        )
        self.tell(decision, 1, objections)

    def in_clarification(self):
        start = self.ago(2, 9, 15)
        decision = self.propose(
            start,
            "Nadia",
            self.space(),
            MARKER,
            "Nous adoptons une charte de modération pour les discussions de la coopérative :\n\n"
            "1. on critique les idées, jamais les personnes ;\n"
            "2. un message hors sujet est déplacé, pas supprimé ;\n"
            "3. les responsables peuvent fermer un fil aux commentaires, en disant "
            "pourquoi ;\n"
            "4. tout·e associé·e peut demander qu'une décision de modération soit revue par "
            "un cercle tiré au sort.",
            min_deliberation=7 * DAY,
            closes_at=self.ago(-19, 18),
        )
        self.at(start, decision.open, now=start)
        thread = decision.thread
        question = self.say(
            thread,
            start + datetime.timedelta(hours=5),
            "Jeanne",
            "Question de clarification : qui décide qu'un message est hors sujet ? "
            "N'importe quel·le associé·e, ou seulement les responsables ?",
        )
        self.say(
            thread,
            start + datetime.timedelta(hours=26),
            "Nadia",
            "Les responsables, sur signalement de n'importe qui. Je le préciserai dans la "
            "prochaine version si ce n'est pas clair.",
            reply_to=question,
        )
        self.react(question, "agree", "Karim", "Zoé")
        self.tell(decision, 0, start)

    # Advice process --------------------------------------------------------------------------

    def advice_process(self):
        start = self.ago(4, 14)
        decision = self.propose(
            start,
            "Thomas",
            self.space("Développement"),
            "Choisir notre outil de visioconférence",
            "J'ai l'intention de décider que nous utilisons **Jitsi Meet**, hébergé chez "
            "nous, pour toutes nos réunions à distance, et que nous arrêtons l'outil "
            "propriétaire prêté par un partenaire.\n\n"
            "Je sollicite l'avis de Yannick (serveurs), Léa (accessibilité) et Manon "
            "(animation des réunions).",
            kind="advice",
            advisors=[self.m["Yannick"], self.m["Léa"], self.m["Manon"]],
            min_deliberation=3 * DAY,
            closes_at=self.ago(-6, 18),
        )
        self.at(start, decision.open, now=start)
        advice = {request.advisor_id: request for request in decision.advice.all()}
        for days, who, text in [
            (
                3,
                "Yannick",
                "Favorable. Notre serveur de Rennes tient une vingtaine de personnes en "
                "vidéo ; au-delà, il faudra un second pont vidéo (environ 40 € par mois).",
            ),
            (
                1,
                "Léa",
                "Favorable, avec une réserve : les sous-titres automatiques ne sont pas "
                "disponibles. Prévoyons une prise de notes partagée à chaque réunion.",
            ),
        ]:
            moment = self.ago(days, 11)
            self.at(moment, advice[self.m[who].pk].give, self.m[who], text, now=moment)

    def advice_decided(self):
        """Advice given, then the author decides before the deadline: the advisors hear of it.

        No demo advice decision is left open past its deadline: the other one's is to come.
        """
        start = self.ago(18, 9)
        decision = self.propose(
            start,
            "Nadia",
            self.space(),
            "Changer de banque pour une banque coopérative",
            "J'ai l'intention de décider que nous ouvrons notre compte courant à la **Nef**, "
            "banque coopérative, et que nous fermons l'ancien compte une fois les virements "
            "réguliers déplacés.\n\n"
            "Je sollicite l'avis de Karim (trésorerie) et de Zoé (comptabilité).",
            kind="advice",
            advisors=[self.m["Karim"], self.m["Zoé"]],
            min_deliberation=3 * DAY,
            closes_at=start + 10 * DAY,
        )
        self.at(start, decision.open, now=start)
        advice = {request.advisor_id: request for request in decision.advice.all()}
        for days, who, text in [
            (2, "Karim", "Favorable : les frais sont proches, l'argent sert l'économie sociale."),
            (3, "Zoé", "Favorable. Gardons l'ancien compte deux mois, le temps des prélèvements."),
        ]:
            moment = start + days * DAY
            self.at(moment, advice[self.m[who].pk].give, self.m[who], text, now=moment)
        moment = start + 4 * DAY
        self.at(
            moment,
            decision.record_advice_decision,
            self.m["Nadia"],
            "Nous passons à la Nef ; l'ancien compte reste ouvert deux mois, comme Zoé le "
            "conseille.",
            now=moment,
        )

    # Votes ------------------------------------------------------------------------------------

    def yes_no_vote(self):
        start = self.ago(5, 10)
        decision = self.propose(
            start,
            "Nadia",
            self.space(),
            "Adhérer à la fédération des SCIC du numérique",
            "Nous adhérons à la fédération régionale des SCIC du numérique (cotisation : "
            "300 € par an). Elle mutualise un service juridique et porte nos positions "
            "auprès des collectivités.\n\n"
            "Vote pondéré par collège, comme le prévoient nos statuts pour les adhésions.",
            kind="yes_no",
            weighted_by_college=True,
            quorum_percent=25,
            min_deliberation=7 * DAY,
            closes_at=self.ago(-9, 18),
        )
        self.at(start, decision.open, now=start)
        round = decision.current_round
        rng = random.Random(5)
        for i, member in enumerate(self.voters[:16]):
            choice = rng.choices(["yes", "no", "abstain"], weights=[6, 2, 1])[0]
            moment = start + datetime.timedelta(hours=5 + 6 * i)
            self.at(moment, round.take_stance, member, choice, now=moment)
        self.tell(decision, 1, start)

    def closed_vote(self, start, author, title, body, kind, options, ballots, **fields):
        """A vote opened at `start`, voted, and closed by the deadline job two weeks later."""
        statement = fields.pop("statement", "")
        decision = self.propose(
            start,
            author,
            self.space(),
            title,
            body,
            kind=kind,
            options=options,
            min_deliberation=7 * DAY,
            closes_at=start + 14 * DAY,
            **fields,
        )
        self.at(start, decision.open, now=start)
        ids = self.option_ids(decision)
        round = decision.current_round
        for i, (member, ballot) in enumerate(zip(self.voters, ballots(ids), strict=False)):
            moment = start + datetime.timedelta(hours=3 + 7 * i)
            if decision.is_secret:
                self.at(moment, round.cast_secret_ballot, member, ballot, now=moment)
            else:
                self.at(moment, round.take_stance, member, "ballot", "", ballot, now=moment)
        end = start + 14 * DAY
        self.at(end, decision.close, now=end, statement=statement)
        return decision

    def approval_vote(self):
        def ballots(ids):
            a, b, c, d = ids
            patterns = [[c], [b, c], [a, c], [c, d], [b], [a, b, c], [d], [c], [b, c, d]]
            return [patterns[i % len(patterns)] for i in range(27)]

        self.closed_vote(
            self.ago(52, 10),
            "Manon",
            "Le nom de notre nouveau logiciel de gestion",
            "Notre logiciel de gestion des adhésions et des décisions a besoin d'un nom. "
            "Cochez tous les noms qui vous conviennent : le plus approuvé l'emporte.",
            "approval",
            [
                ("Agora", "La place publique où l'on débattait."),
                ("Ruche", "Le travail en commun."),
                ("Commun", "Ce que nous faisons ensemble."),
                ("Bocage", "Des parcelles reliées par des haies."),
            ],
            ballots,
            statement="Notre logiciel de gestion s'appellera « Commun ».",
        )

    def ranked_vote(self):
        def ballots(ids):
            fec, mobile, a11y, langs = ids
            profiles = (
                [[[a11y], [fec], [langs], [mobile]]] * 8
                + [[[fec], [a11y], [mobile], [langs]]] * 6
                + [[[mobile], [fec], [a11y], [langs]]] * 5
                + [[[langs], [a11y], [fec], [mobile]]] * 4
                + [[[a11y, fec], [langs]]] * 3
            )
            return profiles

        self.closed_vote(
            self.ago(48, 9),
            "Camille",
            "Les priorités de notre feuille de route 2027",
            "Classez les quatre chantiers, du plus urgent au moins urgent. Le classement "
            "est compté par la méthode de Schulze : le chantier qui bat chacun des autres en "
            "duel passe en premier.",
            "ranked",
            [
                ("Export comptable FEC", "Pour les expert·es-comptables des associé·es."),
                ("Application mobile", "Consulter et voter depuis un téléphone."),
                ("Accessibilité RGAA", "Un audit complet et ses corrections."),
                ("Traduction en breton et en occitan", "Avec les associations de langues."),
            ],
            ballots,
        )

    def dot_vote(self):
        def ballots(ids):
            django, htmx, postgres, openfisca = ids
            patterns = [
                {django: 40, htmx: 20, postgres: 30, openfisca: 10},
                {django: 25, htmx: 25, postgres: 25, openfisca: 25},
                {django: 50, postgres: 50},
                {htmx: 60, openfisca: 40},
                {django: 30, htmx: 10, postgres: 20, openfisca: 40},
                {postgres: 70, django: 30},
            ]
            return [{str(k): v for k, v in patterns[i % len(patterns)].items()} for i in range(24)]

        self.closed_vote(
            self.ago(46, 10),
            "Lucas",
            "Répartir le fonds des communs 2026 entre nos projets amont",
            "Le fonds des communs 2026 s'élève à **6 000 €**. Chacun·e répartit 100 points "
            "entre les projets libres dont nos logiciels dépendent ; le fonds est partagé en "
            "proportion des points reçus.",
            "score",
            [
                ("Django", "Le cadriciel web de tous nos logiciels."),
                ("htmx", "L'interactivité de nos pages sans application JavaScript."),
                ("PostgreSQL", "La base de données de nos installations."),
                ("OpenFisca", "Le calcul du coût complet des missions salariées."),
            ],
            ballots,
            points_per_voter=100,
            statement="Le fonds des communs 2026 est réparti en proportion des points reçus ; "
            "les versements sont enregistrés dans la trésorerie.",
        )

    def secret_election(self):
        def ballots(ids):
            camille, nadia, thomas, sophie = ids
            patterns = [
                [camille, nadia],
                [camille, nadia, thomas],
                [nadia, sophie],
                [camille, thomas, sophie],
                [nadia],
                [camille, nadia, sophie],
                [thomas],
            ]
            return [patterns[i % len(patterns)] for i in range(29)]

        self.closed_vote(
            self.ago(44, 9),
            "Nadia",
            "Élection des responsables juridiques pour deux ans",
            "Trois responsables juridiques à élire pour deux ans. Cochez les candidat·es que "
            "vous approuvez ; les trois plus approuvé·es sont élu·es.\n\n"
            "**Scrutin secret** : la liste de qui a voté et l'urne sont séparées ; chacun·e "
            "reçoit un reçu pour retrouver son bulletin dans l'urne publiée.",
            "approval",
            [
                ("Camille Martin", "Sortante, mainteneuse du module de comptabilité."),
                ("Nadia Benali", "Sortante, s'occupe des assemblées et des statuts."),
                ("Thomas Lefèvre", "Sortant, responsable des versions."),
                ("Sophie Nguyen", "Candidate, mainteneuse depuis un an."),
            ],
            ballots,
            is_secret=True,
        )
