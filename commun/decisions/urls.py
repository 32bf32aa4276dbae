from django.urls import path

from commun.decisions import views

app_name = "decisions"
urlpatterns = [
    path("decisions/", views.register, name="register"),
    path("fils/<int:pk>/proposer-une-decision/", views.propose, name="propose"),
    path("decisions/<int:pk>/", views.detail, name="detail"),
    path("decisions/<int:pk>/decompte/", views.tally, name="tally"),
    path("decisions/<int:pk>/ouvrir/", views.open_decision, name="open"),
    path("decisions/<int:pk>/etape-suivante/", views.advance, name="advance"),
    path("decisions/<int:pk>/amender/", views.amend, name="amend"),
    path("decisions/<int:pk>/position/", views.take_stance, name="take_stance"),
    path("decisions/<int:pk>/bulletin-secret/", views.cast_secret_ballot, name="secret_ballot"),
    path("decisions/<int:pk>/urne/", views.box, name="box"),
    path("decisions/<int:pk>/nouveau-tour/", views.start_new_round, name="start_new_round"),
    path("decisions/<int:pk>/retirer/", views.withdraw, name="withdraw"),
    path("decisions/<int:pk>/clore/", views.close, name="close"),
    path("decisions/<int:pk>/avis/", views.give_advice, name="give_advice"),
    path("decisions/<int:pk>/decider/", views.record_advice_decision, name="record"),
    path("decisions/<int:pk>/departager/", views.cast_deciding_vote, name="casting_vote"),
    path("objections/<int:pk>/integrer/", views.begin_integration, name="begin_integration"),
    path("objections/<int:pk>/ecarter/", views.dismiss_objection, name="dismiss_objection"),
    path("objections/<int:pk>/retirer/", views.withdraw_objection, name="withdraw_objection"),
    path("objections/<int:pk>/lever/", views.resolve_objection, name="resolve_objection"),
]
