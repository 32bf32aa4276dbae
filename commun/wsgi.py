import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "commun.settings")
application = get_wsgi_application()

# The payroll engine loads in the background while the server starts taking requests, so
# the first estimate costs what the later ones do.
from commun.lib import payroll  # noqa: E402

payroll.warm_up()
