"""The network pages: who sees what, the forms, the map download, auditing and query counts."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ketenregie.audit.models import AuditEvent
from ketenregie.cases.models import Case
from ketenregie.network.domain import create_offence_group, link_case_to_group
from ketenregie.network.enums import GroupPosition, Influence, MemberKind
from ketenregie.network.models import NetworkMember, OffenceGroup, OffenceGroupMember
from ketenregie.plans.enums import ActionStatus
from ketenregie.plans.models import Action

pytestmark = pytest.mark.django_db

EVIL = "<script>alert(1)</script>"


def page_url(case) -> str:
    return reverse("network:page", args=[case.pk])


def every_url(case, member, group) -> list[str]:
    return [
        page_url(case),
        reverse("network:map_svg", args=[case.pk]),
        reverse("network:member_add", args=[case.pk]),
        reverse("network:member_edit", args=[case.pk, member.pk]),
        reverse("network:member_end", args=[case.pk, member.pk]),
        reverse("network:group_create", args=[case.pk]),
        reverse("network:group_link", args=[case.pk]),
        reverse("network:group_link_other", args=[case.pk, group.pk]),
    ]


@pytest.fixture
def group(active_case, coordinator):
    group = create_offence_group(
        actor=coordinator,
        chain=active_case.chain,
        name="Diefstallen Shopping 1",
        facts_on=timezone.localdate(),
        dynamics="Oudere jongens zetten de toon.",
    )
    link_case_to_group(
        actor=coordinator, group=group, case=active_case, position=GroupPosition.FOLLOWER, influence=Influence.LOW
    )
    return group


def test_outsiders_get_404_on_every_network_page(
    active_case, add_member, group, client_for, outsider, other_case_director, strategic, admin_user
):
    member = add_member(active_case)
    for user in (outsider, other_case_director, strategic, admin_user):
        client = client_for(user)
        for url in every_url(active_case, member, group):
            assert client.get(url).status_code == 404, (user, url)
            assert client.post(url, {"name": "x"}).status_code == 404, (user, url)
    assert NetworkMember.objects.filter(case=active_case).count() == 1


def test_an_ot_member_who_sees_the_case_gets_no_network_pages(make_active_case, add_member, ot_member, client_for):
    # OT members see a dossier's OT summary only (policy.can_view_case_content): the network is content.
    case = make_active_case(ot_attendees=[ot_member])
    add_member(case, "Karin Vermeulen", "Moeder", youth_agreed=True, notes="Werkt in ploegen.")
    client = client_for(ot_member)

    assert client.get(reverse("cases:case_detail", args=[case.pk])).status_code == 200
    assert client.get(page_url(case)).status_code == 404
    add = client.post(
        reverse("network:member_add", args=[case.pk]), {"kind": "informal", "name": "Rayan", "role": "Vriend"}
    )
    assert add.status_code == 404
    assert not NetworkMember.objects.filter(case=case, name="Rayan").exists()


def test_an_ot_member_who_did_not_attend_gets_404(active_case, ot_member, client_for):
    assert client_for(ot_member).get(page_url(active_case)).status_code == 404


def test_the_case_director_adds_changes_and_sees_members(active_case, case_director, client_for, school, partner):
    client = client_for(case_director)
    page = client.get(page_url(active_case)).content.decode()
    assert reverse("network:member_add", args=[active_case.pk]) in page

    response = client.post(
        reverse("network:member_add", args=[active_case.pk]),
        {
            "kind": "formal",
            "name": "Nathalie Willems",
            "role": "CLB-medewerker",
            "user": str(partner.pk),
            "life_domains": ["werk_onderwijs"],
            "is_support_figure": "on",
            "youth_agreed": "on",
        },
    )

    assert response.status_code == 302
    member = NetworkMember.objects.get(case=active_case)
    # The organisation follows from the partner account when it was left empty.
    assert (member.kind, member.organisation, member.user) == (MemberKind.FORMAL, school, partner)
    assert member.since == timezone.localdate()
    assert AuditEvent.objects.filter(action="network.member_added", object_id=str(member.pk)).exists()

    response = client.post(
        reverse("network:member_edit", args=[active_case.pk, member.pk]),
        {
            "kind": "formal",
            "name": "Nathalie Willems",
            "role": "Leerlingbegeleider",
            "organisation": str(school.pk),
            "user": str(partner.pk),
            "life_domains": ["werk_onderwijs", "vrije_tijd"],
        },
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.role, member.life_domains, member.is_support_figure) == (
        "Leerlingbegeleider",
        ["werk_onderwijs", "vrije_tijd"],
        False,
    )


def test_domain_errors_show_next_to_their_field(active_case, case_director, client_for, caw, partner):
    response = client_for(case_director).post(
        reverse("network:member_add", args=[active_case.pk]),
        {
            "kind": "formal",
            "name": "Nathalie Willems",
            "role": "CLB",
            "organisation": str(caw.pk),
            "user": str(partner.pk),
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["user"] == ["This account belongs to another organisation."]
    assert 'id="id_user_error"' in response.content.decode()
    assert not NetworkMember.objects.filter(case=active_case).exists()


def test_informal_members_lose_organisation_fields_they_cannot_see(active_case, case_director, client_for, caw):
    response = client_for(case_director).post(
        reverse("network:member_add", args=[active_case.pk]),
        {
            "kind": "informal",
            "name": "Karin Vermeulen",
            "role": "Moeder",
            "organisation": str(caw.pk),
        },
    )
    assert response.status_code == 302
    assert NetworkMember.objects.get(case=active_case).organisation is None


def test_ending_asks_who_takes_over_the_open_actions(active_case, add_member, plan_actions, case_director, client_for):
    coach = add_member(active_case, "Marc Thijs", "Voetbaltrainer")
    mother = add_member(active_case, "Karin Vermeulen", "Moeder")
    plan_actions(active_case, [("Meetrainen op woensdag", coach, ActionStatus.PLANNED)])
    url = reverse("network:member_end", args=[active_case.pk, coach.pk])
    client = client_for(case_director)

    page = client.get(url)
    assert "Meetrainen op woensdag" in page.content.decode()
    refused = client.post(url, {"on": timezone.localdate().isoformat()})

    assert refused.status_code == 200
    assert refused.context["form"].errors["reassign_to"] == ["Choose who takes over the open actions."]
    assert 'id="id_reassign_to_error"' in refused.content.decode()
    coach.refresh_from_db()
    assert coach.until is None

    done = client.post(url, {"on": timezone.localdate().isoformat(), "reassign_to": str(mother.pk)})
    assert done.status_code == 302
    coach.refresh_from_db()
    assert coach.until == timezone.localdate()
    assert Action.objects.get(case=active_case).responsible_member == mother
    ended_page = client.get(page_url(active_case)).content.decode()
    assert "Earlier in the network (1 person)" in ended_page


def test_a_name_with_markup_is_escaped_on_the_page_and_in_the_download(
    active_case, add_member, case_director, client_for
):
    add_member(active_case, EVIL, "Vriend & buur")
    client = client_for(case_director)

    html = client.get(page_url(active_case)).content.decode()
    svg_start = html.index("<svg")
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)" in html[svg_start : html.index("</svg>")]

    download = client.get(reverse("network:map_svg", args=[active_case.pk]))
    assert download["Content-Type"] == "image/svg+xml; charset=utf-8"
    assert download["Content-Disposition"] == f'attachment; filename="netwerkkaart-{active_case.reference}.svg"'
    body = download.content.decode()
    assert body.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<svg')
    assert "<script" not in body and "&lt;script&gt;" in body
    assert AuditEvent.objects.filter(action="case.document_downloaded", case_id=active_case.pk).exists()


def test_reading_the_network_writes_one_audit_row(active_case, add_member, case_director, client_for):
    for name in ("Karin Vermeulen", "Marc Thijs", "Lore Vermeulen"):
        add_member(active_case, name)
    client = client_for(case_director)
    before = AuditEvent.objects.count()
    client.get(page_url(active_case))
    events = list(AuditEvent.objects.order_by("id")[before:])
    assert [(e.action, e.case_id) for e in events] == [("case.viewed", active_case.pk)]


def _page_queries(client, case) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(page_url(case)).status_code == 200
    return len(ctx.captured_queries)


def test_the_page_makes_the_same_number_of_queries_for_2_and_20_members(
    make_active_case,
    add_member,
    plan_actions,
    coordinator,
    case_director,
    other_case_director,
    client_for,
    school,
    partner,
):
    small, large = make_active_case(), make_active_case()
    for case, size in ((small, 2), (large, 20)):
        members = [
            add_member(
                case,
                f"Persoon {i}",
                "Professional" if i % 2 else "Familie",
                **({"kind": MemberKind.FORMAL, "organisation": school, "user": partner} if i % 2 else {}),
                life_domains=["werk_onderwijs"] if i % 3 else [],
                is_support_figure=i == 0,
            )
            for i in range(size)
        ]
        plan_actions(case, [(f"Actie {i}", m, ActionStatus.PLANNED) for i, m in enumerate(members)])
        group = create_offence_group(actor=coordinator, chain=case.chain, name=f"Groep {size}", facts_on=None)
        link_case_to_group(actor=coordinator, group=group, case=case)
    other = make_active_case(director=other_case_director)  # a case the case director cannot see
    for group in OffenceGroup.objects.all():
        link_case_to_group(actor=coordinator, group=group, case=other)
    client = client_for(case_director)
    _page_queries(client, small)  # warm the session and caches

    assert _page_queries(client, small) == _page_queries(client, large)


def test_other_youths_in_a_group_are_named_only_for_viewers_who_may_see_their_case(
    active_case, make_active_case, group, coordinator, case_director, other_case_director, client_for
):
    other = make_active_case(director=other_case_director)
    link_case_to_group(
        actor=coordinator, group=group, case=other, position=GroupPosition.LEADER, influence=Influence.HIGH
    )
    other_name = other.youth.full_name

    director_view = client_for(case_director).get(page_url(active_case)).content.decode()
    assert "Diefstallen Shopping 1" in director_view and "Oudere jongens zetten de toon." in director_view
    assert other_name not in director_view and other.reference not in director_view
    assert "another youth (no access)" in director_view
    assert "Leader / instigator" in director_view
    assert reverse("network:group_link_other", args=[active_case.pk, group.pk]) not in director_view

    coordinator_view = client_for(coordinator).get(page_url(active_case)).content.decode()
    assert other_name in coordinator_view
    assert reverse("cases:case_detail", args=[other.pk]) in coordinator_view


def test_a_case_director_records_a_group_and_a_coordinator_links_another_case_by_number(
    active_case, make_active_case, case_director, coordinator, client_for
):
    response = client_for(case_director).post(
        reverse("network:group_create", args=[active_case.pk]),
        {
            "name": "Vechtpartij station",
            "facts_on": timezone.localdate().isoformat(),
            "dynamics": "Twee kampen.",
            "position": GroupPosition.CORE,
            "influence": Influence.MEDIUM,
        },
    )
    assert response.status_code == 302
    group = OffenceGroup.objects.get(name="Vechtpartij station")
    link = OffenceGroupMember.objects.get(group=group)
    assert (link.case_id, link.position, link.influence) == (active_case.pk, GroupPosition.CORE, Influence.MEDIUM)

    other = make_active_case()
    url = reverse("network:group_link_other", args=[active_case.pk, group.pk])
    assert client_for(case_director).get(url).status_code == 404  # coordinators only
    missing = client_for(coordinator).post(
        url, {"reference": "FIX-0000-999", "position": "unknown", "influence": "unknown"}
    )
    assert missing.context["form"].errors["reference"] == ["There is no case with this number in FIX Genk."]
    linked = client_for(coordinator).post(
        url, {"reference": other.reference.lower(), "position": "leader", "influence": "high"}
    )
    assert linked.status_code == 302
    assert OffenceGroupMember.objects.filter(group=group, case=other, position="leader").exists()


def test_the_case_director_changes_the_position_of_their_youth(active_case, group, case_director, client_for):
    url = reverse("network:group_link", args=[active_case.pk])
    form = client_for(case_director).get(f"{url}?groep={group.pk}").context["form"]
    assert form.initial == {"group": group.pk, "position": GroupPosition.FOLLOWER, "influence": Influence.LOW}
    response = client_for(case_director).post(url, {"group": str(group.pk), "position": "core", "influence": "medium"})
    assert response.status_code == 302
    link = OffenceGroupMember.objects.get(group=group, case=active_case)
    assert (link.position, link.influence) == ("core", "medium")


def test_a_closed_case_shows_its_network_read_only(active_case, add_member, coordinator, case_director, client_for):
    from ketenregie.cases import domain as cases

    add_member(active_case)
    cases.close_case(
        actor=coordinator,
        case=active_case,
        closure_reason="goals_reached",
        closure_summary={"vrije_tijd": "Speelt opnieuw voetbal."},
    )
    client = client_for(case_director)
    html = client.get(page_url(Case.objects.get(pk=active_case.pk))).content.decode()
    assert "This case is closed: its network can be read but no longer changed." in html
    assert reverse("network:member_add", args=[active_case.pk]) not in html
    response = client.post(
        reverse("network:member_add", args=[active_case.pk]), {"kind": "informal", "name": "Rayan", "role": "Vriend"}
    )
    assert response.status_code == 302
    assert NetworkMember.objects.filter(case=active_case).count() == 1
