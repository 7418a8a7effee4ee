"""The subject access export (SECURITY.md L6): everything about a youth, who accessed it, to whom it went."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.core.management import call_command
from django.urls import reverse

from ketenregie.audit.models import AuditEvent
from ketenregie.cases.models import Case, Youth
from ketenregie.common.errors import NotAllowed
from ketenregie.privacy import domain
from ketenregie.privacy.registry import COVERED_ELSEWHERE, case_sections
from ketenregie.privacy.subject import render_export_pdf
from tests.factories import PASSWORD
from tests.privacy.conftest import CANARY

CONFIRM = reverse("accounts:reauthenticate")


def _points_at_a_case_or_youth(model, depth: int = 0, seen: frozenset = frozenset()) -> bool:
    """Whether ``model`` has a path of foreign keys (or one-to-one links) to Case or Youth."""
    if model in (Case, Youth):
        return True
    if depth > 4:
        return False
    for field in model._meta.get_fields():
        if field.concrete and field.is_relation and (field.many_to_one or field.one_to_one):
            target = field.related_model
            if target in (Case, Youth):
                return True
            if target not in seen and target is not model:
                if _points_at_a_case_or_youth(target, depth + 1, seen | {model}):
                    return True
    return False


def test_every_model_with_a_path_to_a_case_or_youth_is_in_the_export():
    exported = {s.model_label for s in case_sections()} | set(COVERED_ELSEWHERE)
    reachable = {m._meta.label for m in apps.get_models() if _points_at_a_case_or_youth(m)}

    print(f"subject export: {len(reachable)} models point at a case or youth, {len(exported)} exported")
    assert reachable - exported == set(), "add these models to ketenregie/privacy/registry.py"
    assert len(reachable) >= 25


def test_the_export_holds_a_row_of_every_model_of_the_case(full_case, coordinator):
    export = domain.export_subject(actor=coordinator, youth=full_case.youth, fmt="json").as_json()

    (case,) = export["cases"]
    assert case["case"]["id"] == str(full_case.pk)
    for section in case_sections():
        expected = {str(pk) for pk in section.rows(full_case).values_list("pk", flat=True)}
        got = {row["id"] for row in case[section.key]}
        assert got == expected, section.key
    empty = sorted(s.key for s in case_sections() if not case[s.key])
    # Only what the fixture does not make: the case is not pseudonymised, no message was edited or
    # carried a file, and the consult is absent because the case was registered without one.
    assert set(empty) <= {"pseudonymisation", "message_revisions", "attachments"}
    assert case["consult"] == []


def test_the_export_holds_every_field_decrypted_but_no_technical_keys(full_case, coordinator):
    export = domain.export_subject(actor=coordinator, youth=full_case.youth, fmt="json")
    data = export.as_json()
    text = export.to_json_bytes().decode()

    youth = data["youth"]
    assert youth["first_name"] == full_case.youth.first_name
    assert youth["birth_date"] == full_case.youth.birth_date.isoformat()
    assert "search_name" not in youth
    case = data["cases"][0]
    assert case["case"]["case_director"]["name"] == "Lotte Janssens"
    assert case["case"]["multi_problem"] == full_case.multi_problem
    assert CANARY in text  # encrypted free text, decrypted for the youth
    consent = next(c for c in case["consents"] if c["kind"] == "sharing")
    assert consent["document"] is True
    assert consent["document_name"] == "toestemming Jens.pdf"
    assert [o["name"] for o in consent["organisations"]] == ["CAW Limburg"]
    assert "submission_key" not in consent
    assert data["format"] == "ketenregie-subject-export/1"


def test_the_export_says_who_accessed_the_case(full_case, coordinator, other_case_director):
    data = domain.export_subject(actor=coordinator, youth=full_case.youth, fmt="json").as_json()
    log = data["cases"][0]["access_log"]

    assert (
        len(log) == AuditEvent.objects.filter(case_id=full_case.pk).exclude(action="privacy.subject_exported").count()
    )
    glass = next(e for e in log if e["action"] == "consent.break_glass")
    assert glass["actor"] == "Yusuf Demir"
    assert glass["reason"].startswith("Dringend")
    assert glass["roles"] == "case_director"
    assert all("origin_ip" not in e and "request_id" not in e for e in log)


def test_the_export_says_to_whom_information_was_disclosed(full_case, coordinator):
    data = domain.export_subject(actor=coordinator, youth=full_case.youth, fmt="json").as_json()
    disclosures = data["cases"][0]["disclosures"]
    bases = {(d["basis"], d["organisation"] or d["recipient"]) for d in disclosures}

    assert ("consent", "CAW Limburg") in bases
    assert ("network of the youth", "CLB GO! Genk") in bases
    assert ("emergency access", "Yusuf Demir") in bases
    assert ("network meeting (case conference)", "Nathalie Willems") in bases


def test_the_export_covers_every_case_of_the_youth(full_case, coordinator, chain, police):
    from ketenregie.cases import domain as cases_domain
    from ketenregie.cases.domain import OffenceData, RegistrationData, YouthData
    from tests.plans.fixtures import close

    close(full_case, coordinator)
    youth = full_case.youth
    again = cases_domain.register_case(
        actor=coordinator,
        chain=chain,
        previous_case=Case.objects.get(pk=full_case.pk),
        data=RegistrationData(
            youth=YouthData(youth.first_name, youth.last_name, youth.birth_date, "3600", "Genk"),
            referrer_kind="organisation",
            referrer_organisation=police,
            referrer_name="Inspecteur",
            registered_on=full_case.registered_on,
            youth_informed_on=full_case.registered_on,
            parents_informed_on=full_case.registered_on,
            multi_problem="Opnieuw problemen.",
            offences=[OffenceData(offence_type="diefstal")],
        ),
    )
    mark = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first()

    data = domain.export_subject(actor=coordinator, youth=youth, fmt="json").as_json()

    assert [c["case"]["id"] for c in data["cases"]] == [str(full_case.pk), str(again.pk)]
    logged = AuditEvent.objects.filter(id__gt=mark, action="privacy.subject_exported")
    assert sorted(str(e.case_id) for e in logged) == sorted([str(full_case.pk), str(again.pk)])
    assert {e.details["format"] for e in logged} == {"json"}


def test_the_pdf_is_a_readable_document(full_case, coordinator):
    export = domain.export_subject(actor=coordinator, youth=full_case.youth, fmt="pdf")

    pdf = render_export_pdf(export)

    assert pdf.startswith(b"%PDF-")
    assert len(pdf) > 5000


@pytest.mark.parametrize("who", ["case_director", "ot_member", "partner", "strategic", "outsider", "admin_user"])
def test_only_an_operational_coordinator_of_the_chain_may_export(full_case, request, who):
    with pytest.raises(NotAllowed):
        domain.export_subject(actor=request.getfixturevalue(who), youth=full_case.youth, fmt="json")


# --- The pages ------------------------------------------------------------------------------------


def test_the_access_request_page_is_for_coordinators_only(full_case, client_for, coordinator, request):
    url = reverse("privacy:subject", args=[full_case.youth_id])
    page = client_for(coordinator).get(url)
    assert page.status_code == 200
    assert full_case.reference in page.content.decode()
    assert AuditEvent.objects.filter(action="privacy.subject_viewed", case_id=full_case.pk).count() == 1
    for who in ("case_director", "ot_member", "partner", "outsider", "admin_user"):
        assert client_for(request.getfixturevalue(who)).get(url).status_code == 404, who


@pytest.mark.parametrize("fmt", ["json", "pdf"])
def test_the_download_asks_for_the_password_first(full_case, client_for, coordinator, fmt):
    url = reverse(f"privacy:subject_{fmt}", args=[full_case.youth_id])
    client = client_for(coordinator)

    first = client.get(url)
    assert first.status_code == 302
    assert urlsplit(first["Location"]).path == CONFIRM
    assert not AuditEvent.objects.filter(action="privacy.subject_exported").exists()

    back = client.post(f"{CONFIRM}?next={url}", {"password": PASSWORD, "next": url})
    assert back["Location"] == url
    response = client.get(url)

    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="inzage-')
    assert full_case.youth.first_name not in disposition and full_case.youth.last_name not in disposition
    assert response["X-Content-Type-Options"] == "nosniff"
    if fmt == "json":
        assert json.loads(response.content)["youth"]["id"] == str(full_case.youth_id)
    else:
        assert response.content.startswith(b"%PDF-")
    event = AuditEvent.objects.get(action="privacy.subject_exported", case_id=full_case.pk)
    assert (event.actor_username, event.details["format"], event.channel) == ("coordinator", fmt, "web")
    assert CANARY not in json.dumps(event.details) and event.reason == ""


def test_a_case_director_cannot_download_even_after_confirming(full_case, client_for, case_director):
    url = reverse("privacy:subject_json", args=[full_case.youth_id])
    client = client_for(case_director)
    client.post(CONFIRM, {"password": PASSWORD, "next": url})
    assert client.get(url).status_code == 404


def test_the_command_writes_the_export(full_case, tmp_path):
    target = tmp_path / "inzage.json"

    call_command("export_subject", str(full_case.youth_id), "--format", "json", "--output", str(target))

    data = json.loads(target.read_text())
    assert data["youth"]["id"] == str(full_case.youth_id)
    assert oct(target.stat().st_mode & 0o777) == "0o600"
    event = AuditEvent.objects.get(action="privacy.subject_exported")
    assert event.actor_id is None and event.details["via"] == "command"


def test_the_command_writes_a_pdf(full_case, tmp_path):
    target = tmp_path / "inzage.pdf"
    call_command("export_subject", str(full_case.youth_id), "--format", "pdf", "--output", str(target))
    assert target.read_bytes().startswith(b"%PDF-")


def test_a_consult_that_led_to_the_case_is_in_the_export(full_case, coordinator, chain):
    from ketenregie.cases.domain import ConsultData, record_consult

    consult = record_consult(
        actor=coordinator,
        chain=chain,
        data=ConsultData(
            referrer_kind="other",
            referrer_name="Buurtwerker",
            channel="phone",
            consulted_on=full_case.registered_on,
            summary="Vraag over een jongere.",
            outcome="fits",
        ),
    )
    # The case came from it (register_case(consult=...) links them; here the link is set afterwards).
    Case.objects.filter(pk=full_case.pk).update(consult=consult)

    data = domain.export_subject(actor=coordinator, youth=full_case.youth, fmt="json").as_json()

    assert [c["id"] for c in data["cases"][0]["consult"]] == [str(consult.pk)]
    assert data["cases"][0]["consult"][0]["summary"] == "Vraag over een jongere."
