"""Showing decisions: version diffs, counts in words, the decisions of a thread."""

import difflib
import re

from django import template
from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from commun.decisions import rules
from commun.decisions.models import Decision, Objection, Stance
from commun.members.models import College

register = template.Library()

WORDS = re.compile(r"\s+|[^\s]+")


def _marked(tag: str, text: str) -> str:
    # Screen readers do not announce <ins>/<del>: a hidden word says what changed.
    said = _("ajouté :") if tag == "ins" else _("supprimé :")
    return f'<{tag}><span class="visually-hidden">{said} </span>{escape(text)}</{tag}>'


def _words_diff(before: str, after: str) -> str:
    """One changed line, word by word."""
    a, b = WORDS.findall(before), WORDS.findall(after)
    parts = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            parts.append(escape("".join(a[i1:i2])))
            continue
        if i2 > i1:
            parts.append(_marked("del", "".join(a[i1:i2])))
        if j2 > j1:
            parts.append(_marked("ins", "".join(b[j1:j2])))
    return "".join(parts)


def diff_html(before: str, after: str) -> SafeString:
    """The changes from `before` to `after`, line by line, as escaped HTML with <ins>/<del>."""
    a, b = before.splitlines(), after.splitlines()
    lines = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            lines += [(" ", escape(line)) for line in a[i1:i2]]
        elif tag == "replace" and i2 - i1 == j2 - j1:
            lines += [("~", _words_diff(x, y)) for x, y in zip(a[i1:i2], b[j1:j2], strict=True)]
        else:
            lines += [("-", _marked("del", line)) for line in a[i1:i2]]
            lines += [("+", _marked("ins", line)) for line in b[j1:j2]]
    classes = {" ": "same", "~": "changed", "-": "removed", "+": "added"}
    html = "".join(
        f'<div class="diff-line {classes[kind]}">{text or "&nbsp;"}</div>' for kind, text in lines
    )
    return mark_safe(f'<div class="diff">{html}</div>')  # noqa: S308 — every text is escaped


def version_text(version) -> str:
    return f"# {version.title}\n\n{version.body}" if version is not None else ""


@register.filter
def diff_from(version, previous) -> SafeString:
    """`{{ version|diff_from:previous }}`: what changed since the previous version."""
    return diff_html(version_text(previous), version_text(version))


@register.simple_tag(takes_context=True)
def thread_decisions(context, thread) -> dict:
    """The decisions of a thread that the viewer may read, and whether they may propose one."""
    request = context.get("request")
    user = getattr(request, "user", None)
    decisions = list(
        Decision.objects.filter(thread=thread)
        .readable_by(user)
        .order_by("-created_at")
        .only("pk", "title", "kind", "phase", "outcome", "closes_at", "thread_id", "is_secret")[:50]
    )
    member = rules.active_member(user)
    return {
        "decisions": decisions,
        "can_propose": member is not None and thread.space.can_post(member),
    }


def _localised_percent(value) -> str:
    """A stored percentage as the reader writes numbers (« 13,16 % » in French)."""
    return f"{number_format(value, use_l10n=True)}\u00a0%"


def _percent(part, whole) -> float | None:
    return round(100 * part / whole, 1) if whole else None


@register.simple_tag
def tally_display(decision: Decision, tally: dict | None, options) -> dict | None:
    """A count as rows and facts a template shows as they are, whatever the kind."""
    if tally is None:
        return None
    labels = {str(o.pk): o.label for o in options}
    kind = decision.kind
    shown = {"rows": [], "facts": [], "ranking": [], "colleges": [], "winners": []}
    eligible = tally.get("eligible") or 0
    winners = {str(w) for w in tally.get("winners", [])}
    shown["winners"] = [labels.get(w, w) for w in winners]
    if kind == Decision.Kind.ADVICE:
        shown["facts"] = [
            (_("Avis sollicités"), tally.get("asked", 0)),
            (_("Avis donnés"), tally.get("given", 0)),
        ]
        return shown
    if kind == Decision.Kind.CONSENT:
        stances = tally.get("stances", {})
        spoken = tally.get("spoken", 0)
        for choice in (
            Stance.Choice.CONSENT,
            Stance.Choice.CONCERN,
            Stance.Choice.OBJECTION,
            Stance.Choice.STAND_ASIDE,
        ):
            count = stances.get(choice.value, 0)
            shown["rows"].append(
                {"label": choice.label, "count": count, "percent": _percent(count, spoken)}
            )
        objections = tally.get("objections", {})
        shown["facts"] = [
            (_("Se sont prononcé·es"), f"{spoken} / {eligible}"),
            (_("Pas encore prononcé·es"), tally.get("silent", 0)),
        ] + [
            (_("Objections : %(status)s") % {"status": status.label.lower()}, objections[status])
            for status in Objection.Status
            if objections.get(status.value)
        ]
        return shown
    voters = tally.get("voters", 0)
    shown["facts"] = [
        (_("Ont voté"), f"{voters} / {eligible}"),
        (_("Participation"), _localised_percent(tally.get("participation_percent") or 0)),
    ]
    if tally.get("quorum_percent"):
        shown["facts"].append(
            (
                _("Quorum"),
                _("%(quorum)s %% — atteint") % {"quorum": tally["quorum_percent"]}
                if tally.get("quorum_reached")
                else _("%(quorum)s %% — pas atteint") % {"quorum": tally["quorum_percent"]},
            )
        )
    if kind == Decision.Kind.YES_NO:
        expressed = tally.get("yes", 0) + tally.get("no", 0)
        for choice, key in ((Stance.Choice.YES, "yes"), (Stance.Choice.NO, "no")):
            count = tally.get(key, 0)
            shown["rows"].append(
                {"label": choice.label, "count": count, "percent": _percent(count, expressed)}
            )
        shown["rows"].append(
            {"label": Stance.Choice.ABSTAIN.label, "count": tally.get("abstain", 0)}
        )
        threshold = Decision.Threshold(tally.get("threshold", decision.threshold)).label
        shown["facts"].append((_("Seuil d'adoption"), threshold))
        if tally.get("weighted_yes_percent") is not None:
            shown["facts"].append(
                (_("Pour, pondéré par collège"), _localised_percent(tally["weighted_yes_percent"]))
            )
        colleges = tally.get("colleges", {})
        if colleges:
            names = dict(College.objects.values_list("pk", "name"))
            shown["colleges"] = [
                {**counts, "name": names.get(int(pk), pk) if pk.isdigit() else "—"}
                for pk, counts in colleges.items()
            ]
        return shown
    if kind == Decision.Kind.APPROVAL:
        counts = tally.get("counts", {})
        for pk, label in labels.items():
            count = counts.get(pk, 0)
            shown["rows"].append(
                {
                    "label": label,
                    "count": count,
                    "percent": _percent(count, voters),
                    "winner": pk in winners,
                }
            )
        return shown
    if kind == Decision.Kind.RANKED:
        shown["ranking"] = [
            [labels.get(str(pk), str(pk)) for pk in group] for group in tally.get("ranking", [])
        ]
        return shown
    points = tally.get("points", {})
    shares = tally.get("shares_percent", {})
    for pk, label in labels.items():
        shown["rows"].append(
            {
                "label": label,
                "count": points.get(pk, 0),
                "percent": shares.get(pk),
                "winner": pk in winners,
            }
        )
    shown["facts"].append((_("Points répartis"), tally.get("total_points", 0)))
    return shown


def _choice_label(decision: Decision, value) -> str:
    if value in ("yes", "no"):
        return str(Stance.Choice(value).label)
    return next((o.label for o in decision.options.all() if o.pk == value), str(value))


@register.simple_tag
def tie_summary(decision: Decision) -> str:
    """What a tie was between, and what the decision's tie rule did about it."""
    result = decision.result or {}
    if decision.outcome != Decision.Outcome.TIED or "tied" not in result:
        return ""
    said = _("Égalité entre : %(tied)s.") % {
        "tied": ", ".join(_choice_label(decision, value) for value in result["tied"])
    }
    settled = result.get("tie_break", {})
    match settled.get("rule"):
        case Decision.TieRule.LOTS:
            then = _("Tiré au sort : %(drawn)s (graine publiée : %(seed)s).") % {
                "drawn": _choice_label(decision, settled.get("drawn")),
                "seed": settled.get("seed", ""),
            }
        case Decision.TieRule.CHAIR if "chosen" in settled:
            # Who chose is kept in the result; a name is shown by the privacy rules, not here.
            then = _("La présidence a départagé : %(chosen)s — %(why)s") % {
                "chosen": _choice_label(decision, settled["chosen"]),
                "why": settled.get("statement", ""),
            }
        case Decision.TieRule.CHAIR:
            then = _("La voix prépondérante de la présidence départage.")
        case _ if settled.get("decision"):
            then = _("Un nouveau vote départage : décision n°%(number)s.") % {
                "number": settled["decision"]
            }
        case _:
            then = _("Rien n'est choisi.")
    return f"{said} {then}"


@register.simple_tag
def result_summary(decision: Decision) -> str:
    """One line for the register, from the result stored at the close (no query but options)."""
    result = decision.result or {}
    if not decision.is_closed or not result.get("kind"):
        return ""
    if decision.outcome == Decision.Outcome.TIED and "tied" in result:
        return tie_summary(decision)
    if decision.kind == Decision.Kind.ADVICE:
        return _("%(given)s avis reçus sur %(asked)s sollicités") % {
            "given": result.get("given", 0),
            "asked": result.get("asked", 0),
        }
    if decision.kind == Decision.Kind.CONSENT:
        stances = result.get("stances", {})
        return _("%(spoken)s sur %(eligible)s se sont prononcé·es ; réserves : %(concerns)s") % {
            "spoken": result.get("spoken", 0),
            "eligible": result.get("eligible", 0),
            "concerns": stances.get("concern", 0),
        }
    if decision.kind == Decision.Kind.YES_NO:
        return _("Pour %(yes)s · Contre %(no)s · Abstention %(abstain)s (%(voters)s votant·es)") % {
            "yes": result.get("yes", 0),
            "no": result.get("no", 0),
            "abstain": result.get("abstain", 0),
            "voters": result.get("voters", 0),
        }
    labels = {str(o.pk): o.label for o in decision.options.all()}
    winners = [labels.get(str(w), str(w)) for w in result.get("winners", [])]
    if not winners:
        return _("%(voters)s votant·es, pas de résultat") % {"voters": result.get("voters", 0)}
    return _("En tête : %(winners)s (%(voters)s votant·es)") % {
        "winners": ", ".join(winners),
        "voters": result.get("voters", 0),
    }


@register.simple_tag
def ballot_text(decision: Decision, content, options) -> str:
    """A ballot of the published box in words, once the vote is closed."""
    if not isinstance(content, dict):
        return ""
    labels = {str(o.pk): o.label for o in options}
    if "choice" in content:
        try:
            return str(Stance.Choice(content["choice"]).label)
        except ValueError:
            return str(content["choice"])
    ballot = content.get("ballot")
    if decision.kind == Decision.Kind.APPROVAL:
        return ", ".join(labels.get(str(pk), str(pk)) for pk in ballot or []) or _("aucune")
    if decision.kind == Decision.Kind.RANKED:
        return " > ".join(
            " = ".join(labels.get(str(pk), str(pk)) for pk in group) for group in ballot or []
        )
    if decision.kind == Decision.Kind.SCORE:
        return ", ".join(
            f"{labels.get(str(pk), str(pk))} : {points}" for pk, points in (ballot or {}).items()
        )
    return ""
