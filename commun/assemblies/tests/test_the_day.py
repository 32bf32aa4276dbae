"""On the day: the session opens with its chair and secretary, members sign the attendance
sheet, the quorum is computed live; without it the assembly fails and is convened again."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from commun.assemblies.models import Assembly, AssemblyRules, Kind
from commun.conftest import category, client_for, make_member
from commun.testing.api import bearer, call
from commun.testing.assemblies import convened

pytestmark = pytest.mark.django_db


@pytest.fixture
def gus(coop):
    return make_member("gus@example.org", "Gus", "Blanc", category("Partenaires"))


@pytest.fixture
def others(coop):
    return [
        make_member(f"m{i}@example.org", f"M{i}", "Test", category("Partenaires")) for i in range(7)
    ]


@pytest.fixture
def assembly(alice, bob, gus, others) -> Assembly:
    """Ten members convened to an ordinary assembly: a fifth is 2 voices."""
    return convened(alice.user, max_proxies=1)


def opened(assembly, alice, bob) -> Assembly:
    assembly.open(alice.user, chair=alice, secretary=bob, now=assembly.starts_at)
    return assembly


def test_the_session_opens_with_its_chair_and_secretary_and_answers_close(assembly, alice, bob):
    opened(assembly, alice, bob)
    assert (assembly.phase, assembly.chair, assembly.secretary) == ("open", alice, bob)
    with pytest.raises(PermissionDenied):
        assembly.participants.get(member=bob).answer(bob.user, "remote")


def test_the_session_does_not_open_early_nor_with_someone_not_convened(assembly, alice, bob):
    early = assembly.starts_at - datetime.timedelta(hours=2)
    with pytest.raises(ValidationError, match="plus d'une heure avant"):
        assembly.open(alice.user, chair=alice, secretary=bob, now=early)
    zoe = make_member("zoe@example.org", "Zoé", "Lambert", category("Partenaires"))
    with pytest.raises(ValidationError) as refused:
        assembly.open(alice.user, chair=alice, secretary=zoe, now=assembly.starts_at)
    assert "secretary" in refused.value.message_dict
    with pytest.raises(ValidationError, match="n'est pas la présidence"):
        assembly.open(alice.user, chair=alice, secretary=alice, now=assembly.starts_at)
    assert Assembly.objects.get(pk=assembly.pk).phase == "convened"


def test_the_quorum_is_live_from_those_checked_in_and_the_proxies_they_carry(
    assembly, alice, bob, gus, others
):
    # Before the day: Gus says he'll come, Bob gives his proxy to Gus.
    assembly.participants.get(member=gus).answer(gus.user, "present")
    assembly.participants.get(member=bob).answer(bob.user, "proxy", gus)
    assert assembly.quorum_status()["voices"] == 2  # expected, from the answers
    opened(assembly, alice, others[0])
    status = assembly.quorum_status()
    assert (status["voices"], status["needed"], status["reached"]) == (0, 2, False)
    # Gus checks in on his phone: himself and Bob's proxy make the fifth of ten.
    assert assembly.participants.get(member=gus).check_in(gus.user)
    status = assembly.quorum_status()
    assert (status["voices"], status["reached"]) == (2, True)
    assert status["turnout"].present == 1 and status["turnout"].represented == 1


def test_the_live_quorum_is_three_aggregate_queries_whatever_the_turnout(
    assembly, alice, bob, gus, others, django_assert_num_queries
):
    """By college and answer, the proxies counted, the holders past the limit (none)."""
    for principal, holder in zip(others[:3], (gus, bob, alice), strict=True):
        assembly.participants.get(member=principal).answer(principal.user, "proxy", holder)
    opened(assembly, alice, bob)
    for member in (gus, bob, alice):
        assembly.participants.get(member=member).check_in(member.user)
    with django_assert_num_queries(3):
        status = assembly.quorum_status()
    assert (status["voices"], status["turnout"].represented) == (6, 3)


def test_the_secretary_ticks_others_but_a_member_only_themselves(assembly, alice, bob, gus, others):
    opened(assembly, alice, bob)
    assert assembly.participants.get(member=gus).check_in(bob.user)
    assert not assembly.participants.get(member=gus).check_in(gus.user)  # already signed
    with pytest.raises(PermissionDenied, match="émargent pour autrui"):
        assembly.participants.get(member=others[0]).check_in(gus.user)
    assert assembly.participants.filter(checked_in_at__isnull=False).count() == 1


def test_without_the_quorum_it_fails_and_is_convened_again_with_the_same_agenda(
    assembly, alice, bob
):
    opened(assembly, alice, bob)
    assembly.participants.get(member=bob).check_in(bob.user)
    assembly.record_failure(alice.user)
    assert (assembly.phase, assembly.failed) == ("closed", True)
    second = assembly.convene_again(alice.user, assembly.starts_at + datetime.timedelta(days=20))
    assert (second.phase, second.convocation, second.kind) == ("draft", 2, "ordinary")
    assert list(second.items.values_list("title", flat=True)) == ["Approbation des comptes"]
    second.convene(alice.user, now=assembly.starts_at)
    assert second.quorum == 0  # the ordinary assembly needs no quorum on second notice
    # Nobody comes to the second either: it fails too, and is not convened a third time.
    second.open(alice.user, chair=alice, secretary=bob, now=second.starts_at)
    second.record_failure(alice.user)
    with pytest.raises(ValidationError, match="Seule une première convocation"):
        second.convene_again(alice.user, second.starts_at + datetime.timedelta(days=20))


def test_a_quorum_reached_is_no_failure(assembly, alice, bob, gus):
    opened(assembly, alice, bob)
    assembly.participants.get(member=bob).check_in(bob.user)
    assembly.participants.get(member=gus).check_in(gus.user)
    with pytest.raises(ValidationError, match="Le quorum est atteint"):
        assembly.record_failure(alice.user)
    assert Assembly.objects.get(pk=assembly.pk).phase == "open"


def test_the_extraordinary_second_quorum_is_a_fifth(alice, bob, gus, others):
    AssemblyRules.of(Kind.EXTRAORDINARY)  # the defaults: 1/4 then 1/5
    assembly = convened(alice.user, Kind.EXTRAORDINARY)
    assert assembly.quorum == pytest.approx(0.25)
    opened(assembly, alice, bob)
    assembly.record_failure(alice.user)
    second = assembly.convene_again(alice.user, assembly.starts_at + datetime.timedelta(days=20))
    second.convene(alice.user, now=assembly.starts_at)
    assert second.quorum == pytest.approx(0.2)


def test_the_day_on_the_pages_and_the_api(assembly, alice, bob, gus):
    client = client_for(alice.user)
    response = client.post(
        f"/assemblees/{assembly.pk}/ouverture/",
        {"chair": alice.number, "secretary": bob.number},
    )
    # Not before an hour ahead of the convened time: the form says so, nothing changes.
    assert response.status_code == 422
    assert Assembly.objects.get(pk=assembly.pk).phase == "convened"
    Assembly.objects.filter(pk=assembly.pk).update(starts_at=assembly.convened_at)
    response = client.post(
        f"/assemblees/{assembly.pk}/ouverture/",
        {"chair": alice.number, "secretary": bob.number},
    )
    assert response.status_code == 302
    for number in ("99999999999999999999", "douze", "0"):
        response = client.post(f"/assemblees/{assembly.pk}/emargement/", {"number": number})
        assert response.status_code == 422, number
    response = client_for(gus.user).post(f"/assemblees/{assembly.pk}/emargement/")
    assert response.status_code == 302
    quorum = client_for(gus.user).get(f"/assemblees/{assembly.pk}/quorum/")
    assert "1 voix sur 2 nécessaires" in quorum.content.decode()
    response = call(bearer(bob.user), "POST", f"/assemblies/{assembly.pk}/check-in")
    assert response.status_code == 200
    live = call(bearer(bob.user), "GET", f"/assemblies/{assembly.pk}/quorum").json()
    assert (live["voices"], live["needed"], live["reached"]) == (2, 2, True)
