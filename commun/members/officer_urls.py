from django.urls import path

from commun.members import officer_views as views

app_name = "officers"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("candidatures/", views.applications, name="applications"),
    path("candidatures/<int:pk>/admettre/", views.admit_application, name="admit_application"),
    path("candidatures/<int:pk>/refuser/", views.refuse_application, name="refuse_application"),
    path("registre/", views.record_movement, name="record_movement"),
    path("remboursements/", views.repayments, name="repayments"),
    path("remboursements/demission/", views.record_resignation, name="record_resignation"),
    path("remboursements/traiter/", views.process_repayments, name="process_repayments"),
    path("profil/", views.profile, name="profile"),
    path("associes/", views.members, name="members"),
    path("associes/<int:number>/responsable/", views.set_officer, name="set_officer"),
]
