"""Counting a decision: the tally of a round, and what a stance or a ballot may say.

The arithmetic (approval, Schulze, score split, thresholds, college weights) is plain code
in `commun.lib.tally`; here it is read from the stances or the secret box and written as
the JSON-able result the page, the API and the journal keep. Mixed into `Decision`.
"""

from fractions import Fraction

from django.core.exceptions import ValidationError
from django.db.models import Count, OuterRef, Subquery
from django.utils.translation import gettext_lazy as _

from commun.lib import tally as counting
from commun.members.models import College

# COUNT(*), not COUNT(id): PostgreSQL then answers from the (round, choice) index alone,
# about three times faster with 90,000 stances, where COUNT(id) reads every row.
STANCES = Count("*")


def _ratio(value: Fraction | None) -> str | None:
    return None if value is None else str(value)  # "2/3", "1/2", "0", "1"


def _percent(value: Fraction | None) -> float | None:
    return None if value is None else round(float(value) * 100, 2)


class Counting:
    """A decision's count and the checks of what is counted; mixed into `Decision`."""

    # Counting ------------------------------------------------------------------------------

    def tally(self, round=None) -> dict | None:
        """The count so far, as JSON-able values; None for a secret ballot not yet counted.

        `round`: the current round, when the caller has already read it."""
        if self.ballots_unsealed:
            return self.result
        if self.is_secret:
            return None  # still open, or withdrawn before it was counted: never shown
        return self._count(round or self.current_round)

    def _threshold(self) -> counting.Threshold:
        return {
            self.Threshold.MAJORITY: counting.Threshold.SIMPLE_MAJORITY,
            self.Threshold.TWO_THIRDS: counting.Threshold.TWO_THIRDS,
            self.Threshold.THREE_QUARTERS: counting.Threshold.THREE_QUARTERS,
        }[self.threshold]

    def _payloads(self, round) -> list[tuple[str, object, int | None]]:
        """Each counted (choice, ballot, college id): from stances, or from the secret box."""
        from commun.decisions.models import Eligibility, Stance  # models.py imports this module

        if round is None:
            return []
        if self.is_secret:
            return [
                (
                    content.get("choice", Stance.Choice.BALLOT),
                    content.get("ballot"),
                    content.get("college"),
                )
                for content in round.ballots.values_list("content", flat=True)
            ]
        if not self.weighted_by_college:
            return [
                (choice, ballot, None)
                for choice, ballot in round.stances.values_list("choice", "ballot")
            ]
        # The college each voter had when the decision opened, for the colleges' weights.
        college = Eligibility.objects.filter(
            decision_id=round.decision_id, member_id=OuterRef("member_id")
        ).values("college_id")
        return list(round.stances.values_list("choice", "ballot", Subquery(college)))

    def count_eligible(self) -> int:
        """How many were fixed as eligible at the opening (counted only for older rows)."""
        if self.eligible_count is None:
            return self.eligible.count()
        return self.eligible_count

    def _count(self, round) -> dict:
        eligible = self.count_eligible()
        base = {"kind": self.kind, "round": round.number if round else None, "eligible": eligible}
        if self.weighted_by_college:
            base["college_weights"] = self.result.get("college_weights", {})
        if self.kind == self.Kind.ADVICE:
            asked = self.advice.count()
            given = self.advice.filter(given_at__isnull=False).count()
            return {**base, "asked": asked, "given": given}
        if self.kind == self.Kind.CONSENT:
            stances = (
                dict(round.stances.values_list("choice").annotate(n=STANCES).order_by())
                if round
                else {}
            )
            objections = dict(
                self.objections.values_list("status").annotate(n=Count("pk")).order_by()
            )
            spoken = sum(stances.values())
            silent = round.silent_count(spoken) if round else eligible
            return {
                **base,
                "stances": stances,
                "spoken": spoken,
                "silent": silent,
                "objections": objections,
            }
        quorum = Fraction(self.quorum_percent, 100)
        if self.kind == self.Kind.YES_NO and not self.is_secret and not self.weighted_by_college:
            counts = (
                dict(round.stances.values_list("choice").annotate(n=STANCES).order_by())
                if round
                else {}
            )
            return {**base, **self._yes_no(counts, eligible, quorum)}
        payloads = self._payloads(round)
        voters = len(payloads)
        participation = Fraction(voters, eligible) if eligible else Fraction(0)
        base |= {
            "voters": voters,
            "participation": _ratio(participation),
            "participation_percent": _percent(participation),
            "quorum_percent": self.quorum_percent,
            "quorum_reached": bool(eligible) and participation >= quorum,
        }
        if self.kind == self.Kind.YES_NO:
            counts = {}
            per_college: dict[int | None, dict[str, int]] = {}
            for choice, _ballot, college in payloads:
                counts[choice] = counts.get(choice, 0) + 1
                college_counts = per_college.setdefault(college, {})
                college_counts[choice] = college_counts.get(choice, 0) + 1
            result = {**base, **self._yes_no(counts, eligible, quorum)}
            if self.weighted_by_college:
                result.pop("tied", None)  # the colleges' weighted share decides, not the heads
                result |= self._weighted(per_college, result["quorum_reached"])
            return result
        option_ids = list(self.options.values_list("pk", flat=True))
        ballots = [ballot for _choice, ballot, _college in payloads]
        if self.kind == self.Kind.APPROVAL:
            counted = counting.count_approval(ballots, option_ids)
            return base | {
                "counts": {str(k): v for k, v in counted.counts.items()},
                "winners": list(counted.winners),
                **self._choice(counted.winners, base["quorum_reached"]),
            }
        if self.kind == self.Kind.RANKED:
            counted = counting.schulze(ballots, option_ids)
            return base | {
                "winners": list(counted.winners) if voters else [],
                "ranking": [list(group) for group in counted.ranking],
                "pairwise": {
                    str(x): {str(y): n for y, n in row.items()} for x, row in counted.d.items()
                },
                **self._choice(counted.winners if voters else (), base["quorum_reached"]),
            }
        counted = counting.score_split(
            [{int(k): v for k, v in (ballot or {}).items()} for ballot in ballots],
            option_ids,
            0,
            budget=self.points_per_voter,
        )
        if self.subject_kind:
            # Points that split an amount: equal shares are a split, not a tie to settle.
            outcome = {
                "outcome": "adopted"
                if base["quorum_reached"] and counted.total_points
                else "no_quorum"
            }
        else:
            outcome = self._choice(counted.winners, base["quorum_reached"])
        return base | {
            "points": {str(k): v for k, v in counted.points.items()},
            "total_points": counted.total_points,
            "shares": {str(k): _ratio(v) for k, v in counted.shares.items()},
            "shares_percent": {str(k): _percent(v) for k, v in counted.shares.items()},
            "winners": list(counted.winners),
            **outcome,
        }

    @staticmethod
    def _choice(winners, quorum_reached: bool) -> dict:
        outcome = counting.choice_outcome(winners, quorum_reached)
        tied = {"tied": list(winners)} if outcome is counting.Outcome.TIED else {}
        return {"outcome": outcome.value, **tied}

    def _yes_no(self, counts: dict, eligible: int, quorum: Fraction) -> dict:
        counted = counting.count_yes_no(
            counts.get("yes", 0),
            counts.get("no", 0),
            counts.get("abstain", 0),
            eligible,
            quorum,
            self._threshold(),
        )
        return {
            "yes": counted.yes,
            "no": counted.no,
            "abstain": counted.abstain,
            "voters": counted.yes + counted.no + counted.abstain,
            "participation": _ratio(counted.participation),
            "participation_percent": _percent(counted.participation),
            "quorum_percent": self.quorum_percent,
            "quorum_reached": counted.quorum_reached,
            "yes_share": _ratio(counted.yes_share),
            "yes_percent": _percent(counted.yes_share),
            "threshold": self.threshold,
            "outcome": counted.outcome.value,
            **({"tied": ["yes", "no"]} if counted.outcome is counting.Outcome.TIED else {}),
        }

    def _weighted(self, per_college: dict, quorum_reached: bool) -> dict:
        weights = {
            int(k): w for k, w in self.result.get("college_weights", {}).items() if w is not None
        }
        if not weights:
            weights = dict(College.objects.values_list("pk", "weight_percent"))
        shares = {}
        colleges = {}
        for college_id, counts in per_college.items():
            yes, no = counts.get("yes", 0), counts.get("no", 0)
            if college_id in weights:
                shares[college_id] = Fraction(yes, yes + no) if yes + no else None
            colleges[str(college_id)] = {
                "yes": yes,
                "no": no,
                "abstain": counts.get("abstain", 0),
                "yes_share": _ratio(shares.get(college_id)),
                "weight_percent": weights.get(college_id),
            }
        weighted = counting.weighted_by_college(shares, weights, self._threshold())
        tied = self.threshold == self.Threshold.MAJORITY and weighted.yes_share == Fraction(1, 2)
        if not quorum_reached:
            outcome = "no_quorum"
        else:
            outcome = "adopted" if weighted.adopted else ("tied" if tied else "rejected")
        return {
            "colleges": colleges,
            "weighted_yes_share": _ratio(weighted.yes_share),
            "weighted_yes_percent": _percent(weighted.yes_share),
            "outcome": outcome,
            **({"tied": ["yes", "no"]} if outcome == "tied" else {}),
        }

    def split_amount(self, total_cents: int) -> dict[int, int] | None:
        """A closed score vote's proportional split of an amount, in cents per option id."""
        if self.kind != self.Kind.SCORE or not self.is_closed:
            raise ValidationError(_("Seule une répartition de points close partage un montant."))
        points = {int(k): v for k, v in self.result.get("points", {}).items()}
        counted = counting.score_split([points], list(points), total_cents)
        return counted.cents

    # Checking a stance ---------------------------------------------------------------------

    def clean_stance(self, choice: str, reason: str, ballot) -> tuple[str, object]:
        """The (choice, ballot) to store, or ValidationError keyed by field, in French."""
        from commun.decisions.models import Stance  # models.py imports this module

        consent_choices = {
            Stance.Choice.CONSENT,
            Stance.Choice.CONCERN,
            Stance.Choice.OBJECTION,
            Stance.Choice.STAND_ASIDE,
        }
        if self.kind == self.Kind.CONSENT:
            if choice not in consent_choices:
                raise ValidationError(
                    {
                        "choice": _(
                            "Choisissez : consentir, consentir avec une réserve, objecter "
                            "ou vous mettre en retrait."
                        )
                    }
                )
            if choice == Stance.Choice.OBJECTION and not reason:
                raise ValidationError(
                    {
                        "reason": _(
                            "Une objection doit être motivée : dites en quoi la proposition "
                            "nuirait à la coopérative."
                        )
                    }
                )
            return choice, None
        if self.kind == self.Kind.YES_NO:
            if choice not in (Stance.Choice.YES, Stance.Choice.NO, Stance.Choice.ABSTAIN):
                raise ValidationError({"choice": _("Choisissez : pour, contre ou abstention.")})
            return choice, None
        if self.kind not in self.OPTION_KINDS:
            raise ValidationError(_("On ne se prononce pas ainsi sur une sollicitation d'avis."))
        if choice not in (Stance.Choice.BALLOT, None, ""):
            raise ValidationError({"choice": _("Ce vote se fait avec un bulletin.")})
        return Stance.Choice.BALLOT, self._clean_ballot(ballot)

    def _clean_ballot(self, ballot):
        known = set(self.options.values_list("pk", flat=True))
        unknown = _("Une option de ce bulletin n'existe pas dans ce vote.")

        def option_id(value) -> int:
            if isinstance(value, bool):
                raise ValidationError({"ballot": unknown})
            try:
                pk = int(value)
            except (TypeError, ValueError):
                raise ValidationError({"ballot": unknown}) from None
            if pk not in known:
                raise ValidationError({"ballot": unknown})
            return pk

        if self.kind == self.Kind.APPROVAL:
            if not isinstance(ballot, (list, tuple, set)):
                raise ValidationError({"ballot": _("Cochez les options que vous approuvez.")})
            return sorted({option_id(value) for value in ballot})
        if self.kind == self.Kind.RANKED:
            return _clean_ranking(ballot, option_id)
        return self._clean_points(ballot, option_id)

    def _clean_points(self, ballot, option_id) -> dict[str, int]:
        if not isinstance(ballot, dict):
            raise ValidationError({"ballot": _("Répartissez vos points entre les options.")})
        points = {}
        for key, given in ballot.items():
            pk = option_id(key)
            if isinstance(given, bool) or not isinstance(given, int) or given < 0:
                raise ValidationError(
                    {"ballot": _("Les points sont des nombres entiers positifs.")}
                )
            if given:
                points[str(pk)] = points.get(str(pk), 0) + given
        spent = sum(points.values())
        if spent > self.points_per_voter:
            raise ValidationError(
                {
                    "ballot": _(
                        "Vous avez réparti %(spent)s points : vous en avez %(budget)s au plus."
                    )
                    % {"spent": spent, "budget": self.points_per_voter}
                }
            )
        return points


def _clean_ranking(ballot, option_id) -> list[list[int]]:
    """A ranked ballot: groups of option ids, best first, each option ranked once at most."""
    if not isinstance(ballot, (list, tuple)) or not all(
        isinstance(group, (list, tuple)) and group for group in ballot
    ):
        raise ValidationError(
            {"ballot": _("Classez les options, de la préférée à la moins aimée.")}
        )
    seen = set()
    ranking = []
    for group in ballot:
        ids = [option_id(value) for value in group]
        if seen & set(ids) or len(set(ids)) != len(ids):
            raise ValidationError({"ballot": _("Une option ne peut être classée qu'une fois.")})
        seen |= set(ids)
        ranking.append(sorted(ids))
    return ranking
