"""The demo cooperative's conversations: circles, and threads in each kind of space.

Called by `commun demo` once the members are loaded. Everything goes through the model
methods (`Circle.found`, `Space.start_thread`, `Thread.post_comment`, `Comment.edit`,
`Comment.toggle_reaction`) under a clock set in the past, so that the last weeks read as
they would have been lived; only the dates that model fields stamp by themselves
(`default=timezone.now`) are set afterwards.
"""

import contextlib
import datetime
from unittest import mock

from django.db.models import OuterRef, Subquery
from django.utils import timezone

from commun.deliberation.models import (
    Circle,
    CircleMembership,
    Comment,
    CommentRevision,
    Notification,
    Space,
    Thread,
)
from commun.members import demo_data
from commun.members.models import Member

# (name, description, founder, members who join): their slugs are the @handles.
CIRCLES = [
    (
        "Développement",
        "Le code de nos logiciels : revues, versions, dépendances et hébergement.",
        "Thomas",
        ["Camille", "Léa", "Yannick", "Julien", "Mamadou", "Manon"],
    ),
    (
        "Communication",
        "La lettre d'information, le site, les rencontres et les réseaux.",
        "Manon",
        ["Hugo", "Chloé", "Jeanne", "Pierre", "Nathalie"],
    ),
    (
        "Finances",
        "Le budget, la trésorerie, le fonds des communs et les rémunérations.",
        "Nadia",
        ["Lucas", "Isabelle", "Camille", "Éric"],
    ),
]
MARKER = CIRCLES[0][0]


@contextlib.contextmanager
def clock(moment: datetime.datetime):
    """Replay a past moment: the model methods date what they record with the clock."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def people() -> dict[str, Member]:
    """The demo's active members by first name, read afresh from the database."""
    emails = {person.email: person.first_name for person in demo_data.MEMBERS}
    members = (
        Member.objects.active().select_related("user", "category").filter(user__email__in=emails)
    )
    return {emails[member.user.email]: member for member in members}


def is_loaded() -> bool:
    return Circle.objects.filter(name=MARKER).exists()


class Conversations:
    """Plays the last two months of the cooperative's conversations, in date order."""

    def __init__(self, now: datetime.datetime | None = None):
        self.now = now or timezone.now()
        self.m = people()
        self.circles: dict[str, Circle] = {}

    def ago(self, days: float, hour: int = 10, minute: int = 0) -> datetime.datetime:
        day = timezone.localtime(self.now) - datetime.timedelta(days=days)
        return day.replace(hour=hour, minute=minute, second=0, microsecond=0)

    def handle(self, first_name: str) -> str:
        """How to @mention someone: their pseudonym if they have one, else their number."""
        member = self.m[first_name]
        pseudonym = member.pseudonym
        if pseudonym and pseudonym.replace("_", "").replace(".", "").isalnum():
            return f"@{pseudonym}"
        return f"@{member.number}"

    def load(self) -> None:
        if is_loaded():
            return
        Space.objects.ensure_all()
        with clock(self.ago(60)):
            # The charter says it: our decisions are public. Officers set the visibility.
            Space.objects.cooperative().set_visibility(
                Space.Visibility.PUBLIC, by=self.m["Camille"]
            )
        for days, (name, description, founder, joiners) in enumerate(CIRCLES):
            moment = self.ago(58 - days * 3)
            with clock(moment):
                circle = Circle.found(name, description, by=self.m[founder])
                for first_name in joiners:
                    circle.join(self.m[first_name])
            Circle.objects.filter(pk=circle.pk).update(created_at=moment)
            CircleMembership.objects.filter(circle=circle).update(joined_at=moment)
            self.circles[name] = circle
        self.welcome()
        self.annual_meeting()
        self.contributions()
        self.django_upgrade()
        self.accessibility_review()
        self.newsletter()
        self.budget()
        self.date_the_notifications()

    # Helpers ---------------------------------------------------------------------------------

    def space(self, name: str | None = None) -> Space:
        if name is None:
            return Space.objects.cooperative()
        if name in self.circles:
            return Space.objects.get(circle=self.circles[name])
        return Space.objects.get(college__name=name)

    def thread(self, space: Space, at, author: str, title: str, body: str) -> Thread:
        with clock(at):
            return space.start_thread(self.m[author], title, body)

    def say(self, thread: Thread, at, author: str, body: str, reply_to=None) -> Comment:
        with clock(at):
            return thread.post_comment(self.m[author], body, parent=reply_to)

    def react(self, comment: Comment, kind: str, *first_names: str) -> None:
        for first_name in first_names:
            comment.toggle_reaction(self.m[first_name], kind)

    def first(self, thread: Thread) -> Comment:
        return thread.comments.order_by("pk").first()

    def edit(self, comment: Comment, at, author: str, body: str) -> None:
        with clock(at):
            comment.edit(self.m[author], body)
        CommentRevision.objects.filter(comment=comment).update(replaced_at=at)

    def date_the_notifications(self) -> None:
        """Notifications are stamped when written: date them as their comment."""
        written = Comment.objects.filter(pk=OuterRef("comment_id")).values("created_at")[:1]
        Notification.objects.filter(comment__isnull=False).update(created_at=Subquery(written))

    # The cooperative's space ----------------------------------------------------------------

    def welcome(self):
        thread = self.thread(
            self.space(),
            self.ago(45, 9, 12),
            "Nadia",
            "Bienvenue aux nouvelles et nouveaux associé·es",
            "Bonjour à toutes et à tous !\n\n"
            "Plusieurs personnes nous ont rejoint·es ces dernières semaines : bienvenue "
            f"à {self.handle('Fatou')}, {self.handle('Aïcha')}, {self.handle('Lucas')} et "
            f"{self.handle('Victor')}. N'hésitez pas à vous présenter ici : ce que vous "
            "faites, ce qui vous a amené·es, ce que vous aimeriez faire avec nous.\n\n"
            "Pour commencer :\n\n"
            "- la **charte** résume ce qui nous tient ensemble ;\n"
            "- les *cercles de travail* sont ouverts à toutes et tous, on y entre et on en "
            "sort librement ;\n"
            "- chaque décision importante passe par le consentement : lisez les "
            "propositions en cours, posez vos questions, objectez si besoin.",
        )
        fatou = self.say(
            thread,
            self.ago(45, 11, 40),
            "Fatou",
            "Merci pour l'accueil ! Je suis développeuse à Dakar puis à Lyon, et je "
            "contribue depuis deux ans à des logiciels libres pour les associations. "
            "J'aimerais aider sur l'internationalisation.",
        )
        self.say(
            thread,
            self.ago(45, 14, 5),
            "Hugo",
            f"Bienvenue {self.handle('Fatou')} ! Je m'occupe des traductions : on a "
            "justement besoin de quelqu'un pour relire les chaînes du module d'adhésion. "
            "Je t'écris en privé ?",
            reply_to=fatou,
        )
        self.react(fatou, "love", "Nadia", "Hugo", "Léa")
        aicha = self.say(
            thread,
            self.ago(44, 18, 30),
            "Aïcha",
            "Bonjour ! Je représente une épicerie coopérative à Nantes. Nous utilisons "
            "vos outils pour nos adhérent·es et voulions les soutenir : me voici.",
        )
        self.react(aicha, "bravo", "Nadia", "Mathilde", "Pierre")
        self.say(
            thread,
            self.ago(44, 20, 2),
            "Mathilde",
            "Bienvenue ! À La Fabrique du Coin on a le même usage : si vous voulez comparer "
            "nos réglages, passez au tiers-lieu.",
            reply_to=aicha,
        )
        self.react(self.first(thread), "agree", "Camille", "Thomas", "Jeanne", "Karim")

    def annual_meeting(self):
        thread = self.thread(
            self.space(),
            self.ago(30, 10, 0),
            "Pierre",
            "Rencontre annuelle à Tours : dates et lieu",
            "Les Amis du Libre en Touraine proposent d'accueillir la rencontre annuelle "
            "dans nos locaux, rue des Tanneurs. Deux week-ends possibles : **13-14 juin** "
            "ou **20-21 juin**.\n\n"
            "Il y a de la place pour 60 personnes, une cuisine, et le train depuis Paris "
            "met une heure. Qu'en pensez-vous ?",
        )
        camille = self.say(
            thread,
            self.ago(30, 12, 15),
            "Camille",
            "Merci Pierre ! Le 20-21 m'arrange mieux : le 13 il y a la clôture des "
            "comptes avec le cabinet.",
        )
        jeanne = self.say(
            thread,
            self.ago(29, 9, 45),
            "Jeanne",
            "Les deux me vont. Est-ce qu'on prévoit une visio pour celles et ceux qui ne "
            "peuvent pas venir ? Je pense aux associé·es d'outre-mer.",
        )
        self.say(
            thread,
            self.ago(29, 10, 30),
            "Manon",
            f"Oui, bonne idée. Le cercle @{self.circles['Communication'].slug} peut "
            "s'occuper de l'annonce et de la retransmission.",
            reply_to=jeanne,
        )
        self.react(jeanne, "agree", "Pierre", "Manon", "Océane", "Zoé")
        self.react(camille, "agree", "Nadia", "Thomas")
        edited = self.say(
            thread,
            self.ago(28, 16, 0),
            "Pierre",
            "Réservé pour le 20-21 juin. Accueil à 9 h le samedi.",
        )
        self.edit(
            edited,
            self.ago(28, 17, 20),
            "Pierre",
            "Réservé pour le **20-21 juin**. Accueil à 9 h 30 le samedi (le marché occupe "
            "la rue jusqu'à 9 h), fin vers 16 h le dimanche.",
        )
        self.react(edited, "bravo", "Camille", "Jeanne", "Manon", "Isabelle", "Yannick")

    # A college's space ------------------------------------------------------------------------

    def contributions(self):
        thread = self.thread(
            self.space(demo_data.COLLEGES[1][1]),
            self.ago(20, 8, 50),
            "Julien",
            "Rémunérer les petites contributions ?",
            "Entre contributeur·ices : beaucoup d'entre nous traduisent, relisent ou "
            "testent quelques heures par mois, sans mission. Faut-il proposer une "
            "co-rémunération après coup (heures × taux) pour ces petites contributions, "
            "ou garder le bénévolat pour elles ?",
        )
        lea = self.say(
            thread,
            self.ago(20, 11, 0),
            "Léa",
            "Je serais pour, avec un plancher : en dessous de 5 heures par mois, on reste "
            "bénévole, sinon la comptabilité coûtera plus que ce qu'on paie.",
        )
        self.say(
            thread,
            self.ago(19, 14, 20),
            "Mamadou",
            "D'accord avec Léa sur le plancher. Et il faudrait que le taux soit le même "
            "pour tout le monde, quelle que soit la tâche.",
            reply_to=lea,
        )
        self.say(
            thread,
            self.ago(18, 9, 10),
            "Hugo",
            "Je rédige une proposition pour le cercle Finances, avec le plancher et un "
            "taux unique. Vos relectures sont bienvenues avant que je la soumette.",
        )
        self.react(lea, "agree", "Julien", "Hugo", "Antoine", "Élodie")

    # The circles --------------------------------------------------------------------------------

    def django_upgrade(self):
        thread = self.thread(
            self.space("Développement"),
            self.ago(25, 9, 30),
            "Thomas",
            "Passage à Django 6.1",
            "Django 6.1 est sorti. Ce qui nous concerne :\n\n"
            "1. les *template partials* sont désormais dans Django : on peut retirer "
            "`django-template-partials` ;\n"
            "2. l'API des tâches de fond est stable ;\n"
            "3. la politique de sécurité du contenu (CSP) est intégrée.\n\n"
            "Je propose de faire la montée de version la semaine prochaine.",
        )
        yannick = self.say(
            thread,
            self.ago(25, 11, 5),
            "Yannick",
            "Côté serveurs, rien de bloquant : PostgreSQL 15 reste supporté. Je prépare "
            "une sauvegarde avant la mise en production :\n\n"
            "```\ncommun backup /srv/sauvegardes/avant-django-6.1.zip\n```",
        )
        self.react(yannick, "agree", "Thomas", "Camille")
        self.say(
            thread,
            self.ago(24, 15, 40),
            "Léa",
            "Je vérifie l'accessibilité des formulaires après la montée de version : les "
            "nouveaux gabarits de champs changent le balisage des erreurs.",
        )
        self.say(
            thread,
            self.ago(22, 17, 0),
            "Thomas",
            f"C'est en production. Merci {self.handle('Léa')} et {self.handle('Yannick')} "
            "pour les vérifications !",
        )

    def accessibility_review(self):
        thread = self.thread(
            self.space("Développement"),
            self.ago(12, 14, 0),
            "Léa",
            "Revue d'accessibilité du formulaire d'adhésion",
            "J'ai passé le formulaire d'adhésion au lecteur d'écran (NVDA et Orca). "
            "Trois problèmes :\n\n"
            "- le choix de la catégorie n'annonce pas sa description ;\n"
            "- l'erreur sur le nombre de parts n'est pas reliée au champ ;\n"
            "- le contraste du bouton secondaire est de 3,9:1 (il faut 4,5:1).\n\n"
            "Je peux corriger les deux premiers. Pour le troisième, il faut voir avec le "
            "cercle Communication qui tient la charte graphique.",
        )
        julien = self.say(
            thread,
            self.ago(12, 16, 30),
            "Julien",
            "Merci, c'est précieux. Pour l'erreur reliée au champ, `aria-describedby` "
            "suffit, je peux relire ta branche.",
        )
        self.react(julien, "agree", "Léa")
        self.react(self.first(thread), "love", "Thomas", "Camille", "Mamadou")
        self.say(
            thread,
            self.ago(11, 10, 0),
            "Manon",
            "Je passe par là : je fonce le bouton secondaire, maquette d'ici vendredi.",
        )

    def newsletter(self):
        thread = self.thread(
            self.space("Communication"),
            self.ago(15, 10, 0),
            "Manon",
            "Lettre d'information de printemps",
            "Sommaire proposé :\n\n"
            "1. la rencontre annuelle à Tours ;\n"
            "2. ce que nous avons reversé aux projets libres dont nous dépendons ;\n"
            "3. portrait d'une associée : La Fabrique du Coin.\n\n"
            "Qui veut écrire quoi ?",
        )
        jeanne = self.say(
            thread,
            self.ago(15, 12, 30),
            "Jeanne",
            "Je prends le portrait de La Fabrique du Coin : je connais bien Mathilde.",
        )
        self.react(jeanne, "bravo", "Manon", "Chloé")
        self.say(
            thread,
            self.ago(14, 9, 0),
            "Chloé",
            "Je fais les illustrations. Format carré pour les réseaux, comme la dernière fois ?",
        )
        self.say(
            thread,
            self.ago(14, 9, 45),
            "Hugo",
            f"Et je traduis le tout en anglais. {self.handle('Nathalie')}, tu relis ?",
        )

    def budget(self):
        thread = self.thread(
            self.space("Finances"),
            self.ago(18, 9, 0),
            "Nadia",
            "Budget prévisionnel 2027",
            "Premier jet du budget 2027, à discuter avant l'assemblée :\n\n"
            "| poste | montant |\n|---|--:|\n"
            "| missions (CDD et factures) | 84 000 € |\n"
            "| hébergement | 3 600 € |\n"
            "| fonds des communs | 6 000 € |\n"
            "| expert-comptable | 2 400 € |\n\n"
            "Le fonds des communs reste à 6 000 €, réparti par un vote de toutes et tous.",
        )
        lucas = self.say(
            thread,
            self.ago(17, 11, 0),
            "Lucas",
            "Les missions me semblent sous-estimées si on lance l'export comptable : "
            "compter plutôt 95 000 €.",
        )
        self.say(
            thread,
            self.ago(17, 15, 30),
            "Isabelle",
            "Pour la commune, une visibilité sur l'hébergement à trois ans nous aiderait "
            "à voter notre propre budget.",
        )
        self.say(
            thread,
            self.ago(16, 10, 0),
            "Nadia",
            "Bien vu Lucas, je remonte les missions à 95 000 €. Isabelle : je prépare une "
            "projection sur trois ans.",
            reply_to=lucas,
        )
        self.react(lucas, "agree", "Camille", "Éric")
