"""Choosing a member convened to an assembly by name: the proxy's holder, the chair, the
secretary.

The form field stays a member number, so that a page without JavaScript still works; as
one types, htmx fills the field's `<datalist>` with the convened members whose name, as the
reader is shown it, matches (`members.search`): a name someone hid finds nobody.
"""

from django import forms
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET
from ninja import Query, Router, Schema

from commun.api_auth import authenticated
from commun.assemblies import rules
from commun.assemblies.api import Id, _assembly
from commun.assemblies.models import Assembly
from commun.members.models import Member
from commun.members.search import search_shown_names

# A picker offers a few names: more letters narrow it down.
MAX_RESULTS = 10
# The forms' fields that pick a member, and the action whose form holds each.
FIELDS = {"holder": "answer", "chair": "open", "secretary": "open"}

HELP = gettext_lazy("Tapez au moins deux lettres de son nom pour la chercher, ou son numéro.")


def convened_named(assembly: Assembly, reader: Member | None, text: str) -> list[dict]:
    """The first convened members (numbered, named as `reader` is shown them) whose shown
    name contains `text` or whose number it is."""
    convened = Member.objects.active().filter(assemblies__assembly=assembly).for_names()
    found = search_shown_names(convened, reader, text).order_by("number")[:MAX_RESULTS]
    return [{"number": m.number, "name": m.name_for(reader)} for m in found]


def may_pick(user, assembly: Assembly) -> bool:
    """Whoever fills a form that picks a member: answering the convocation, opening."""
    return rules.may(user, "answer", assembly) or rules.may(user, "open", assembly)


class MemberPicker(forms.TextInput):
    """A text input for a member number with a list of names that htmx fills as one types."""

    template_name = "assemblies/widgets/member_picker.html"

    def __init__(self, attrs=None):
        super().__init__({"autocomplete": "off", "spellcheck": "false", **(attrs or {})})

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        options = f"{context['widget']['attrs'].get('id', name)}-options"
        context["widget"]["options_id"] = options
        context["widget"]["attrs"]["list"] = options
        if "hx-get" in context["widget"]["attrs"]:
            context["widget"]["attrs"].update(
                {
                    "hx-trigger": "input changed delay:250ms",
                    "hx-target": f"#{options}",
                    "hx-swap": "outerHTML",
                }
            )
        return context


def member_field(label, help_text=HELP, required=True) -> forms.IntegerField:
    """A member number, typed or picked from the names offered."""
    return forms.IntegerField(
        label=label,
        required=required,
        min_value=1,
        max_value=2**31 - 1,
        widget=MemberPicker,
        help_text=help_text,
        error_messages={
            "invalid": gettext_lazy(
                "Choisissez une personne dans la liste, ou tapez son numéro d'associé·e."
            )
        },
    )


def attach(form: forms.Form | None, assembly: Assembly) -> None:
    """Point the form's member pickers at this assembly's list of convened members."""
    if form is None:
        return
    for name in FIELDS:
        if name in form.fields:
            url = reverse("assemblies:pick", args=[assembly.pk, name])
            form.fields[name].widget.attrs["hx-get"] = url


@require_GET
def pick(request: HttpRequest, pk: int, field: str) -> HttpResponse:
    """The `<datalist>` of convened members matching what was typed in `field`."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if field not in FIELDS:
        raise Http404
    assembly = Assembly.objects.filter(pk=pk).first()
    if assembly is None or not rules.can_read(request.user, assembly):
        raise Http404
    if not may_pick(request.user, assembly):
        raise PermissionDenied(_("Réservé aux associé·es convoqué·es qui répondent."))
    reader = rules.active_member(request.user)
    found = convened_named(assembly, reader, request.GET.get(field, "")[:100])
    return render(
        request,
        "assemblies/widgets/member_options.html",
        {"options_id": f"id_{field}-options", "found": found},
    )


# API ------------------------------------------------------------------------------------------

router = Router(tags=["Assemblées générales"])


class ConvenedOut(Schema):
    number: int
    name: str


@router.get("/assemblies/{assembly_id}/convened", auth=authenticated, response=list[ConvenedOut])
def convened(request, assembly_id: int = Id, search: str = Query("", max_length=100)):
    """Members convened to the assembly whose name as you are shown it contains `search`
    (two letters at least), or whose number it is: 10 at most, to pick a proxy's holder,
    the chair or the secretary. A name someone hid from you finds nobody."""
    assembly = _assembly(request, assembly_id)
    if not may_pick(request.user, assembly):
        raise PermissionDenied(_("Réservé aux associé·es convoqué·es qui répondent."))
    return convened_named(assembly, rules.active_member(request.user), search)
