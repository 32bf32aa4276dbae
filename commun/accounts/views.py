"""The account's own pages: its summary and its personal API tokens."""

from allauth.account.models import EmailAddress
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from commun.accounts.forms import ApiTokenForm
from commun.accounts.models import ApiToken
from commun.accounts.second_factor import session_passed


@login_required
def index(request: HttpRequest) -> HttpResponse:
    user = request.user
    return render(
        request,
        "accounts/index.html",
        {
            "primary_email": EmailAddress.objects.filter(user=user, primary=True).first(),
            "usable_tokens": user.api_tokens.usable().count(),
        },
    )


@never_cache  # the page that shows a new secret must not stay in any cache
@login_required
def tokens(request: HttpRequest) -> HttpResponse:
    form = ApiTokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        token, secret = ApiToken.issue(
            request.user,
            form.cleaned_data["name"],
            days=form.cleaned_data["days"],
            second_factor=session_passed(request),
        )
        # Shown in this answer only: the database keeps the hash, nothing keeps the secret.
        return render(request, "accounts/token_created.html", {"token": token, "secret": secret})
    return render(
        request,
        "accounts/tokens.html",
        {"form": form, "tokens": request.user.api_tokens.all()},
    )


@require_POST
@login_required
def revoke_token(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    made = max(token.revoke() - 1, 0)
    if made:
        message = ngettext(
            "Le jeton « %(name)s » est révoqué, avec le jeton qu’il avait créé.",
            "Le jeton « %(name)s » est révoqué, avec les %(count)s jetons qu’il avait créés.",
            made,
        )
    else:
        message = _("Le jeton « %(name)s » est révoqué.")
    messages.success(request, message % {"name": token.name, "count": made})
    return redirect("accounts:tokens")
