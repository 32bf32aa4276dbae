"""What a decision decides, when another app opens it: the subject that writes its text.

A decision on a mission or a top-up states money. Its text is generated from its subject
(the mission's terms, the amount asked) and is never typed by hand: the app registers a
`Subject` for its `subject_kind`, and then `Decision.amend()` refuses a free amendment, the
page links to the subject's own amendment instead, shows how the subject's terms changed
between versions, and the close records what was on the table (`record()`, kept in the
decision's result and so in the journal). Other decisions (admission…) have the default.
"""

from django.utils.translation import gettext_lazy as _


class Subject:
    """The default subject: nothing generated, nothing to add."""

    # True when the decision's text is generated from the subject, never typed by hand.
    owns_text = False
    refusal = _("Le texte de cette décision est généré : il ne se modifie pas à la main.")
    amend_label = ""

    def amend_url(self, decision) -> str:
        """Where the author amends the subject (and so the text); "" when nowhere."""
        return ""

    def notice(self, decision) -> str:
        """One sentence above the text saying where it comes from."""
        return ""

    def link(self, decision) -> tuple[str, str]:
        """(url, words) of the subject's own page; ("", "") when it has none."""
        return "", ""

    def terms_changes(self, decision) -> dict:
        """Per decision version id, the subject's terms that changed since the previous one:
        [{"label", "before", "after"}]. Read in a bounded number of queries."""
        return {}

    def record(self, decision, round) -> dict:
        """What the closing round decided on, in numbers only (ids, version, cents)."""
        return {}

    def outcome(self, decision) -> str:
        """What the outcome did to the subject, in one sentence for the decision's page."""
        return ""


DEFAULT = Subject()
_registry: dict[str, Subject] = {}


def register(kind: str, subject: Subject) -> None:
    _registry[kind] = subject


def of(decision) -> Subject:
    return _registry.get(decision.subject_kind or "", DEFAULT)
