from django.urls import path
from django.views.generic import TemplateView

app_name = "members"
_todo = TemplateView.as_view(template_name="base.html")
urlpatterns = [
    path("rejoindre/", _todo, name="join"),
    path("associes/", _todo, name="directory"),
    path("registre/", _todo, name="register"),
    path("moi/", _todo, name="me"),
    path("associes/<int:number>/certificat/", _todo, name="certificate"),
]
