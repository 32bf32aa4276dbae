"""What an adopted resolution does, and the journal entry of every resolution's outcome.

A resolution may carry one effect, chosen when it is put on the agenda and checked then
(`check`): approve a year's accounts with an allocation (the ledger's year close, with its
SCIC floors), change one of the statutes' assembly rules, admit an applicant (the
register's admission), or exclude a member (the register's departure: shares repaid after
the statutes' delay). When the vote closes adopted, `apply` checks it again and applies it
whole or not at all: a refusal then leaves the vote's result standing and records the
effect as failed, with the reason. Every closed resolution is chained in the journal.
"""

import datetime
import hashlib

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, override

from commun.ledger import closing
from commun.ledger.journal import counts_only
from commun.ledger.models import Books, FiscalYear, JournalEntry
from commun.lib.hashing import canonical_json
from commun.lib.ids import MAX_API_ID
from commun.members.models import Application, Member

APPROVE_ACCOUNTS = "approve_accounts"
CHANGE_RULE = "change_rule"
ADMIT = "admit"
EXCLUDE = "exclude"
KINDS = (APPROVE_ACCOUNTS, CHANGE_RULE, ADMIT, EXCLUDE)
# The statutes' rules a resolution may change (the fields of AssemblyRules).
CHANGEABLE_RULES = (
    "notice_days",
    "requests_deadline_days",
    "quorum_first",
    "quorum_second",
    "majority",
    "proxies_allowed",
    "max_proxies",
    "advance_votes_count",
    "weighted_by_college",
    "minutes_public",
)
APPLIED = "applied"
FAILED = "failed"


def refused(message) -> ValidationError:
    return ValidationError({"effect": [message]})


def check(effect: dict | None, today: datetime.date | None = None) -> dict:
    """The effect cleaned ({} for none), or a ValidationError on `effect` saying why not."""
    if not effect:
        return {}
    kind = effect.get("kind") if isinstance(effect, dict) else None
    if kind == APPROVE_ACCOUNTS:
        return _check_accounts(effect, today)
    if kind == CHANGE_RULE:
        return _check_rule(effect)
    if kind == ADMIT:
        return {"kind": ADMIT, "application": _pending_application(effect).pk}
    if kind == EXCLUDE:
        return {"kind": EXCLUDE, "member_number": _member_to_exclude(effect).number}
    raise refused(_("Effet inconnu : choisissez parmi %(kinds)s.") % {"kinds": ", ".join(KINDS)})


def _whole_number(value, message) -> int:
    """A number the database can look up: an integer, not a string, a float or a number
    beyond its columns (which would fail inside the query, not on the field)."""
    if type(value) is not int or not 0 <= value <= MAX_API_ID:
        raise refused(message)
    return value


def _check_accounts(effect: dict, today) -> dict:
    """A year the ledger can close, with an allocation its floors accept."""
    no_year = _("Indiquez l'exercice dont les comptes sont approuvés.")
    year = _whole_number(effect.get("year"), no_year)
    if not 1900 <= year <= 9999:
        raise refused(no_year)
    if FiscalYear.objects.filter(year=year).exists():
        raise refused(closing.YearAlreadyClosed(year).message)
    allocation = effect.get("allocation")
    if allocation is not None and not isinstance(allocation, dict):
        raise refused(_("L'affectation associe un compte à un montant en centimes."))
    try:
        closing.closable_year(year, today)
        numbers = closing.figures(year)
        cleaned = closing.check_allocation(
            numbers, numbers.default_allocation() if allocation is None else allocation
        )
    except ValidationError as error:
        raise ValidationError({"effect": error.messages}) from None
    return {"kind": APPROVE_ACCOUNTS, "year": year, "allocation": cleaned}


def _check_rule(effect: dict) -> dict:
    """A rule of one kind of assembly, and a new value the statutes' checks accept."""
    from commun.assemblies.models import AssemblyRules, Kind

    assembly_kind, rule = effect.get("assembly_kind"), effect.get("rule")
    if assembly_kind not in Kind.values or rule not in CHANGEABLE_RULES:
        raise refused(_("Choisissez le type d'assemblée et la règle des statuts à changer."))
    field = AssemblyRules._meta.get_field(rule)
    try:
        value = field.to_python(effect.get("value"))
        candidate = AssemblyRules.of(assembly_kind)
        setattr(candidate, rule, value)
        candidate.full_clean(exclude=["kind"])
    except ValidationError as error:
        raise ValidationError({"effect": error.messages}) from None
    return {"kind": CHANGE_RULE, "assembly_kind": assembly_kind, "rule": rule, "value": value}


def _pending_application(effect: dict) -> Application:
    unknown = _("Aucune candidature en attente ne porte ce numéro.")
    pk = _whole_number(effect.get("application"), unknown)
    found = Application.objects.filter(pk=pk, status=Application.Status.PENDING).first()
    if found is None:
        raise refused(unknown)
    return found


def _member_to_exclude(effect: dict) -> Member:
    unknown = _("Aucun·e associé·e actif·ve ne porte ce numéro.")
    number = _whole_number(effect.get("member_number"), unknown)
    found = Member.objects.active().filter(number=number).first()
    if found is None:
        raise refused(unknown)
    return found


def describe(effect: dict) -> str:
    """The effect in words, for the agenda, the minutes and the API."""
    from commun.assemblies.models import AssemblyRules, Kind
    from commun.lib.money import format_cents

    kind = effect.get("kind")
    if kind == APPROVE_ACCOUNTS:
        allocation = ", ".join(
            f"{closing.ALLOCATION_ACCOUNTS.get(code, code)} {format_cents(cents)}"
            for code, cents in sorted(effect.get("allocation", {}).items())
        )
        return _(
            "approuver les comptes de l'exercice %(year)s et clore l'exercice (%(allocation)s)"
        ) % {
            "year": effect.get("year"),
            "allocation": allocation or _("aucune affectation"),
        }
    if kind == CHANGE_RULE:
        field = AssemblyRules._meta.get_field(effect["rule"])
        value = effect.get("value")
        shown = dict(field.flatchoices).get(value, value) if field.choices else value
        if isinstance(shown, bool):
            shown = _("oui") if shown else _("non")
        return _("règles des statuts, %(kind)s : %(rule)s → %(value)s") % {
            "kind": Kind(effect["assembly_kind"]).label,
            "rule": field.verbose_name,
            "value": shown,
        }
    if kind == ADMIT:
        return _("admettre la candidature n°%(n)s") % {"n": effect.get("application")}
    if kind == EXCLUDE:
        return _("exclure l'associé·e n°%(n)s (ses parts remboursées selon les statuts)") % {
            "n": effect.get("member_number")
        }
    return ""


def reference(item) -> str:
    """How the books and the register name the resolution (in French, the source language)."""
    with override("fr"):
        return _("Assemblée générale du %(date)s, résolution n°%(position)s") % {
            "date": timezone.localtime(item.assembly.starts_at).strftime("%d/%m/%Y"),
            "position": item.position,
        }


AMENDED = gettext_lazy(
    "La résolution a été adoptée telle qu'amendée en séance : son effet, prévu pour le texte "
    "inscrit, n'est pas appliqué. Les responsables inscrivent une nouvelle résolution."
)


def apply(item, now: datetime.datetime) -> dict:
    """Apply an adopted resolution's effect, whole or not at all; the outcome to keep (a
    failure's reason in the cooperative's language, whoever closed the vote)."""
    from commun.assemblies.minutes import of_record

    if not item.effect or not item.adopted:
        return {}
    with of_record():
        return _apply(item, now)


def _apply(item, now: datetime.datetime) -> dict:
    if item.amended_text:
        # The effect was checked against the text the officers put on the agenda; the
        # floor voted another. Applying the first would do what nobody adopted.
        return {"status": FAILED, "reason": str(AMENDED)}
    try:
        with transaction.atomic():
            # A savepoint: a refusal halfway undoes what the effect wrote, not the vote.
            check(item.effect, timezone.localdate(now))
            _APPLY[item.effect["kind"]](item)
    except ValidationError as error:
        return {"status": FAILED, "reason": " ".join(error.messages)}
    return {"status": APPLIED}


def _close_year(item) -> None:
    effect = item.effect
    closing.close_year_as_adopted(effect["year"], effect["allocation"], reference(item))


def _change_rule(item) -> None:
    from commun.assemblies.models import AssemblyRules

    effect = item.effect
    AssemblyRules.of(effect["assembly_kind"]).change(**{effect["rule"]: effect["value"]})


def _admit(item) -> None:
    application = Application.objects.get(pk=item.effect["application"])
    application.admit(by=None, authorised_by=reference(item))


def _exclude(item) -> None:
    member = Member.objects.get(number=item.effect["member_number"])
    member.resign(by=None)


_APPLY = {
    APPROVE_ACCOUNTS: _close_year,
    CHANGE_RULE: _change_rule,
    ADMIT: _admit,
    EXCLUDE: _exclude,
}


# The journal -------------------------------------------------------------------------------


def resolution_payload(item) -> dict:
    """A closed resolution as the journal keeps it: its text's digest, its counts, its outcome
    and its effect's; no names (a college's name is dropped with every other text)."""
    text = {"title": item.title, "text": item.text}
    if item.amended_text:  # the text the floor voted is the one the record vouches for
        text["amended_text"] = item.amended_text
    return {
        "assembly": item.assembly_id,
        "position": item.position,
        "text_sha256": hashlib.sha256(canonical_json(text).encode()).hexdigest(),
        "adopted": item.adopted,
        "tally": counts_only(item.result or {}),
        "effect": item.effect.get("kind", ""),
        "effect_status": item.effect_outcome.get("status", ""),
    }


def minutes_payload(minutes) -> dict:
    """Frozen minutes as the journal keeps them: the hash of the text as it stands, so a
    text changed in the database no longer matches."""
    from commun.assemblies.minutes import digest

    return {
        "assembly": minutes.assembly_id,
        "frozen_at": minutes.frozen_at.astimezone(datetime.UTC).isoformat(),
        "sha256": digest(minutes.text),
    }


def journal(kind: str, ref: str, payload: dict) -> None:
    """Chain one entry in the caller's transaction (the close or the freezing that it
    records), under the books' lock, which serialises the sequence with the ledger's writes."""
    books = Books.locked()
    JournalEntry.objects.append(books, kind, ref, payload)
    books.save(update_fields=["journal_length", "journal_head_hash"])
