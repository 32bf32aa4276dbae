"""Bad input to the decisions API: a 4xx with a French message on the field, nothing written."""

import datetime

import pytest
from django.utils import timezone

from commun.decisions.models import Decision, Objection, Stance, StanceChange, Version
from commun.testing.api import API, call
from commun.testing.decisions import by_users, thread_for


def in_objection_round(bob) -> Decision:
    decision = by_users(bob)
    decision.open()
    decision.advance(bob)
    decision.advance(bob)
    return decision


def voting(bob, kind, **fields) -> Decision:
    options = fields.pop("options", ["Nextcloud", "Seafile", "Syncthing"])
    decision = by_users(bob, kind, options=options, **fields)
    decision.open()
    return decision


def field_errors(response) -> dict[str, str]:
    assert response.status_code == 422, (response.status_code, response.content)
    return {
        ".".join(str(part) for part in error["loc"][1:]) or "__all__": error["msg"]
        for error in response.json()["detail"]
    }


def nothing_counted(decision) -> bool:
    return not Stance.objects.filter(round__decision=decision).exists() and not (
        StanceChange.objects.filter(stance__round__decision=decision).exists()
    )


def test_an_objection_without_a_reason_is_refused(callers, bob, gus):
    decision = in_objection_round(bob)

    for reason in ("", "   "):
        response = call(
            callers["member"],
            "PUT",
            f"/decisions/{decision.pk}/stance",
            {"choice": "objection", "reason": reason},
        )
        assert field_errors(response) == {
            "reason": "Une objection doit être motivée : dites en quoi la proposition "
            "nuirait à la coopérative."
        }
    assert nothing_counted(decision)
    assert not Objection.objects.exists()


def test_an_unknown_choice_is_refused_in_french(callers, bob, gus):
    decision = in_objection_round(bob)

    response = call(callers["member"], "PUT", f"/decisions/{decision.pk}/stance", {"choice": "yes"})

    assert field_errors(response)["choice"].startswith("Choisissez : consentir")
    assert nothing_counted(decision)


def test_a_vote_after_the_close_is_refused(callers, bob, gus):
    decision = in_objection_round(bob)
    decision.withdraw(bob)

    response = call(
        callers["member"], "PUT", f"/decisions/{decision.pk}/stance", {"choice": "consent"}
    )

    assert response.status_code == 403
    assert response.json()["detail"].startswith("On ne peut pas se prononcer à l'étape")
    assert nothing_counted(decision)


def test_a_vote_after_the_deadline_is_refused_even_before_the_closing_job(callers, bob, gus):
    decision = in_objection_round(bob)
    Decision.objects.filter(pk=decision.pk).update(
        closes_at=timezone.now() - datetime.timedelta(minutes=1)
    )

    response = call(
        callers["member"], "PUT", f"/decisions/{decision.pk}/stance", {"choice": "consent"}
    )

    assert field_errors(response) == {
        "__all__": "L'échéance est passée : il n'est plus possible de se prononcer."
    }
    assert nothing_counted(decision)


def test_a_ballot_naming_an_option_that_does_not_exist_is_refused(callers, bob, gus):
    decision = voting(bob, "approval")
    known = list(decision.options.values_list("pk", flat=True))

    for ballot in ([known[0], 999_999], ["Nextcloud"], [True], {"a": 1}):
        response = call(
            callers["member"], "PUT", f"/decisions/{decision.pk}/stance", {"ballot": ballot}
        )
        assert set(field_errors(response)) == {"ballot"}, ballot
    message = field_errors(
        call(callers["member"], "PUT", f"/decisions/{decision.pk}/stance", {"ballot": [999_999]})
    )["ballot"]
    assert message == "Une option de ce bulletin n'existe pas dans ce vote."
    assert nothing_counted(decision)


def test_an_option_of_another_decision_is_refused(callers, bob, gus):
    decision = voting(bob, "approval")
    other = voting(bob, "approval", title="Autre")
    foreign = other.options.first().pk

    response = call(
        callers["member"], "PUT", f"/decisions/{decision.pk}/stance", {"ballot": [foreign]}
    )

    assert "n'existe pas" in field_errors(response)["ballot"]
    assert nothing_counted(decision)


def test_a_ranking_naming_an_option_twice_is_refused(callers, bob, gus):
    decision = voting(bob, "ranked")
    a, b, _c = decision.options.values_list("pk", flat=True)

    for ballot in ([[a], [a]], [[a, a]], [[a, b], [b]]):
        response = call(
            callers["member"], "PUT", f"/decisions/{decision.pk}/stance", {"ballot": ballot}
        )
        assert field_errors(response) == {
            "ballot": "Une option ne peut être classée qu'une fois."
        }, ballot
    assert nothing_counted(decision)


def test_points_over_the_budget_are_refused(callers, bob, gus):
    decision = voting(bob, "score", points_per_voter=10)
    a, b, _c = (str(pk) for pk in decision.options.values_list("pk", flat=True))

    over = call(
        callers["member"], "PUT", f"/decisions/{decision.pk}/stance", {"ballot": {a: 6, b: 5}}
    )
    negative = call(
        callers["member"], "PUT", f"/decisions/{decision.pk}/stance", {"ballot": {a: -1}}
    )

    assert field_errors(over) == {
        "ballot": "Vous avez réparti 11 points : vous en avez 10 au plus."
    }
    assert field_errors(negative) == {"ballot": "Les points sont des nombres entiers positifs."}
    assert nothing_counted(decision)


@pytest.mark.parametrize(
    "body",
    [b'{"choice": "consent"', b"not json", b'{"choice": "consent",}', b"\xff\xfe"],
    ids=["truncated", "text", "trailing comma", "not utf-8"],
)
def test_malformed_json_is_refused(callers, bob, gus, body):
    decision = in_objection_round(bob)

    response = callers["member"].put(
        f"{API}/decisions/{decision.pk}/stance", data=body, content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json()["detail"].startswith("Le corps de la requête n'est pas du JSON valide")
    assert nothing_counted(decision)


def test_unknown_or_mistyped_fields_are_refused_with_french_messages(callers, bob, gus):
    decision = in_objection_round(bob)

    extra = call(
        callers["member"],
        "PUT",
        f"/decisions/{decision.pk}/stance",
        {"choice": "consent", "weight": 10},
    )
    mistyped = call(
        callers["member"], "PUT", f"/decisions/{decision.pk}/stance", {"choice": ["consent"]}
    )

    assert field_errors(extra) == {"weight": "Ce champ n'existe pas."}
    assert field_errors(mistyped) == {"choice": "Saisissez un texte."}
    assert nothing_counted(decision)


def test_a_second_secret_ballot_is_refused(callers, bob, gus):
    decision = by_users(bob, "yes_no", is_secret=True)
    decision.open()
    path = f"/decisions/{decision.pk}/ballots"
    assert call(callers["member"], "POST", path, {"choice": "yes"}).status_code == 201

    again = call(callers["member"], "POST", path, {"choice": "no"})
    wrong = call(callers["author"], "POST", path, {"choice": "peut-être"})

    assert field_errors(again) == {
        "__all__": "Vous avez déjà voté : dans un scrutin secret, un vote ne se change pas."
    }
    assert field_errors(wrong) == {"choice": "Choisissez : pour, contre ou abstention."}
    assert decision.current_round.ballots.count() == 1
    assert decision.current_round.roll.count() == 1


def test_a_dismissal_without_a_reason_is_refused(callers, bob, gus):
    decision = in_objection_round(bob)
    decision.current_round.take_stance(gus, "objection", "Trop tôt.")
    objection = Objection.objects.get()

    response = call(callers["author"], "POST", f"/objections/{objection.pk}/dismiss", {"note": " "})
    missing = call(callers["author"], "POST", f"/objections/{objection.pk}/dismiss", {})

    assert field_errors(response)["note"].startswith(
        "Expliquez pourquoi ce n'est pas une objection"
    )
    assert field_errors(missing) == {"note": "Ce champ est obligatoire."}
    objection.refresh_from_db()
    assert (objection.status, objection.status_note) == ("raised", "")


def test_an_amendment_integrating_an_unknown_objection_is_refused(callers, bob, gus):
    decision = in_objection_round(bob)
    decision.current_round.take_stance(gus, "objection", "Trop tôt.")
    objection = Objection.objects.get()
    objection.begin_integration(bob)

    response = call(
        callers["author"],
        "POST",
        f"/decisions/{decision.pk}/versions",
        {"title": "Revu", "body": "Revu.", "integrates": [objection.pk, 999_999]},
    )
    empty = call(
        callers["author"], "POST", f"/decisions/{decision.pk}/versions", {"title": "", "body": "x"}
    )

    assert "objections encore ouvertes" in field_errors(response)["integrates"]
    assert field_errors(empty) == {"title": "Donnez un titre à la proposition."}
    assert Version.objects.filter(decision=decision).count() == 1


def test_a_proposal_with_bad_fields_is_refused_field_by_field(callers, bob, gus):
    thread = thread_for(bob)
    path = f"/threads/{thread.pk}/decisions"
    before = Decision.objects.count()

    empty = call(callers["author"], "POST", path, {"title": " ", "body": ""})
    vote = call(
        callers["author"],
        "POST",
        path,
        {
            "kind": "approval",
            "title": "Vote",
            "body": "Choisissons.",
            "options": [{"label": "Seule"}],
            "advisors": [gus.number],
            "circle": "nulle-part",
        },
    )
    options = call(
        callers["author"],
        "POST",
        path,
        {
            "kind": "ranked",
            "title": "Vote",
            "body": "Choisissons.",
            "options": [{"label": "Oui"}, {"label": "oui"}],
        },
    )
    advice = call(
        callers["author"],
        "POST",
        path,
        {"kind": "advice", "title": "Avis", "body": "Je compte…", "advisors": [9999]},
    )
    deadline = call(
        callers["author"],
        "POST",
        path,
        {"title": "T", "body": "B", "min_deliberation_days": 7, "closes_at": "2020-01-01T10:00"},
    )
    malformed = call(
        callers["author"], "POST", path, {"title": "T", "body": "B", "closes_at": "demain"}
    )
    kind = call(callers["author"], "POST", path, {"title": "T", "body": "B", "kind": "loterie"})

    assert field_errors(empty) == {
        "title": "Donnez un titre à la proposition.",
        "body": "Écrivez la proposition.",
    }
    assert field_errors(vote) == {"circle": "Ce cercle n'existe pas."}
    assert field_errors(options) == {"options": "Deux options portent le même intitulé."}
    assert field_errors(advice) == {"advisors": "Seul·es des associé·es peuvent donner un avis."}
    assert field_errors(deadline) == {
        "closes_at": "L'échéance doit laisser au moins la durée minimale de délibération."
    }
    assert field_errors(malformed)["closes_at"].startswith("Saisissez une date et une heure")
    assert field_errors(kind)["kind"].startswith("Valeur inconnue : choisissez parmi")
    assert Decision.objects.count() == before


def test_a_proposal_with_one_option_names_the_options_field(callers, bob):
    thread = thread_for(bob)

    response = call(
        callers["author"],
        "POST",
        f"/threads/{thread.pk}/decisions",
        {"kind": "approval", "title": "Vote", "body": "B", "options": [{"label": "Seule"}]},
    )

    assert field_errors(response) == {"options": "Proposez au moins deux options."}
    assert not Decision.objects.exists()


def test_an_out_of_range_id_answers_422_or_404_never_500(callers, bob):
    for path in (f"/decisions/{2**40}", "/decisions/0", "/objections/999999/resolve"):
        method = "POST" if path.endswith("resolve") else "GET"
        response = call(callers["member"], method, path)
        assert response.status_code in (404, 422), (path, response.status_code)
        assert response.json()["detail"]
