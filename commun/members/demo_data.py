"""What `commun demo` loads: a French SCIC with two years of history.

Days are counted from the cooperative's founding, which the loader puts 730 days before
today, so the demo always looks recent. Everything here is fiction.
"""

from dataclasses import dataclass

EMAIL_DOMAIN = "demo.commun.coop"
# Not on Django's common-password list, so the demo passes the same validators as anyone.
PASSWORD = "demo-commun-2026"
# Base32, 32 characters: one entry in an authenticator app serves every demo officer.
TOTP_SECRET = "COMMUNDEMOCOMMUNDEMOCOMMUNDEMO23"
HISTORY_DAYS = 730

COOPERATIVE = {
    "name": "Les Communs Numériques",
    "share_value_cents": 5000,
    "repayment_delay_months": 12,
    "contact_email": f"contact@{EMAIL_DOMAIN}",
}

CHARTER = """\
# Charte des Communs Numériques

Nous sommes une société coopérative d'intérêt collectif (SCIC) qui crée, maintient et
installe des **logiciels libres**. Nous avons choisi la forme coopérative pour que
celles et ceux qui font et utilisent nos outils les gouvernent ensemble, dans la durée.

L'informatique est une occasion de nous réapproprier nos moyens de production : ce que
nous écrivons est publié sous licence libre et mis en commun.

## Une personne, une voix

- Le nombre de parts détenues ne pèse **jamais** dans une décision : une associée qui
  détient une part et une commune qui en détient deux cents ont chacune une voix.
- Nous décidons dans le temps long : chaque décision importante est discutée en ligne
  avant d'être prise, et personne n'est pressé·e de trancher.
- Nous décidons par **consentement** : une proposition est adoptée quand plus personne
  n'y oppose d'objection argumentée. Chacun·e est responsable de ce qu'iel propose.
- Toutes et tous peuvent nous rejoindre. Nous ne choisissons pas nos collègues : c'est
  vous qui décidez de nous rejoindre et des missions que vous voulez mener.

## Lucrativité limitée : nous rémunérons le travail, pas le capital

- 100 % des excédents vont en réserves, pour financer les contributions aux communs.
- Budgets contributifs : chaque personne propose la rémunération qu'elle estime juste
  pour la mission qu'elle souhaite mener, et le collectif la valide en toute transparence.
  Par exemple, une contributrice estime qu'il lui faut un CDD de six mois à 2 000 € net
  pour mener un chantier ; le besoin a été soulevé par le collectif, qui valide la demande.
- Une part de nos excédents revient aux projets libres dont nous dépendons.

## Transparence des actions, mutualisation des besoins

- La liste des besoins et des tâches en cours est publique.
- Nos comptes, nos décisions et les rémunérations sont publics.
- Nos outils de travail en commun sont hébergés par nous, sur des logiciels libres.

## Trois catégories d'associé·es

1. **Responsables juridiques et mainteneur·euses** : celles et ceux qui portent la
   coopérative devant la loi et maintiennent ses logiciels.
2. **Contributeur·ices** : qui écrivent, documentent, traduisent, testent, animent.
3. **Partenaires et usager·es** : personnes et structures (tiers-lieux, associations,
   collectivités) qui utilisent nos outils et soutiennent la coopérative.

## Vos données, vos serveurs, vos logiciels

Nous ne revendons aucune donnée et n'en faisons aucun usage commercial. Vous restez
propriétaires de vos données comme des serveurs qui les hébergent. Chaque associé·e
choisit ce que le public voit d'elle ou de lui : son nom, un pseudonyme, ou rien.
"""

STATUTES = """\
# Statuts (extraits)

*Société coopérative d'intérêt collectif par actions simplifiée à capital variable.*

## Article 1 — Objet

La coopérative a pour objet de produire, maintenir et diffuser des logiciels libres et
des services numériques d'intérêt collectif, et d'accompagner les structures qui les
utilisent.

## Article 2 — Capital et parts sociales

Le capital est variable. La part sociale vaut **50 €**. Le capital ne peut être réduit,
par les remboursements, en dessous du quart du capital le plus élevé atteint depuis la
constitution : les remboursements qui y conduiraient sont différés.

## Article 3 — Catégories et collèges

Les associé·es se répartissent en trois catégories, chacune formant un collège de vote :

| Catégorie | Parts minimales | Poids du collège |
|---|---|---|
| Responsables juridiques et mainteneur·euses | 2 | 40 % |
| Contributeur·ices | 1 | 30 % |
| Partenaires et usager·es | 1 | 30 % |

Les catégories des contributeur·ices et des partenaires et usager·es sont obligatoires
et ne peuvent rester vides.

## Article 4 — Admission

Toute personne physique ou morale qui adhère à la charte peut demander à entrer. Les
responsables statuent sur la candidature ; un refus est toujours motivé. La qualité
d'associé·e est acquise à la libération des parts minimales de sa catégorie. Les numéros
d'associé·e se suivent et ne sont jamais réattribués.

## Article 5 — Une personne, une voix

Chaque associé·e dispose d'une voix, quel que soit le nombre de parts qu'elle ou il
détient. En assemblée, les voix sont pondérées par collège, jamais par le capital.

## Article 6 — Retrait et remboursement

Tout·e associé·e peut se retirer à tout moment. Ses parts lui sont remboursées à leur
valeur nominale, au plus tard **douze mois** après sa démission, sous réserve du
plancher de l'article 2.

## Article 7 — Affectation des résultats

Les excédents sont affectés en totalité aux réserves impartageables, sauf décision
contraire de l'assemblée dans le respect des minima légaux (15 % à la réserve légale,
57,5 % au moins aux réserves impartageables).
"""

# (key, name, weight, position)
COLLEGES = [
    ("responsables", "Collège des responsables et mainteneur·euses", 40, 1),
    ("contributeurs", "Collège des contributeur·ices", 30, 2),
    ("partenaires", "Collège des partenaires et usager·es", 30, 3),
]

# (key, name, description, min_shares, mandatory, position); each key is its college's.
CATEGORIES = [
    (
        "responsables",
        "Responsables juridiques et mainteneur·euses",
        "Portent la coopérative devant la loi et maintiennent ses logiciels.",
        2,
        False,
        1,
    ),
    (
        "contributeurs",
        "Contributeur·ices",
        "Écrivent, documentent, traduisent, testent et animent les communs.",
        1,
        True,
        2,
    ),
    (
        "partenaires",
        "Partenaires et usager·es",
        "Personnes et structures qui utilisent nos outils et soutiennent la coopérative.",
        1,
        True,
        3,
    ),
]


@dataclass(frozen=True)
class Person:
    first_name: str
    last_name: str
    category: str
    shares: int
    day: int  # the day the application arrived, counted from the founding
    visibility: str = "name"
    pseudonym: str = ""
    organisation: str = ""
    postal_address: str = ""
    bio: str = ""
    officer: bool = False
    paid: bool = True

    @property
    def email(self) -> str:
        return f"{slug(self.first_name)}.{slug(self.last_name)}@{EMAIL_DOMAIN}"


def slug(text: str) -> str:
    import unicodedata

    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in ascii_text.lower() if c.isalnum() or c == "-").strip("-")


P = Person
MEMBERS = [
    # The founders, on day 0: the three officers and a maintainer.
    P(
        "Camille",
        "Martin",
        "responsables",
        20,
        0,
        officer=True,
        bio="Cofondatrice, mainteneuse du module de comptabilité.",
    ),
    P(
        "Nadia",
        "Benali",
        "responsables",
        10,
        0,
        officer=True,
        bio="Juriste de formation, s'occupe des assemblées et des statuts.",
    ),
    P("Thomas", "Lefèvre", "responsables", 10, 0, "pseudonym", "tlefevre", officer=True),
    P("Yannick", "Le Goff", "responsables", 6, 0, bio="Administre nos serveurs à Rennes."),
    P("Julien", "Moreau", "contributeurs", 5, 12),
    P(
        "Léa",
        "Girard",
        "contributeurs",
        2,
        25,
        "pseudonym",
        "lea_code",
        bio="Développeuse, contribue surtout à l'accessibilité.",
    ),
    P(
        "Mathilde",
        "Rey",
        "partenaires",
        40,
        30,
        organisation="La Fabrique du Coin",
        postal_address="4 place du Marché\n37150 Bléré",
        bio="Tiers-lieu rural : atelier partagé, café associatif et espace de coworking.",
    ),
    P("Mamadou", "Diallo", "contributeurs", 3, 33),
    P("Sophie", "Nguyen", "responsables", 4, 40, "hidden"),
    P("Inès", "Haddad", "contributeurs", 1, 51, "hidden"),
    P("Jeanne", "Faure", "partenaires", 1, 60),
    P("Hugo", "Fontaine", "contributeurs", 8, 70, bio="Traducteur, relit toute l'interface."),
    P(
        "Pierre",
        "Caron",
        "partenaires",
        10,
        80,
        organisation="Les Amis du Libre en Touraine",
        postal_address="12 rue des Tanneurs\n37000 Tours",
        bio="Association d'éducation populaire au numérique libre.",
    ),
    P("Chloé", "Roussel", "contributeurs", 2, 95, "pseudonym", "chloé.r"),
    P("Olivier", "Roux", "partenaires", 2, 110, "hidden"),
    P("Karim", "Mansouri", "contributeurs", 1, 120),
    P("Nathalie", "Blanc", "partenaires", 1, 140, "pseudonym", "nat"),
    P("Manon", "Perrin", "contributeurs", 4, 150, bio="Designer, s'occupe de nos maquettes."),
    P("Baptiste", "Carré", "contributeurs", 1, 175, "hidden"),
    P("Éric", "Garnier", "partenaires", 5, 190),
    P("Aurélie", "Vidal", "contributeurs", 2, 210),
    P(
        "Isabelle",
        "Morel",
        "partenaires",
        200,
        230,
        organisation="Commune de Saint-Aubin-des-Bois",
        postal_address="Mairie, 1 place de l'Église\n28300 Saint-Aubin-des-Bois",
        bio="La commune utilise nos outils pour ses associations et sa médiathèque.",
    ),
    P("Margaux", "Chevalier", "partenaires", 1, 250, "hidden"),
    P("Théo", "Lambert", "contributeurs", 1, 260, "pseudonym", "theol"),
    P("Sébastien", "Robin", "partenaires", 1, 280),
    P("Élodie", "Marchand", "contributeurs", 3, 300),
    P("Amandine", "Clément", "partenaires", 3, 320),
    P("Rémi", "Gauthier", "contributeurs", 1, 340),
    P("Paul", "Mercier", "partenaires", 1, 360, "pseudonym", "pmercier"),
    P("Zoé", "Lemaire", "partenaires", 1, 400),
    P("Salomé", "Bertrand", "contributeurs", 1, 420, "hidden"),
    P("Vincent", "Barbier", "partenaires", 2, 450, "hidden"),
    P("Océane", "Arnaud", "partenaires", 1, 480),
    P("Antoine", "Dubois", "contributeurs", 2, 500),
    P("Grégoire", "Colin", "partenaires", 1, 530),
    P("Fatou", "Sow", "contributeurs", 1, 560, "pseudonym", "fatou"),
    P("Aïcha", "Traoré", "partenaires", 2, 580, "pseudonym", "aicha.t"),
    P("Lucas", "Petit", "contributeurs", 20, 600, bio="Finance le chantier de l'export comptable."),
    P("Victor", "Henry", "partenaires", 1, 640),
    # Admitted a fortnight ago; the bank transfer has not arrived yet.
    P("Claire", "Dupuis", "contributeurs", 3, 710, paid=False),
]

OFFICER = MEMBERS[0]  # the login printed for officers
MEMBER = next(p for p in MEMBERS if p.last_name == "Faure")  # a plain member

PENDING = [
    P("Romain", "Giraud", "contributeurs", 2, 724),
    P("Sarah", "Cohen", "partenaires", 1, 727),
]
APPLICANT = PENDING[0]

REFUSED = P("Kévin", "Masson", "responsables", 2, 650)
REFUSAL_REASON = (
    "La catégorie des responsables juridiques et mainteneur·euses réunit les personnes qui "
    "portent la coopérative devant la loi et maintiennent ses logiciels. Vous êtes le "
    "bienvenu parmi les contributeur·ices : déposez une nouvelle candidature dans cette "
    "catégorie."
)

MOTIVATIONS = {
    "Romain": "J'utilise vos outils dans mon association et j'aimerais contribuer à la doc.",
    "Sarah": "Notre épicerie coopérative veut soutenir les logiciels qu'elle utilise.",
    "Kévin": "Je souhaite participer aux décisions techniques.",
}

# (giver, receiver, shares, day): share transfers agreed by the officers.
TRANSFERS = [
    ("Yannick", "Julien", 2, 402),
    ("Hugo", "Manon", 3, 455),
]

# Lucas pays his 20 shares in two instalments; the second was recorded before the bank
# rejected the transfer, so it is corrected, then recorded again when it really arrives.
INSTALMENT = ("Lucas", 10)
CORRECTION_REASON = "Virement rejeté par la banque : libération enregistrée par erreur"

# (who, day): the resignation, whose repayment the statutes' delay schedules.
RESIGNATION = ("Rémi", 690)
