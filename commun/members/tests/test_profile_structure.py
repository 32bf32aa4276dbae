"""Officers edit the profile, categories and colleges: all saved, or nothing."""

from decimal import Decimal

from django.urls import reverse

from commun.conftest import client_for
from commun.members.models import Category, College, Cooperative, LegalForm, ShareMovement

URL = reverse("officers:profile")
HTMX = {"HTTP_HX_REQUEST": "true"}


def profile_data(**profile):
    """The form as the page shows it now; tests then change what they need."""
    coop = Cooperative.get()
    data = {
        "name": coop.name,
        "legal_form": coop.legal_form,
        "share_value": str(coop.share_value_cents / 100).replace(".", ","),
        "charter": coop.charter,
        "statutes": coop.statutes,
        "admission_rule": coop.admission_rule,
        "repayment_delay_months": coop.repayment_delay_months,
        "contact_email": coop.contact_email,
        "consent_quorum_percent": coop.consent_quorum_percent,
        "profit_allocation": coop.profit_allocation,
        "tmo_average_percent": coop.tmo_average_percent or "",
        **profile,
    }
    for prefix, rows, fields in [
        (
            "colleges",
            College.objects.order_by("position", "name"),
            ["name", "description", "weight_percent", "position"],
        ),
        (
            "categories",
            Category.objects.order_by("position", "name"),
            [
                "name",
                "description",
                "college",
                "min_shares",
                "mandatory",
                "open_to_applications",
                "position",
            ],
        ),
    ]:
        rows = list(rows)
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": len(rows),
                f"{prefix}-INITIAL_FORMS": len(rows),
                f"{prefix}-MIN_NUM_FORMS": 0,
                f"{prefix}-MAX_NUM_FORMS": 1000,
            }
        )
        for index, row in enumerate(rows):
            data[f"{prefix}-{index}-id"] = row.pk
            for field in fields:
                value = getattr(row, f"{field}_id" if field == "college" else field)
                if value is True:
                    data[f"{prefix}-{index}-{field}"] = "on"
                elif value not in (None, False):
                    data[f"{prefix}-{index}-{field}"] = value
    return data


def row(data, prefix, name):
    """The form index of the row named `name`."""
    for key, value in data.items():
        if key.startswith(f"{prefix}-") and key.endswith("-name") and value == name:
            return key.split("-")[1]
    raise KeyError(name)


def set_weights(data, *weights):
    for index, weight in enumerate(weights):
        data[f"colleges-{index}-weight_percent"] = weight


def add_category(data, name, **fields):
    index = data["categories-TOTAL_FORMS"]
    data["categories-TOTAL_FORMS"] = index + 1
    data.update(
        {
            f"categories-{index}-name": name,
            f"categories-{index}-min_shares": 1,
            f"categories-{index}-position": 9,
        }
    )
    data.update({f"categories-{index}-{key}": value for key, value in fields.items()})


def snapshot():
    return (
        list(Cooperative.objects.values_list("name", "share_value_cents", "legal_form")),
        list(College.objects.order_by("pk").values_list("name", "weight_percent")),
        list(Category.objects.order_by("pk").values_list("name", "mandatory", "min_shares")),
    )


def test_a_scic_with_a_college_over_half_is_refused_and_nothing_is_saved(alice):
    officer = client_for(alice.user)
    before = snapshot()
    data = profile_data(name="Nouveau nom")
    set_weights(data, 60, 20, 20)
    response = officer.post(URL, data)
    assert response.status_code == 200
    assert "Dans une SCIC, chaque collège pèse entre 10 % et 50 %." in response.content.decode()
    assert snapshot() == before


def test_weights_of_40_30_30_are_saved_with_the_profile(alice):
    officer = client_for(alice.user)
    data = profile_data(name="Les Communs Renommés", share_value="50")
    set_weights(data, 40, 35, 25)
    response = officer.post(URL, data)
    assert response.status_code == 302
    assert Cooperative.get().name == "Les Communs Renommés"
    assert list(College.objects.order_by("position").values_list("weight_percent", flat=True)) == [
        40,
        35,
        25,
    ]
    set_weights(data, 40, 30, 30)
    assert officer.post(URL, data).status_code == 302
    assert sum(College.objects.values_list("weight_percent", flat=True)) == 100


def test_weights_that_do_not_sum_to_100_are_refused(alice):
    data = profile_data()
    set_weights(data, 40, 30, 20)
    response = client_for(alice.user).post(URL, data)
    assert "totalisent 90 % au lieu de 100 %" in response.content.decode()


def test_fewer_than_three_categories_are_refused(coop, alice):
    before = snapshot()
    data = profile_data(legal_form=LegalForm.ASSOCIATION)
    data[f"categories-{row(data, 'categories', 'Responsables et mainteneur·euses')}-DELETE"] = "on"
    response = client_for(alice.user).post(URL, data)
    assert response.status_code == 200
    assert "Il faut au moins trois catégories d&#x27;associé·es." in response.content.decode()
    assert snapshot() == before


def test_a_category_with_members_cannot_be_deleted(alice):
    data = profile_data()
    add_category(data, "Soutiens")
    data[f"categories-{row(data, 'categories', 'Contributeur·ices')}-DELETE"] = "on"
    response = client_for(alice.user).post(URL, data)
    assert response.status_code == 200
    assert "ne peut pas être supprimée" in response.content.decode()
    assert Category.objects.filter(name="Contributeur·ices").exists()
    assert not Category.objects.filter(name="Soutiens").exists()  # nothing half-saved


def test_an_empty_category_can_be_replaced_in_one_save(alice):
    data = profile_data()
    add_category(data, "Soutiens", college=College.objects.get(position=1).pk)
    data[f"categories-{row(data, 'categories', 'Responsables et mainteneur·euses')}-DELETE"] = "on"
    assert client_for(alice.user).post(URL, data).status_code == 302
    assert set(Category.objects.values_list("name", flat=True)) == {
        "Soutiens",
        "Contributeur·ices",
        "Partenaires et usager·es",
    }


def test_a_scic_keeps_two_mandatory_categories(alice):
    data = profile_data()
    del data[f"categories-{row(data, 'categories', 'Contributeur·ices')}-mandatory"]
    response = client_for(alice.user).post(URL, data)
    assert "au moins deux catégories obligatoires" in response.content.decode()
    assert Category.objects.get(name="Contributeur·ices").mandatory


def test_an_empty_category_may_become_mandatory_and_another_stop_being(alice):
    # Nobody belongs to the founders' category: flagging it breaks no guard.
    data = profile_data()
    data[f"categories-{row(data, 'categories', 'Responsables et mainteneur·euses')}-mandatory"] = (
        "on"
    )
    del data[f"categories-{row(data, 'categories', 'Contributeur·ices')}-mandatory"]
    assert client_for(alice.user).post(URL, data).status_code == 302
    mandatory = set(Category.objects.filter(mandatory=True).values_list("name", flat=True))
    assert mandatory == {"Responsables et mainteneur·euses", "Partenaires et usager·es"}


def test_a_college_still_used_cannot_be_deleted(alice):
    data = profile_data(legal_form=LegalForm.ASSOCIATION)
    data[f"colleges-{row(data, 'colleges', 'Usager·es')}-DELETE"] = "on"
    response = client_for(alice.user).post(URL, data)
    assert "regroupe encore des catégories" in response.content.decode()
    assert College.objects.filter(name="Usager·es").exists()


def test_the_share_value_is_typed_in_euros_and_stored_in_cents(coop, alice, bob):
    # The register is open (Alice and Bob paid): the nominal value no longer changes here.
    data = profile_data(share_value="12,50")
    response = client_for(alice.user).post(URL, data)
    assert "La valeur nominale d&#x27;une part ne peut plus changer" in response.content.decode()
    assert Cooperative.get().share_value_cents == 5000
    data = profile_data(share_value="dix euros")
    response = client_for(alice.user).post(URL, data)
    assert response.context["form"].errors["share_value"]


def test_the_share_value_is_stored_in_cents_before_the_register_opens(alice):
    from commun.members.models import Cooperative as Coop

    # Alice's movements belong to this test's fixture: pretend the register is still empty.
    Coop.objects.filter(pk=1).update(last_movement_number=0)
    assert client_for(alice.user).post(URL, profile_data(share_value="12,50")).status_code == 302
    assert Coop.get().share_value_cents == 1250


def test_saving_the_profile_never_overwrites_the_register_figures(alice, bob):
    coop = Cooperative.get()  # an officer's page loads the profile…
    ShareMovement.objects.record(ShareMovement.Kind.SUBSCRIPTION, bob, 4)  # …movements land…
    ShareMovement.objects.record(ShareMovement.Kind.PAYMENT, bob, 4)
    coop.name = "Autre nom"  # …then the officer saves.
    coop.save_structure(Category.objects.all(), College.objects.all())
    after = Cooperative.get()
    assert after.name == "Autre nom"
    assert after.capital_cents == (2 + 5) * 5000
    assert after.last_movement_number == 2 * 2 + 2


def test_the_charter_preview_renders_markdown_without_saving(alice):
    officer = client_for(alice.user)
    data = profile_data(charter="# Titre\n\n<script>alert(1)</script>**gras**", preview="charter")
    response = officer.post(URL, data, **HTMX)
    html = response.content.decode()
    assert "<html" not in html and "<strong>gras</strong>" in html and "<script>" not in html
    response = officer.post(URL, data)  # without JavaScript, the whole page with its preview
    assert "<strong>gras</strong>" in response.content.decode()
    assert "gras" not in Cooperative.get().charter


def test_a_college_with_discussions_cannot_be_deleted(alice):
    from commun.deliberation.models import Space, Thread

    extra = College.objects.create(name="Collège éphémère", position=9)
    Thread.objects.create(space=Space.objects.get(college=extra), title="Un fil", author=alice)
    data = profile_data(legal_form=LegalForm.ASSOCIATION)
    data[f"colleges-{row(data, 'colleges', 'Collège éphémère')}-DELETE"] = "on"
    response = client_for(alice.user).post(URL, data)
    assert response.status_code != 500
    assert "a un historique" in response.content.decode()
    assert College.objects.filter(name="Collège éphémère").exists()


def test_officers_set_the_statutes_allocation_rule_and_the_tmo_average(alice):
    officer = client_for(alice.user)

    refused = officer.post(
        reverse("officers:profile"), profile_data(profit_allocation="interest_on_shares")
    )
    done = officer.post(
        reverse("officers:profile"),
        profile_data(profit_allocation="interest_on_shares", tmo_average_percent="3.12"),
    )

    assert "art. 14 de la loi n° 47-1775" in " ".join(
        refused.context["form"].errors["tmo_average_percent"]
    )
    assert done.status_code == 302
    coop = Cooperative.get()
    assert coop.profit_allocation == "interest_on_shares"
    assert coop.tmo_average_percent == Decimal("3.12")
