"""What the content of a case page costs in queries, apart from what every page pays.

``content_queries`` takes a page's second request (the first one warms up) and subtracts what an
empty page with only the base layout costs (session, user, roles: the middleware) and what one
audit append costs (the read is audited), both measured in the same test. So a budget pins the
page's own work (the case and what it shows), and stays put when the fixed costs change.

Tests that use it run with this module as their URLconf (``@pytest.mark.urls("tests.page_queries")``):
the application's URLs plus the empty page, as the benchmark serves them (ketenregie/bench/urls.py).
"""

from __future__ import annotations

from django.db import connection
from django.shortcuts import render
from django.test.utils import CaptureQueriesContext
from django.urls import path, reverse

from ketenregie.audit.domain import log
from ketenregie.common.access import AUTHENTICATED, access_rule
from ketenregie.urls import handler400, handler403, handler404, handler500
from ketenregie.urls import urlpatterns as app_urlpatterns

__all__ = ["content_queries", "handler400", "handler403", "handler404", "handler500", "urlpatterns"]


@access_rule(AUTHENTICATED)
def empty_page(request):
    return render(request, "base.html")


urlpatterns = [path("test/leeg/", empty_page, name="test_empty_page"), *app_urlpatterns]


def queries_of(client, url: str) -> int:
    """The number of queries of the second request of ``url``."""
    assert client.get(url).status_code == 200
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    return len(captured)


def audit_append_queries(user, case) -> int:
    """What recording one read of ``case`` costs (the ``case.viewed`` entry every case page writes)."""
    with CaptureQueriesContext(connection) as captured:
        log("case.viewed", actor=user, obj=case, chain_id=case.chain_id, case_id=case.pk, details={"view": "test"})
    return len(captured)


def content_queries(client, url: str, *, user, case) -> int:
    """The queries of ``url`` beyond an empty page's and one audit append's: the page's own content."""
    return queries_of(client, url) - queries_of(client, reverse("test_empty_page")) - audit_append_queries(user, case)


# --- A case that grows --------------------------------------------------------------------------------


def grow_case(case, *, coordinator, director, network_member, n: int):
    """Give an active case ``n`` more of everything its pages list, through the domain functions.

    Follow-up contacts (with the youth and with ``network_member``), major events, consents,
    intervision advice, network members and a new offence group (returned): the case page's
    history, the contacts page and the network page all get longer.
    """
    from datetime import timedelta

    from django.utils import timezone

    from ketenregie.consent.domain import ConsentData, record_consent
    from ketenregie.consent.enums import ConsentKind, GivenBy
    from ketenregie.followup import domain as followup
    from ketenregie.followup.enums import ContactChannel, ContactWith, EventKind
    from ketenregie.network import domain as network
    from ketenregie.network.enums import MemberKind

    now, today = timezone.now(), timezone.localdate()
    for i in range(n):
        at = now - timedelta(hours=i + 1)
        followup.record_contact(
            actor=director,
            case=case,
            data=followup.ContactData(
                contact_at=at,
                with_whom=ContactWith.YOUTH,
                channel=ContactChannel.PHONE,
                note=f"Gesprek {i}.",
                life_domains=["vrije_tijd"],
            ),
        )
        followup.record_contact(
            actor=coordinator,
            case=case,
            data=followup.ContactData(
                contact_at=at - timedelta(minutes=30),
                with_whom=ContactWith.NETWORK_MEMBER,
                network_member=network_member,
                channel=ContactChannel.FACE_TO_FACE,
                reached=False,
            ),
        )
        followup.record_event(
            actor=director,
            case=case,
            kind=EventKind.MOVE,
            occurred_on=today - timedelta(days=i),
            description="Verhuisd.",
        )
        record_consent(
            actor=coordinator,
            case=case,
            data=ConsentData(
                kind=ConsentKind.ENGAGEMENT,
                given_by=GivenBy.YOUTH,
                given_by_name=case.youth.full_name,
                signed_on=today - timedelta(days=i),
            ),
        )
        session = followup.start_intervision(actor=director, chain=case.chain, held_on=today - timedelta(days=i))
        followup.record_intervision_advice(actor=coordinator, session=session, case=case, advice=f"Advies {i}.")
        network.add_network_member(
            actor=coordinator,
            case=case,
            data=network.MemberData(kind=MemberKind.INFORMAL, name=f"Buur {i}", role="Buur", youth_agreed=True),
        )
    group = network.create_offence_group(actor=coordinator, chain=case.chain, name=f"Groep {n}", facts_on=today)
    network.link_case_to_group(actor=coordinator, group=group, case=case)
    return group
