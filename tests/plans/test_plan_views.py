"""The plan pages: who may open them, the editor, the conflict page, versions, the youth's PDF."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ketenregie.audit.models import AuditEvent
from ketenregie.plans.models import Action, Goal, Plan, PlanVersion
from tests.plans.fixtures import close, one_domain

HOSTILE = '<script>alert("x")</script>'
LONG = "Lange tekst. " * 1200  # about 15,600 characters


def urls(case, *, version: int = 1) -> dict[str, str]:
    return {
        "plan": reverse("plans:plan", args=[case.pk]),
        "edit": reverse("plans:edit_domain", args=[case.pk, "werk_onderwijs"]),
        "add": reverse("plans:add_domain", args=[case.pk]) + "?domain=vrije_tijd",
        "versions": reverse("plans:versions", args=[case.pk]),
        "version": reverse("plans:version", args=[case.pk, version]),
        "pdf": reverse("plans:pdf", args=[case.pk]),
    }


def editor_post(client, case, *, code="werk_onderwijs", **changes):
    """The editor as the browser would post it: GET the form, take its initial values, change some."""
    page = client.get(reverse("plans:edit_domain", args=[case.pk, code]))
    assert page.status_code == 200
    data = {}
    for form in _all_forms(page.context["editor"]):
        for name in form.fields:
            value = form[name].value()
            key = form.add_prefix(name)
            if value is None or value is False:
                continue
            if isinstance(value, list):
                data[key] = [str(v) for v in value]
            elif value is True:
                data[key] = "on"
            else:
                data[key] = str(value)
    editor = page.context["editor"]
    for fs in [editor.goals, *[b.actions for b in editor.blocks]]:
        for name, value in fs.management_form.initial.items():
            data[fs.management_form.add_prefix(name)] = str(value)
    data.update(changes)
    return data


def _all_forms(editor):
    yield editor.domain_form
    for block in editor.blocks:
        yield block.form
        yield from block.actions.forms


# --- Who may open what ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["plan", "edit", "add", "versions", "version", "pdf"])
def test_outsider_gets_404_everywhere(case, network, save, client_for, outsider, other_case_director, name):
    save([one_domain(network)])
    for user in (outsider, other_case_director):
        response = client_for(user).get(urls(case)[name])
        assert response.status_code == 404


def test_post_by_outsider_is_404_and_writes_nothing(case, network, save, client_for, outsider):
    save([one_domain(network)])
    response = client_for(outsider).post(urls(case)["edit"], {"domain-version": "1"})
    assert response.status_code == 404
    assert PlanVersion.objects.count() == 1


def test_an_ot_member_who_sees_the_case_gets_no_plan_content(case, network, save, client_for, ot_member):
    # OT members see a dossier's OT summary only (policy.can_view_case_content): the plan is content.
    save([one_domain(network)])
    client = client_for(ot_member)
    assert client.get(reverse("cases:case_detail", args=[case.pk])).status_code == 200
    for name in ("plan", "versions", "version", "edit", "add", "pdf"):
        assert client.get(urls(case)[name]).status_code == 404
    assert client.post(urls(case)["edit"], {"domain-version": "1"}).status_code == 404
    assert PlanVersion.objects.count() == 1


# --- The plan page -------------------------------------------------------------------------------


def test_plan_page_shows_strengths_first_agreement_and_overdue(case, network, save, client_for, case_director):
    d = one_domain(network, goals=2)
    d.goals[0].actions[0].due_on = timezone.localdate() - timedelta(days=3)
    save([d])
    content = client_for(case_director).get(urls(case)["plan"]).content.decode()
    assert content.index("What goes well") < content.index("Situation") < content.index("Risks")
    assert "The youth agrees" in content  # goal 1
    assert "Not yet agreed by the youth" in content  # goal 2
    assert "Overdue" in content and "1 action is overdue" in content
    assert "Meesterschap" in content  # the GLM need's label from the chain
    assert "Nathalie Willems" in content
    assert AuditEvent.objects.filter(action="case.viewed", case_id=case.pk, actor_id=case_director.pk).exists()


def _plan_page_queries(client, case) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("plans:plan", args=[case.pk])).status_code == 200
    return len(captured)


def test_plan_page_query_count_does_not_grow_with_the_plan(
    make_active_case, coordinator, case_director, client_for, school
):
    from ketenregie.network.domain import MemberData, add_network_member
    from ketenregie.network.enums import MemberKind
    from ketenregie.plans import domain

    def build(n_domains: int, goals: int, actions: int):
        case = make_active_case()
        member = add_network_member(
            actor=coordinator,
            case=case,
            data=MemberData(
                kind=MemberKind.FORMAL, name="Nathalie Willems", role="Leerlingbegeleider", organisation=school
            ),
        )
        codes = ["werk_onderwijs", "vrije_tijd", "gezinscontext"][:n_domains]
        doc = [one_domain({"clb": member}, goals=goals, actions_per_goal=actions, code=c) for c in codes]
        domain.save_plan(actor=case_director, case=case, version=0, domains=doc)
        return case

    small = build(1, 1, 1)
    large = build(3, 2, 2)  # 3 domains, 6 goals, 12 actions
    assert Goal.objects.filter(plan_domain__plan__case=large).count() == 6
    assert Action.objects.filter(case=large).count() == 12
    client = client_for(case_director)
    _plan_page_queries(client, small)  # warm up the session and caches
    assert _plan_page_queries(client, small) == _plan_page_queries(client, large)


# --- The editor -----------------------------------------------------------------------------------


def test_editor_adds_a_new_domain_with_goal_and_action(case, network, client_for, case_director):
    client = client_for(case_director)
    data = editor_post(
        client,
        case,
        code="vrije_tijd",
        **{
            "domain-strengths": "Voetbalt graag.",
            "goals-0-text": "Ik wil terug voetballen.",
            "goals-0-youth_agreed": "on",
            "goals-0-proposed_by": "youth",
            "goals-0-actions-0-what": "Inschrijven bij de club",
            "goals-0-actions-0-responsible": f"m:{network['mother'].pk}",
            "goals-0-actions-0-status": "planned",
        },
    )
    response = client.post(reverse("plans:edit_domain", args=[case.pk, "vrije_tijd"]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    plan = Plan.objects.get(case=case)
    assert plan.version == 1
    goal = Goal.objects.get(plan_domain__plan=plan)
    assert goal.youth_agreed and goal.text == "Ik wil terug voetballen."
    assert Action.objects.get(goal=goal).responsible_member == network["mother"]


def test_editor_keeps_the_other_domains_untouched(case, network, save, client_for, case_director):
    save([one_domain(network), one_domain(network, code="vrije_tijd", text="Ik wil voetballen.")])
    client = client_for(case_director)
    data = editor_post(client, case, **{"domain-risks": "Nieuwe zorg."})
    assert client.post(urls(case)["edit"], data).status_code == 302
    from ketenregie.plans.domain import snapshot

    doc = snapshot(Plan.objects.get(case=case))
    assert [d["domain"] for d in doc["domains"]] == ["vrije_tijd", "werk_onderwijs"]  # the chain's order
    assert doc["domains"][1]["risks"] == "Nieuwe zorg."
    assert doc["domains"][0]["goals"][0]["text"] == "Ik wil voetballen. (1)"
    assert Goal.objects.count() == 2 and Action.objects.count() == 2  # same rows, not recreated
    assert PlanVersion.objects.get(number=2).changes == ["Werk/onderwijs › risks"]


def test_editor_puts_domain_errors_next_to_the_field(case, network, client_for, case_director):
    client = client_for(case_director)
    data = editor_post(
        client,
        case,
        **{
            "goals-0-text": "Ik wil stage lopen.",
            "goals-0-proposed_by": "youth",
            "goals-0-actions-0-what": "Stageplaats zoeken",
            "goals-0-actions-0-status": "planned",
        },
    )
    response = client.post(urls(case)["edit"], data)
    assert response.status_code == 200
    action_form = response.context["editor"].blocks[0].actions.forms[0]
    assert action_form.errors["responsible"] == [
        "Choose who is responsible: someone from the network or an organisation."
    ]
    assert not Plan.objects.filter(case=case).exists()


def test_an_action_without_a_goal_is_refused(case, network, client_for, case_director):
    client = client_for(case_director)
    data = editor_post(client, case, **{"goals-0-actions-0-what": "Iets doen", "goals-0-actions-0-status": "planned"})
    response = client.post(urls(case)["edit"], data)
    assert response.status_code == 200
    assert "Write the goal first" in response.content.decode()


def test_save_and_add_more_returns_to_the_editor(case, network, client_for, case_director):
    client = client_for(case_director)
    data = editor_post(client, case, more="1", **{"domain-strengths": "Slim."})
    response = client.post(urls(case)["edit"], data)
    assert response.status_code == 302 and response["Location"] == urls(case)["edit"]


def test_closed_case_editor_is_refused(case, network, save, client_for, coordinator):
    save([one_domain(network)])
    close(case, coordinator)
    client = client_for(coordinator)
    response = client.get(urls(case)["edit"])
    assert response.status_code == 302
    assert client.post(urls(case)["edit"], {"domain-version": "1", "domain-risks": "x"}).status_code == 302
    assert PlanVersion.objects.count() == 1
    page = client.get(urls(case)["plan"]).content.decode()
    assert "This case is closed" in page and urls(case)["edit"] not in page


def test_unknown_life_domain_is_404(case, client_for, case_director):
    assert client_for(case_director).get(reverse("plans:edit_domain", args=[case.pk, "astrologie"])).status_code == 404


def test_stale_save_shows_both_versions_and_keeps_the_input(
    case, network, save, client_for, case_director, coordinator
):
    save([one_domain(network)])
    mine = client_for(case_director)
    data = editor_post(mine, case, **{"domain-strengths": "MIJN versie: houdt van muziek."})
    # Meanwhile the coordinator saves the same domain.
    theirs = client_for(coordinator)
    other = editor_post(theirs, case, **{"domain-strengths": "HUN versie: sterk netwerk."})
    assert theirs.post(urls(case)["edit"], other).status_code == 302

    response = mine.post(urls(case)["edit"], data)
    assert response.status_code == 409
    content = response.content.decode()
    assert "Someone else saved the plan while you were working" in content
    assert "HUN versie: sterk netwerk." in content  # the saved version
    assert content.count("MIJN versie: houdt van muziek.") >= 2  # beside it, and still in the form
    assert "Reload the saved plan" in content
    plan = Plan.objects.get(case=case)
    assert plan.version == 2 and plan.domains.get().strengths == "HUN versie: sterk netwerk."
    # Saving again after seeing both goes ahead against the current version.
    form = response.context["editor"].domain_form
    assert form["version"].value() == "2"
    again = dict(data, **{"domain-version": "2"})
    assert mine.post(urls(case)["edit"], again).status_code == 302
    assert Plan.objects.get(case=case).domains.get().strengths == "MIJN versie: houdt van muziek."


# --- Versions and the PDF ------------------------------------------------------------------------


def test_versions_and_diff_are_readable(case, network, save, client_for, case_director):
    save([one_domain(network)])
    d = one_domain(network)
    d.goals[0].id = Goal.objects.get().pk
    d.goals[0].actions[0].id = Action.objects.get().pk
    d.goals[0].actions[0].status = "done"
    d.goals[0].youth_agreed = False
    save([d])
    client = client_for(case_director)
    listing = client.get(urls(case)["versions"]).content.decode()
    assert "Lotte Janssens" in listing and "2 changes" in listing
    page = client.get(urls(case, version=2)["version"]).content.decode()
    assert "Werk/onderwijs · goal 1 “Ik wil mijn diploma halen. (1)” · The youth agrees" in page
    assert "action 1 “Gesprek met de school 1.1” · Status" in page
    assert "Planned" in page and "Done" in page
    first = client.get(urls(case, version=1)["version"]).content.decode()
    assert "This is the first version" in first
    assert client.get(urls(case, version=7)["version"]).status_code == 404


def test_pdf_for_the_youth_is_audited(case, network, save, client_for, case_director):
    save([one_domain(network)])
    response = client_for(case_director).get(urls(case)["pdf"])
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert case.youth.last_name not in response["Content-Disposition"]
    event = AuditEvent.objects.filter(action="case.document_downloaded", case_id=case.pk).get()
    assert event.details == {"document": "plan"}


def test_pdf_text_puts_the_goals_first(case, network, save, case_director, rf):
    from django.template.loader import render_to_string

    from ketenregie.plans.views import plan_domains

    save([one_domain(network)])
    plan = Plan.objects.get(case=case)
    domains = plan_domains(plan)
    for d in domains:
        d.label = "Werk/onderwijs"
    html = render_to_string(
        "pdf/plan.html",
        {
            "case": case,
            "chain": case.chain,
            "plan": plan,
            "domains": domains,
            "helpers": [{"name": "Nathalie Willems", "role": "", "organisation": ""}],
            "director": case.case_director,
            "printed_on": timezone.localdate(),
        },
    )
    assert html.index("My goals") < html.index("What we agreed") < html.index("Who helps me")
    assert "Lotte Janssens" in html
    assert "Dreigt uit te vallen" not in html  # risks are not in the youth's document


# --- Hostile and very long input ---------------------------------------------------------------


def test_long_texts_and_markup_are_stored_and_rendered_escaped(case, network, client_for, case_director):
    client = client_for(case_director)
    text = HOSTILE + LONG
    data = editor_post(
        client,
        case,
        **{
            "domain-strengths": text,
            "domain-situation": text,
            "domain-risks": text,
            "goals-0-text": text,
            "goals-0-intended_result": text,
            "goals-0-proposed_by": "network",
            "goals-0-actions-0-what": text,
            "goals-0-actions-0-note": text,
            "goals-0-actions-0-status": "running",
            "goals-0-actions-0-responsible": f"m:{network['clb'].pk}",
        },
    )
    assert client.post(urls(case)["edit"], data).status_code == 302
    plan = Plan.objects.get(case=case)
    pd = plan.domains.get()
    goal = pd.goals.get()
    action = goal.actions.get()
    stored = [pd.strengths, pd.situation, pd.risks, goal.text, goal.intended_result, action.what, action.note]
    assert stored == [text.strip()] * 7
    for url in (urls(case)["plan"], urls(case)["versions"], urls(case)["version"], urls(case)["edit"]):
        content = client.get(url).content.decode()
        assert HOSTILE not in content, url
    content = client.get(urls(case)["plan"]).content.decode()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in content
    assert client.get(urls(case)["pdf"]).status_code == 200


def test_stale_save_after_a_change_in_another_domain_says_so(
    case, network, save, client_for, case_director, coordinator
):
    save([one_domain(network), one_domain(network, code="vrije_tijd", text="Ik wil voetballen.")])
    mine = client_for(case_director)
    data = editor_post(mine, case, **{"domain-risks": "Mijn nieuwe zorg."})
    theirs = client_for(coordinator)
    other = editor_post(theirs, case, code="vrije_tijd", **{"domain-risks": "Hun zorg."})
    assert theirs.post(reverse("plans:edit_domain", args=[case.pk, "vrije_tijd"]), other).status_code == 302
    response = mine.post(urls(case)["edit"], data)
    assert response.status_code == 409
    assert "The other change was in another life domain" in response.content.decode()
    assert response.context["conflict"].differs == {
        "strengths": False,
        "situation": False,
        "risks": True,
        "glm_needs": False,
        "goals": False,
    }
