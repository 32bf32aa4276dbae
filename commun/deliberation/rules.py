"""Who may act in the deliberation spaces: one line per action, asked by the model methods.

Where a member stands (a space's scope and audience) is answered by the models
(`Space.can_read`, `Space.can_post`, `Space.can_moderate`, `Thread.can_lock`,
`Comment.can_edit`), which pages, the API, notifications and search ask too. This table
says which of them each action needs; the methods call `require()` and pages ask `may()`.
Leaving a circle is anyone's who is in it, even after leaving the cooperative: it is not here.
"""

from django.utils.translation import gettext_lazy as _

from commun.lib.rules import MEMBERS_ONLY, Rulebook, active_member, anyone, is_officer

ACTION_NAMES = {
    "found_circle": _("créer un cercle"),
    "join_circle": _("rejoindre un cercle"),
    "set_visibility": _("changer la visibilité d'un espace"),
    "start_thread": _("ouvrir un fil"),
    "post_comment": _("écrire dans ce fil"),
    "subscribe": _("suivre ce fil"),
    "lock_thread": _("fermer ce fil"),
    "edit_comment": _("modifier ce commentaire"),
    "react": _("réagir à ce commentaire"),
}


def _moderator(member, space) -> bool:
    return space.can_moderate(member)


def _poster_in_space(member, space) -> bool:
    return space.can_post(member)


def _poster_in_thread(member, thread) -> bool:
    # A locked thread is refused under the lock, with its own message.
    return thread.space.can_post(member)


def _reader(member, thread) -> bool:
    return thread.can_read(member)


def _author_or_moderator(member, thread) -> bool:
    return thread.can_lock(member)


def _comment_author(member, comment) -> bool:
    return comment.can_edit(member)


def _reactor(member, comment) -> bool:
    return comment.can_react(member)


WHO_MAY = {
    "found_circle": (anyone, MEMBERS_ONLY),
    "join_circle": (anyone, MEMBERS_ONLY),
    "set_visibility": (
        _moderator,
        _("Seul·es les responsables changent la visibilité d'un espace."),
    ),
    "start_thread": (
        _poster_in_space,
        _("Vous ne pouvez pas ouvrir de fil dans cet espace."),
    ),
    "post_comment": (_poster_in_thread, _("Vous ne pouvez pas écrire dans cet espace.")),
    "subscribe": (_reader, _("Seul·es les associé·es qui lisent ce fil peuvent le suivre.")),
    "lock_thread": (
        _author_or_moderator,
        _("Seul·es l'auteur·ice du fil et les responsables le ferment."),
    ),
    "edit_comment": (_comment_author, _("Seul·e l'auteur·ice modifie son commentaire.")),
    "react": (_reactor, _("Vous ne pouvez pas réagir dans cet espace.")),
}

# Each refusal keeps its own message, for visitors too.
RULES = Rulebook(WHO_MAY, ACTION_NAMES, members_only=None)
refusal, may, require = RULES.refusal, RULES.may, RULES.require

__all__ = ["active_member", "is_officer", "refusal", "may", "require"]
