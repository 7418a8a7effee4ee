"""The shapes of the JSON API: explicit input schemas (no mass assignment) and response schemas.

Input schemas forbid unknown fields, bound every string, list and number, accept dates only as
``YYYY-MM-DD`` text in a plausible range and refuse text the database cannot store (NUL bytes,
lone surrogates), so hostile input is a 422 with field errors and never reaches the database.
"""

import uuid
from datetime import UTC, date, datetime
from typing import Annotated, Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from ninja import Schema
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StringConstraints,
)

from ketenregie.api.routers.shared import MAX_OFFSET
from ketenregie.cases.enums import (
    CaseStatus,
    Channel,
    ClosureReason,
    ConsultOutcome,
    Framework,
    Gender,
    GuardianRelation,
    OTDecision,
    ReferrerKind,
)
from ketenregie.consent.enums import ConsentKind, GivenBy

# --- Field types ---------------------------------------------------------------------------------

EARLIEST = date(1900, 1, 1)
LATEST = date(2100, 12, 31)
MAX_INT = 2**31 - 1  # fits every database's integer column


def _storable_text(value: str) -> str:
    if "\x00" in value:
        raise ValueError("Text must not contain NUL characters.")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("Text must be valid Unicode.") from None
    return value


def Text(max_length: int, *, min_length: int = 0) -> Any:  # noqa: N802 — reads like a type in schemas
    """A bounded string the database can store."""
    return Annotated[
        str, StringConstraints(max_length=max_length, min_length=min_length), AfterValidator(_storable_text)
    ]


def _date_text(value: Any) -> Any:
    # Pydantic would read a number as a Unix timestamp; a date in this API is always YYYY-MM-DD.
    if isinstance(value, str | date) and not isinstance(value, datetime):
        return value
    raise ValueError("Give a date as YYYY-MM-DD.")


def _moment_text(value: Any) -> Any:
    if isinstance(value, str | datetime):
        return value
    raise ValueError("Give a moment as YYYY-MM-DDTHH:MM:SS with its offset, e.g. +01:00.")


def _plausible_day(value: date) -> date:
    if not (EARLIEST <= value <= LATEST):
        raise ValueError(f"Give a date between {EARLIEST.isoformat()} and {LATEST.isoformat()}.")
    return value


def _plausible_moment(value: datetime) -> datetime:
    if not (EARLIEST.year <= value.year <= LATEST.year):
        raise ValueError(f"Give a moment between {EARLIEST.year} and {LATEST.year}.")
    return value.astimezone(UTC)


def _email(value: str) -> str:
    if value:
        try:
            validate_email(value)
        except DjangoValidationError:
            raise ValueError("Give a valid e-mail address.") from None
    return value


Day = Annotated[date, BeforeValidator(_date_text), AfterValidator(_plausible_day)]
Moment = Annotated[AwareDatetime, BeforeValidator(_moment_text), AfterValidator(_plausible_moment)]
Version = Annotated[StrictInt, Field(ge=0, le=MAX_INT)]
Email = Annotated[Text(254), AfterValidator(_email)]
Slug = Annotated[str, StringConstraints(max_length=40, pattern=r"^[-a-zA-Z0-9_]+$")]
Code = Annotated[str, StringConstraints(max_length=40, pattern=r"^[a-z0-9_]+$")]
LongText = Text(10_000)


class In(Schema):
    """Base of every request body: unknown fields are refused, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


# --- Errors ----------------------------------------------------------------------------------------


class FieldError(Schema):
    field: str = Field(description="The field, dotted for nested ones (`youth.birth_date`, `offences.0.committed_on`).")
    message: str


class Problem(Schema):
    """RFC 9457 problem details, sent as `application/problem+json`."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str | None = None
    errors: list[FieldError] | None = None


# --- Shared outputs ----------------------------------------------------------------------------------


class Ref(Schema):
    id: uuid.UUID
    name: str


class ChainRef(Schema):
    slug: str
    name: str


class Criterion(Schema):
    code: str
    status: str = Field(description="passed, failed or unknown")
    message: str


class Page(Schema):
    count: int
    limit: int
    offset: int


# --- Consults ---------------------------------------------------------------------------------------


class ConsultIn(In):
    chain: Slug = Field(description="Slug of the chain, where you are an operational coordinator.")
    referrer_kind: ReferrerKind
    referrer_organisation: uuid.UUID | None = None
    referrer_name: Text(150)
    referrer_contact: Text(200) = ""
    channel: Channel
    consulted_on: Day
    summary: LongText
    outcome: ConsultOutcome
    advice: LongText = ""
    youth_initials: Text(10) = ""
    youth_age: Annotated[StrictInt, Field(ge=0, le=99)] | None = None
    youth_birth_date: Day | None = None
    youth_postal_code: Text(4) = ""
    has_offence: StrictBool | None = None
    has_multi_problem: StrictBool | None = None
    submission_key: uuid.UUID | None = Field(
        None, description="A key of your choice: retrying with it records one consult."
    )


class ConsultListItem(Schema):
    id: uuid.UUID
    chain: str
    consulted_on: date
    channel: str
    referrer_kind: str
    outcome: str
    youth_initials: str


class ConsultList(Page):
    items: list[ConsultListItem]


class ConsultOut(Schema):
    id: uuid.UUID
    chain: ChainRef
    referrer_kind: str
    referrer_organisation: Ref | None
    referrer_name: str
    referrer_contact: str
    channel: str
    consulted_on: date
    summary: str
    outcome: str
    advice: str
    youth_initials: str
    youth_age: int | None
    youth_birth_date: date | None
    youth_postal_code: str
    has_offence: bool | None
    has_multi_problem: bool | None
    eligibility: list[Criterion]
    cases: list[uuid.UUID] = Field(description="Cases registered after this consult that you can open.")


# --- Registration -------------------------------------------------------------------------------------


class YouthIn(In):
    first_name: Text(80)
    last_name: Text(80)
    birth_date: Day
    gender: Gender = Gender.UNKNOWN
    postal_code: Text(4)
    municipality: Text(100)
    strong_link: StrictBool = False
    strong_link_explanation: Text(2000) = ""


class OffenceIn(In):
    offence_type: Code = Field(description="A code from the chain's list of offence types.")
    committed_on: Day | None = None
    description: Text(5000) = ""
    in_group: StrictBool = False


class GuardianIn(In):
    name: Text(150)
    relation: GuardianRelation
    phone: Text(40) = ""
    email: Email = ""


class RegistrationIn(In):
    chain: Slug | None = Field(None, description="Slug of the chain; may be left out when you work in one chain only.")
    youth: YouthIn
    referrer_kind: ReferrerKind
    referrer_organisation: uuid.UUID | None = None
    referrer_name: Text(150)
    referrer_contact: Text(200) = ""
    registered_on: Day
    youth_informed_on: Day | None = None
    parents_informed_on: Day | None = None
    concerns: LongText = ""
    multi_problem: LongText
    framework: Framework = Framework.VOLUNTARY
    offences: Annotated[list[OffenceIn], Field(max_length=50)] = []
    guardians: Annotated[list[GuardianIn], Field(max_length=10)] = []
    override_reason: Text(2000) = Field(
        "", description="An operational coordinator's written reason to register although a criterion fails."
    )
    confirm_not_duplicate: StrictBool = Field(
        False, description="Confirm that a similar known youth is another person."
    )
    consult: uuid.UUID | None = None
    previous_case: uuid.UUID | None = Field(
        None, description="A closed case of the same youth: this is a new trajectory."
    )
    submission_key: uuid.UUID | None = Field(
        None, description="A key of your choice: retrying with it registers one case."
    )


# --- Cases ------------------------------------------------------------------------------------------


class CaseListItem(Schema):
    id: uuid.UUID
    reference: str
    chain: str
    youth_name: str
    status: CaseStatus
    case_director: Ref | None
    registered_on: date


class CaseList(Page):
    items: list[CaseListItem]


def _searchable(value: str) -> str:
    if not value.strip():
        raise ValueError("Give a part of the youth's name or of the case number.")
    return value


class CaseSearchIn(In):
    """A search of the case list: in the body, so a youth's name never stands in a URL (SECURITY.md L9)."""

    q: Annotated[Text(100), AfterValidator(_searchable)] = Field(
        description="Words of the youth's name (any order, accents and case ignored) or part of the case number."
    )
    status: CaseStatus | None = None
    chain: Slug | None = None
    limit: Annotated[StrictInt, Field(ge=1, le=100)] = 50
    offset: Annotated[StrictInt, Field(ge=0, le=MAX_OFFSET)] = 0


class TransitionOption(Schema):
    name: str
    to: CaseStatus
    label: str
    blocked_by: list[str] = Field(description="Why the step is refused right now; empty when it can be taken.")


class CaseState(Schema):
    """A case's identity and workflow state, without content."""

    id: uuid.UUID
    reference: str
    status: CaseStatus
    status_label: str
    version: int
    case_director: Ref | None
    allowed_transitions: list[TransitionOption]


class YouthOut(Schema):
    first_name: str
    last_name: str
    birth_date: date | None = Field(description="Null (and the address empty) for roles that see no personal details.")
    age: int
    is_minor: bool
    gender: str
    postal_code: str
    municipality: str
    strong_link: bool
    strong_link_explanation: str


class ReferrerOut(Schema):
    kind: str
    organisation: Ref | None
    name: str
    contact: str


class CaseDates(Schema):
    registered_on: date
    youth_informed_on: date | None
    parents_informed_on: date | None
    reflection_until: date | None
    referrer_informed_on: date | None
    youth_informed_of_decision_on: date | None
    first_conversation_on: date | None
    recontact_on: date | None
    closed_on: date | None


class OffenceOut(Schema):
    id: uuid.UUID
    offence_type: str
    committed_on: date | None
    description: str
    in_group: bool


class GuardianOut(Schema):
    id: uuid.UUID
    name: str
    relation: str
    phone: str
    email: str


class CaseContent(Schema):
    concerns: str
    multi_problem: str
    first_guideline: str
    not_included_advice: str
    trusted_person_name: str
    trusted_person_contact: str
    closure_summary: dict[str, str]
    eligibility_override_reason: str


class TransitionOut(Schema):
    from_status: str
    to_status: CaseStatus
    actor: Ref
    occurred_at: datetime
    reason: str | None = Field(description="Only for those who may read the case's content.")


class CaseDetail(CaseState):
    chain: ChainRef
    framework: str
    youth: YouthOut
    referrer: ReferrerOut
    dates: CaseDates
    eligibility: list[Criterion]
    closure_reason: str
    flagged_for_ot: bool
    offences: list[OffenceOut] | None = Field(description="Null when your role does not see the case's content.")
    guardians: list[GuardianOut] | None
    content: CaseContent | None
    transitions: list[TransitionOut]


class TransitionIn(In):
    to: CaseStatus = Field(description="The status to go to; `allowed_transitions` lists the possible ones.")
    reason: Text(5000) = ""
    version: Version | None = Field(None, description="The version you saw; a different current version answers 409.")
    closure_reason: ClosureReason | None = Field(None, description="When closing.")
    closure_summary: Annotated[dict[Code, LongText], Field(max_length=30)] = Field(
        {}, description="When closing: the closing summary per life-domain code (or `general`)."
    )
    first_conversation_on: Day | None = Field(None, description="When starting the trajectory (to `active`).")


class AssignmentIn(In):
    case_director: uuid.UUID
    version: Version | None = None


class StartIn(In):
    referrer_informed_on: Day | None = None
    youth_informed_of_decision_on: Day | None = None
    trusted_person_name: Text(150) = ""
    trusted_person_contact: Text(200) = ""
    version: Version | None = None


class DomainAnswers(In):
    situation: LongText = ""
    risks: LongText = ""
    strengths: LongText = ""


class IntakeIn(In):
    version: Version | None = Field(None, description="The intake's version you saw (0 or absent for a first save).")
    intake_on: Day | None = None
    domains: Annotated[dict[Code, DomainAnswers], Field(max_length=30)] = {}
    glm_needs: Annotated[list[Code], Field(max_length=30)] = []
    youth_words: LongText = ""
    reflection_until: Day | None = Field(None, description="The youth takes reflection time until this day.")


class IntakeOut(Schema):
    version: int
    intake_on: date | None
    domains: dict[str, dict[str, str]]
    glm_needs: list[str]
    youth_words: str
    reflection_until: date | None


# --- Consents -----------------------------------------------------------------------------------------


class ConsentIn(In):
    kind: ConsentKind
    given_by: GivenBy
    given_by_name: Text(150)
    signed_on: Day
    valid_until: Day | None = None
    organisations: Annotated[list[uuid.UUID], Field(max_length=50)] = []
    life_domains: Annotated[list[Code], Field(max_length=30)] = []
    submission_key: uuid.UUID | None = Field(
        None, description="A key of your choice: retrying with it records one consent."
    )


class ConsentOut(Schema):
    id: uuid.UUID
    kind: ConsentKind
    given_by: GivenBy
    given_by_name: str
    signed_on: date
    valid_until: date | None
    organisations: list[Ref]
    life_domains: list[str]
    withdrawn_on: date | None
    withdrawal_note: str
    valid_today: bool
    document_name: str = Field(description="Empty when no signed document was uploaded.")


class WithdrawIn(In):
    on: Day | None = Field(None, description="The day of the withdrawal; today when left out.")
    note: Text(2000) = ""


# --- OT ------------------------------------------------------------------------------------------------


class MeetingIn(In):
    chain: Slug
    starts_at: Moment = Field(description="With its time zone, e.g. 2026-03-02T14:00:00+01:00.")
    location: Text(200) = ""
    legal_basis: uuid.UUID
    attendees: Annotated[list[Text(150, min_length=1)], Field(max_length=100)] = Field(
        [], description="Usernames or account ids of the people invited."
    )
    submission_key: uuid.UUID | None = None


class AttendeeOut(Schema):
    user: Ref
    organisation: Ref | None
    present: bool
    confidentiality_acknowledged_at: datetime | None


class MeetingListItem(Schema):
    id: uuid.UUID
    chain: str
    starts_at: datetime
    location: str
    status: str
    items: int


class MeetingList(Page):
    items: list[MeetingListItem]


class AgendaCase(Schema):
    id: uuid.UUID
    reference: str
    youth_name: str
    youth_birth_date: date
    status: CaseStatus
    framework: str
    registered_on: date


class AgendaItemOut(Schema):
    id: uuid.UUID
    kind: str
    position: int
    version: int
    decision: str
    decided_at: datetime | None
    case: AgendaCase | None = Field(description="Null when you may not see this dossier (no valid OT consent).")
    flag_reason: str | None
    chosen_case_director: Ref | None
    guideline: str | None
    subsidiarity: str | None
    advice: str | None
    recontact_on: date | None
    park_until: date | None
    notes: str | None


class MeetingOut(Schema):
    id: uuid.UUID
    chain: ChainRef
    starts_at: datetime
    location: str
    status: str
    legal_basis: Ref
    attendees: list[AttendeeOut]
    items: list[AgendaItemOut]


class DecisionIn(In):
    item: uuid.UUID
    decision: OTDecision
    version: Version | None = Field(None, description="The item's version you saw; a different one answers 409.")
    chosen_case_director: uuid.UUID | None = None
    guideline: LongText = ""
    subsidiarity: LongText = ""
    advice: LongText = ""
    recontact_on: Day | None = None
    park_until: Day | None = None
    notes: LongText = ""


class DecisionOut(Schema):
    item: AgendaItemOut
    case: CaseState


# Error answers every endpoint documents (the handlers in api.py produce them).
ERRORS: dict[int, type[Problem]] = dict.fromkeys((400, 401, 403, 404, 409, 413, 422), Problem)


def responses(ok: dict[int, Any]) -> dict[int, Any]:
    return {**ok, **ERRORS}


# Error answers are sent as application/problem+json: document that media type next to ninja's default.
PROBLEM_CONTENT = {
    "responses": {
        code: {"content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}
        for code in ERRORS
    }
}
