from django.urls import path

from commun.assemblies import box, minutes_views, picker, views

app_name = "assemblies"
urlpatterns = [
    path("assemblees/", views.assemblies, name="list"),
    path("assemblees/regles/", views.rules_page, name="rules"),
    path("assemblees/regles/<str:kind>/", views.rules_edit, name="rules_edit"),
    path("assemblees/nouvelle/", views.assembly_new, name="new"),
    path("assemblees/<int:pk>/", views.assembly, name="assembly"),
    path("assemblees/<int:pk>/ordre-du-jour/", views.add_item, name="add_item"),
    path("assemblees/<int:pk>/convoquer/", views.convene, name="convene"),
    path("assemblees/<int:pk>/reponse/", views.answer, name="answer"),
    path("assemblees/<int:pk>/convocation/", views.convocation, name="convocation"),
    path("assemblees/<int:pk>/convocation.pdf", views.convocation_pdf, name="convocation_pdf"),
    path("assemblees/<int:pk>/ouverture/", views.open_session, name="open"),
    path("assemblees/<int:pk>/associes/<str:field>/", picker.pick, name="pick"),
    path("assemblees/<int:pk>/emargement/", views.check_in, name="check_in"),
    path("assemblees/<int:pk>/quorum/", views.quorum, name="quorum"),
    path("assemblees/<int:pk>/sans-quorum/", views.record_failure, name="record_failure"),
    path("assemblees/<int:pk>/deuxieme-convocation/", views.convene_again, name="convene_again"),
    path(
        "assemblees/<int:pk>/resolutions/<int:position>/ouvrir/",
        views.open_resolution,
        name="open_resolution",
    ),
    path(
        "assemblees/<int:pk>/resolutions/<int:position>/clore/",
        views.close_resolution,
        name="close_resolution",
    ),
    path("assemblees/<int:pk>/resolutions/<int:position>/vote/", views.vote, name="vote"),
    path("assemblees/<int:pk>/projection/", views.projection, name="projection"),
    path("assemblees/<int:pk>/resolutions/<int:position>/urne/", box.box_page, name="box"),
    path(
        "assemblees/<int:pk>/resolutions/<int:position>/vote-avant-la-seance/",
        views.vote_in_advance,
        name="vote_in_advance",
    ),
    path(
        "assemblees/<int:pk>/resolutions/<int:position>/election-avant-la-seance/",
        views.vote_in_advance_election,
        name="vote_in_advance_election",
    ),
    path(
        "assemblees/<int:pk>/resolutions/<int:position>/secret/",
        views.mark_secret,
        name="mark_secret",
    ),
    path(
        "assemblees/<int:pk>/resolutions/<int:position>/amendements/",
        views.propose_amendment,
        name="propose_amendment",
    ),
    path(
        "assemblees/<int:pk>/resolutions/<int:position>/admission/",
        views.decide_amendment,
        name="decide_amendment",
    ),
    path("assemblees/<int:pk>/elections/", views.add_election, name="add_election"),
    path(
        "assemblees/<int:pk>/resolutions/<int:position>/candidatures/",
        views.add_candidate,
        name="add_candidate",
    ),
    path(
        "assemblees/<int:pk>/resolutions/<int:position>/bulletin/",
        views.cast_ballot,
        name="cast_ballot",
    ),
    # Closing the session, incidents, minutes, register (minutes_views.py).
    path("assemblees/registre/", minutes_views.register, name="register"),
    path("assemblees/<int:pk>/cloture/", views.close_session, name="close_session"),
    path("assemblees/<int:pk>/incidents/", views.record_incident, name="incident"),
    path("assemblees/<int:pk>/proces-verbal/", minutes_views.minutes_page, name="minutes"),
    path("assemblees/<int:pk>/proces-verbal.pdf", minutes_views.minutes_pdf, name="minutes_pdf"),
    path(
        "assemblees/<int:pk>/proces-verbal/confirmer/",
        minutes_views.confirm_minutes,
        name="confirm_minutes",
    ),
    # Documents sent with the convocation.
    path("assemblees/<int:pk>/documents/", views.attach_document, name="attach_document"),
    path(
        "assemblees/<int:pk>/documents/comptes/",
        views.attach_accounts,
        name="attach_accounts",
    ),
    path(
        "assemblees/<int:pk>/documents/<int:document>/",
        views.download_document,
        name="document",
    ),
    path(
        "assemblees/<int:pk>/documents/<int:document>/retirer/",
        views.remove_document,
        name="remove_document",
    ),
    # Members ask for an item; the officers answer.
    path("assemblees/<int:pk>/demandes/", views.ask_item, name="ask_item"),
    path(
        "assemblees/<int:pk>/demandes/<int:number>/accepter/",
        views.accept_item_request,
        name="accept_item_request",
    ),
    path(
        "assemblees/<int:pk>/demandes/<int:number>/refuser/",
        views.refuse_item_request,
        name="refuse_item_request",
    ),
]
