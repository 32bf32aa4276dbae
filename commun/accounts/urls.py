from django.urls import path

from commun.accounts import views

app_name = "accounts"
urlpatterns = [
    path("", views.index, name="index"),
    path("jetons/", views.tokens, name="tokens"),
    path("jetons/<int:pk>/revoquer/", views.revoke_token, name="revoke_token"),
]
