from django.urls import path

from commun.members import views

app_name = "members"
urlpatterns = [
    path("rejoindre/", views.join, name="join"),
    path("rejoindre/merci/", views.join_done, name="join_done"),
    path("associes/", views.directory, name="directory"),
    path("registre/", views.register, name="register"),
    path("registre/registre.csv", views.register_csv, name="register_csv"),
    path("moi/", views.me, name="me"),
    path("moi/demission/", views.resign, name="resign"),
    path("associes/<int:number>/certificat/", views.certificate, name="certificate"),
    path("associes/<int:number>/certificat.pdf", views.certificate_pdf, name="certificate_pdf"),
]
