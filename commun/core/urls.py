from django.urls import path

from commun.core import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("charte/", views.charter, name="charter"),
    path("statuts/", views.statutes, name="statutes"),
    path("confidentialite/", views.privacy, name="privacy"),
]
