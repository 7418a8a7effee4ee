"""The demo: the youth account ``jongere-demo`` / ``demo`` and conversations between case directors and partners."""

from io import StringIO

from django.core.management import call_command
from django.test import Client

from ketenregie.accounts.models import Membership, User
from ketenregie.portal.models import PortalAccess
from ketenregie.threads.models import Message, Thread


def seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_the_demo_has_a_youth_account_and_conversations(db):
    output = seed()

    youth = User.objects.get(username="jongere-demo")
    assert youth.check_password("demo") and not Membership.objects.filter(user=youth).exists()
    access = PortalAccess.objects.get(user=youth)
    assert access.is_active and access.activated_at is not None
    assert "jongere-demo" in output
    assert Thread.objects.filter(portal_user=youth).exists()
    staff_threads = Thread.objects.filter(portal_user__isnull=True)
    assert staff_threads.exists()
    assert staff_threads.filter(participants__user__username="partner-school").exists()
    counts = (Thread.objects.count(), Message.objects.count(), PortalAccess.objects.count())

    seed()

    assert (Thread.objects.count(), Message.objects.count(), PortalAccess.objects.count()) == counts
    client = Client()
    assert client.post("/mijn-traject/inloggen/", {"username": "jongere-demo", "password": "demo"}).status_code == 302
    html = client.get("/mijn-traject/").content.decode()
    assert access.case.youth.first_name in html
