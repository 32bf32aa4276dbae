from django.urls import path

from commun.core.replica import public_read
from commun.feeds import views
from commun.feeds.atom import FEEDS

app_name = "feeds"
urlpatterns = [
    *(path(f"flux/{slug}.atom", public_read(feed()), name=slug) for slug, feed in FEEDS.items()),
    path("calendrier.ics", views.public_calendar, name="public_calendar"),
    path("calendrier/<str:secret>.ics", views.personal_calendar, name="personal_calendar"),
    path("compte/calendrier/", views.calendar_link, name="calendar_link"),
]
