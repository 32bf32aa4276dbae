from django.urls import path

from commun.hooks import views

app_name = "hooks"
urlpatterns = [
    path("", views.endpoints, name="endpoints"),
    path("nouveau/", views.create, name="create"),
    path("<int:pk>/", views.endpoint, name="endpoint"),
    path("<int:pk>/activation/", views.toggle, name="toggle"),
    path("<int:pk>/secret/", views.rotate_secret, name="rotate_secret"),
    path("<int:pk>/envois/<int:delivery>/renvoyer/", views.replay, name="replay"),
]
