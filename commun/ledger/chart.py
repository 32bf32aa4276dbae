"""The accounts every cooperative starts with: the French chart (PCG) and Commun's funds.

Loaded by migration 0003 and again by `Account.objects.load_chart()` when a test flush
or a fresh database has emptied the table. Rows: (code, name, kind, parent code).
"""

from django.utils.translation import gettext, gettext_noop

ASSET, LIABILITY, EQUITY, INCOME, EXPENSE = "asset", "liability", "equity", "income", "expense"

# The three fund sub-accounts of the reserve (1068): the missions' budgets come from here.
RESERVE_AVAILABLE = "1068-DISPO"
RESERVE_COMMITTED = "1068-ENG"  # parent of one "1068-ENG-<mission>" account per mission
COMMONS_FUND = "1068-COMMUNS"
BANK = "512"
CAPITAL = "101"
LEGAL_RESERVE = "1061"
PROFIT = "120"
LOSS = "129"
# What a mission or a gift spends is an expense of the year (6x) and nothing else: reserves
# are equity, never income (PCG). The commitment it drew on moves, equity to equity, to this
# account until the year closes (docs/accounting.md).
RESERVE_SPENT = "1068-CONSO"
# The old scheme credited 789 with what missions spent: no longer booked, kept so the entries
# recorded with it still read (docs/accounting.md says how).
RESERVE_TAKEN_BACK = "789"
DIVIDENDS_PAYABLE = "457"

STANDARD_CHART = [
    ("101", gettext_noop("Capital"), EQUITY, None),
    ("106", gettext_noop("Réserves"), EQUITY, None),
    ("1061", gettext_noop("Réserve légale"), EQUITY, "106"),
    ("1068", gettext_noop("Autres réserves (impartageables)"), EQUITY, "106"),
    (RESERVE_AVAILABLE, gettext_noop("Réserve disponible pour les missions"), EQUITY, "1068"),
    (RESERVE_COMMITTED, gettext_noop("Réserve engagée sur des missions"), EQUITY, "1068"),
    (COMMONS_FUND, gettext_noop("Fonds pour les communs amont"), EQUITY, "1068"),
    (
        RESERVE_SPENT,
        gettext_noop("Réserve engagée consommée (soldée à la clôture)"),
        EQUITY,
        "1068",
    ),
    ("110", gettext_noop("Report à nouveau (solde créditeur)"), EQUITY, None),
    ("119", gettext_noop("Report à nouveau (solde débiteur)"), EQUITY, None),
    ("120", gettext_noop("Résultat de l'exercice (bénéfice)"), EQUITY, None),
    ("129", gettext_noop("Résultat de l'exercice (perte)"), EQUITY, None),
    ("401", gettext_noop("Fournisseurs"), LIABILITY, None),
    ("404", gettext_noop("Fournisseurs d'immobilisations"), LIABILITY, None),
    ("411", gettext_noop("Clients"), ASSET, None),
    ("421", gettext_noop("Personnel — rémunérations dues"), LIABILITY, None),
    ("431", gettext_noop("Sécurité sociale"), LIABILITY, None),
    ("437", gettext_noop("Autres organismes sociaux"), LIABILITY, None),
    ("44566", gettext_noop("TVA déductible sur autres biens et services"), ASSET, None),
    ("44571", gettext_noop("TVA collectée"), LIABILITY, None),
    (DIVIDENDS_PAYABLE, gettext_noop("Associé·es — dividendes à payer"), LIABILITY, None),
    ("467", gettext_noop("Autres comptes débiteurs ou créditeurs"), LIABILITY, None),
    (BANK, gettext_noop("Banque"), ASSET, None),
    ("530", gettext_noop("Caisse"), ASSET, None),
    ("604", gettext_noop("Achats d'études et prestations de services"), EXPENSE, None),
    ("606", gettext_noop("Achats non stockés de matières et fournitures"), EXPENSE, None),
    ("611", gettext_noop("Sous-traitance générale"), EXPENSE, None),
    ("613", gettext_noop("Locations"), EXPENSE, None),
    ("618", gettext_noop("Divers (documentation, colloques)"), EXPENSE, None),
    ("622", gettext_noop("Rémunérations d'intermédiaires et honoraires"), EXPENSE, None),
    ("6238", gettext_noop("Dons et pourboires (dont communs amont)"), EXPENSE, None),
    ("625", gettext_noop("Déplacements, missions et réceptions"), EXPENSE, None),
    ("626", gettext_noop("Frais postaux et de télécommunications"), EXPENSE, None),
    ("627", gettext_noop("Services bancaires"), EXPENSE, None),
    ("641", gettext_noop("Rémunérations du personnel"), EXPENSE, None),
    ("645", gettext_noop("Charges de sécurité sociale et de prévoyance"), EXPENSE, None),
    ("658", gettext_noop("Charges diverses de gestion courante"), EXPENSE, None),
    ("671", gettext_noop("Charges exceptionnelles sur opérations de gestion"), EXPENSE, None),
    ("706", gettext_noop("Prestations de services"), INCOME, None),
    ("707", gettext_noop("Ventes de marchandises"), INCOME, None),
    ("708", gettext_noop("Produits des activités annexes"), INCOME, None),
    ("74", gettext_noop("Subventions d'exploitation"), INCOME, None),
    ("758", gettext_noop("Produits divers de gestion courante"), INCOME, None),
    ("768", gettext_noop("Autres produits financiers"), INCOME, None),
    ("771", gettext_noop("Produits exceptionnels sur opérations de gestion"), INCOME, None),
    (
        RESERVE_TAKEN_BACK,
        gettext_noop("Reprise sur réserves engagées (missions, communs amont)"),  # no longer booked
        INCOME,
        None,
    ),
]

# The names are stored in French; a standard account keeps its name and is read translated.
STANDARD_NAMES = {code: name for code, name, _kind, _parent in STANDARD_CHART}


def readable_name(code: str, name: str) -> str:
    """An account's name in the reader's language, unless the cooperative renamed it."""
    return gettext(name) if STANDARD_NAMES.get(code) == name else name
