"""The benchmark's marker on its database (which data set it holds), with parameters bound on the server."""

from __future__ import annotations

import pytest
from django.db import connection

from ketenregie.bench import run

pytestmark = pytest.mark.django_db


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the marker is a PostgreSQL database comment")
def test_the_marker_is_written_and_read_back():
    marker = {"cases": 100, "seed": 1, "note": 'it\'s "quoted"'}
    run._set_marker(marker)
    assert run._marker() == marker
