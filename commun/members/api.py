"""API of the members app: the cooperative, its structure, applications, members, register.

Thin like the web views: the same forms check the input, the same model methods act.
A visitor reads only the public endpoints; members read the directory and the register;
officers change the structure, decide on applications and record movements.
"""

from decimal import Decimal

from allauth.core import ratelimit
from django.core.exceptions import ValidationError
from django.db import transaction
from django.forms.models import model_to_dict
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Status
from ninja.decorators import decorate_view
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import paginate

from commun.api_auth import authenticated, public
from commun.api_helpers import ListingPages as Pages
from commun.api_helpers import conflict, form_invalid
from commun.api_schemas import ErrorOut
from commun.core.replica import public_read
from commun.lib.ids import MAX_API_ID
from commun.lib.paging import Listing
from commun.lib.rules import active_member
from commun.members import rules
from commun.members.forms import SEARCH_COUNT_LIMIT, JoinForm, register_movements
from commun.members.forms import ProfileForm as MemberProfileForm
from commun.members.models import (
    Application,
    Category,
    College,
    Cooperative,
    Member,
    ShareMovement,
    active_counts,
)
from commun.members.officer_forms import (
    MOVEMENT_FORMS,
    CategoryForm,
    CollegeForm,
    RefusalForm,
)
from commun.members.officer_forms import ProfileForm as CooperativeForm
from commun.members.rules import is_officer
from commun.members.schemas import (
    ApplicationIn,
    ApplicationOut,
    CategoryOut,
    CollegeOut,
    CooperativeOut,
    CooperativePatch,
    MemberDetail,
    MemberOut,
    MovementIn,
    MovementKind,
    MovementOut,
    ProfilePatch,
    RefusalIn,
    RepaymentOut,
    StructureIn,
    StructureOut,
)
from commun.members.search import search_shown_names

router = Router()


# Helpers -----------------------------------------------------------------------------------


# The cooperative and its structure ---------------------------------------------------------


def _categories() -> list[Category]:
    # The counts are a minute old at most, as on the home page: counting reads every member.
    counts = active_counts()
    categories = list(Category.objects.select_related("college"))
    for category in categories:
        category.active_members = counts.get(category.pk, 0)
    return categories


def _cooperative_out(coop: Cooperative) -> Cooperative:
    coop.category_counts = [
        {"id": c.pk, "name": c.name, "active_members": c.active_members} for c in _categories()
    ]
    coop.member_count = sum(c["active_members"] for c in coop.category_counts)
    return coop


@router.get("/cooperative", auth=public, response=CooperativeOut, tags=["Coopérative"])
@decorate_view(public_read)
def cooperative(request):
    """The cooperative's public profile, with its count of members per category."""
    return _cooperative_out(Cooperative.get())


@router.patch("/cooperative", auth=authenticated, response=CooperativeOut, tags=["Coopérative"])
def update_cooperative(request, payload: CooperativePatch):
    """Change the profile (officers): the web page's form and rules apply."""
    rules.require(request.user, "edit_cooperative")
    coop = Cooperative.get()
    data = model_to_dict(coop, fields=CooperativeForm._meta.fields)
    data["share_value"] = Decimal(coop.share_value_cents) / 100
    changes = payload.model_dump(exclude_unset=True, mode="json")
    if "share_value_cents" in changes:
        cents = changes.pop("share_value_cents")
        data["share_value"] = None if cents is None else Decimal(cents) / 100
    data.update(changes)
    form = CooperativeForm(data, instance=coop)
    if not form.is_valid():
        raise form_invalid(form, rename={"share_value": "share_value_cents"})
    # No category or college changes: the existing ones are checked against the new form.
    form.instance.save_structure([], [], by=request.user)
    return _cooperative_out(Cooperative.get())


@router.get("/categories", auth=public, response=list[CategoryOut], tags=["Coopérative"])
@decorate_view(public_read)
def categories(request):
    return _categories()


@router.get("/colleges", auth=public, response=list[CollegeOut], tags=["Coopérative"])
@decorate_view(public_read)
def colleges(request):
    return College.objects.all()


def _structure_out():
    return {"colleges": list(College.objects.all()), "categories": list(_categories())}


@router.get("/structure", auth=public, response=StructureOut, tags=["Coopérative"])
@decorate_view(public_read)
def structure(request):
    """Colleges and categories together, in the shape `PUT /structure` takes."""
    return _structure_out()


@router.put("/structure", auth=authenticated, response=StructureOut, tags=["Coopérative"])
def replace_structure(request, payload: StructureIn):
    """Replace colleges and categories at once (officers); rows left out are removed.

    Categories name their college by its name in `colleges`, so one call can create both.
    """
    rules.require(request.user, "edit_structure")
    existing_colleges = {c.pk: c for c in College.objects.all()}
    existing_categories = {c.pk: c for c in Category.objects.all()}
    colleges, errors = _rows("colleges", payload.colleges, CollegeForm, existing_colleges)
    categories, category_errors = _rows(
        "categories", payload.categories, CategoryForm, existing_categories, exclude={"college"}
    )
    errors += category_errors
    by_name = {college.name: college for _index, _item, college in colleges}
    for index, item, category in categories:
        if item.college is not None:
            category.college = by_name.get(item.college.strip())
            if category.college is None:
                message = _("Aucun des collèges envoyés ne porte ce nom.")
                errors.append(_error(["body", "categories", index, "college"], message))
    if errors:
        raise NinjaValidationError(errors)
    Cooperative.get().save_structure(
        [category for _index, _item, category in categories],
        [college for _index, _item, college in colleges],
        existing_categories.values(),
        existing_colleges.values(),
        by=request.user,
    )
    return _structure_out()


def _rows(name, items, form_class, existing, exclude=()):
    """Check each row with the web page's form: ([(index, item, unsaved instance)], errors).

    Rows with an id are popped from `existing`, which is left holding the rows to remove.
    """
    rows, errors, names = [], [], set()
    for index, item in enumerate(items):
        loc = ["body", name, index]
        instance = form_class._meta.model()
        if item.id is not None:
            instance = existing.pop(item.id, None)
            if instance is None:
                errors.append(_error([*loc, "id"], _("Cet id n'existe pas, ou figure deux fois.")))
                continue
        data = item.model_dump(exclude={"id", *exclude})
        data["position"] = index if item.position is None else item.position
        form = form_class(data, instance=instance)
        if not form.is_valid():
            errors += form_invalid(form, loc).errors
            continue
        if form.instance.name in names:
            errors.append(_error([*loc, "name"], _("Ce nom figure deux fois dans la liste.")))
        names.add(form.instance.name)
        rows.append((index, item, form.instance))
    return rows, errors


def _error(loc, message) -> dict:
    return {"loc": list(loc), "msg": str(message), "type": "validation_error"}


# Applications ------------------------------------------------------------------------------


def _applications():
    return Application.objects.select_related("category", "member").order_by("-created_at", "-pk")


@router.post("/applications", auth=public, response={201: ApplicationOut}, tags=["Candidatures"])
def apply(request, payload: ApplicationIn):
    """Apply to join. A visitor gives an email and a password and so creates an account;
    someone authenticated applies with their own account."""
    user = request.user if request.user.is_authenticated else None
    if user is not None:
        try:
            Application.refuse_a_current_member(user)
        except ValidationError as error:
            raise conflict(error.messages[0]) from None
        if user.applications.filter(status=Application.Status.PENDING).exists():
            raise conflict(_("Vous avez déjà une candidature en attente."))
        own_account = _("Vous êtes connecté·e : la candidature utilise l'adresse de votre compte.")
        extra = [name for name in ("email", "password") if getattr(payload, name) is not None]
        if extra:
            raise NinjaValidationError([_error(["body", name], own_account) for name in extra])
    data = payload.model_dump(exclude={"password"}, mode="json")
    data["password1"] = data["password2"] = payload.password
    form = JoinForm(data, user=user)
    if not form.is_valid():
        raise form_invalid(form, rename={"password1": "password", "password2": "password"})
    if form.creates_account and not ratelimit.consume(request, action="signup"):
        raise HttpError(429, _("Trop de candidatures depuis cette adresse : réessayez plus tard."))
    # One transaction: a refusal anywhere leaves no account and no application.
    with transaction.atomic():
        application = form.save(request)
    return Status(201, _applications().get(pk=application.pk))


@router.get(
    "/applications", auth=authenticated, response=list[ApplicationOut], tags=["Candidatures"]
)
@paginate(Pages)
def applications(request, status: Application.Status | None = None):
    """Officers see every application; anyone else sees their own."""
    listed = _applications()
    if not is_officer(request.user):
        listed = listed.filter(user=request.user)
    if status is not None:
        listed = listed.filter(status=status)
    return listed


def _application_for(request, application_id: int) -> Application:
    """Someone else's application answers 404, as if it did not exist."""
    listed = _applications()
    if not is_officer(request.user):
        listed = listed.filter(user=request.user)
    return get_object_or_404(listed, pk=application_id)


@router.get(
    "/applications/{application_id}",
    auth=authenticated,
    response=ApplicationOut,
    tags=["Candidatures"],
)
def application(request, application_id: int = Path(..., ge=1, le=MAX_API_ID)):
    return _application_for(request, application_id)


def _decide(application: Application, decision):
    """Run admit/refuse; an application decided meanwhile is a conflict, not bad input."""
    if application.status != Application.Status.PENDING:
        raise conflict(_("Cette candidature a déjà été traitée."))
    try:
        decision()
    except ValidationError:
        application.refresh_from_db(fields=["status"])
        if application.status != Application.Status.PENDING:
            raise conflict(_("Cette candidature a déjà été traitée.")) from None
        raise


@router.post(
    "/applications/{application_id}/admit",
    auth=authenticated,
    response=ApplicationOut,
    tags=["Candidatures"],
)
def admit(request, application_id: int = Path(..., ge=1, le=MAX_API_ID)):
    """Admit (officers): a member number and the subscription enter the register."""
    rules.require(request.user, "decide_application")
    application = _application_for(request, application_id)
    _decide(application, lambda: application.admit(by=request.user))
    return _applications().get(pk=application.pk)


@router.post(
    "/applications/{application_id}/refuse",
    auth=authenticated,
    response=ApplicationOut,
    tags=["Candidatures"],
)
def refuse(request, payload: RefusalIn, application_id: int = Path(..., ge=1, le=MAX_API_ID)):
    """Refuse with a reason, which the applicant receives (officers)."""
    rules.require(request.user, "decide_application")
    application = _application_for(request, application_id)
    form = RefusalForm({"reason": payload.reason})
    if not form.is_valid():
        raise form_invalid(form)
    try:
        _decide(application, lambda: application.refuse(form.cleaned_data["reason"], request.user))
    except ValidationError as error:
        raise ValidationError(
            {"reason": error.messages} if hasattr(error, "error_dict") else error
        ) from None
    return _applications().get(pk=application.pk)


# Members -----------------------------------------------------------------------------------


def _members():
    return Member.objects.select_related("category__college", "user")


@router.get("/members", auth=authenticated, response=list[MemberOut], tags=["Associé·es"])
@paginate(Pages)
def members(
    request,
    search: str = Query("", max_length=100),
    category: int | None = Query(None, ge=1, le=MAX_API_ID),
):
    """The directory (active members): a hidden member shows a pseudonym or a number.

    A `search` lists its first 500 matches at most (`more` tells there are others)."""
    rules.require(request.user, "read_directory")
    listed = Member.objects.active().select_related("category__college").order_by("number")
    # Counted once a minute at most (as on the web directory), except for a search.
    counts = active_counts()
    count = sum(counts.values())
    if category is not None:
        listed = listed.filter(category_id=category)
        count = counts.get(category, 0)
    if query := search.replace("\x00", "").strip():
        # Searching a name hidden from the reader must not reveal whose it is (as on the web);
        # a search finds someone, it lists its first matches only.
        found = search_shown_names(listed, active_member(request.user), query, min_letters=1)
        return Listing(found, count_at_most=SEARCH_COUNT_LIMIT)
    return Listing(listed, count=count)


PRIVATE_FIELDS = [
    "first_name",
    "last_name",
    "organisation_name",
    "kind",
    "pseudonym",
    "public_visibility",
    "members_visibility",
    "email",
    "phone",
    "postal_address",
    "iban",
    "repayment",
]


def _detail(request, member: Member) -> MemberDetail:
    """Contact details and holdings' history are for the member and the officers only."""
    detail = MemberDetail.model_validate(member, context={"request": request})
    if member.user_id == request.user.pk or is_officer(request.user):
        return detail
    return detail.model_copy(update=dict.fromkeys(PRIVATE_FIELDS))


def _me(request) -> Member:
    member = request.user.member
    if member is None:
        raise HttpError(404, _("Vous n'êtes pas associé·e de la coopérative."))
    return _members().select_related("repayment").get(pk=member.pk)


# 404 for an account that is not a member (`_me`).
@router.get(
    "/members/me",
    auth=authenticated,
    response={200: MemberDetail, 404: ErrorOut},
    tags=["Associé·es"],
)
def me(request):
    """The caller's own membership, with contact details and any scheduled repayment."""
    return _detail(request, _me(request))


@router.patch(
    "/members/me",
    auth=authenticated,
    response={200: MemberDetail, 404: ErrorOut},
    tags=["Associé·es"],
)
def update_me(request, payload: ProfilePatch):
    """Change what the public sees of me, my pseudonym, contact details and presentation."""
    member = _me(request)
    data = model_to_dict(member, fields=MemberProfileForm._meta.fields)
    data.update(payload.model_dump(exclude_unset=True, mode="json"))
    form = MemberProfileForm(data, instance=member)
    if not form.is_valid():
        raise form_invalid(form)
    form.save()
    return _detail(request, _me(request))


@router.post(
    "/members/me/resign",
    auth=authenticated,
    response={201: RepaymentOut, 404: ErrorOut},
    tags=["Associé·es"],
)
def resign(request):
    """Resign: the repayment of my shares is scheduled after the statutes' delay."""
    member = _me(request)
    if member.status not in (Member.Status.ACTIVE, Member.Status.ADMITTED):
        raise conflict(_("Votre démission est déjà enregistrée."))
    try:
        repayment = member.resign(by=request.user)
    except ValidationError as error:
        # Nothing in the request was wrong: the statutes forbid it now (a category would empty).
        raise conflict(" ".join(error.messages)) from None
    return Status(201, repayment)


@router.get("/members/{number}", auth=authenticated, response=MemberDetail, tags=["Associé·es"])
def member(request, number: int = Path(..., ge=1, le=MAX_API_ID)):
    rules.require(request.user, "read_directory")
    return _detail(
        request, get_object_or_404(_members().select_related("repayment"), number=number)
    )


# The register ------------------------------------------------------------------------------


def _movements(movements):
    return movements.select_related("member", "counterpart", "corrects", "corrected_by")


@router.get("/register", auth=authenticated, response=list[MovementOut], tags=["Registre"])
@paginate(Pages)
def register(
    request,
    kind: MovementKind | None = None,
    member: int | None = Query(None, ge=1, le=MAX_API_ID, description="Numéro d'associé·e."),
    movement: int | None = Query(None, ge=1, le=MAX_API_ID, description="Numéro de mouvement."),
):
    """The numbered register of share movements, newest first (members).

    `member` finds the movements where the member gives or receives."""
    rules.require(request.user, "read_register")
    # The web page's filters, read from the same query string.
    _filters, movements, filtered = register_movements(request.GET)
    movements = _movements(movements).order_by("-number")
    # Numbers run 1..N, never removed: the last one is the count, and a page is a range.
    known = None if filtered else Cooperative.get().last_movement_number
    return Listing(movements, count=known, numbered="-number")


@router.post("/register", auth=authenticated, response={201: MovementOut}, tags=["Registre"])
def record_movement(request, payload: MovementIn):
    """Record a movement (officers); a mistake is undone by a correction, never an edit."""
    rules.require(request.user, "record_movement")
    form_class = MOVEMENT_FORMS[payload.kind]
    data = payload.model_dump(exclude={"kind"}, mode="json")
    data["date"] = data["date"] or timezone.localdate().isoformat()
    data["movement"] = data.pop("corrects")
    unused = [
        ("corrects" if name == "movement" else name)
        for name, value in data.items()
        if value not in (None, "") and name not in form_class.base_fields
    ]
    if unused:
        message = _("Ce champ ne s'applique pas à ce mouvement.")
        raise NinjaValidationError([_error(["body", name], message) for name in unused])
    form = form_class(data)
    movement = form.record(request.user) if form.is_valid() else None
    if movement is None:
        raise form_invalid(form, rename={"movement": "corrects"})
    return Status(201, _movements(ShareMovement.objects).get(pk=movement.pk))


@router.get("/register/{number}", auth=authenticated, response=MovementOut, tags=["Registre"])
def movement(request, number: int = Path(..., ge=1, le=MAX_API_ID)):
    rules.require(request.user, "read_register")
    return get_object_or_404(_movements(ShareMovement.objects), number=number)


@router.api_operation(
    ["PUT", "PATCH", "DELETE"],
    "/register",
    auth=public,
    response={405: ErrorOut},
    tags=["Registre"],
)
def register_is_append_only(request, response: HttpResponse):
    """The register is append-only: 405, always."""
    response["Allow"] = "GET, POST"
    return Status(405, {"detail": _append_only_message()})


@router.api_operation(
    ["PUT", "PATCH", "DELETE"],
    "/register/{number}",
    auth=public,
    response={405: ErrorOut},
    tags=["Registre"],
)
def movement_is_append_only(request, response: HttpResponse, number: str):
    """A movement is never edited nor deleted: 405, always."""
    response["Allow"] = "GET"
    return Status(405, {"detail": _append_only_message()})


def _append_only_message() -> str:
    return _(
        "Le registre ne se modifie ni ne s'efface : pour réparer une erreur, enregistrez une "
        "correction (POST /register avec kind=correction et corrects=<numéro>)."
    )
