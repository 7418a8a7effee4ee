"""What each role sees first on its start page."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from ketenregie.accounts.enums import Role
from ketenregie.accounts.queries import memberships_of


@dataclass
class Link:
    label: str
    url: str


@dataclass
class Section:
    chain: object
    role: str
    role_label: str
    intro: str
    empty: str
    links: list[Link] = field(default_factory=list)
    items: list = field(default_factory=list)


def start_sections(user) -> list[Section]:
    intros = {
        Role.OPERATIONAL_COORDINATOR: (
            _("You run the chain: consults, registrations, intake, the OT agenda and assigning cases."),
            _("There are no consults or registrations waiting. Record a consult when a referrer calls."),
        ),
        Role.CASE_DIRECTOR: (
            _("Your cases: follow up every youth at least weekly and keep the plan moving."),
            _("No case has been assigned to you yet. The operational coordinator assigns cases after the OT."),
        ),
        Role.OT_MEMBER: (
            _("You weigh new registrations in the monthly operational team."),
            _("There is no OT meeting planned with you yet."),
        ),
        Role.PARTNER: (
            _("You see the cases in whose network you take part, as far as the youth consented."),
            _(
                "There are no cases shared with you yet. You see a case once the youth consents to share it with your organisation."
            ),
        ),
        Role.STRATEGIC_COORDINATOR: (
            _("You follow the chain's figures and prepare the steering group."),
            _("The chain's figures appear here as soon as cases are registered."),
        ),
        Role.REGIONAL_ANALYST: (
            _("You compare the aggregated figures of several chains."),
            _("Aggregated figures appear here as soon as the chains register cases."),
        ),
    }
    sections = []
    for membership in memberships_of(user):
        intro, empty = intros[Role(membership.role)]
        sections.append(
            Section(
                chain=membership.chain,
                role=membership.role,
                role_label=str(membership.get_role_display()),
                intro=intro,
                empty=empty,
            )
        )
    from ketenregie.cases.start import fill_sections

    fill_sections(user, sections)
    return sections
