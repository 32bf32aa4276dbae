"""Share certificates as PDF: WeasyPrint reads our HTML and our static files, nothing else.

WeasyPrint is imported when a PDF is made, not when this module is: it is a Linux-only
dependency (pyproject.toml), and a checkout elsewhere must still start and serve the rest.
"""

import mimetypes
import os
from urllib.parse import unquote, urljoin, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from django.utils._os import safe_join


def local_fetcher(base_url: str):
    """A WeasyPrint URL fetcher that serves our static files from disk and refuses any other
    address, so nothing leaves."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class LocalFetcher(URLFetcher):
        def __init__(self):
            super().__init__(allowed_protocols=["data"])
            self.static_prefix = urljoin(base_url, settings.STATIC_URL)

        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            if not url.startswith(self.static_prefix):
                raise ValueError(f"Only local static files are fetched, not {url}")
            relative = unquote(urlsplit(url[len(self.static_prefix) :]).path)
            path = static_file(relative)
            if path is None:
                raise ValueError(f"No static file {relative}")
            # WeasyPrint ignores a stylesheet that does not say it is text/css.
            content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
            with open(path, "rb") as file:
                return URLFetcherResponse(url, file.read(), headers={"Content-Type": content_type})

    return LocalFetcher()


def static_file(relative: str) -> str | None:
    """The file behind a static path, from the apps in development or STATIC_ROOT once collected."""
    try:
        path = finders.find(relative) or safe_join(str(settings.STATIC_ROOT), relative)
    except SuspiciousFileOperation:
        return None
    return path if os.path.isfile(path) else None


def render_pdf(html: str, base_url: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html, base_url=base_url, url_fetcher=local_fetcher(base_url)).write_pdf()
