from django.urls import path

from commun.upstream import views

app_name = "upstream"
urlpatterns = [
    path("", views.index, name="index"),
    path("dons/", views.gifts, name="gifts"),
    path("dons.csv", views.gifts_csv, name="gifts_csv"),
    path("dons.json", views.gifts_json, name="gifts_json"),
    path("repartitions/<int:pk>/", views.split, name="split"),
    path("projets/nouveau/", views.project_create, name="project_create"),
    path("projets/<int:pk>/modifier/", views.project_edit, name="project_edit"),
    path("repartitions/nouvelle/", views.split_create, name="split_create"),
    path("dons/nouveau/", views.gift_create, name="gift_create"),
    path("dons/<int:pk>/verser/", views.gift_pay, name="gift_pay"),
    path("dons/<int:pk>/annuler/", views.gift_cancel, name="gift_cancel"),
]
