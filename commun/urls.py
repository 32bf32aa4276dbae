from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.templatetags.static import static as static_url
from django.urls import include, path
from django.views.generic import RedirectView

from commun.api import api
from commun.members.views import set_language

# One way in: the admin's own password form would skip email verification and the second factor.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    # First: the API's requests (stances, tokens) resolve without walking every page's patterns.
    path("api/v1/", api.urls),
    path("", include("commun.core.urls")),
    path("", include("commun.members.urls")),
    path("", include("commun.deliberation.urls")),
    path("", include("commun.decisions.urls")),
    path("", include("commun.budgets.urls")),
    path("", include("commun.board.urls")),
    path("", include("commun.assemblies.urls")),
    path("", include("commun.notifications.urls")),
    path("", include("commun.feeds.urls")),
    path("comptes/", include("commun.ledger.urls")),
    path("comptes/", include("commun.ledger.export_urls")),
    path("communs-amont/", include("commun.upstream.urls")),
    path("", include("commun.privacy.urls")),
    path("responsables/webhooks/", include("commun.hooks.urls")),
    path("responsables/", include("commun.members.officer_urls")),
    path("compte/", include("commun.accounts.urls")),
    path("compte/", include("allauth.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
    path("favicon.ico", RedirectView.as_view(url=static_url("commun/favicon.svg"), permanent=True)),
]
