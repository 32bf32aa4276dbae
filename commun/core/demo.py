"""The demo cooperative, loaded app by app: each app plays its own part, in date order.

The order matters: members first (the register), then what they talked over and decided,
then the accounts (closing the years before 2026 needs the register's payments), needs and
missions, and the commons fund's gifts. Each part is idempotent, so a demo loaded by an
older version gains the parts added since.
"""

from django.core.management.base import OutputWrapper
from django.core.management.color import Style
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone
from django.utils.translation import gettext as _

from commun.assemblies import demo as assemblies_demo
from commun.board import demo as board_demo
from commun.budgets import demo as budgets_demo
from commun.decisions.demo import Decisions
from commun.deliberation.demo import Conversations
from commun.hooks import demo as hooks_demo
from commun.ledger import demo as ledger_demo
from commun.members import demo as members_demo
from commun.upstream import demo as upstream_demo

# The demo's emails would reach nobody: they are dropped instead of queued for the worker.
SILENT_TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}


def load(stdout: OutputWrapper, stderr: OutputWrapper, style: Style) -> None:
    """Load the demo into an empty database (or complete it), then print its logins."""
    with override_settings(TASKS=SILENT_TASKS), transaction.atomic():
        state = members_demo.demo_state()
        if state == "loaded":
            stdout.write(_("La coopérative de démonstration est déjà chargée : rien n'a changé."))
        elif state == "other":
            stderr.write(
                _(
                    "Cette base contient déjà une autre coopérative : la démonstration ne "
                    "se charge que dans une base vide. Rien n'a changé."
                )
            )
            return
        else:
            members_demo.DemoLoader(timezone.localdate()).load()
            Conversations().load()
            Decisions().load()
        ledger_demo.load(stdout=stdout)
        budgets_demo.load(stdout=stdout)
        board_demo.load(stdout=stdout)
        hooks_demo.load(stdout=stdout)
        upstream_demo.load(stdout=stdout)
        assemblies_demo.load(stdout=stdout)
        if state != "loaded":
            stdout.write(style.SUCCESS(members_demo.summary()))
    stdout.write(members_demo.logins())
