from django.urls import path

from commun.notifications import views

app_name = "notifications"
urlpatterns = [
    path("a-faire/", views.awaits, name="awaits"),
    path("a-faire/avis/<int:pk>/lu/", views.mark_read, name="mark_read"),
]
