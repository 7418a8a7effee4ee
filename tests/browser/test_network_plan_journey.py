"""The case director builds the youth's network, meets with it, writes the plan and evaluates it, in Chromium.

This complements tests/plans/test_plan_journey.py, which already drives a one-goal plan, a meeting
that is refused without the youth (the "Zonder jongere, geen FIX-overleg" message after a POST), the
same meeting held with the youth, its evaluation and the chart. Here the network is built in the
browser (an informal support figure who is the trusted person, a professional of a partner
organisation), the network map is shown, the plan gets two life domains and three actions, the plan
PDF and the calendar invitation are downloaded, and the meeting is evaluated as the second one of
the case, so the chart shows progress between two meetings.

Every page is checked for console errors, CSP violations and WCAG 2.1 AA (axe-core) and
photographed into test-artifacts/<test>/. Texts are the Dutch of the catalog, looked up by msgid.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from django.urls import reverse
from django.utils import timezone, translation
from playwright.sync_api import Page, expect

from ketenregie.meetings import domain as meetings_domain
from ketenregie.meetings.enums import LocationKind, MeetingStatus
from ketenregie.meetings.models import ActionEvaluation, DomainProgress, MeetingAttendance, NetworkMeeting
from ketenregie.network.enums import MemberKind
from ketenregie.network.models import NetworkMember
from ketenregie.plans.models import Action, Plan, PlanDomain
from tests.browser.helpers import check_page, login, submit, visit
from tests.factories import PASSWORD
from tests.plans import fixtures as plan_fixtures

# The plan tests' fixtures: an active case taken there by the domain (registration to activation),
# directed by the cast's case director, with an empty network.
legal_basis = plan_fixtures.legal_basis
make_active_case = plan_fixtures.make_active_case


def nl(msgid: str, **values) -> str:
    """The Dutch of ``msgid`` from our catalog (with its placeholders filled in)."""
    with translation.override("nl"):
        text = translation.gettext(msgid)
    return text % values if values else text


def path_of(page: Page) -> str:
    return "/" + page.url.split("/", 3)[3].split("?")[0].split("#")[0]


def click_and_wait(page: Page, locator) -> None:
    with page.expect_navigation():
        locator.click()


def download(page: Page, locator) -> tuple[str, bytes]:
    """Click a download link; the suggested file name and the file's bytes."""
    with page.expect_download() as info:
        locator.click()
    file = info.value
    return file.suggested_filename, Path(file.path()).read_bytes()


def test_network_plan_and_evaluation_journey(page, live_server, make_active_case, case_director, school, caw):
    case = make_active_case()
    youth = case.youth
    base = live_server.url
    today = timezone.localdate()

    # Set-up: the first network meeting, two weeks ago, with its baseline scores, entered afterwards
    # through the domain (the page for that is driven in test_past_meeting_journey.py).
    first = meetings_domain.record_past_meeting(
        actor=case_director,
        case=case,
        starts_at=timezone.now() - timedelta(days=14),
        location_kind=LocationKind.NEUTRAL,
        location="Stadhuis Genk, zaal 2.14",
        data=meetings_domain.HeldData(youth_attended=True, minutes="Kennismaking met de jongere."),
    )
    meetings_domain.evaluate_meeting(
        actor=case_director,
        meeting=first,
        actions=[],
        progress=[
            meetings_domain.ProgressInput(domain="werk_onderwijs", score=2),
            meetings_domain.ProgressInput(domain="vrije_tijd", score=1),
        ],
    )

    login(page, live_server, "regisseur1", PASSWORD)
    assert path_of(page) == reverse("home")

    # --- The network, built in the browser ------------------------------------------------------------
    network_url = base + reverse("network:page", args=[case.pk])
    visit(page, network_url, "network-empty")
    expect(page.locator(".network-map-section .empty")).to_be_visible()  # no map without people

    # The trusted person named at the start (Coach Marc) is offered, pre-filled, as an informal member.
    click_and_wait(page, page.get_by_role("link", name=nl("Add %(name)s to the network", name="Coach Marc")))
    assert path_of(page) == reverse("network:member_add", args=[case.pk])
    expect(page.locator("input[name=kind][value=informal]")).to_be_checked()
    expect(page.locator("#id_name")).to_have_value("Coach Marc")
    expect(page.locator("#id_is_trusted_person")).to_be_checked()
    expect(page.locator("#id_organisation")).to_be_hidden()  # professionals only
    check_page(page, "add-trusted-person")
    page.fill("#id_role", "Voetbalcoach")
    page.fill("#id_phone", "0470 11 22 33")
    page.check("input[name=life_domains][value=vrije_tijd]")
    page.check("#id_is_support_figure")
    page.check("#id_youth_agreed")
    submit(page, "main form.member-form")
    assert page.url == network_url
    expect(page.locator(".messages")).to_contain_text(nl("%(name)s is added to the network.", name="Coach Marc"))

    click_and_wait(page, page.get_by_role("link", name=nl("Add a professional")))
    expect(page.locator("input[name=kind][value=formal]")).to_be_checked()
    expect(page.locator("#id_organisation")).to_be_visible()
    check_page(page, "add-professional")
    page.fill("#id_name", "Nathalie Willems")
    page.fill("#id_role", "Leerlingbegeleider")
    page.select_option("#id_organisation", label=school.name)
    page.fill("#id_email", "nathalie.willems@clb.example")
    page.check("input[name=life_domains][value=werk_onderwijs]")
    page.check("#id_youth_agreed")
    submit(page, "main form.member-form")
    assert page.url == network_url

    coach = NetworkMember.objects.get(case=case, name="Coach Marc")
    clb = NetworkMember.objects.get(case=case, name="Nathalie Willems")
    assert (coach.kind, coach.is_support_figure, coach.is_trusted_person) == (MemberKind.INFORMAL, True, True)
    assert (clb.kind, clb.organisation_id, clb.is_trusted_person) == (MemberKind.FORMAL, school.pk, False)

    # --- The network page with the map ------------------------------------------------------------------
    expect(page.locator("#informal-title")).to_contain_text("(1)")
    expect(page.locator("#formal-title")).to_contain_text("(1)")
    card = page.locator(".member-card").filter(has_text="Coach Marc")
    expect(card.locator(".badge--trusted")).to_have_text(nl("Trusted person"))
    expect(card.locator(".badge--support")).to_have_text(nl("Support figure"))
    expect(page.locator("main .lead")).to_contain_text(nl("trusted person: %(name)s", name="Coach Marc"))
    expect(page.locator("figure.network-map svg")).to_be_visible()
    expect(page.locator(".network-map-table tbody tr")).to_have_count(2)
    expect(page.locator(".network-trusted-missing")).to_have_count(0)
    check_page(page, "network-map")

    # --- Plan a network meeting, invite the network, download the invitation -------------------------------
    visit(page, base + reverse("meetings:create", args=[case.pk]), "plan-meeting")
    for member in (coach, clb):
        expect(page.locator(f"input[name=invitees][value='{member.pk}']")).to_be_checked()
    soon = timezone.localtime(timezone.now() + timedelta(minutes=15))
    page.fill("#id_starts_at", soon.strftime("%Y-%m-%dT%H:%M"))
    page.select_option("#id_location_kind", "neutral")
    page.fill("#id_location", "Jeugdhuis Genk, vergaderzaal")
    page.fill("#id_agenda", "Terugblik, plan van aanpak, afspraken.")
    submit(page, "main form.stacked")
    meeting = NetworkMeeting.objects.get(case=case, status=MeetingStatus.PLANNED)
    meeting_url = base + reverse("meetings:detail", args=[case.pk, meeting.pk])
    assert page.url == meeting_url
    assert set(meeting.invitees.all()) == {coach, clb}
    check_page(page, "meeting-planned")

    name, ics = download(page, page.get_by_role("link", name=nl("Download the calendar invitation (.ics)")))
    assert name == f"netwerkoverleg-{soon:%Y-%m-%d}.ics"
    invitation = ics.decode("utf-8").replace("\r\n ", "")  # unfold the long lines
    assert invitation.startswith("BEGIN:VCALENDAR")
    assert case.reference in invitation
    for part in (youth.first_name, youth.last_name, youth.full_name):
        assert part not in invitation  # no personal data in a calendar

    # --- Record it as held, with the youth (the refusal without the youth is test_plan_journey's) ---------
    click_and_wait(page, page.locator(".what-now").get_by_role("link", name=nl("Record as held")))
    assert path_of(page) == reverse("meetings:hold", args=[case.pk, meeting.pk])
    expect(page.locator(".rule-card h2")).to_have_text(meetings_domain.NO_MEETING_WITHOUT_YOUTH)
    expect(page.locator(f"#present-{coach.pk}")).to_be_checked()
    expect(page.locator(f"#present-{clb.pk}")).to_be_checked()
    expect(page.locator(f"#ack-{coach.pk}")).to_have_count(0)  # informal: no professional secrecy to share
    check_page(page, "hold")
    page.check("#id_youth_attended")
    page.check(f"#ack-{clb.pk}")
    page.fill("#id_minutes", "De jongere vertelt wat ze wil bereiken op school en in het voetbal.")
    submit(page, "form.hold-form")
    assert page.url == meeting_url
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD and meeting.youth_attended
    assert MeetingAttendance.objects.filter(meeting=meeting).count() == 3  # the youth, the coach, the CLB
    check_page(page, "meeting-held")

    # --- The plan: two life domains, three actions -----------------------------------------------------------
    plan_url = base + reverse("plans:plan", args=[case.pk])
    visit(page, plan_url, "plan-empty")
    page.select_option("#add-domain-select", "werk_onderwijs")
    submit(page, "form.add-domain__form")
    assert path_of(page) == reverse("plans:edit_domain", args=[case.pk, "werk_onderwijs"])
    check_page(page, "editor-work-school")
    page.fill("[name=domain-strengths]", "Is slim en goed met de handen.")
    page.fill("[name=domain-situation]", "Spijbelt twee dagen per week.")
    page.check("[name=domain-glm_needs][value=meesterschap]")
    page.fill("[name=goals-0-text]", "Ik wil mijn diploma halen.")
    page.check("[name=goals-0-youth_agreed]")
    page.fill("[name=goals-0-intended_result]", "Elke dag naar school.")
    page.fill("[name=goals-0-actions-0-what]", "Wekelijks gesprek met de leerlingbegeleider.")
    page.select_option("[name=goals-0-actions-0-responsible]", f"m:{clb.pk}")
    page.fill("[name=goals-0-actions-0-due_on]", (today + timedelta(days=7)).isoformat())
    with page.expect_navigation():
        page.get_by_role("button", name=nl("Save and add more")).click()
    # Saved, and back in the editor with a fresh row for one more action under the same goal.
    assert path_of(page) == reverse("plans:edit_domain", args=[case.pk, "werk_onderwijs"])
    expect(page.locator("[name=goals-0-actions-0-what]")).to_have_value("Wekelijks gesprek met de leerlingbegeleider.")
    check_page(page, "editor-add-more")
    page.fill("[name=goals-0-actions-1-what]", "Begeleiding thuis bij het huiswerk.")
    page.select_option("[name=goals-0-actions-1-responsible]", f"o:{caw.pk}")
    page.fill("[name=goals-0-actions-1-due_on]", (today + timedelta(days=14)).isoformat())
    with page.expect_navigation():
        page.get_by_role("button", name=nl("Save"), exact=True).click()
    assert path_of(page) == reverse("plans:plan", args=[case.pk])

    page.select_option("#add-domain-select", "vrije_tijd")
    submit(page, "form.add-domain__form")
    check_page(page, "editor-leisure")
    page.fill("[name=domain-strengths]", "Goede voetballer; de coach gelooft in haar.")
    page.fill("[name=goals-0-text]", "Ik wil opnieuw voetballen in de club.")
    page.check("[name=goals-0-youth_agreed]")
    page.fill("[name=goals-0-actions-0-what]", "Meenemen naar de training op woensdag.")
    page.select_option("[name=goals-0-actions-0-responsible]", f"m:{coach.pk}")
    page.fill("[name=goals-0-actions-0-due_on]", (today + timedelta(days=5)).isoformat())
    with page.expect_navigation():
        page.get_by_role("button", name=nl("Save"), exact=True).click()
    assert path_of(page) == reverse("plans:plan", args=[case.pk])
    expect(page.locator("section.plan-domain")).to_have_count(2)
    expect(page.locator("table.actions-table tbody tr")).to_have_count(3)
    check_page(page, "plan-written")
    plan = Plan.objects.get(case=case)
    assert sorted(PlanDomain.objects.filter(plan=plan).values_list("domain", flat=True)) == [
        "vrije_tijd",
        "werk_onderwijs",
    ]
    actions = list(Action.objects.filter(case=case).order_by("due_on"))
    assert [a.what for a in actions] == [
        "Meenemen naar de training op woensdag.",
        "Wekelijks gesprek met de leerlingbegeleider.",
        "Begeleiding thuis bij het huiswerk.",
    ]
    assert [(a.responsible_member_id, a.responsible_organisation_id) for a in actions] == [
        (coach.pk, None),
        (clb.pk, None),
        (None, caw.pk),
    ]

    # --- The plan as a PDF for the youth ----------------------------------------------------------------------
    name, pdf = download(page, page.get_by_role("link", name=nl("Print the plan for the youth (PDF)")))
    assert pdf.startswith(b"%PDF")
    assert name == f"plan-van-aanpak-{case.reference}.pdf"  # the case number, not the youth's name

    # --- Evaluate at this second meeting: every action, a score per life domain -----------------------------
    visit(page, meeting_url, "meeting-to-evaluate")
    click_and_wait(page, page.locator(".what-now").get_by_role("link", name=nl("Evaluate")))
    assert path_of(page) == reverse("meetings:evaluate", args=[case.pk, meeting.pk])
    expect(page.locator("fieldset.evaluation-action")).to_have_count(3)
    check_page(page, "evaluate")
    kept = {actions[0].pk: "yes", actions[1].pk: "partly", actions[2].pk: "no"}
    for action_pk, value in kept.items():
        page.check(f"input[name=kept_{action_pk}][value={value}]")
    page.check(f"input[name=realistic_{actions[2].pk}][value=no]")
    page.fill(f"#id_note_{actions[2].pk}", "Het CAW had geen plaats; nieuwe afspraak nodig.")
    page.check("input[name=score_werk_onderwijs][value='3']")
    page.check("input[name=score_vrije_tijd][value='4']")
    page.fill("#id_cooperation", "Vlotte samenwerking tussen school en coach.")
    submit(page, "form.evaluation-form")
    assert page.url == meeting_url
    expect(page.locator(".messages")).to_contain_text(nl("The evaluation is saved."))
    check_page(page, "evaluated")
    assert {e.action_id: e.kept for e in ActionEvaluation.objects.filter(meeting=meeting)} == kept
    assert dict(DomainProgress.objects.filter(meeting=meeting).values_list("domain", "score")) == {
        "werk_onderwijs": 3,
        "vrije_tijd": 4,
    }

    # --- The plan page shows the progress between the two meetings ---------------------------------------------
    page.goto(plan_url)
    shot = check_page(page, "plan-with-progress-chart")
    chart = page.locator(".progress-chart")
    expect(chart.locator("svg[role=img]")).to_be_visible()
    expect(chart.locator("thead th")).to_have_count(3)  # the life domain, then one column per meeting
    with translation.override("nl"):
        labels = {d["code"]: d["label"] for d in case.chain.life_domains}
    work = chart.locator("tbody tr").filter(has=page.get_by_role("rowheader", name=labels["werk_onderwijs"]))
    leisure = chart.locator("tbody tr").filter(has=page.get_by_role("rowheader", name=labels["vrije_tijd"]))
    expect(work.locator("td")).to_have_text(["2", "3"])
    expect(leisure.locator("td")).to_have_text(["1", "4"])
    chart.screenshot(path=str(shot.with_name(f"{shot.stem}-close-up.png")))  # the chart alone, beside the page
