"""The administrators' screens for chains open and save, with the playbook per workflow step."""

import pytest
from django.urls import reverse

from ketenregie.chains.defaults import PLAYBOOK_STEPS
from ketenregie.chains.models import Chain

pytestmark = pytest.mark.django_db


def test_an_administrator_opens_and_saves_a_chain(client_for, admin_user, chain):
    client = client_for(admin_user)
    url = reverse("admin:chains_chain_change", args=[chain.pk])

    page = client.get(url)

    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    data.update(
        {
            "is_active": "on",
            "playbook_intake": "Plan het intakegesprek binnen de week.",
            "postal_codes_text": "3600, 3600",
            "age_min": "12",
            "age_max": "25",
        }
    )
    data = {k: v for k, v in data.items() if v is not None and v is not False}
    response = client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    chain.refresh_from_db()
    assert chain.playbook["intake"] == "Plan het intakegesprek binnen de week."
    assert chain.postal_codes == ["3600"]
    assert set(chain.playbook) == {step for step, _label in PLAYBOOK_STEPS}


def test_a_bad_postal_code_is_refused_next_to_the_field(client_for, admin_user, chain):
    client = client_for(admin_user)
    url = reverse("admin:chains_chain_change", args=[chain.pk])
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    data.update({"postal_codes_text": "36OO", "is_active": "on"})
    data = {k: v for k, v in data.items() if v is not None and v is not False}

    response = client.post(url, data)

    assert response.status_code == 200
    assert "postal_codes_text" in response.context["adminform"].form.errors
    assert Chain.objects.get(pk=chain.pk).postal_codes == chain.postal_codes
