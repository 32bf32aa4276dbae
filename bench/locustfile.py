"""Locust's people for bench/load.py: visitors, members and officers of a generated cooperative.

Run by bench/load.py, which prepares the database and names its fixture in
COMMUN_LOAD_FIXTURE (the votes, the logins, the sessions, the members with shares to pay).
Six users in ten are visitors reading the public pages and feeds, three are members who log
in (or arrive logged in), read and cast stances, one is an officer recording payments of
shares through the register's form. Forms are sent as a browser sends them: the CSRF token
read from the page, the stance through htmx. A refusal, even a polite one, is a failure.
"""

import datetime
import itertools
import json
import os
import random
import re
from functools import cache
from pathlib import Path

from gevent.lock import BoundedSemaphore
from locust import HttpUser, between, task

# The most a user waits between two actions, in seconds (the smoke test waits less).
THINK = float(os.getenv("COMMUN_LOAD_THINK", "2"))
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
# allauth counts a login as failed until its password is checked, refuses a sixth in five
# minutes from one address (ACCOUNT_RATE_LIMITS), and refuses one whose lock on that counter
# is not taken within a second: every Locust user is 127.0.0.1, so one login at a time.
LOGINS_AT_ONCE = BoundedSemaphore(1)
FORM_ERROR = re.compile(r'class="errorlist[^>]*>\s*<li>([^<]+)')

# Every request kind, as Locust reports it (the smoke test checks each was exercised).
HOME = "GET / (accueil)"
ACCOUNTS = "GET /comptes/ (comptes publics)"
TRANSACTIONS = "GET /comptes/ecritures/"
TRANSACTIONS_JSON = "GET /comptes/ecritures.json (flux)"
GIFTS_JSON = "GET /communs-amont/dons.json (flux)"
API_DECISIONS = "GET /api/v1/decisions (flux)"
DECISIONS = "GET /decisions/"
DECISION = "GET /decisions/[id]/"
LOGIN_PAGE = "GET /compte/login/"
LOGIN = "POST /compte/login/"
AWAITS = "GET /a-faire/"
DIRECTORY = "GET /associes/"
ME = "GET /moi/"
STANCE = "POST /decisions/[id]/position/ (position)"
DASHBOARD = "GET /responsables/"
APPLICATIONS = "GET /responsables/candidatures/"
PAYMENT_FORM = "GET /responsables/registre/?kind=payment"
PAYMENT = "POST /responsables/registre/ (libération)"
KINDS = (
    HOME,
    ACCOUNTS,
    TRANSACTIONS,
    TRANSACTIONS_JSON,
    GIFTS_JSON,
    API_DECISIONS,
    DECISIONS,
    DECISION,
    LOGIN_PAGE,
    LOGIN,
    AWAITS,
    DIRECTORY,
    ME,
    STANCE,
    DASHBOARD,
    APPLICATIONS,
    PAYMENT_FORM,
    PAYMENT,
)


@cache
def fixture() -> dict:
    data = json.loads(Path(os.environ["COMMUN_LOAD_FIXTURE"]).read_text())
    data["logins"] = iter(data["logins"])
    data["member_sessions"] = itertools.cycle(data["member_sessions"])
    data["officer_sessions"] = itertools.cycle(data["officer_sessions"])
    return data


class Person(HttpUser):
    abstract = True
    wait_time = between(THINK / 4, THINK)

    def get(self, path: str, name: str):
        # Not followed: a page that sends elsewhere (to log in, to a second factor) failed.
        with self.client.get(
            path, name=name, allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code} au lieu de 200")
            return response

    def look_around(self):
        """Each action once, as someone new does: every request kind is in every run."""
        for action in dict.fromkeys(self.tasks):
            action(self)

    def token(self, response) -> str:
        found = CSRF.search(response.text)
        return found.group(1) if found else ""

    def arrive_with(self, session: str):
        self.client.cookies.set(fixture()["session_cookie"], session)


class Visitor(Person):
    """Reads what the cooperative publishes, without an account."""

    weight = 6

    def on_start(self):
        self.look_around()

    @task(3)
    def home(self):
        self.get("/", HOME)

    @task(2)
    def accounts(self):
        self.get("/comptes/", ACCOUNTS)

    @task
    def transactions(self):
        self.get("/comptes/ecritures/", TRANSACTIONS)

    @task
    def feeds(self):
        self.get("/comptes/ecritures.json", TRANSACTIONS_JSON)
        self.get("/communs-amont/dons.json", GIFTS_JSON)
        self.get("/api/v1/decisions", API_DECISIONS)

    @task(2)
    def decisions(self):
        self.get("/decisions/", DECISIONS)
        self.get(f"/decisions/{random.choice(fixture()['decisions'])}/", DECISION)


class Member(Person):
    """Logs in, reads what awaits them and the votes, and votes (then changes their mind)."""

    weight = 3

    def on_start(self):
        email = next(fixture()["logins"], None)
        if email is None:
            self.arrive_with(next(fixture()["member_sessions"]))
        else:
            self.log_in(email)
        self.look_around()

    def log_in(self, email: str):
        page = self.get("/compte/login/", LOGIN_PAGE)
        data = {
            "csrfmiddlewaretoken": self.token(page),
            "login": email,
            "password": fixture()["password"],
        }
        with (
            LOGINS_AT_ONCE,
            self.client.post(
                "/compte/login/", data, name=LOGIN, allow_redirects=False, catch_response=True
            ) as response,
        ):
            if response.status_code != 302 or "/compte/" in response.headers.get("Location", ""):
                error = FORM_ERROR.search(response.text)
                reason = f" : {error.group(1).strip()}" if error else ""
                response.failure(f"connexion refusée ({response.status_code}){reason}")

    @task(3)
    def awaits(self):
        self.get("/a-faire/", AWAITS)

    @task(2)
    def decisions(self):
        self.get("/decisions/", DECISIONS)

    @task(4)
    def vote(self):
        decision = random.choice(fixture()["decisions"])
        page = self.get(f"/decisions/{decision}/", DECISION)
        data = {
            "csrfmiddlewaretoken": self.token(page),
            "stance-choice": random.choice(["yes", "no", "abstain"]),
            "stance-reason": "",
        }
        with self.client.post(
            f"/decisions/{decision}/position/",
            data,
            name=STANCE,
            headers={"HX-Request": "true"},
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 200 or "Votre position est enregistrée" not in response.text:
                response.failure(f"position refusée ({response.status_code})")

    @task
    def directory(self):
        self.get("/associes/", DIRECTORY)

    @task
    def me(self):
        self.get("/moi/", ME)


class Officer(Person):
    """Records payments of shares as transfers arrive, between two looks at the dashboard."""

    weight = 1

    def on_start(self):
        self.arrive_with(next(fixture()["officer_sessions"]))
        self.look_around()

    @task
    def dashboard(self):
        self.get("/responsables/", DASHBOARD)

    @task
    def applications(self):
        self.get("/responsables/candidatures/", APPLICATIONS)

    @task(4)
    def record_payment(self):
        member = random.choice(fixture()["payers"])
        form = self.get(f"/responsables/registre/?kind=payment&member={member}", PAYMENT_FORM)
        data = {
            "csrfmiddlewaretoken": self.token(form),
            "kind": "payment",
            "member": member,
            "quantity": 1,
            "date": datetime.date.today().isoformat(),
            "reason": "Virement reçu",
            "authorised_by": "",
        }
        with self.client.post(
            "/responsables/registre/",
            data,
            name=PAYMENT,
            allow_redirects=False,
            catch_response=True,
        ) as response:
            # Recorded, the form comes back empty; held, elsewhere (a second factor, login).
            back = response.headers.get("Location", "").startswith("/responsables/registre/")
            if response.status_code != 302 or not back:
                response.failure(f"paiement refusé ({response.status_code})")
