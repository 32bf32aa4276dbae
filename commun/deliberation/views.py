"""Deliberation pages: spaces, threads and comments, circles, notifications and search.

Every page works without JavaScript; with htmx, posting, reacting, editing and following
swap only the fragment concerned (the template partials of `thread.html`).
A space you may not read answers 404 (a visitor is asked to log in first); a space you
read but may not write in answers 403 to a write.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from commun.core.replica import public_read
from commun.deliberation import rules
from commun.deliberation.forms import (
    CircleForm,
    CommentForm,
    EditForm,
    PreferenceForm,
    SearchForm,
    ThreadForm,
    VisibilityForm,
)
from commun.deliberation.models import (
    Circle,
    Comment,
    Notification,
    NotificationPreference,
    Space,
    Thread,
    search,
)
from commun.deliberation.reading import (
    COMMENTS_PAGE_SIZE,
    KIND_ORDER,
    decorate,
    ordered_comments,
)
from commun.lib.forms import add_model_errors
from commun.lib.ids import MAX_ID
from commun.members.models import Member
from commun.web import is_htmx, viewer_of

THREADS_PAGE_SIZE = 30
NOTIFICATIONS_PAGE_SIZE = 50
SEARCH_PAGE_SIZE = 20
CIRCLE_MEMBERS_SHOWN = 100
DECISIONS_TEMPLATE = "decisions/_thread_decisions.html"


def _denied(request: HttpRequest) -> HttpResponse:
    """Hide what one may not read: visitors are asked to log in, others get a 404."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    raise Http404


def _refused(request: HttpRequest, message) -> HttpResponse:
    """Readable but not writable: a visitor may log in and try again, others get a 403."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    raise PermissionDenied(message)


def _thread_for(request: HttpRequest, pk: int) -> Thread | None:
    if pk > MAX_ID:
        raise Http404
    thread = get_object_or_404(
        Thread.objects.select_related("space__college", "space__circle", "author"), pk=pk
    )
    return thread if thread.can_read(viewer_of(request)) else None


def _comment_for(request: HttpRequest, pk: int) -> Comment | None:
    if pk > MAX_ID:
        raise Http404
    comment = get_object_or_404(
        Comment.objects.select_related(
            "author", "thread__space__college", "thread__space__circle", "parent__author"
        ),
        pk=pk,
    )
    return comment if comment.thread.can_read(viewer_of(request)) else None


def _groups(comments: list[Comment], viewer: Member | None) -> list[dict]:
    """Group a page of comments under their root; replies whose root is on an earlier page
    are shown under a reminder of the comment they answer."""
    groups: list[dict] = []
    by_root: dict[int, dict] = {}
    for comment in comments:
        if comment.parent_id is None:
            group = {"root": comment, "replies": [], "root_elsewhere": False}
            by_root[comment.pk] = group
            groups.append(group)
        elif comment.parent_id in by_root:
            by_root[comment.parent_id]["replies"].append(comment)
        else:
            root = comment.parent
            root.author_name = root.author.name_for(viewer)
            group = {"root": root, "replies": [comment], "root_elsewhere": True}
            by_root[root.pk] = group
            groups.append(group)
    return groups


def _decisions_template() -> str | None:
    """The decisions app's block for a thread, once it exists."""
    try:
        get_template(DECISIONS_TEMPLATE)
    except TemplateDoesNotExist:
        return None
    return DECISIONS_TEMPLATE


# Spaces -------------------------------------------------------------------------------------


@public_read
@require_GET
def spaces(request: HttpRequest) -> HttpResponse:
    """Every space the person may read: the cooperative's, the colleges', the circles'."""
    Space.objects.ensure_all()
    viewer = viewer_of(request)
    listed = list(
        Space.objects.readable_by(viewer)
        .select_related("college", "circle")
        .order_by(KIND_ORDER, "name")
    )
    for space in listed:
        space.postable = space.can_post(viewer)
    sections = [
        (kind.label, [s for s in listed if s.kind == kind.value])
        for kind in (Space.Kind.COOPERATIVE, Space.Kind.COLLEGE, Space.Kind.CIRCLE)
    ]
    return render(
        request,
        "deliberation/spaces.html",
        {"sections": [(label, items) for label, items in sections if items], "viewer": viewer},
    )


@public_read
@require_GET
def space(request: HttpRequest, slug: str) -> HttpResponse:
    """A space's threads, most recently active first, with what is unread for the viewer."""
    space = get_object_or_404(Space.objects.select_related("college", "circle"), slug=slug)
    viewer = viewer_of(request)
    if not space.can_read(viewer):
        return _denied(request)
    threads = space.threads.select_related("author").with_unread(viewer)
    paginator = Paginator(threads, THREADS_PAGE_SIZE)
    paginator.__dict__["count"] = space.thread_count  # kept by Space.start_thread
    page = paginator.get_page(request.GET.get("page"))
    for thread in page.object_list:
        thread.author_name = thread.author.name_for(viewer)
    return render(
        request,
        "deliberation/space.html",
        {
            "space": space,
            "page": page,
            "viewer": viewer,
            "can_post": space.can_post(viewer),
            "visibility_form": VisibilityForm(space=space) if space.can_moderate(viewer) else None,
        },
    )


@login_required
@require_POST
def space_visibility(request: HttpRequest, slug: str) -> HttpResponse:
    space = get_object_or_404(Space, slug=slug)
    viewer = viewer_of(request)
    if not space.can_read(viewer):
        return _denied(request)
    rules.require(viewer, "set_visibility", space)  # before the form is read
    form = VisibilityForm(request.POST, space=space)
    if form.is_valid():
        space.set_visibility(form.cleaned_data["visibility"], by=viewer)
        messages.success(request, _("La visibilité de l'espace est enregistrée."))
    else:
        messages.error(request, " ".join(form.errors["visibility"]))
    return redirect(space)


@require_http_methods(["GET", "POST"])
def new_thread(request: HttpRequest, slug: str) -> HttpResponse:
    space = get_object_or_404(Space.objects.select_related("college", "circle"), slug=slug)
    viewer = viewer_of(request)
    if not space.can_read(viewer):
        return _denied(request)
    if not space.can_post(viewer):
        return _refused(request, _("Vous ne pouvez pas ouvrir de fil dans cet espace."))
    form = ThreadForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            thread = space.start_thread(viewer, **form.cleaned_data)
        except ValidationError as error:
            add_model_errors(form, error)
        else:
            return redirect(thread)
    status = 400 if form.errors else 200
    return render(
        request, "deliberation/new_thread.html", {"space": space, "form": form}, status=status
    )


# Threads ------------------------------------------------------------------------------------


@public_read
@require_GET
def thread(request: HttpRequest, pk: int) -> HttpResponse:
    """A thread's comments, a page at a time; opening it marks it read for the viewer."""
    thread = _thread_for(request, pk)
    if thread is None:
        return _denied(request)
    viewer = viewer_of(request)
    paginator = Paginator(ordered_comments(thread), COMMENTS_PAGE_SIZE)
    paginator.__dict__["count"] = thread.comment_count  # kept by Thread.post_comment
    page = paginator.get_page(request.GET.get("page"))
    comments = list(page.object_list)
    read_before = None
    if viewer is not None and viewer.is_active_member:
        read_before = thread.mark_read(viewer)
        Notification.objects.filter(member=viewer, thread=thread).mark_read()
    decorate(comments, viewer, thread, read_before)
    return render(
        request,
        "deliberation/thread.html",
        {
            "thread": thread,
            "space": thread.space,
            "page": page,
            "groups": _groups(comments, viewer),
            "viewer": viewer,
            "can_post": thread.can_post(viewer),
            "can_lock": thread.can_lock(viewer),
            "subscribed": thread.is_subscribed(viewer),
            "can_subscribe": viewer is not None and viewer.is_active_member,
            "form": CommentForm(),
            "decisions_template": _decisions_template(),
        },
    )


@require_POST
def post_comment(request: HttpRequest, pk: int) -> HttpResponse:
    """Post a comment or a reply; htmx gets the new comment, others go to it."""
    thread = _thread_for(request, pk)
    if thread is None:
        return _denied(request)
    viewer = viewer_of(request)
    if not thread.space.can_post(viewer):
        return _refused(request, _("Vous ne pouvez pas écrire dans cet espace."))
    form = CommentForm(request.POST)
    parent, parent_id = None, request.POST.get("parent", "")
    if parent_id:
        # Read apart from the form: a reply's errors go back to that reply's own form.
        if parent_id.isdigit() and int(parent_id) <= MAX_ID:
            parent = thread.comments.select_related("author").filter(pk=int(parent_id)).first()
        if parent is None:
            form.add_error(None, _("Le commentaire auquel vous répondez n'existe pas."))
    if form.is_valid():
        try:
            comment = thread.post_comment(viewer, form.cleaned_data["body"], parent=parent)
        except ValidationError as error:
            add_model_errors(form, error)
    if form.errors:
        return _comment_form_errors(request, thread, form, parent)
    if not is_htmx(request):
        return redirect(comment)
    comment = _comment_for(request, comment.pk)
    decorate([comment], viewer, thread)
    context = {"thread": thread, "comment": comment, "can_post": True, "form": CommentForm()}
    if comment.parent_id:
        context["root"] = comment.parent
        return render(request, "deliberation/thread.html#new-reply", context)
    context["group"] = {"root": comment, "replies": [], "root_elsewhere": False}
    return render(request, "deliberation/thread.html#new-comment", context)


def _comment_form_errors(request, thread, form, parent) -> HttpResponse:
    context = {"thread": thread, "form": form, "root": parent, "can_post": True}
    if is_htmx(request):
        # The errors replace the form that was sent, whichever it was.
        partial = "reply-form" if parent else "comment-form"
        response = render(request, f"deliberation/thread.html#{partial}", context)
        target = f"#reply-form-{parent.pk}" if parent else "#comment-form"
        response["HX-Retarget"] = target
        response["HX-Reswap"] = "outerHTML"
        return response
    return render(request, "deliberation/comment_form.html", context, status=400)


@require_POST
def subscribe(request: HttpRequest, pk: int) -> HttpResponse:
    thread = _thread_for(request, pk)
    if thread is None:
        return _denied(request)
    viewer = viewer_of(request)
    thread.subscribe(viewer, subscribed=request.POST.get("subscribed") == "1")
    if is_htmx(request):
        return render(
            request,
            "deliberation/thread.html#subscription",
            {"thread": thread, "subscribed": thread.is_subscribed(viewer)},
        )
    return redirect(thread)


@require_POST
def lock(request: HttpRequest, pk: int) -> HttpResponse:
    thread = _thread_for(request, pk)
    if thread is None:
        return _denied(request)
    thread.set_locked(request.POST.get("locked") == "1", by=viewer_of(request))
    return redirect(thread)


# Comments -----------------------------------------------------------------------------------


@public_read
@require_GET
def comment(request: HttpRequest, pk: int) -> HttpResponse:
    """A comment's address: htmx gets the comment itself, a browser its page in the thread."""
    comment = _comment_for(request, pk)
    if comment is None:
        return _denied(request)
    if is_htmx(request):
        decorate([comment], viewer_of(request), comment.thread)
        return render(request, "deliberation/thread.html#comment", {"comment": comment})
    root = comment.parent_id or comment.pk
    before = (
        ordered_comments(comment.thread)
        .filter(Q(root__lt=root) | Q(root=root, pk__lt=comment.pk))
        .count()
    )
    page = before // COMMENTS_PAGE_SIZE + 1
    return redirect(f"{comment.thread.get_absolute_url()}?page={page}#comment-{comment.pk}")


@require_http_methods(["GET", "POST"])
def edit_comment(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _comment_for(request, pk)
    if comment is None:
        return _denied(request)
    viewer = viewer_of(request)
    if not comment.can_edit(viewer):
        return _refused(request, _("Seul·e l'auteur·ice modifie son commentaire."))
    form = EditForm(request.POST or None, initial={"body": comment.body})
    if request.method == "POST" and form.is_valid():
        try:
            comment.edit(viewer, form.cleaned_data["body"])
        except ValidationError as error:
            add_model_errors(form, error)
        else:
            if not is_htmx(request):
                return redirect(comment)
            decorate([comment], viewer, comment.thread)
            return render(request, "deliberation/thread.html#comment", {"comment": comment})
    context = {"comment": comment, "form": form}
    if is_htmx(request):
        return render(request, "deliberation/edit_comment.html#edit-form", context)
    status = 400 if form.errors else 200
    return render(request, "deliberation/edit_comment.html", context, status=status)


@public_read
@require_GET
def history(request: HttpRequest, pk: int) -> HttpResponse:
    """Every version of a comment, newest first: edits are visible to whoever reads it."""
    comment = _comment_for(request, pk)
    if comment is None:
        return _denied(request)
    viewer = viewer_of(request)
    comment.author_name = comment.author.name_for(viewer)
    return render(
        request,
        "deliberation/history.html",
        {"comment": comment, "revisions": comment.revisions.all()[:200]},
    )


@require_POST
def react(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _comment_for(request, pk)
    if comment is None:
        return _denied(request)
    viewer = viewer_of(request)
    if not comment.can_react(viewer):
        return _refused(request, _("Vous ne pouvez pas réagir dans cet espace."))
    try:
        comment.toggle_reaction(viewer, request.POST.get("kind", ""))
    except ValidationError as error:
        return HttpResponse(" ".join(error.messages), status=400, content_type="text/plain")
    if not is_htmx(request):
        return redirect(comment)
    decorate([comment], viewer, comment.thread)
    return render(request, "deliberation/thread.html#reactions", {"comment": comment})


# Circles ------------------------------------------------------------------------------------


@public_read
@require_GET
def circles(request: HttpRequest) -> HttpResponse:
    viewer = viewer_of(request)
    listed = list(Circle.objects.annotate(member_count=Count("memberships")))
    for circle in listed:
        circle.joined = circle.has_member(viewer)
    can_found = viewer is not None and viewer.is_active_member
    return render(
        request,
        "deliberation/circles.html",
        {"circles": listed, "viewer": viewer, "can_found": can_found},
    )


@login_required
@require_http_methods(["GET", "POST"])
def new_circle(request: HttpRequest) -> HttpResponse:
    viewer = viewer_of(request)
    rules.require(viewer, "found_circle")  # the form is for those who may
    form = CircleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            circle = Circle.found(by=viewer, **form.cleaned_data)
        except ValidationError as error:
            add_model_errors(form, error)
        else:
            messages.success(request, _("Le cercle est créé ; vous en êtes membre."))
            return redirect(circle)
    status = 400 if form.errors else 200
    return render(request, "deliberation/new_circle.html", {"form": form}, status=status)


def _circle_context(circle: Circle, viewer: Member | None) -> dict:
    space = Space.objects.for_circle(circle)
    context = {
        "circle": circle,
        "space": space if space.can_read(viewer) else None,
        "joined": circle.has_member(viewer),
        "can_join": viewer is not None and viewer.is_active_member,
        "member_count": circle.memberships.count(),
        "viewer": viewer,
    }
    if viewer is not None and viewer.is_active_member:
        people = list(
            Member.objects.filter(circle_memberships__circle=circle).order_by(
                "circle_memberships__joined_at"
            )[:CIRCLE_MEMBERS_SHOWN]
        )
        context["people"] = [person.name_for(viewer) for person in people]
    return context


@public_read
@require_GET
def circle(request: HttpRequest, slug: str) -> HttpResponse:
    circle = get_object_or_404(Circle, slug=slug)
    return render(request, "deliberation/circle.html", _circle_context(circle, viewer_of(request)))


@login_required
@require_POST
def circle_membership(request: HttpRequest, slug: str) -> HttpResponse:
    """Join (`join=1`) or leave a circle; htmx gets the updated membership box."""
    circle = get_object_or_404(Circle, slug=slug)
    viewer = viewer_of(request)
    if request.POST.get("join") == "1":
        circle.join(viewer)
        done = _("Vous avez rejoint le cercle « %(name)s ».")
    else:
        circle.leave(viewer)
        done = _("Vous avez quitté le cercle « %(name)s ».")
    if is_htmx(request):
        context = _circle_context(circle, viewer)
        context["done"] = done % {"name": circle.name}
        return render(request, "deliberation/circle.html#membership", context)
    messages.success(request, done % {"name": circle.name})
    return redirect(circle)


# Notifications ------------------------------------------------------------------------------


def _member_or_403(request: HttpRequest) -> Member:
    viewer = viewer_of(request)
    if viewer is None:
        raise PermissionDenied(_("Seul·es les associé·es reçoivent des notifications."))
    return viewer


@login_required
@require_http_methods(["GET", "POST"])
def notifications(request: HttpRequest) -> HttpResponse:
    """What happened for me, newest first; seeing the page marks its notifications read."""
    viewer = _member_or_403(request)
    mine = Notification.objects.for_member(viewer)
    if request.method == "POST":
        mine.mark_read()
        messages.success(request, _("Toutes vos notifications sont marquées comme lues."))
        return redirect("deliberation:notifications")
    page = Paginator(
        mine.select_related("thread", "comment__author", "decision__author"),
        NOTIFICATIONS_PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    items = list(page.object_list)
    for item in items:
        item.text = item.sentence(item.actor.name_for(viewer))
        item.was_unread = item.read_at is None
    Notification.objects.filter(pk__in=[i.pk for i in items if i.was_unread]).update(
        read_at=timezone.now()
    )
    return render(
        request,
        "deliberation/notifications.html",
        {"page": page, "items": items, "unread_left": mine.unread().exists()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    viewer = _member_or_403(request)
    current = NotificationPreference.of(viewer)
    form = PreferenceForm(request.POST or None, initial={"email": current.email})
    if request.method == "POST" and form.is_valid():
        NotificationPreference.choose(viewer, form.cleaned_data["email"])
        messages.success(request, _("Votre choix est enregistré."))
        return redirect("deliberation:preferences")
    status = 400 if form.errors else 200
    return render(request, "deliberation/preferences.html", {"form": form}, status=status)


# Search -------------------------------------------------------------------------------------


@require_GET
def search_page(request: HttpRequest) -> HttpResponse:
    viewer = viewer_of(request)
    form = SearchForm(request.GET if "q" in request.GET else None)
    page = None
    if form.is_valid():
        found = search(form.cleaned_data["q"], viewer)
        page = Paginator(found, SEARCH_PAGE_SIZE).get_page(request.GET.get("page"))
        matches = Comment.objects.select_related("author").in_bulk(
            [t.first_match_id for t in page.object_list if t.first_match_id]
        )
        for item in page.object_list:
            item.match = matches.get(item.first_match_id)
            if item.match:
                item.match.author_name = item.match.author.name_for(viewer)
    return render(
        request,
        "deliberation/search.html",
        {"form": form, "page": page, "query_string": urlencode({"q": request.GET.get("q", "")})},
    )
