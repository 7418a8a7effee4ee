"""Sensitive texts with a canary, written through the domain functions on top of the demo data.

Used by tests/security/test_canaries.py in the test process and in a child process that writes a
real SQLite file (``python -m tests.security.canary_seed CANARY``), so both write the same.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict, dataclass
from datetime import timedelta
from io import StringIO

from django.core.management import call_command, get_commands
from django.utils import timezone

# Where each canary goes: the kinds of sensitive free text SECURITY.md DP1 names.
PLACES = (
    "offence description",
    "complex multi-problem",
    "concerns",
    "intake: health",
    "intake: substance use",
    "intake: youth's words",
    "follow-up contact note",
    "network member notes",
    "major event description",
    "strong link with the region",
    "reason for overriding the criteria",
    "note on a consent withdrawal",
    "reason for a case's own cadence",
)


@dataclass
class Seeded:
    canary: str
    youth_first_name: str
    youth_last_name: str
    case_id: str
    intake_case_id: str
    read_back: list[str]  # the decrypted values, read back through the models


def seed(canary: str) -> Seeded:
    from django_scopes import scopes_disabled

    from ketenregie.accounts.enums import OrganisationKind
    from ketenregie.accounts.models import Organisation, User
    from ketenregie.cases import domain as cases
    from ketenregie.cases.enums import CaseStatus, ReferrerKind
    from ketenregie.cases.models import Case, Intake, Offence, Youth
    from ketenregie.chains.models import Chain
    from ketenregie.consent import domain as consents
    from ketenregie.consent.models import Consent
    from ketenregie.followup import domain as followup
    from ketenregie.followup.enums import EventKind
    from ketenregie.followup.models import CaseCadence, FollowUpContact, MajorEvent
    from ketenregie.network import domain as network
    from ketenregie.network.enums import MemberKind
    from ketenregie.network.models import NetworkMember

    def text(place: str) -> str:
        return f"{place}: {canary}"

    with scopes_disabled():
        call_command("seed_demo", stdout=StringIO())
        chain = Chain.objects.get(slug="fix-genk")
        coordinator = User.objects.get(username="coordinator")
        police = Organisation.objects.filter(kind=OrganisationKind.POLICE, chain_partnerships__chain=chain).first()
        today = timezone.localdate()
        last_name = "Kanarie" + canary[-6:].lower()
        case = cases.register_case(
            actor=coordinator,
            chain=chain,
            data=cases.RegistrationData(
                youth=cases.YouthData(
                    first_name="Zwaluw",
                    last_name=last_name,
                    birth_date=today.replace(year=today.year - 16) - timedelta(days=3),
                    postal_code="2000",  # outside the chain's region, but with a strong link
                    municipality="Antwerpen",
                    strong_link=True,
                    strong_link_explanation=text("strong link with the region"),
                ),
                referrer_kind=ReferrerKind.ORGANISATION,
                referrer_organisation=police,
                referrer_name="Inspecteur Wouters",
                registered_on=today - timedelta(days=10),
                youth_informed_on=today - timedelta(days=12),
                parents_informed_on=today - timedelta(days=12),
                multi_problem=text("complex multi-problem"),
                concerns=text("concerns"),
                offences=[
                    cases.OffenceData(
                        offence_type="diefstal",
                        committed_on=today - timedelta(days=40),
                        description=text("offence description"),
                    )
                ],
            ),
        )
        overridden = cases.register_case(
            actor=coordinator,
            chain=chain,
            override_reason=text("reason for overriding the criteria"),
            data=cases.RegistrationData(
                youth=cases.YouthData(
                    first_name="Gierzwaluw",
                    last_name=last_name,
                    birth_date=today.replace(year=today.year - 15),
                    postal_code="9000",  # outside the chain's region, no strong link: overridden
                    municipality="Gent",
                ),
                referrer_kind=ReferrerKind.ORGANISATION,
                referrer_organisation=police,
                referrer_name="Inspecteur Wouters",
                registered_on=today - timedelta(days=10),
                youth_informed_on=today - timedelta(days=12),
                parents_informed_on=today - timedelta(days=12),
                multi_problem="Meerdere domeinen.",
                offences=[cases.OffenceData(offence_type="diefstal")],
            ),
        )
        intake_case = Case.objects.filter(chain=chain, status=CaseStatus.INTAKE).order_by("created_at").first()
        assert intake_case is not None
        cases.save_intake(
            actor=coordinator,
            case=intake_case,
            version=Intake.objects.filter(case=intake_case).values_list("version", flat=True).first(),
            intake_on=today,
            domains={
                "gezondheid": {"situation": text("intake: health")},
                "middelengebruik": {"situation": text("intake: substance use")},
            },
            glm_needs=[],
            youth_words=text("intake: youth's words"),
        )
        active = Case.objects.filter(chain=chain, status=CaseStatus.ACTIVE).order_by("created_at").first()
        assert active is not None
        followup.record_contact(
            actor=coordinator,
            case=active,
            data=followup.ContactData(
                contact_at=timezone.now() - timedelta(hours=1),
                with_whom="youth",
                channel="home_visit",
                note=text("follow-up contact note"),
            ),
        )
        network.add_network_member(
            actor=coordinator,
            case=active,
            data=network.MemberData(
                kind=MemberKind.INFORMAL, name="Tante Mia", role="tante", notes=text("network member notes")
            ),
        )
        followup.record_event(
            actor=coordinator,
            case=active,
            kind=EventKind.values[0],
            occurred_on=today,
            description=text("major event description"),
        )
        followup.set_cadence(actor=coordinator, case=active, days=10, reason=text("reason for a case's own cadence"))
        consent = Consent.objects.filter(case=active, withdrawn_on__isnull=True).order_by("created_at").first()
        assert consent is not None
        consents.withdraw_consent(actor=coordinator, consent=consent, note=text("note on a consent withdrawal"))
        intake = Intake.objects.get(case=intake_case)
        read_back = [
            Offence.objects.get(case=case).description,
            Case.objects.get(pk=case.pk).multi_problem,
            Case.objects.get(pk=case.pk).concerns,
            intake.domains["gezondheid"]["situation"],
            intake.domains["middelengebruik"]["situation"],
            intake.youth_words,
            FollowUpContact.objects.filter(case=active).latest("created_at").note,
            NetworkMember.objects.filter(case=active).latest("created_at").notes,
            MajorEvent.objects.filter(case=active).latest("created_at").description,
            Youth.objects.get(cases=case).strong_link_explanation,
            Case.objects.get(pk=overridden.pk).eligibility_override_reason,
            Consent.objects.get(pk=consent.pk).withdrawal_note,
            CaseCadence.objects.get(case=active).reason,
        ]
    return Seeded(canary, "Zwaluw", last_name, str(case.pk), str(intake_case.pk), read_back)


def main() -> None:
    """In a child process: migrate the (file) database named by DATABASE_URL, seed, back up."""
    import django

    django.setup()
    canary, backup_dir = sys.argv[1], sys.argv[2]
    call_command("migrate", verbosity=0, interactive=False)
    seeded = seed(canary)
    if "backup" in get_commands():  # `ketenregie backup` (SECURITY.md R5)
        call_command("backup", backup_dir, stdout=StringIO())
    print(json.dumps(asdict(seeded)))


if __name__ == "__main__":
    main()
