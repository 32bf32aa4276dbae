from django.urls import path

from commun.ledger import views

app_name = "ledger"
urlpatterns = [
    path("", views.public, name="public"),
    path("ecritures/", views.transactions, name="transactions"),
    path("ecritures/<int:number>/", views.transaction_detail, name="transaction"),
    path("ecritures.csv", views.transactions_csv, name="transactions_csv"),
    path("ecritures.json", views.transactions_json, name="transactions_json"),
    path("comptes/", views.accounts, name="accounts"),
    path("saisie/recette/", views.record_entry, {"direction": "income"}, name="income"),
    path("saisie/depense/", views.record_entry, {"direction": "expense"}, name="expense"),
    path("import/", views.import_statement, name="import"),
    path("exercices/", views.fiscal_years, name="years"),
    path("justificatifs/<int:pk>/", views.receipt, name="receipt"),
]
