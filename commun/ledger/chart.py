"""The accounts every cooperative starts with: the French chart (PCG) and Commun's funds.

Loaded by migration 0003 and again by `Account.objects.load_chart()` when a test flush
or a fresh database has emptied the table. Rows: (code, name, kind, parent code).
"""

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
# What a mission or a gift spends is an expense of the year, and the reserve it was set
# aside from gives it back to the year's result here: the result shows the work done, the
# reserve shows what is left to fund.
RESERVE_TAKEN_BACK = "789"
DIVIDENDS_PAYABLE = "457"

STANDARD_CHART = [
    ("101", "Capital", EQUITY, None),
    ("106", "Réserves", EQUITY, None),
    ("1061", "Réserve légale", EQUITY, "106"),
    ("1068", "Autres réserves (impartageables)", EQUITY, "106"),
    (RESERVE_AVAILABLE, "Réserve disponible pour les missions", EQUITY, "1068"),
    (RESERVE_COMMITTED, "Réserve engagée sur des missions", EQUITY, "1068"),
    (COMMONS_FUND, "Fonds pour les communs amont", EQUITY, "1068"),
    ("110", "Report à nouveau (solde créditeur)", EQUITY, None),
    ("119", "Report à nouveau (solde débiteur)", EQUITY, None),
    ("120", "Résultat de l'exercice (bénéfice)", EQUITY, None),
    ("129", "Résultat de l'exercice (perte)", EQUITY, None),
    ("401", "Fournisseurs", LIABILITY, None),
    ("404", "Fournisseurs d'immobilisations", LIABILITY, None),
    ("411", "Clients", ASSET, None),
    ("421", "Personnel — rémunérations dues", LIABILITY, None),
    ("431", "Sécurité sociale", LIABILITY, None),
    ("437", "Autres organismes sociaux", LIABILITY, None),
    ("44566", "TVA déductible sur autres biens et services", ASSET, None),
    ("44571", "TVA collectée", LIABILITY, None),
    (DIVIDENDS_PAYABLE, "Associé·es — dividendes à payer", LIABILITY, None),
    ("467", "Autres comptes débiteurs ou créditeurs", LIABILITY, None),
    (BANK, "Banque", ASSET, None),
    ("530", "Caisse", ASSET, None),
    ("604", "Achats d'études et prestations de services", EXPENSE, None),
    ("606", "Achats non stockés de matières et fournitures", EXPENSE, None),
    ("611", "Sous-traitance générale", EXPENSE, None),
    ("613", "Locations", EXPENSE, None),
    ("618", "Divers (documentation, colloques)", EXPENSE, None),
    ("622", "Rémunérations d'intermédiaires et honoraires", EXPENSE, None),
    ("6238", "Dons et pourboires (dont communs amont)", EXPENSE, None),
    ("625", "Déplacements, missions et réceptions", EXPENSE, None),
    ("626", "Frais postaux et de télécommunications", EXPENSE, None),
    ("627", "Services bancaires", EXPENSE, None),
    ("641", "Rémunérations du personnel", EXPENSE, None),
    ("645", "Charges de sécurité sociale et de prévoyance", EXPENSE, None),
    ("658", "Charges diverses de gestion courante", EXPENSE, None),
    ("671", "Charges exceptionnelles sur opérations de gestion", EXPENSE, None),
    ("706", "Prestations de services", INCOME, None),
    ("707", "Ventes de marchandises", INCOME, None),
    ("708", "Produits des activités annexes", INCOME, None),
    ("74", "Subventions d'exploitation", INCOME, None),
    ("758", "Produits divers de gestion courante", INCOME, None),
    ("768", "Autres produits financiers", INCOME, None),
    ("771", "Produits exceptionnels sur opérations de gestion", INCOME, None),
    (RESERVE_TAKEN_BACK, "Reprise sur réserves engagées (missions, communs amont)", INCOME, None),
]
