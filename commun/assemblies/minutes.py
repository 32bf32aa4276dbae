"""The minutes (procès-verbal) of an assembly, written from what happened.

`text(assembly)` reads only what the assembly kept — its rules as convened, the
attendance sheet, each resolution's figures as counted at its close, the effects'
outcomes, the incidents — in the cooperative's language and time zone, in a fixed order:
the same assembly always yields the same text, whoever asks and whatever changed
elsewhere. Once the chair and the secretary have both confirmed it, the text and its
SHA-256 are kept (`Minutes`) and the hash is chained in the journal. Each confirms the
draft as it read then (`Minutes.draft_sha256`): a draft that changed between the two
confirmations is not frozen (`DraftChanged`) until the first confirmer confirms it again.
"""

import hashlib
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import override

from commun.assemblies import counting
from commun.members.models import College


def of_record():
    """Write in the cooperative's language, the minutes' own: what Commun stores for the
    record (an amendment's title, an effect's failure, the accounts' title) reads the same in
    the minutes whoever acted, whatever language they read."""
    return override(settings.LANGUAGE_CODE)


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class DraftChanged(ValidationError):
    """The draft differs from the one the first confirmer approved: refused (the API's 409)
    until they confirm it again, so that nobody's confirmation covers a text they never read."""

    def __init__(self):
        super().__init__(
            _(
                "Le projet de procès-verbal a changé depuis la première confirmation : "
                "la personne qui l'a confirmé doit le relire et le confirmer à nouveau."
            ),
            code="draft_changed",
        )


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%d/%m/%Y %H:%M") if moment else "—"


def _person(member) -> str:
    """A person as the public may see them, by their own choice (the minutes may be
    published): their public name and number, or their number alone."""
    if member.public_name:
        return f"{member.public_name} (n° {member.number})"
    return _("associé·e n° %(number)s") % {"number": member.number}


def _percent(fraction: Fraction) -> str:
    """A share to the hundredth, rounded half up (`number_format` alone cuts the digits: two
    thirds would read 66,66 % in minutes that are then frozen)."""
    share = Decimal(fraction.numerator * 100) / Decimal(fraction.denominator)
    rounded = share.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return f"{number_format(rounded, decimal_pos=2, use_l10n=True)} %"


def text(assembly) -> str:
    """The minutes as plain text (Markdown), in the cooperative's language."""
    with of_record():
        lines = _heading(assembly) + _attendance(assembly) + _agenda(assembly)
        lines += _incidents(assembly) + _closing(assembly)
    return "\n".join(lines).rstrip() + "\n"


def _heading(assembly) -> list[str]:
    lines = [
        "# " + _("Procès-verbal de l'%(kind)s") % {"kind": assembly.get_kind_display().lower()},
        "",
        f"**{assembly.title}**",
        "",
    ]
    if assembly.convocation == 2:
        lines += [_("Sur deuxième convocation."), ""]
    lines.append("- " + _("Date : %(when)s") % {"when": _when(assembly.starts_at)})
    if assembly.place:
        lines.append("- " + _("Lieu : %(place)s") % {"place": assembly.place})
    if assembly.video_link:
        lines.append("- " + _("Visioconférence : %(link)s") % {"link": assembly.video_link})
    for label, person in (
        (_("Présidence de séance"), assembly.chair),
        (_("Secrétaire"), assembly.secretary),
    ):
        if person is not None:
            lines.append(f"- {label} : {_person(person)}")
    lines.append(
        "- "
        + _("Séance ouverte le %(opened)s, close le %(closed)s")
        % {"opened": _when(assembly.opened_at), "closed": _when(assembly.closed_at)}
    )
    return lines + [""]


def _attendance(assembly) -> list[str]:
    by_college = assembly.turnout()
    names = dict(
        College.objects.filter(pk__in=[c for c in by_college if c]).values_list("pk", "name")
    )
    lines = [
        "## " + _("Présences"),
        "",
        "| "
        + " | ".join(
            [
                _("Collège"),
                _("Convoqué·es"),
                _("Présent·es"),
                _("À distance"),
                _("Représenté·es"),
                _("Votes avant la séance"),
            ]
        )
        + " |",
        "|---|---|---|---|---|---|",
    ]
    ordered = sorted(by_college.items(), key=lambda kv: (kv[0] is None, kv[0] or 0))
    whole = counting.total(by_college.values())
    for name, t in [(names.get(c, _("Sans collège")), t) for c, t in ordered] + [
        (_("Total"), whole)
    ]:
        lines.append(
            f"| {name} | {t.eligible} | {t.present} | {t.remote} | {t.represented} | {t.advance} |"
        )
    status = assembly.quorum_status()
    reached = _("atteint") if status["reached"] else _("non atteint")
    lines += [
        "",
        _("Quorum : %(voices)s voix sur %(needed)s nécessaires — %(reached)s.")
        % {"voices": status["voices"], "needed": status["needed"], "reached": reached},
        "",
    ]
    if assembly.failed:
        lines += [_("Faute de quorum, l'assemblée n'a pas pu délibérer."), ""]
    return lines


def _agenda(assembly) -> list[str]:
    from commun.assemblies.amendments import under_their_resolutions
    from commun.assemblies.models import AgendaItem, Majority

    lines = ["## " + _("Ordre du jour et résolutions"), ""]
    for item in under_their_resolutions(assembly.items.select_related("amends")):
        if item.kind == AgendaItem.Kind.INFORMATION:
            lines += [
                "### "
                + _("Point d'information n°%(n)s : %(title)s")
                % {"n": item.position, "title": item.title},
                "",
            ]
            if item.text:
                lines += [item.text, ""]
            continue
        lines += _item_heading(item, AgendaItem)
        if item.status != AgendaItem.Status.CLOSED:
            lines += [_("Non mise au vote."), ""]
            continue
        if item.kind == AgendaItem.Kind.ELECTION:
            lines += _election(item.result.get("election", {}))
            continue
        lines += _figures(item.result, Majority)
        outcome = _("adoptée") if item.adopted else _("rejetée")
        lines += ["**" + _("La résolution est %(outcome)s.") % {"outcome": outcome} + "**", ""]
        lines += _effect(item)
    return lines


def _item_heading(item, agenda_item) -> list[str]:
    """A resolution's, an amendment's or an election's title, and the text put to the vote
    (a resolution an adopted amendment changed: the text as convened, then as voted)."""
    if item.kind == agenda_item.Kind.ELECTION:
        title = _("Élection n°%(n)s : %(title)s")
    elif item.amends_id:
        title = _("Amendement n°%(n)s à la résolution n°%(of)s : %(title)s")
    else:
        title = _("Résolution n°%(n)s : %(title)s")
    of = item.amends.position if item.amends_id else None
    lines = ["### " + title % {"n": item.position, "of": of, "title": item.title}, ""]
    if item.text:
        lines += [item.text, ""]
    if item.amended_text:
        lines += [_("Texte mis au vote, tel qu'amendé :"), "", item.amended_text, ""]
    return lines


def _election(election: dict) -> list[str]:
    """Ballots, each candidate's votes and share, who is elected and who tied."""
    lines = [
        "- "
        + _("Postes : %(seats)s, bulletins exprimés : %(cast)s, bulletins blancs : %(blank)s")
        % {
            "seats": election.get("seats", 0),
            "cast": election.get("ballots_cast", 0),
            "blank": election.get("blank_ballots", 0),
        }
    ]
    for candidate in election.get("candidates", []):
        said = _("%(name)s (n°%(number)s) — voix : %(votes)s, part : %(share)s") % {
            "name": candidate["name"],
            "number": candidate["number"],
            "votes": candidate["votes"],
            "share": _percent(Fraction(candidate["share"])),
        }
        if candidate.get("elected"):
            said += " — " + _("élu·e")
        elif candidate.get("tied"):
            said += " — " + _("à égalité pour le dernier poste")
        lines.append("- " + said)
    if not election.get("elected"):
        lines.append("- " + _("Personne n'est élu·e."))
    if "roll" in election:
        lines += _election_roll(election["roll"])
    return lines + [""]


def _election_roll(roll: list[dict]) -> list[str]:
    """A public election's votes, voice by voice, in member order."""
    lines = ["- " + _("Élection publique, le vote de chaque voix :")]
    for line in roll:
        chosen = ", ".join(f"n°{n}" for n in line["candidates"]) or _("bulletin blanc")
        if line["name"]:
            whose = f"{line['name']} (n° {line['number']})"
        else:
            whose = _("associé·e n° %(number)s") % {"number": line["number"]}
        lines.append("  - " + _("%(whose)s : %(chosen)s") % {"whose": whose, "chosen": chosen})
    return lines


def _figures(result: dict, majority_choices) -> list[str]:
    lines = [
        "- "
        + _("Pour : %(yes)s, contre : %(no)s, abstentions : %(abstain)s")
        % {
            "yes": result.get("yes", 0),
            "no": result.get("no", 0),
            "abstain": result.get("abstain", 0),
        }
    ]
    if result.get("advance_votes"):
        lines.append(
            "- " + _("dont votes avant la séance : %(n)s") % {"n": result["advance_votes"]}
        )
    if result.get("blank_proxies"):
        lines.append(
            "- " + _("dont pouvoirs en blanc pour : %(n)s") % {"n": result["blank_proxies"]}
        )
    for college in result.get("colleges", []):
        weight = college.get("weight")
        name = college.get("name") or _("Sans collège")
        label = f"{name} ({weight} %)" if weight is not None else name
        lines.append(
            "- "
            + _("%(college)s — pour : %(yes)s, contre : %(no)s, abstentions : %(abstain)s")
            % {
                "college": label,
                "yes": college["yes"],
                "no": college["no"],
                "abstain": college["abstain"],
            }
        )
    if result.get("weighted_share") is not None:
        lines.append(
            "- "
            + _("Part pondérée des voix pour : %(share)s")
            % {"share": _percent(Fraction(result["weighted_share"]))}
        )
    if result.get("majority") in majority_choices.values:
        lines.append(
            "- " + _("Majorité requise : %(m)s") % {"m": majority_choices(result["majority"]).label}
        )
    return lines + [""]


def _effect(item) -> list[str]:
    from commun.assemblies import effects

    effect, outcome = item.effect, item.effect_outcome
    if not effect:
        return []
    described = effects.describe(effect)
    if outcome.get("status") == effects.APPLIED:
        said = _("Effet : %(effect)s — appliqué.") % {"effect": described}
    elif outcome.get("status") == effects.FAILED:
        said = _("Effet : %(effect)s — non appliqué : %(reason)s") % {
            "effect": described,
            "reason": outcome.get("reason", ""),
        }
    else:
        said = _("Effet prévu : %(effect)s — sans objet, la résolution n'étant pas adoptée.") % {
            "effect": described
        }
    return [said, ""]


def _incidents(assembly) -> list[str]:
    incidents = list(assembly.incidents.all())
    if not incidents:
        return []
    lines = ["## " + _("Incidents de séance"), ""]
    lines += [f"- {_when(i.at)} — {i.text}" for i in incidents]
    return lines + [""]


def _closing(assembly) -> list[str]:
    return [
        "---",
        "",
        _(
            "Procès-verbal établi à partir de ce que Commun a enregistré pendant la séance, "
            "confirmé par la présidence et le ou la secrétaire de séance."
        ),
    ]
