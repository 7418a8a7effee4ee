"""Printable documents with WeasyPrint, rendered without ever touching the network.

The HTML comes from our own templates (autoescaped), but it carries user data, so the URL fetcher
is closed by default: only ``data:`` URLs and the project's own static files are served, every
other URL (http, https, file, ftp, ...) is refused. The page's base URL lives under the reserved
``.invalid`` top-level domain, so even a fetcher bug could not resolve it.
"""

from __future__ import annotations

import mimetypes
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import SuspiciousFileOperation
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

BASE_URL = "https://ketenregie.invalid/"
STATIC_TYPES = {".css", ".svg", ".png", ".jpg", ".jpeg", ".woff", ".woff2", ".ttf", ".otf"}


@lru_cache(maxsize=1)
def _fetcher_class() -> type:
    """The fetcher class, made on the first PDF: importing WeasyPrint takes about a second, which
    every command and server start would otherwise pay through the URL configuration."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class LocalOnlyFetcher(URLFetcher):
        """A WeasyPrint URL fetcher that serves ``data:`` URLs and our static files, nothing else."""

        def __init__(self) -> None:
            super().__init__(timeout=1, allowed_protocols={"data"}, allow_redirects=False)

        def fetch(self, url: str, headers: dict | None = None) -> URLFetcherResponse:
            if url.startswith("data:"):
                return super().fetch(url, headers)
            static_prefix = BASE_URL.rstrip("/") + settings.STATIC_URL
            if url.startswith(static_prefix):
                return self._static(url[len(static_prefix) :], url)
            raise ValueError(f"PDF rendering refuses to fetch {url[:80]!r}: only data: URLs and static files")

        def _static(self, name: str, url: str) -> URLFetcherResponse:
            name = name.split("?", 1)[0].split("#", 1)[0]
            extension = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
            if extension not in STATIC_TYPES or ".." in name.split("/"):
                raise ValueError(f"not a static file PDF rendering may use: {name[:80]!r}")
            path = None
            try:
                if staticfiles_storage.exists(name):
                    path = staticfiles_storage.path(name)
            except (NotImplementedError, SuspiciousFileOperation):
                path = None
            if path is None:
                try:
                    found = finders.find(name)
                except SuspiciousFileOperation:
                    found = None
                path = found[0] if isinstance(found, list) else found
            if not path:
                raise ValueError(f"static file not found: {name[:80]!r}")
            with open(path, "rb") as handle:
                body = handle.read()
            content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, body, headers={"Content-Type": content_type})

    return LocalOnlyFetcher


def LocalOnlyFetcher():  # noqa: N802 - used like the class it makes
    """A WeasyPrint URL fetcher that serves ``data:`` URLs and our static files, nothing else."""
    return _fetcher_class()()


def render_pdf(template: str, context: dict[str, Any], request: HttpRequest | None = None) -> bytes:
    """Render ``template`` with ``context`` to an A4 PDF (the page size is set by pdf/print.css)."""
    from weasyprint import HTML

    html = render_to_string(template, context, request=request)
    return HTML(string=html, base_url=BASE_URL, url_fetcher=LocalOnlyFetcher()).write_pdf()


def pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    """A PDF as a download; the file name must not hold personal data (SECURITY.md L9)."""
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response
