"""The members' part of the demo: the cooperative, its people and two years of its register."""

import contextlib
import datetime
import time
from unittest import mock

from django.contrib.auth.hashers import make_password
from django.utils import timezone
from django.utils.translation import gettext as _

from commun.accounts.models import User
from commun.members import demo_data as data
from commun.members.models import (
    AdmissionRule,
    Application,
    Category,
    College,
    Cooperative,
    LegalForm,
    Member,
    MemberKind,
    ShareMovement,
)


def demo_state() -> str:
    """'empty', 'loaded' (the demo is there) or 'other' (someone else's cooperative)."""
    if User.objects.filter(email=data.OFFICER.email).exists():
        return "loaded"
    taken = (
        Member.objects.exists()
        or Application.objects.exists()
        or Category.objects.exists()
        or College.objects.exists()
    )
    return "other" if taken else "empty"


@contextlib.contextmanager
def clock_at(day: datetime.date):
    """Replay history: `admit()` and `refuse()` date what they record with the clock."""
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(10, 0)))
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


class DemoLoader:
    """Plays two years of the cooperative's life through the model methods, in date order."""

    def __init__(self, today: datetime.date):
        self.founding = today - datetime.timedelta(days=data.HISTORY_DAYS)
        self.password = make_password(data.PASSWORD)  # hashed once: Argon2 is slow on purpose
        self.members: dict[str, Member] = {}
        self.officer_user = None

    def day(self, n: int) -> datetime.date:
        return self.founding + datetime.timedelta(days=n)

    def load(self):
        self.profile()
        events = []
        for index, person in enumerate(data.MEMBERS):
            admitted = person.day if person.day == 0 else person.day + 4
            events.append((person.day, 0, self.apply, person))
            events.append((admitted, 1, self.admit, person))
            if person.paid:
                events.append((admitted + 3 + (index * 7) % 20, 2, self.pay_subscription, person))
        for giver, receiver, shares, day in data.TRANSFERS:
            events.append((day, 3, self.transfer, (giver, receiver, shares)))
        events.extend(self.instalment_events())
        events.append((data.RESIGNATION[1], 3, self.resign, data.RESIGNATION[0]))
        events.append((data.REFUSED.day, 0, self.apply, data.REFUSED))
        events.append((data.REFUSED.day + 4, 1, self.refuse, data.REFUSED))
        for person in data.PENDING:
            events.append((person.day, 0, self.apply, person))
        events.sort(key=lambda event: (event[0], event[1]))
        for n, _order, action, argument in events:
            action(self.day(n), argument)
        self.officers_second_factor()

    def profile(self):
        coop = Cooperative.get()
        for field, value in data.COOPERATIVE.items():
            setattr(coop, field, value)
        coop.legal_form = LegalForm.SCIC
        coop.admission_rule = AdmissionRule.OFFICERS
        coop.charter = data.CHARTER
        coop.statutes = data.STATUTES
        colleges = {
            key: College(name=name, weight_percent=weight, position=position)
            for key, name, weight, position in data.COLLEGES
        }
        categories = [
            Category(
                name=name,
                description=description,
                college=colleges[key],
                min_shares=min_shares,
                mandatory=mandatory,
                position=position,
            )
            for key, name, description, min_shares, mandatory, position in data.CATEGORIES
        ]
        # The officers' own path: checks the SCIC rules (weights, mandatory categories).
        coop.save_structure(categories, list(colleges.values()))

    # Each step below is what a person or an officer does through the web pages.

    def apply(self, day: datetime.date, person: data.Person):
        from allauth.account.models import EmailAddress

        user = User.objects.create(email=person.email, password=self.password)
        EmailAddress.objects.create(user=user, email=person.email, verified=True, primary=True)
        Application(
            user=user,
            email=person.email,
            kind=MemberKind.ORGANISATION if person.organisation else MemberKind.PERSON,
            first_name=person.first_name,
            last_name=person.last_name,
            organisation_name=person.organisation,
            postal_address=person.postal_address,
            category=category(person.category),
            shares=person.shares,
            motivation=data.MOTIVATIONS.get(person.first_name, ""),
            consents_to_charter=True,
            consents_to_privacy=True,
            created_at=timezone.make_aware(datetime.datetime.combine(day, datetime.time(9, 0))),
        ).submit()

    def admit(self, day: datetime.date, person: data.Person):
        application = Application.objects.get(email=person.email)
        with clock_at(day):
            member = application.admit(by=self.officer_user)
        # Backdated like the rest of the history: the admission happened on `day`.
        Member.objects.filter(pk=member.pk).update(admitted_at=application.decided_at)
        member.refresh_from_db()
        member.public_visibility = person.visibility
        member.pseudonym = person.pseudonym
        member.bio = person.bio
        member.full_clean(exclude=["user", "category"])
        member.save(update_fields=["public_visibility", "pseudonym", "bio"])
        self.members[person.first_name] = member

    def pay(self, day: datetime.date, person: data.Person, shares: int | None = None):
        member = self.members[person.first_name]
        ShareMovement.objects.record(
            ShareMovement.Kind.PAYMENT,
            member,
            shares or person.shares,
            on=day,
            reason="Virement reçu",
            authorised_by="Relevé bancaire",
            by=self.officer_user,
        )
        if person.officer:
            # Officers are named by the founding assembly once their shares are paid.
            member.set_officer(True)
            if self.officer_user is None:
                self.officer_user = member.user

    def pay_subscription(self, day: datetime.date, person: data.Person):
        name, first_instalment = data.INSTALMENT
        self.pay(day, person, first_instalment if person.first_name == name else None)

    def refuse(self, day: datetime.date, person: data.Person):
        application = Application.objects.get(email=person.email)
        with clock_at(day):
            application.refuse(data.REFUSAL_REASON, by=self.officer_user)

    def transfer(self, day: datetime.date, transfer: tuple[str, str, int]):
        giver, receiver, shares = transfer
        ShareMovement.objects.record(
            ShareMovement.Kind.TRANSFER,
            self.members[giver],
            shares,
            counterpart=self.members[receiver],
            on=day,
            reason="Cession de parts entre associé·es",
            authorised_by="Agrément des responsables",
            by=self.officer_user,
        )

    def instalment_events(self) -> list:
        name, shares = data.INSTALMENT
        person = next(p for p in data.MEMBERS if p.first_name == name)
        base = person.day + 4
        return [
            (base + 40, 3, self.pay_wrongly, (person, shares)),
            (base + 48, 3, self.correct, person),
            (base + 70, 3, lambda day, p: self.pay(day, p, shares), person),
        ]

    def pay_wrongly(self, day: datetime.date, argument):
        person, shares = argument
        self.pay(day, person, shares)
        self.wrong_payment = ShareMovement.objects.filter(
            member=self.members[person.first_name]
        ).last()

    def correct(self, day: datetime.date, person: data.Person):
        ShareMovement.objects.record(
            ShareMovement.Kind.CORRECTION,
            self.members[person.first_name],
            self.wrong_payment.quantity,
            corrects=self.wrong_payment,
            on=day,
            reason=data.CORRECTION_REASON,
            authorised_by="Relevé bancaire",
            by=self.officer_user,
        )

    def resign(self, day: datetime.date, first_name: str):
        self.members[first_name].resign(on=day, by=self.officer_user)

    def officers_second_factor(self):
        """Officers must use TOTP: the demo's share one documented secret."""
        from allauth.mfa.models import Authenticator
        from allauth.mfa.utils import encrypt

        for member in Member.objects.filter(is_officer=True).select_related("user"):
            Authenticator.objects.create(
                user=member.user,
                type=Authenticator.Type.TOTP,
                data={"secret": encrypt(data.TOTP_SECRET)},
            )


def category(key: str) -> Category:
    name = next(c[1] for c in data.CATEGORIES if c[0] == key)
    return Category.objects.get(name=name)


def current_totp_code() -> str:
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    return format_hotp_value(hotp_value(data.TOTP_SECRET, int(time.time()) // 30))


def summary() -> str:
    coop = Cooperative.get()
    lines = [_("Coopérative de démonstration « %(name)s » chargée :") % {"name": coop.name}]
    for cat in Category.objects.all():
        lines.append(
            "  "
            + _("%(category)s : %(count)s associé·es")
            % {"category": cat.name, "count": cat.active_count()}
        )
    lines.append(
        "  "
        + _(
            "%(movements)s mouvements au registre, capital %(capital)s €, %(pending)s "
            "candidatures en attente."
        )
        % {
            "movements": ShareMovement.objects.count(),
            "capital": coop.capital_cents // 100,
            "pending": Application.objects.filter(status=Application.Status.PENDING).count(),
        }
    )
    return "\n".join(lines)


def logins() -> str:
    from allauth.mfa.adapter import get_adapter

    officer = User.objects.get(email=data.OFFICER.email)
    uri = get_adapter().build_totp_url(officer, data.TOTP_SECRET)
    return "\n".join(
        [
            "",
            _("Comptes de démonstration (mot de passe commun : %(password)s)")
            % {"password": data.PASSWORD},
            "  " + _("responsable : %(email)s") % {"email": data.OFFICER.email},
            "  " + _("associé·e : %(email)s") % {"email": data.MEMBER.email},
            "  " + _("candidat·e : %(email)s") % {"email": data.APPLICANT.email},
            _(
                "Les responsables ont un second facteur TOTP ; ajoutez ce secret à votre "
                "application d'authentification : %(secret)s"
            )
            % {"secret": data.TOTP_SECRET},
            f"  {uri}",
            "  "
            + _("code du moment : %(code)s (change toutes les 30 secondes)")
            % {"code": current_totp_code()},
            "",
        ]
    )
