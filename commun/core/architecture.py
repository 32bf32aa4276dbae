"""Which part of Commun may import which: the direction, declared once as data.

Parts are listed lowest first: a module may import its own part and any part listed
before it, never one listed after. A module belongs to the part whose prefix is the
longest that matches its name. `commun/core/tests/test_architecture.py` reads every
module's imports (functions' lazy imports included) and fails on an import that goes up;
docs/architecture.md shows the same map for people.
"""

from typing import NamedTuple


class Part(NamedTuple):
    name: str
    owns: str
    modules: tuple[str, ...]


PARTS = (
    Part("lib", "plain helpers: money, hashing, Markdown, CSV, ids, pages", ("commun.lib",)),
    Part(
        "kernel",
        "what every model declares of its personal data and its sealed fields; mail, "
        "background tasks and periodic runs; what every page and API endpoint asks of a request; "
        "which database a read goes to",
        (
            "commun.privacy.declarations",
            "commun.privacy.fields",
            "commun.privacy.crypto",
            "commun.core.mail",
            "commun.core.tasks",
            "commun.core.schedule",
            "commun.core.models",
            "commun.core.replica",
            "commun.web",
            "commun.api_input",
            "commun.api_schemas",
            "commun.api_helpers",
        ),
    ),
    Part(
        "accounts",
        "logins, second factors, API tokens and who calls the API",
        ("commun.accounts", "commun.api_auth"),
    ),
    Part(
        "members",
        "the cooperative, its structure, applications, members, the register of shares",
        ("commun.members",),
    ),
    Part(
        "deliberation",
        "spaces, circles, threads, comments, reactions; the notifications' and preferences' "
        "rows and their pages",
        ("commun.deliberation",),
    ),
    Part(
        "decisions",
        "proposals, rounds, objections, votes and secret ballots, the decisions' register",
        ("commun.decisions",),
    ),
    Part(
        "ledger",
        "the books: accounts, transactions, the journal, funds, fiscal years, exports",
        ("commun.ledger",),
    ),
    Part("budgets", "needs and missions, their costs and payments", ("commun.budgets",)),
    Part("upstream", "giving back to the commons Commun is built on", ("commun.upstream",)),
    Part(
        "board",
        "tasks on needs and missions, who took them, their history, the public board",
        ("commun.board",),
    ),
    Part(
        "assemblies",
        "general assemblies: the statutes' rules, convocation, who is convened, proxies",
        ("commun.assemblies",),
    ),
    Part(
        "notifications",
        "every way a member is told: notices and « À faire », who hears of a comment or "
        "a decision, the emails at once and the daily digest",
        ("commun.notifications",),
    ),
    Part(
        "feeds",
        "the public Atom feeds and calendars, each member's own calendar at a secret address",
        ("commun.feeds",),
    ),
    Part(
        "hooks",
        "signed outgoing webhooks: endpoints, the events they hear, each delivery's log",
        ("commun.hooks",),
    ),
    Part(
        "privacy",
        "erasure, retention, a person's archive, the register of processing",
        ("commun.privacy",),
    ),
    Part(
        "core",
        "the home page, the demo, scheduled commands, backups",
        ("commun.core",),
    ),
    Part("project", "settings, URLs, the API's assembly, the command line", ("commun",)),
)

# The imports that still go up, each with its reason: {importing module: {imported part}}.
EXCEPTIONS = {
    # Mails and the account pages are signed with the cooperative's name.
    "commun.core.mail": {"members"},
    "commun.accounts.adapter": {"members"},
    # Admission by a decision: an application opens a decision (`Application.route`), and
    # the register admits when it is adopted (listening to `decision_closed`).
    "commun.members.models": {"decisions"},
    "commun.members.receivers": {"decisions"},
    # `commun verify --books` checks each assembly's resolutions and frozen minutes against
    # the journal entries they chained (assemblies/effects.py says what a payload holds).
    "commun.ledger.audit": {"assemblies"},
    # A decision's emails go out with their in-app notice through one `notifications.tell`,
    # and its eligible members are told by `notifications.tasks`; the notices' own page
    # (« À faire ») reads decisions and missions, so the app sits above.
    "commun.decisions.notifications": {"notifications"},
    # The notification tasks' old home: tasks already queued, and the digest's periodic
    # runs, are stored under these paths.
    "commun.deliberation.tasks": {"notifications"},
    # `as_member` finds a user's member: imported inside the function, so `lib` loads
    # without Django's models.
    "commun.lib.rules": {"members"},
}


def part_of(module: str) -> Part | None:
    """The part `module` belongs to, by the longest matching prefix."""
    found, length = None, -1
    for part in PARTS:
        for prefix in part.modules:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > length:
                found, length = part, len(prefix)
    return found


def rank(part: Part) -> int:
    return PARTS.index(part)
