"""The journeys run as a deployment does: with the pages' main parts kept in the cache.

Their writes commit (the live server's database is not rolled back per request), so the audit log
gives the written case and chain new version tokens, and every page read after a write must show it.
"""

import pytest


@pytest.fixture(autouse=True)
def _pages_kept(fragments_kept):
    yield
