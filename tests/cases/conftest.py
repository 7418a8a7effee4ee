"""Builders for the case-workflow domain tests: a case in any status, made by the domain functions.

The cast (chain, coordinator, case directors, OT member, partner, outsider, administrator, ...)
and the autouse ``scopes_disabled`` come from tests/conftest.py. Everything here goes through the
domain functions — register_case, save_intake, record_consent, plan_ot_meeting, decide_ot_item,
record_start, activate_case, close_case — never by writing ``Case.status``; the only exception is
the transition-table test, which says so where it does it.

Messages are asserted in English (the msgids): the tests pin the wording, the catalogs translate it.
"""

from __future__ import annotations

import itertools
from collections import Counter
from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone, translation

from ketenregie.audit.models import AuditEvent
from ketenregie.cases import domain, workflow
from ketenregie.cases.domain import DecisionData, GuardianData, OffenceData, RegistrationData, YouthData
from ketenregie.cases.eligibility import is_minor
from ketenregie.cases.enums import (
    CaseStatus,
    ClosureReason,
    GuardianRelation,
    LegalBasisKind,
    OTDecision,
    ReferrerKind,
)
from ketenregie.cases.models import Case, CaseTransition, Guardian, Offence, OTAgendaItem, OTMeeting, Youth
from ketenregie.consent.domain import ConsentData, record_consent
from ketenregie.consent.enums import ConsentKind, GivenBy
from ketenregie.consent.models import Consent

S = CaseStatus

SUBSIDIARITY = "Reguliere hulpverlening liep vast; problemen op meerdere levensdomeinen tegelijk."
GUIDELINE = "Start met wekelijkse gesprekken; betrek de voetbalcoach."
ADVICE = "Advies aan de aanmelder: contacteer het CAW voor begeleiding thuis."
SUMMARY = {"vrije_tijd": "Speelt opnieuw voetbal in de club."}

# Distinct youths so that building several cases in one test never looks like a duplicate.
NAMES = [
    ("Amina", "Bouzid"),
    ("Bram", "Vermeulen"),
    ("Chloë", "Lemmens"),
    ("Dries", "Hendrickx"),
    ("Elif", "Yilmaz"),
    ("Finn", "Schepers"),
    ("Gianni", "Russo"),
    ("Hanne", "Geerts"),
    ("Ilias", "Amrani"),
    ("Jana", "Smeets"),
]


def years_before(day: date, years: int) -> date:
    """The same calendar day ``years`` earlier (28 February for 29 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def today() -> date:
    return timezone.localdate()


@pytest.fixture
def counts():
    """Row counts of everything a registration or transition may write, to prove nothing was written."""

    def take() -> Counter:
        return Counter(
            cases=Case.objects.count(),
            youths=Youth.objects.count(),
            offences=Offence.objects.count(),
            guardians=Guardian.objects.count(),
            transitions=CaseTransition.objects.count(),
            consents=Consent.objects.count(),
            audit=AuditEvent.objects.count(),
        )

    return take


@pytest.fixture
def new_audit():
    """The audit events written after a mark: ``mark = new_audit(); ...; new_audit(mark)``."""

    def since(mark: int | None = None):
        if mark is None:
            return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
        return list(AuditEvent.objects.filter(id__gt=mark).order_by("id"))

    return since


@pytest.fixture
def legal_basis(chain, coordinator, police, caw):
    """A decree authorising the police and the CAW, valid since 2020 without end."""
    return domain.add_legal_basis(
        actor=coordinator,
        chain=chain,
        kind=LegalBasisKind.DECREE,
        reference="Decreet jeugddelinquentierecht, art. 458ter Sw.",
        dated=date(2020, 1, 1),
        valid_from=date(2020, 1, 1),
        valid_until=None,
        purpose="Casusoverleg over jongeren die feiten pleegden.",
        modalities="",
        organisations=[police, caw],
        authorised_functions="",
    )


@pytest.fixture
def registration_data(chain, police):
    """A valid registration; pass ``birth_date``/``registered_on``/``adult`` or change fields after."""
    serial = itertools.count()

    def build(
        *,
        birth_date: date | None = None,
        registered_on: date | None = None,
        adult: bool = False,
        first_name: str | None = None,
        last_name: str | None = None,
        **fields,
    ) -> RegistrationData:
        n = next(serial)
        today = timezone.localdate()
        registered_on = registered_on or today - timedelta(days=30)
        if birth_date is None:
            birth_date = years_before(registered_on, 19 if adult else 15) - timedelta(days=n + 1)
        first, last = NAMES[n % len(NAMES)]
        minor = birth_date <= registered_on and is_minor(birth_date, registered_on)
        data = RegistrationData(
            youth=YouthData(
                first_name=first_name or first,
                last_name=last_name or last,
                birth_date=birth_date,
                postal_code="3600",
                municipality="Genk",
            ),
            referrer_kind=ReferrerKind.ORGANISATION,
            referrer_organisation=police,
            referrer_name="Inspecteur Wouters",
            registered_on=registered_on,
            youth_informed_on=registered_on - timedelta(days=2),
            parents_informed_on=registered_on - timedelta(days=2) if minor else None,
            multi_problem="Schoolverzuim, conflicten thuis en middelengebruik.",
            offences=[OffenceData(offence_type="diefstal", committed_on=registered_on - timedelta(days=40))],
            guardians=[GuardianData(name="Fatima Bouzid", relation=GuardianRelation.MOTHER)] if minor else [],
        )
        for name, value in fields.items():
            setattr(data, name, value)
        return data

    return build


class CaseBuilder:
    """Takes a case step by step through the domain, as the coordinator would."""

    def __init__(self, *, chain, coordinator, case_director, registration_data, request):
        self.chain = chain
        self.coordinator = coordinator
        self.case_director = case_director
        self.registration_data = registration_data
        self._request = request

    # --- single steps -------------------------------------------------------------------------

    def register(self, **data_fields) -> Case:
        return domain.register_case(
            actor=self.coordinator, chain=self.chain, data=self.registration_data(**data_fields)
        )

    def start_intake(self, case: Case) -> Case:
        return workflow.transition_case(case, S.INTAKE, actor=self.coordinator)

    def record_intake(self, case: Case, *, intake_on: date | None = None, reflection_until: date | None = None):
        return domain.save_intake(
            actor=self.coordinator,
            case=case,
            version=None,
            intake_on=intake_on if intake_on is not None else max(case.registered_on, timezone.localdate()),
            domains={"vrije_tijd": {"situation": "Zit veel op straat.", "strengths": "Goede voetballer."}},
            glm_needs=["relaties"],
            youth_words="Ik wil terug naar school.",
            reflection_until=reflection_until,
        )

    def consent(
        self,
        case: Case,
        kind: str = ConsentKind.OT_DISCUSSION,
        given_by: str = GivenBy.YOUTH,
        *,
        signed_on: date | None = None,
        valid_until: date | None = None,
        organisations=(),
        life_domains=(),
    ) -> Consent:
        return record_consent(
            actor=self.coordinator,
            case=case,
            data=ConsentData(
                kind=kind,
                given_by=given_by,
                given_by_name="Fatima Bouzid" if given_by == GivenBy.PARENT else case.youth.full_name,
                signed_on=signed_on or timezone.localdate(),
                valid_until=valid_until,
                organisations=list(organisations),
                life_domains=list(life_domains),
            ),
        )

    def consents_for_ot(self, case: Case) -> list[Consent]:
        """The youth's OT consent, and for a minor parental consent and the engagement declaration."""
        given = [self.consent(case)]
        if is_minor(case.youth.birth_date, timezone.localdate()):
            given.append(self.consent(case, ConsentKind.PARENTAL, GivenBy.PARENT))
            given.append(self.consent(case, ConsentKind.ENGAGEMENT, GivenBy.YOUTH))
        return given

    def submit_to_ot(self, case: Case) -> Case:
        self.record_intake(case)
        self.consents_for_ot(case)
        return workflow.transition_case(case, S.AWAITING_OT, actor=self.coordinator)

    def plan_meeting(self, *, starts_at: datetime | None = None, attendees=()) -> OTMeeting:
        """An OT meeting (by default an hour ago, so it is not "the next meeting") with its agenda."""
        return domain.plan_ot_meeting(
            actor=self.coordinator,
            chain=self.chain,
            starts_at=starts_at or timezone.now() - timedelta(hours=1),
            location="Stadhuis Genk, zaal 2",
            legal_basis=self._request.getfixturevalue("legal_basis"),
            attendees=list(attendees),
        )

    def agenda_item(self, case: Case) -> OTAgendaItem:
        """The case's undecided agenda item; plans a meeting (which puts it on the agenda) if it has none."""
        item = OTAgendaItem.objects.filter(case=case, decision="").first()
        return item or self.plan_meeting().items.get(case=case)

    def decide(self, case: Case, decision: str = OTDecision.INCLUDE, *, director=None, **fields) -> OTAgendaItem:
        item = self.agenda_item(case)
        if decision == OTDecision.INCLUDE:
            fields.setdefault("guideline", GUIDELINE)
            fields.setdefault("subsidiarity", SUBSIDIARITY)
            fields.setdefault("chosen_case_director", director or self.case_director)
        if decision == OTDecision.NOT_INCLUDE:
            fields.setdefault("advice", ADVICE)
        return domain.decide_ot_item(
            actor=self.coordinator, item=item, data=DecisionData(decision=decision, version=item.version, **fields)
        )

    def record_start(self, case: Case, on: date | None = None) -> Case:
        on = on or timezone.localdate()
        return domain.record_start(
            actor=self.coordinator,
            case=case,
            referrer_informed_on=on,
            youth_informed_of_decision_on=on,
            trusted_person_name="Coach Jens",
        )

    def activate(self, case: Case) -> Case:
        self.record_start(case)
        return domain.activate_case(actor=self.coordinator, case=case, first_conversation_on=timezone.localdate())

    def close(self, case: Case, reason: str = ClosureReason.GOALS_REACHED) -> Case:
        return domain.close_case(actor=self.coordinator, case=case, closure_reason=reason, closure_summary=SUMMARY)

    # --- any status -----------------------------------------------------------------------------

    def make(self, status: str = S.REGISTERED, *, director=None, **data_fields) -> Case:
        """A case in ``status``, taken there along the ordinary path of the workflow."""
        case = self.register(**data_fields)
        if status == S.NOT_INCLUDED:
            workflow.transition_case(case, S.NOT_INCLUDED, actor=self.coordinator, reason=ADVICE)
        elif status == S.WITHDRAWN:
            workflow.transition_case(case, S.WITHDRAWN, actor=self.coordinator, reason="De jongere weigert.")
        elif status != S.REGISTERED:
            path = [S.INTAKE, S.AWAITING_OT, S.INCLUDED, S.ACTIVE, S.CLOSED]
            for step in path[: path.index(status) + 1]:
                if step == S.INTAKE:
                    self.start_intake(case)
                elif step == S.AWAITING_OT:
                    self.submit_to_ot(case)
                elif step == S.INCLUDED:
                    self.decide(case, director=director)
                elif step == S.ACTIVE:
                    self.activate(case)
                else:
                    self.close(case)
        case = Case.objects.select_related("youth", "chain").get(pk=case.pk)
        assert case.status == status
        return case


@pytest.fixture
def builder(chain, coordinator, case_director, registration_data, request) -> CaseBuilder:
    return CaseBuilder(
        chain=chain,
        coordinator=coordinator,
        case_director=case_director,
        registration_data=registration_data,
        request=request,
    )


@pytest.fixture
def make_case(builder):
    """``make_case(status=..., director=..., **registration fields)``: a case built by the domain."""
    return builder.make


def aware(day: date, hour: int = 10) -> datetime:
    """``day`` at ``hour`` o'clock in the chain's time zone."""
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))
