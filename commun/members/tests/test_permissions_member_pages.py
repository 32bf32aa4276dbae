"""Who may open each members' page: visitor, applicant, account, member, officer."""

import pytest

from commun.conftest import category, client_for, make_member

ROLES = ["visitor", "applicant", "account", "member", "officer"]
LOGIN = 302  # a visitor is sent to the login page

# page → expected status for each role, in the order of ROLES.
MATRIX = {
    "/rejoindre/": [200, 200, 200, 200, 200],
    "/rejoindre/merci/": [200, 200, 200, 200, 200],
    "/moi/": [LOGIN, 200, 200, 200, 200],
    "/moi/demission/": [LOGIN, 403, 403, 200, 200],
    "/associes/": [LOGIN, 403, 403, 200, 200],
    "/registre/": [LOGIN, 403, 403, 200, 200],
    "/registre/registre.csv": [LOGIN, 403, 403, 200, 200],
    # Bob is the member; Alice the officer.
    "bob's certificate": [LOGIN, 403, 403, 200, 200],
    "bob's certificate as PDF": [LOGIN, 403, 403, 200, 200],
    "alice's certificate": [LOGIN, 403, 403, 403, 200],
}


def resolve(page: str, alice, bob) -> str:
    return {
        "bob's certificate": f"/associes/{bob.number}/certificat/",
        "bob's certificate as PDF": f"/associes/{bob.number}/certificat.pdf",
        "alice's certificate": f"/associes/{alice.number}/certificat/",
    }.get(page, page)


@pytest.mark.parametrize(("page", "expected"), MATRIX.items())
def test_each_role_gets_the_expected_status(people, alice, bob, page, expected):
    url = resolve(page, alice, bob)
    got = [people[role].get(url).status_code for role in ROLES]
    assert dict(zip(ROLES, got, strict=True)) == dict(zip(ROLES, expected, strict=True))


@pytest.mark.parametrize("url", ["/moi/", "/associes/", "/registre/"])
def test_a_visitor_is_sent_to_the_login_page_and_back(people, url):
    response = people["visitor"].get(url)
    assert response.url == f"/compte/login/?next={url}"


@pytest.mark.parametrize("url", ["/associes/", "/registre/", "/registre/registre.csv"])
def test_an_admitted_member_whose_shares_are_unpaid_is_not_yet_an_associate(coop, url):
    unpaid = make_member("eve@example.org", "Eve", "Leroy", category("Contrib"), paid=False)
    assert client_for(unpaid.user).get(url).status_code == 403


@pytest.mark.parametrize("url", ["/associes/", "/registre/"])
def test_a_member_who_resigned_no_longer_reads_the_members_pages(people, alice, bob, url):
    make_member("eve@example.org", "Eve", "Leroy", category("Partenaires"))
    bob.resign()
    assert people["member"].get(url).status_code == 403


@pytest.mark.parametrize("role", ROLES)
def test_nobody_resigns_for_someone_else_or_without_membership(people, role):
    response = people[role].post("/moi/demission/")
    if role == "visitor":
        assert response.status_code == LOGIN
    elif role in ("applicant", "account"):
        assert response.status_code == 403
    else:
        # Bob and Alice are each the only active member of their mandatory category.
        assert response.status_code == 409
