from django.urls import path

from commun.privacy import views

app_name = "privacy"
urlpatterns = [
    path("responsables/registre-des-traitements/", views.record, name="record"),
    path("responsables/registre-des-traitements.csv", views.record_csv, name="record_csv"),
    path("responsables/registre-des-traitements.pdf", views.record_pdf, name="record_pdf"),
    path("moi/mes-donnees.zip", views.my_data, name="my_data"),
    path("moi/supprimer-mon-compte/", views.erase, name="erase"),
    path("responsables/archives-legales/", views.restricted_records, name="restricted"),
    path("responsables/associes/<int:number>/donnees.zip", views.member_data, name="member_data"),
]
