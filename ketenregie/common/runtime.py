"""The application server's Python process, made ready once the application is loaded."""

from __future__ import annotations

import gc


def settle() -> None:
    """Import every view, then take what is loaded out of the garbage collector's sight.

    Django, the URL configuration and every view live as long as the process; without this, the
    collector walks all of it in each full collection. A page that builds thousands of small objects
    (a chain's signals, a case's history) set one off every few requests: a 50 ms pause at the 95th
    percentile. ``gc.freeze`` moves the loaded objects to a generation the collector never scans, and
    a higher first threshold makes collections of a request's short-lived objects rarer. With
    gunicorn's ``preload_app`` this runs once in the master, and the forked workers share the frozen
    pages of memory instead of copying them.
    """
    from django.urls import get_resolver

    from ketenregie.common import fragments

    get_resolver().url_patterns  # noqa: B018 — evaluated for its imports: a worker's first request is not slow
    fragments.code_version()  # read once, before the first page keeps a part
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 10, 10)
