"""`commun demo`: a valid cooperative, loaded once, whose officer can really log in."""

import time
from io import StringIO

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.management import call_command
from django.db.models import Sum
from django.test import Client
from django.urls import reverse

from commun.accounts.models import User
from commun.members import demo_data
from commun.members.models import (
    Application,
    Category,
    Cooperative,
    Member,
    Repayment,
    ShareMovement,
)


def run_demo() -> str:
    out = StringIO()
    call_command("demo", stdout=out, stderr=out)
    return out.getvalue()


@pytest.fixture
def demo(db) -> str:
    return run_demo()


def test_it_fills_every_mandatory_category_with_active_members(demo):
    mandatory = Category.objects.filter(mandatory=True)
    assert mandatory.count() == 2
    for category in mandatory:
        assert category.active_count() >= 1, category.name
    assert Cooperative.get().structure_errors() == []
    assert 35 <= Member.objects.count() <= 50


def test_it_leaves_two_applications_pending_and_one_refused_with_its_reason(demo):
    assert Application.objects.filter(status=Application.Status.PENDING).count() == 2
    refused = Application.objects.get(status=Application.Status.REFUSED)
    assert refused.refusal_reason.strip()


def test_the_register_is_numbered_without_gap_and_matches_the_capital(demo):
    coop = Cooperative.get()
    numbers = list(ShareMovement.objects.values_list("number", flat=True))
    assert numbers == list(range(1, len(numbers) + 1))
    assert coop.last_movement_number == len(numbers)
    member_numbers = list(Member.objects.values_list("number", flat=True))
    assert member_numbers == list(range(1, len(member_numbers) + 1))
    paid = Member.objects.aggregate(total=Sum("shares_paid"))["total"]
    assert coop.capital_cents == paid * coop.share_value_cents
    # Replaying the register gives back every member's holdings.
    holdings: dict[int, list[int]] = {}
    for movement in ShareMovement.objects.select_related("corrects"):
        for member_id, (subscribed, paid_shares) in movement.effects().items():
            held = holdings.setdefault(member_id, [0, 0])
            held[0] += subscribed
            held[1] += paid_shares
    for member in Member.objects.all():
        assert holdings[member.pk] == [member.shares_subscribed, member.shares_paid], member


def test_it_tells_the_story_of_a_living_cooperative(demo):
    kinds = set(ShareMovement.objects.values_list("kind", flat=True))
    assert {"subscription", "payment", "transfer", "correction"} <= kinds
    assert Member.objects.filter(status=Member.Status.ADMITTED, shares_paid=0).count() == 1
    repayment = Repayment.objects.get()
    assert repayment.status == Repayment.Status.SCHEDULED
    assert repayment.member.status == Member.Status.LEAVING
    assert Member.objects.active().filter(is_officer=True).count() == 3
    assert Member.objects.filter(kind="organisation").count() == 3
    dates = list(ShareMovement.objects.values_list("date", flat=True))
    assert dates == sorted(dates)  # numbered in the order things happened
    assert (dates[-1] - dates[0]).days > 600


def test_a_second_run_changes_nothing_and_says_so(demo):
    counts = (
        User.objects.count(),
        Member.objects.count(),
        ShareMovement.objects.count(),
        Application.objects.count(),
    )
    output = run_demo()
    assert "rien n'a changé" in output
    # The logins are printed each time, for `make run`.
    for person in (demo_data.OFFICER, demo_data.MEMBER, demo_data.APPLICANT):
        assert person.email in demo and person.email in output
    assert demo_data.PASSWORD in output
    assert f"secret={demo_data.TOTP_SECRET}" in output
    assert counts == (
        User.objects.count(),
        Member.objects.count(),
        ShareMovement.objects.count(),
        Application.objects.count(),
    )


def test_it_leaves_someone_elses_cooperative_alone(coop):
    output = run_demo()
    assert "rien n'a changé" in output.lower()
    assert not User.objects.filter(email=demo_data.OFFICER.email).exists()
    assert Cooperative.get().name == "Les Communs du Test"


def test_the_demo_officer_logs_in_with_password_and_totp(demo):
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    client = Client()
    response = client.post(
        reverse("account_login"),
        {"login": demo_data.OFFICER.email, "password": demo_data.PASSWORD},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
    code = format_hotp_value(hotp_value(demo_data.TOTP_SECRET, int(time.time()) // 30))
    response = client.post(reverse("mfa_authenticate"), {"code": code})
    assert response.status_code == 302
    officer = User.objects.get(email=demo_data.OFFICER.email)
    assert client.session["_auth_user_id"] == str(officer.pk)
    assert officer.is_officer


def test_a_demo_member_logs_in_with_the_shared_password(demo):
    validate_password(demo_data.PASSWORD, User.objects.get(email=demo_data.MEMBER.email))
    client = Client()
    response = client.post(
        reverse("account_login"),
        {"login": demo_data.MEMBER.email, "password": demo_data.PASSWORD},
    )
    assert response.status_code == 302
    member = User.objects.get(email=demo_data.MEMBER.email)
    assert client.session["_auth_user_id"] == str(member.pk)
