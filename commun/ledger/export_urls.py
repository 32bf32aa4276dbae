from django.urls import path

from commun.ledger import export_views

app_name = "exports"
urlpatterns = [
    path("exports/", export_views.index, name="index"),
    path("exports/beancount", export_views.beancount, name="beancount"),
    path("exports/fec/<int:year>", export_views.fec, name="fec"),
    path("journal.jsonl", export_views.journal, name="journal"),
    # Fixed addresses: witnesses save the digest regularly, and the key once.
    path("journal/empreinte.json", export_views.digest, name="digest"),
    path("journal/cle-publique.pem", export_views.public_key, name="public_key"),
]
