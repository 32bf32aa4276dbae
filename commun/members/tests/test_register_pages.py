"""The register page and its CSV export: members only, filtered, bounded, streamed."""

import csv
import io

from django.db import connection
from django.test.utils import CaptureQueriesContext

from commun.conftest import category, make_member
from commun.members.models import Cooperative, Member, ShareMovement, Visibility

REGISTER = "/registre/"
CSV = "/registre/registre.csv"


def read_csv(response) -> list[list[str]]:
    assert response.streaming
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_the_register_lists_movements_newest_first_with_the_capital(people, alice, bob):
    response = people["member"].get(REGISTER)
    numbers = [movement.number for movement in response.context["page"]]
    assert numbers == sorted(numbers, reverse=True) == [4, 3, 2, 1]
    html = response.content.decode()
    # Alice paid 2 shares and Bob 1, at 50 € each: 150 €, floor a quarter of it.
    assert "150\u00a0€" in html and "37,50\u00a0€" in html
    assert "Libération" in html and "Virement" in html and "Admission automatique" in html


def test_the_register_filters_by_kind_and_member(people, alice, bob):
    client = people["member"]
    payments = client.get(REGISTER, {"kind": "payment"}).context["page"]
    assert {movement.kind for movement in payments} == {"payment"} and len(payments) == 2
    bobs = client.get(REGISTER, {"member": bob.number}).context["page"]
    assert {movement.member_id for movement in bobs} == {bob.pk}
    unknown = client.get(REGISTER, {"kind": "gift", "member": "abc"})
    assert unknown.status_code == 200 and len(unknown.context["page"]) == 4


def test_a_correction_links_both_ways(people, alice):
    payment = alice.movements.get(kind="payment")
    correction = ShareMovement.objects.record(
        ShareMovement.Kind.CORRECTION,
        alice,
        payment.quantity,
        corrects=payment,
        reason="Virement rejeté",
    )
    html = people["member"].get(REGISTER).content.decode()
    assert f"corrigé par le n°{correction.number}" in html
    assert f"corrige le n°{payment.number}" in html
    assert f"?movement={payment.number}" in html


def test_the_register_is_paginated_by_100(people, bob):
    for _ in range(100):
        ShareMovement.objects.record(ShareMovement.Kind.SUBSCRIPTION, bob, 1)
    client = people["member"]
    first = client.get(REGISTER)
    assert len(first.context["page"]) == 100
    assert first.context["page"].paginator.count == 104
    last = client.get(REGISTER, {"page": 2})
    assert [m.number for m in last.context["page"]] == [4, 3, 2, 1]
    assert client.get(REGISTER, {"page": "9999"}).status_code == 200


def test_the_register_queries_do_not_grow_with_the_movements(people, coop):
    client = people["member"]
    with CaptureQueriesContext(connection) as few:
        client.get(REGISTER)
    for i in range(30):
        member = make_member(f"m{i}@example.org", f"P{i}", "N", category("Partenaires"))
        if i == 1:
            other = member
        if i > 1 and i % 5 == 0:
            ShareMovement.objects.record(
                ShareMovement.Kind.TRANSFER, member, 1, counterpart=other, reason="Cession"
            )
    with CaptureQueriesContext(connection) as many:
        response = client.get(REGISTER)
    assert len(response.context["page"]) == 4 + 30 * 2 + 5
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


def test_names_follow_each_members_choice_in_the_register(people, alice, bob):
    Member.objects.filter(pk=alice.pk).update(public_visibility=Visibility.HIDDEN, pseudonym="")
    Member.objects.filter(pk=bob.pk).update(public_visibility=Visibility.NAME)
    html = people["member"].get(REGISTER).content.decode()
    assert "Martin" not in html and f"Associé·e n°{alice.number}" in html
    assert "Bob Durand" in html
    assert "Bob Durand" in people["officer"].get(REGISTER).content.decode()


def test_script_tags_in_names_are_escaped_in_the_register(people, coop):
    member = make_member("x@example.org", "<script>alert(1)</script>", "X", category("Contrib"))
    Member.objects.filter(pk=member.pk).update(public_visibility=Visibility.NAME)
    html = people["member"].get(REGISTER).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_csv_export_streams_the_whole_register(people, alice, bob):
    Member.objects.filter(pk=bob.pk).update(public_visibility=Visibility.NAME)
    response = people["member"].get(CSV)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    rows = read_csv(response)
    assert rows[0][:3] == ["N°", "Date", "Nature"]
    assert [row[0] for row in rows[1:]] == ["1", "2", "3", "4"]
    bob_payment = rows[4]
    assert bob_payment[2] == "Libération"
    assert bob_payment[3:8] == [str(bob.number), "Bob Durand", "1", "50.00", "50.00"]
    assert rows[1][4] == f"Associé·e n°{alice.number}"  # Alice is hidden by default


def test_the_csv_export_applies_the_filters(people, alice, bob):
    rows = read_csv(people["member"].get(CSV, {"kind": "payment", "member": bob.number}))
    assert len(rows) == 2 and rows[1][2] == "Libération"


def test_the_csv_export_defuses_spreadsheet_formulas(people, bob):
    ShareMovement.objects.record(
        ShareMovement.Kind.SUBSCRIPTION, bob, 1, reason='=HYPERLINK("http://x")'
    )
    rows = read_csv(people["member"].get(CSV))
    assert rows[-1][10] == '\'=HYPERLINK("http://x")'


def test_the_csv_export_reads_the_register_in_a_bounded_number_of_queries(
    people, bob, django_assert_max_num_queries
):
    for _ in range(50):
        ShareMovement.objects.record(ShareMovement.Kind.SUBSCRIPTION, bob, 1)
    client = people["member"]
    with django_assert_max_num_queries(8):
        rows = read_csv(client.get(CSV))
    assert len(rows) == 1 + Cooperative.get().last_movement_number
