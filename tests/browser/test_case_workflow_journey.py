"""The whole road of one case in Chromium, from the consult to its closure.

The operational coordinator records a consult, registers the case (a minor), starts and records the
intake, sees why "put on the OT's list" is refused while consents are missing, records them, puts
the case on the OT's list, adds the chain's legal basis in the register (no OT meeting without one),
plans the OT meeting, is refused an inclusion without case director and subsidiarity, includes the
case and records the start. The case director then starts the trajectory and closes the case.

Every page is checked for console errors, CSP violations and WCAG 2.1 AA (axe-core) and
photographed into test-artifacts/<test>/. Texts are the Dutch of the catalog, looked up by msgid.
"""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from playwright.sync_api import Page, expect

from ketenregie.audit.models import AuditEvent
from ketenregie.cases.enums import CaseStatus, ClosureReason
from ketenregie.cases.models import Case, CaseTransition, Consult, LegalBasis, OTAgendaItem, OTMeeting
from ketenregie.consent.models import Consent
from tests.browser.helpers import check_page, login, submit, visit
from tests.cases.conftest import years_before
from tests.factories import PASSWORD

S = CaseStatus
YOUTH = ("Rania", "Haddad")
MOTHER = "Fatima Haddad"
SUBSIDIARITY = "Reguliere hulpverlening liep vast; problemen op meerdere levensdomeinen tegelijk."


def nl(msgid: str, **values) -> str:
    """The Dutch of ``msgid`` from our catalog (with its placeholders filled in)."""
    with translation.override("nl"):
        text = translation.gettext(msgid)
    return text % values if values else text


def status_label(status: str) -> str:
    with translation.override("nl"):
        return str(CaseStatus(status).label)


def path_of(page: Page) -> str:
    return "/" + page.url.split("/", 3)[3].split("?")[0].split("#")[0]


def iso(day) -> str:
    return day.strftime("%Y-%m-%d")


def click_and_wait(page: Page, locator) -> None:
    with page.expect_navigation():
        locator.click()


def expect_case_status(page: Page, status: str) -> None:
    badge = page.locator(f".case-header__meta .badge--{status}")
    expect(badge).to_have_text(status_label(status))


def test_case_from_consult_to_closure(page, live_server, chain, coordinator, case_director, ot_member, police):
    base = live_server.url
    today = timezone.localdate()
    birth_date = years_before(today, 15) - timedelta(days=10)  # a minor: parents sign too

    # --- The coordinator records a consult that fits ------------------------------------------------
    login(page, live_server, "coordinator", PASSWORD)
    assert path_of(page) == reverse("home")
    visit(page, base + reverse("cases:consult_create"), "consult-form")
    page.check("input[name=referrer_kind][value=organisation]")
    page.select_option("#id_referrer_organisation", label=police.name)
    page.fill("#id_referrer_name", "Inspecteur Wouters")
    page.fill("#id_referrer_contact", "089 12 34 56")
    page.check("input[name=channel][value=phone]")
    page.fill("#id_summary", "Jongere pleegde een diefstal; thuis en op school loopt het vast.")
    page.fill("#id_youth_initials", "R.H.")
    page.fill("#id_youth_birth_date", iso(birth_date))
    page.fill("#id_youth_postal_code", "3600")
    page.check("input[name=has_offence][value=yes]")
    page.check("input[name=has_multi_problem][value=yes]")
    page.check("input[name=outcome][value=fits]")
    submit(page, "main form.stacked")
    consult = Consult.objects.get(chain=chain)
    assert path_of(page) == reverse("cases:consult_detail", args=[consult.pk])
    check_page(page, "consult-fits")

    # --- "Register this case": the registration of a minor --------------------------------------------
    click_and_wait(page, page.get_by_role("link", name=nl("Register this case")))
    assert path_of(page) == reverse("cases:register")
    check_page(page, "register-from-consult")
    expect(page.locator("#id_birth_date")).to_have_value(iso(birth_date))  # taken over from the consult
    expect(page.locator("#id_postal_code")).to_have_value("3600")
    page.fill("#id_first_name", YOUTH[0])
    page.fill("#id_last_name", YOUTH[1])
    page.select_option("#id_gender", "f")
    page.fill("#id_municipality", "Genk")
    page.fill("#id_guardians-0-name", MOTHER)
    page.select_option("#id_guardians-0-relation", "mother")
    page.select_option("#id_offences-0-offence_type", "diefstal")
    page.fill("#id_offences-0-committed_on", iso(today - timedelta(days=20)))
    page.fill("#id_multi_problem", "Schoolverzuim, conflicten thuis en middelengebruik.")
    page.fill("#id_youth_informed_on", iso(today - timedelta(days=2)))
    page.fill("#id_parents_informed_on", iso(today - timedelta(days=2)))
    expect(page.locator("#id_registered_on")).to_have_value(iso(today))
    submit(page, "main form.registration-form")

    case = Case.objects.select_related("youth").get(chain=chain)
    assert case.consult_id == consult.pk
    case_url = base + reverse("cases:case_detail", args=[case.pk])
    assert page.url == case_url
    expect_case_status(page, S.REGISTERED)
    expect(page.get_by_role("heading", level=1)).to_have_text(" ".join(YOUTH))
    check_page(page, "case-registered")

    # --- Start the intake -----------------------------------------------------------------------------
    click_and_wait(page, page.locator(".what-now").get_by_role("link", name=nl("Start intake")))
    check_page(page, "step-start-intake")
    submit(page, "main form.stacked")
    expect_case_status(page, S.INTAKE)
    check_page(page, "case-intake")

    # --- The intake page: date, one life domain, one GLM need -------------------------------------------
    click_and_wait(page, page.locator(".what-now .links").get_by_role("link", name=nl("Intake")))
    assert path_of(page) == reverse("cases:intake", args=[case.pk])
    check_page(page, "intake-empty")
    page.fill("#id_intake_on", iso(today))
    page.fill("#id_domain__vrije_tijd__strengths", "Goede voetballer; de coach gelooft in hem.")
    page.fill("#id_domain__vrije_tijd__situation", "Zit veel op straat met oudere jongens.")
    page.check("input[name=glm_needs][value=relaties]")
    page.fill("#id_youth_words", "Ik wil terug naar school en opnieuw voetballen.")
    submit(page, "main form.intake-form")
    assert path_of(page) == reverse("cases:intake", args=[case.pk])
    expect(page.locator(".messages")).to_contain_text(nl("The intake is saved."))
    check_page(page, "intake-saved")

    # --- Back on the case page: "put on the OT's list" says what is still missing ----------------------
    click_and_wait(page, page.get_by_role("link", name=nl("Back to the case")))
    assert page.url == case_url
    blocked = page.locator("li.option--blocked").filter(
        has=page.get_by_role("heading", level=3, name=nl("Put on the OT's list"))
    )
    expect(blocked).to_be_visible()
    missing = "; ".join(
        [
            nl("a valid consent of the youth to discuss the case in the OT"),
            nl("parental consent (the youth is a minor)"),
            nl("a signed engagement declaration (the youth is a minor)"),
        ]
    )
    expect(blocked.locator(".still-needed")).to_contain_text(nl("Still missing: %(missing)s.", missing=missing))
    expect(blocked).not_to_contain_text(nl("Record the intake conversation first (date and intake form)."))
    expect(page.locator(".what-now").get_by_role("link", name=nl("Put on the OT's list"))).to_have_count(0)
    check_page(page, "case-refused-without-consents")

    # --- The three consents: the youth's OT consent, a parent's consent, the engagement declaration -------
    click_and_wait(page, blocked.get_by_role("link", name=nl("Record the consents")))
    assert path_of(page) == reverse("cases:consent_list", args=[case.pk])
    check_page(page, "consents-none")
    for n, (kind, given_by, name) in enumerate(
        [
            ("ot_discussion", "youth", " ".join(YOUTH)),
            ("parental", "parent", MOTHER),
            ("engagement", "youth", " ".join(YOUTH)),
        ],
        start=1,
    ):
        click_and_wait(page, page.get_by_role("link", name=nl("Record a signed consent")))
        if n == 1:
            check_page(page, "consent-form")
        page.check(f"input[name=kind][value={kind}]")
        page.check(f"input[name=given_by][value={given_by}]")
        page.fill("#id_given_by_name", name)
        expect(page.locator("#id_signed_on")).to_have_value(iso(today))
        submit(page, "main form.stacked")
        assert path_of(page) == reverse("cases:consent_list", args=[case.pk])
        expect(page.locator("table.consents tbody tr")).to_have_count(n)
    expect(page.locator(".message--warning")).to_have_count(0)  # nothing missing for the OT any more
    check_page(page, "consents-recorded")
    assert Consent.objects.filter(case=case).count() == 3

    # --- Put on the OT's list -----------------------------------------------------------------------------
    visit(page, case_url, "case-ready-for-ot")
    expect(page.locator("li.option--blocked")).to_have_count(0)
    click_and_wait(page, page.locator(".what-now").get_by_role("link", name=nl("Put on the OT's list")))
    check_page(page, "step-submit-to-ot")
    submit(page, "main form.stacked")
    expect_case_status(page, S.AWAITING_OT)
    check_page(page, "case-awaiting-ot")

    # --- No OT meeting without a legal basis: the coordinator adds it to the register ---------------------
    visit(page, base + reverse("cases:ot_create"), "ot-plan-without-legal-basis")
    expect(page.locator("main .message--warning")).to_contain_text(nl("No valid legal basis"))
    expect(page.locator("main form.stacked")).to_have_count(0)
    click_and_wait(page, page.get_by_role("link", name=nl("Go to the legal-basis register")))
    assert path_of(page) == reverse("cases:legal_basis", args=[chain.slug])
    check_page(page, "legal-basis-register-empty")
    click_and_wait(page, page.locator("main").get_by_role("link", name=nl("Add a legal basis")))
    check_page(page, "legal-basis-form")
    page.check("input[name=kind][value=decree]")
    page.fill("#id_reference", "Decreet jeugddelinquentierecht, art. 458ter Sw.")
    page.fill("#id_dated", "2020-01-01")
    page.fill("#id_valid_from", "2020-01-01")
    page.fill("#id_purpose", "Casusoverleg over jongeren die feiten pleegden.")
    page.check(f"input[name=organisations][value='{police.pk}']")
    submit(page, "main form.stacked")
    assert path_of(page) == reverse("cases:legal_basis", args=[chain.slug])
    expect(page.locator("section.legal-basis")).to_have_count(1)
    expect(page.locator("section.legal-basis .badge--valid")).to_be_visible()
    check_page(page, "legal-basis-register")
    basis = LegalBasis.objects.get(chain=chain)

    # --- Plan the OT meeting, an hour from now, with the OT member attending ----------------------------
    visit(page, base + reverse("cases:ot_create"), "ot-plan")
    starts_at = timezone.localtime(timezone.now() + timedelta(hours=1))
    page.fill("#id_starts_at", starts_at.strftime("%Y-%m-%dT%H:%M"))
    page.fill("#id_location", "Stadhuis Genk, zaal 2")
    page.select_option("#id_legal_basis", str(basis.pk))
    expect(page.locator(f"input[name=attendees][value='{ot_member.pk}']")).to_be_checked()
    submit(page, "main form.stacked")
    meeting = OTMeeting.objects.get(chain=chain)
    assert path_of(page) == reverse("cases:ot_detail", args=[meeting.pk])
    assert set(meeting.attendances.values_list("user_id", flat=True)) == {coordinator.pk, ot_member.pk}
    check_page(page, "ot-meeting")

    # --- The agenda: "include" without case director and subsidiarity is refused, field by field ---------
    item = OTAgendaItem.objects.get(meeting=meeting, case=case)
    article = page.locator(f"#item-{item.pk}")
    expect(article.get_by_role("heading", level=3)).to_contain_text(" ".join(YOUTH))
    prefix = f"item-{item.pk}"
    # The agenda shows each case with a button; the decision form opens in place, on request.
    expect(article.locator("form.decision-form")).to_have_count(0)
    with page.expect_response(lambda r: r.request.method == "GET" and "/beslissingsformulier/" in r.url):
        article.get_by_role("link", name=nl("Record a decision")).click()
    expect(article.locator("form.decision-form")).to_be_focused()
    article.locator(f"input[name='{prefix}-decision'][value=include]").check()
    with page.expect_response(lambda r: r.request.method == "POST" and "/beslissing/" in r.url) as refused:
        article.get_by_role("button", name=nl("Record the decision")).click()
    assert refused.value.status == 200
    expect(page.locator(f"#id_{prefix}-chosen_case_director_error")).to_have_text(nl("Choose the case director."))
    expect(page.locator(f"#id_{prefix}-subsidiarity_error")).to_have_text(
        nl("Motivate why no regular structure can take the case (subsidiarity).")
    )
    check_page(page, "ot-include-refused")
    item.refresh_from_db()
    case.refresh_from_db()
    assert item.decision == "" and case.status == S.AWAITING_OT

    article = page.locator(f"#item-{item.pk}")
    expect(article.locator(f"input[name='{prefix}-decision'][value=include]")).to_be_checked()
    page.select_option(f"#id_{prefix}-chosen_case_director", label=case_director.get_full_name())
    page.fill(f"#id_{prefix}-guideline", "Start met wekelijkse gesprekken; betrek de voetbalcoach.")
    page.fill(f"#id_{prefix}-subsidiarity", SUBSIDIARITY)
    with page.expect_response(lambda r: r.request.method == "POST" and "/beslissing/" in r.url):
        article.get_by_role("button", name=nl("Record the decision")).click()
    article = page.locator(f"#item-{item.pk}")
    expect(article.get_by_role("status")).to_have_text(nl("The decision is recorded."))
    expect(article.locator(".badge--decision-include")).to_be_visible()
    expect(page.locator("#open-items")).to_have_text(nl("Every item has a decision."))
    check_page(page, "ot-included")

    # --- The case page says "included"; the coordinator records the start ---------------------------------
    visit(page, case_url, "case-included")
    expect_case_status(page, S.INCLUDED)
    expect(page.locator(".facts")).to_contain_text(case_director.get_full_name())
    click_and_wait(page, page.get_by_role("link", name=nl("Record who was informed, and the trusted person")))
    check_page(page, "record-start")
    page.fill("#id_referrer_informed_on", iso(today))
    page.fill("#id_youth_informed_of_decision_on", iso(today))
    page.fill("#id_trusted_person_name", "Coach Jens")
    page.fill("#id_trusted_person_contact", "0470 12 34 56")
    submit(page, "main form.stacked")
    assert page.url == case_url
    expect(page.locator(".messages")).to_contain_text(nl("The start details are saved."))
    check_page(page, "case-start-recorded")

    submit(page, "header form.inline-form")  # log out
    assert path_of(page) == reverse("accounts:login")
    check_page(page, "coordinator-logged-out")

    # --- The case director starts the trajectory... -----------------------------------------------------
    login(page, live_server, "regisseur1", PASSWORD, name="login-case-director")
    assert path_of(page) == reverse("home")
    visit(page, case_url, "case-director-sees-included")
    expect_case_status(page, S.INCLUDED)
    click_and_wait(page, page.locator(".what-now").get_by_role("link", name=nl("Start the trajectory")))
    check_page(page, "step-activate")
    page.fill("#id_first_conversation_on", iso(today))
    submit(page, "main form.stacked")
    assert page.url == case_url
    expect_case_status(page, S.ACTIVE)
    check_page(page, "case-active")

    # --- ... and closes it: goals reached, with a closing summary --------------------------------------------
    click_and_wait(page, page.locator(".what-now").get_by_role("link", name=nl("Close the case")))
    check_page(page, "step-close")
    page.select_option("#id_closure_reason", ClosureReason.GOALS_REACHED.value)
    page.fill("#id_summary_vrije_tijd", "Speelt opnieuw voetbal in de club.")
    page.fill("#id_summary_general", "De doelen van het plan zijn bereikt.")
    submit(page, "main form.stacked")
    assert page.url == case_url
    expect_case_status(page, S.CLOSED)

    read_only = page.locator("section.read-only")
    expect(read_only.get_by_role("heading", level=2)).to_have_text(nl("This case is closed"))
    with translation.override("nl"):
        reason = str(ClosureReason.GOALS_REACHED.label)
    expect(read_only).to_contain_text(
        nl("Closed on %(date)s: %(reason)s.", date=date_format(today, "j F Y"), reason=reason)
    )
    expect(read_only).to_contain_text(nl("The case is read-only: nothing can be changed any more."))
    expect(page.locator(".what-now")).to_have_count(0)
    expect(page.locator(f"a[href*='{reverse('cases:intake', args=[case.pk])}']")).to_have_count(0)

    # The history tells every transition, in the order they happened.
    lotte, sofie = case_director.get_full_name(), coordinator.get_full_name()
    moved = "%(actor)s moved the case from “%(from)s” to “%(to)s”."
    expected = [nl("%(actor)s registered the case.", actor=sofie)] + [
        nl(moved, actor=actor, **{"from": status_label(a), "to": status_label(b)})
        for actor, a, b in [
            (sofie, S.REGISTERED, S.INTAKE),
            (sofie, S.INTAKE, S.AWAITING_OT),
            (sofie, S.AWAITING_OT, S.INCLUDED),
            (lotte, S.INCLUDED, S.ACTIVE),
            (lotte, S.ACTIVE, S.CLOSED),
        ]
    ]
    transitions = page.locator(".timeline .timeline__event--transition")
    expect(transitions).to_have_count(len(expected))
    texts = transitions.all_inner_texts()
    for text, sentence in zip(texts, expected, strict=True):
        assert sentence in text, f"{sentence!r} not in {text!r}"
    check_page(page, "case-closed")

    # Closed means read-only everywhere: the intake can be read, not saved.
    visit(page, base + reverse("cases:intake", args=[case.pk]), "intake-read-only")
    expect(page.get_by_role("button", name=nl("Save the intake"))).to_have_count(0)

    # --- The database agrees --------------------------------------------------------------------------------
    case.refresh_from_db()
    assert case.status == S.CLOSED
    assert case.closure_reason == ClosureReason.GOALS_REACHED
    assert case.closure_summary == {
        "vrije_tijd": "Speelt opnieuw voetbal in de club.",
        "general": "De doelen van het plan zijn bereikt.",
    }
    assert case.case_director_id == case_director.pk
    assert case.first_conversation_on == today and case.trusted_person_name == "Coach Jens"
    rows = list(CaseTransition.objects.filter(case=case).order_by("occurred_at", "id"))
    assert [(t.from_status, t.to_status) for t in rows] == [
        ("", S.REGISTERED),
        (S.REGISTERED, S.INTAKE),
        (S.INTAKE, S.AWAITING_OT),
        (S.AWAITING_OT, S.INCLUDED),
        (S.INCLUDED, S.ACTIVE),
        (S.ACTIVE, S.CLOSED),
    ]
    assert [t.actor_id for t in rows] == [coordinator.pk] * 4 + [case_director.pk] * 2
    audited = list(
        AuditEvent.objects.filter(action="case.transition", case_id=case.pk)
        .order_by("id")
        .values_list("details", "actor_id")
    )
    assert [(d["transition"], d["from"], d["to"]) for d, _actor in audited] == [
        ("start_intake", S.REGISTERED, S.INTAKE),
        ("submit_to_ot", S.INTAKE, S.AWAITING_OT),
        ("include", S.AWAITING_OT, S.INCLUDED),
        ("activate", S.INCLUDED, S.ACTIVE),
        ("close", S.ACTIVE, S.CLOSED),
    ]
    assert [actor for _d, actor in audited] == [coordinator.pk] * 3 + [case_director.pk] * 2
    assert AuditEvent.objects.filter(action="case.registered", case_id=case.pk, actor_id=coordinator.pk).count() == 1
