from django.urls import path

from commun.deliberation import views

app_name = "deliberation"
urlpatterns = [
    path("espaces/", views.spaces, name="spaces"),
    path("espaces/<slug:slug>/", views.space, name="space"),
    path("espaces/<slug:slug>/nouveau-fil/", views.new_thread, name="new_thread"),
    path("espaces/<slug:slug>/visibilite/", views.space_visibility, name="space_visibility"),
    path("fils/<int:pk>/", views.thread, name="thread"),
    path("fils/<int:pk>/commenter/", views.post_comment, name="post_comment"),
    path("fils/<int:pk>/suivre/", views.subscribe, name="subscribe"),
    path("fils/<int:pk>/fermer/", views.lock, name="lock"),
    path("commentaires/<int:pk>/", views.comment, name="comment"),
    path("commentaires/<int:pk>/modifier/", views.edit_comment, name="edit_comment"),
    path("commentaires/<int:pk>/historique/", views.history, name="history"),
    path("commentaires/<int:pk>/reagir/", views.react, name="react"),
    path("cercles/", views.circles, name="circles"),
    path("cercles/nouveau/", views.new_circle, name="new_circle"),
    path("cercles/<slug:slug>/", views.circle, name="circle"),
    path("cercles/<slug:slug>/adhesion/", views.circle_membership, name="circle_membership"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/preferences/", views.preferences, name="preferences"),
    path("recherche/", views.search_page, name="search"),
]
