"""The demo: a strategic coordinator gets a full, believable report of both chains, and the regional
analyst compares them; the history is made by the domain and a second seed adds nothing."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from ketenregie.accounts.enums import Role
from ketenregie.accounts.models import Membership, User
from ketenregie.cases.models import Case
from ketenregie.chains.models import Chain
from ketenregie.reports import figures
from ketenregie.reports.demo import MARK
from ketenregie.reports.tables import present
from tests.reports.conftest import params

pytestmark = pytest.mark.django_db


def test_the_demo_report_is_full_and_the_analyst_compares_the_chains(client_for, period):
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "analist" in out.getvalue()
    history = Case.objects.filter(referrer_name=MARK).count()
    assert history >= 28

    analyst = User.objects.get(username="analist")
    assert set(Membership.objects.filter(user=analyst).values_list("chain__slug", "role")) == {
        ("fix-genk", Role.REGIONAL_ANALYST),
        ("kompas-antwerpen", Role.REGIONAL_ANALYST),
    }
    genk = Chain.objects.get(slug="fix-genk")
    report = figures.compute_one(genk, period)
    headline = {h.key: h.value for h in report.headline}
    assert headline["registrations"] >= 20 and headline["closed"] >= 6 and headline["in_trajectory"] >= 12
    assert headline["ot_meetings"] >= 10
    # Believable means: most tables show numbers even with small ones hidden.
    drawn = [n for n, t in report.tables.items() if not t.is_empty]
    assert len(drawn) >= 22
    visible = [
        n
        for n, t in report.tables.items()
        if any(not c.suppressed and c.raw for row in present(t, 5).rows for c in row[1:])
    ]
    assert len(visible) >= 18

    strategist = User.objects.get(username="strateeg")
    page = client_for(strategist).get(reverse("reports:report"), params(period, genk))
    assert page.status_code == 200 and page.content.decode().count("<svg xmlns") >= 22
    compare = client_for(analyst).get(reverse("reports:compare"), params(period))
    assert compare.status_code == 200
    assert [c.label for c in compare.context["headline"].columns[1:]] == ["FIX Genk", "KOMPAS+ Antwerpen"]

    call_command("seed_demo", stdout=StringIO())
    assert Case.objects.filter(referrer_name=MARK).count() == history
