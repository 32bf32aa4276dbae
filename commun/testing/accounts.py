"""Second factors in tests: the code an authenticator app would show now.

Plain functions, so any test module may import them.
"""

import time

from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value


def current_code(secret: str) -> str:
    """The code an authenticator app shows now, by allauth's own algorithm."""
    return format_hotp_value(hotp_value(secret, int(time.time()) // mfa_settings.TOTP_PERIOD))
