"""A page's main part kept in the cache: served again only while nothing it shows was written, only
to the reader it was rendered for, encrypted, and without anyone's CSRF token in it.

Writes go through the domain functions with their commit callbacks run, as in a deployment: the
audit log then gives the written case and chain new version tokens.
"""

from __future__ import annotations

import pickle
import re
from datetime import timedelta

import pytest
from cryptography.fernet import Fernet
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ketenregie.audit.domain import log
from ketenregie.audit.models import AuditEvent
from ketenregie.cases import domain as cases_domain
from ketenregie.common import fragments
from tests.plans.fixtures import *  # noqa: F403 - the active case and its cast, made by the domain

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fragments_kept")]


def get(client: Client, url: str) -> tuple[str, int]:
    """The page's text, with its CSRF tokens (masked anew on every request) blanked, and how many queries it took."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return CSRF_TOKEN.sub("(token)", response.content.decode()), len(queries)


CSRF_TOKEN = re.compile(
    r"(?<=X-CSRFToken&quot;: &quot;)[A-Za-z0-9]{64}|(?<=X-CSRFToken\": \")[A-Za-z0-9]{64}|(?<=value=\")[A-Za-z0-9]{64}"
)


def kept_values() -> list[bytes]:
    return [value for key, value in cache._cache.items() if ":fragment:" in key]  # the test's memory cache


def test_the_case_page_is_served_again_until_the_case_is_written(
    case, coordinator, client_for, django_capture_on_commit_callbacks
):
    url = reverse("cases:case_detail", args=[case.pk])
    client = client_for(coordinator)
    first, rendering = get(client, url)
    again, serving = get(client, url)
    assert again == first
    assert serving < rendering, "the main part came from the cache"
    assert "Back to the OT" not in first

    with django_capture_on_commit_callbacks(execute=True):
        cases_domain.flag_for_ot(actor=coordinator, case=case, reason="Evaluatie na drie maanden.")
    after, queries = get(client, url)
    assert "Back to the OT" in after and "Evaluatie na drie maanden." in after
    assert queries == rendering


def test_a_write_on_another_case_keeps_it_and_a_write_on_the_chain_does_not(
    case, make_active_case, coordinator, client_for, django_capture_on_commit_callbacks
):
    other = make_active_case()
    url = reverse("cases:case_detail", args=[case.pk])
    client = client_for(coordinator)
    _, rendering = get(client, url)
    with django_capture_on_commit_callbacks(execute=True):
        cases_domain.flag_for_ot(actor=coordinator, case=other, reason="Andere jongere.")
    _, queries = get(client, url)
    assert queries < rendering, "another case's write leaves this page as it was"
    with django_capture_on_commit_callbacks(execute=True):
        log("ot.meeting_created", actor=coordinator, chain_id=case.chain_id)  # a write on the chain as a whole
    _, queries = get(client, url)
    assert queries == rendering


def test_every_read_still_passes_the_policy_and_is_audited(case, coordinator, ot_member, outsider, client_for):
    url = reverse("cases:case_detail", args=[case.pk])
    full, _ = get(client_for(coordinator), url)
    assert "diefstal" in full.lower() or "theft" in full.lower()  # the offences: the full dossier
    get(client_for(coordinator), url)
    assert AuditEvent.objects.filter(action="case.viewed", case_id=case.pk, actor_id=coordinator.pk).count() == 2

    summary, _ = get(client_for(ot_member), url)  # the OT summary, not the coordinator's kept page
    assert "Ouder" not in summary and "Ouder" in full
    assert client_for(outsider).get(url).status_code == 404


def test_what_is_kept_is_encrypted_and_holds_no_csrf_token(case, coordinator, client_for):
    name = case.youth.last_name
    page, _ = get(client_for(coordinator), reverse("cases:case_detail", args=[case.pk]))
    get(client_for(coordinator), reverse("plans:plan", args=[case.pk]))
    get(client_for(coordinator), reverse("cases:case_list"))
    assert name in page
    stored = kept_values()
    assert len(stored) == 3
    assert not any(name.encode() in value for value in stored)


def test_each_session_gets_its_own_csrf_token_in_a_kept_page(coordinator):
    url = reverse("cases:case_list")
    sessions = []
    for _ in range(2):
        client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(coordinator)
        html = client.get(url).content.decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        sessions.append((client, token))
    assert len(kept_values()) == 1, "the second session was served the kept list"
    for client, token in sessions:
        response = client.post(url, {"csrfmiddlewaretoken": token, "status": "active"})
        assert response.status_code == 303
    (client, token), (other, _) = sessions
    assert other.post(url, {"csrfmiddlewaretoken": "x" * 64, "status": "active"}).status_code == 403


def test_a_search_is_never_kept(case, coordinator, client_for):
    client = client_for(coordinator)
    response = client.post(reverse("cases:case_list"), {"q": case.youth.last_name})
    assert response.status_code == 303
    page, _ = get(client, response["Location"])
    assert case.reference in page
    assert kept_values() == []


def test_the_list_kept_still_logs_how_many_cases_it_showed(case, coordinator, client_for):
    client = client_for(coordinator)
    for _ in range(2):
        get(client, reverse("cases:case_list"))
    listed = AuditEvent.objects.filter(action="case.listed", actor_id=coordinator.pk).order_by("id")
    assert [e.details["count"] for e in listed] == [1, 1]


def test_vandaag_is_rendered_afresh_after_a_write_in_the_chain(
    case, coordinator, client_for, django_capture_on_commit_callbacks
):
    client = client_for(coordinator)
    first, rendering = get(client, reverse("home"))
    again, serving = get(client, reverse("home"))
    assert again == first and serving < rendering
    with django_capture_on_commit_callbacks(execute=True):
        cases_domain.flag_for_ot(actor=coordinator, case=case, reason="Terug naar het OT.")
    _, queries = get(client, reverse("home"))
    assert queries > serving  # (the signals renew only the written case: not quite the first count)


def test_a_part_sealed_under_a_key_that_is_gone_is_rendered_afresh(case, coordinator, client_for):
    url = reverse("cases:case_detail", args=[case.pk])
    first, rendering = get(client_for(coordinator), url)
    stranger = Fernet(Fernet.generate_key())  # as after the keys were rotated and the old one removed
    for key in [k for k in cache._cache if ":fragment:" in k]:
        cache._cache[key] = pickle.dumps(stranger.encrypt(b'["x", {}, "<p>not ours</p>"]'))
    again, queries = get(client_for(coordinator), url)
    assert queries == rendering and again == first


def test_a_part_cannot_vary_on_an_object_whose_repr_differs_per_request(rf, coordinator):
    request = rf.get("/")
    request.user = coordinator
    with pytest.raises(TypeError):
        fragments.render(request, "includes/nav.html", dict, versions=[], varies_on=[object()])
    assert fragments.render(
        request, "cases/_case_list_main.html#search_note", dict, versions=[], varies_on=[1, "a", None]
    )


def test_a_kept_part_lasts_no_longer_than_the_chain_caches(case, coordinator, client_for, monkeypatch):
    calls = []
    monkeypatch.setattr(cache, "set", lambda key, value, timeout=None: calls.append((key, timeout)))
    get(client_for(coordinator), reverse("cases:case_detail", args=[case.pk]))
    assert [timeout for key, timeout in calls if "fragment:" in key] == [timedelta(minutes=5).total_seconds()]


def test_a_cache_that_refuses_to_keep_a_part_costs_a_rendering_not_the_page(case, coordinator, client_for, monkeypatch):
    def full(*args, **kwargs):
        raise OSError("the cache is full")

    url = reverse("cases:case_detail", args=[case.pk])
    monkeypatch.setattr(cache, "set", full)
    first, rendering = get(client_for(coordinator), url)
    again, queries = get(client_for(coordinator), url)
    assert again == first and queries == rendering and kept_values() == []


def test_what_is_kept_is_compressed(case, coordinator, client_for):
    page, _ = get(client_for(coordinator), reverse("cases:case_detail", args=[case.pk]))
    (stored,) = kept_values()
    assert len(pickle.loads(stored)) < len(page) / 2


def test_a_part_rendered_by_other_code_is_not_served(case, coordinator, client_for, monkeypatch):
    url = reverse("cases:case_detail", args=[case.pk])
    _, rendering = get(client_for(coordinator), url)
    monkeypatch.setattr(fragments, "code_version", lambda: "after-a-deploy")
    _, queries = get(client_for(coordinator), url)
    assert queries == rendering
    assert len(kept_values()) == 2
