from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from ketenregie.accounts.models import Organisation
from ketenregie.cases.enums import (
    CaseStatus,
    Channel,
    ClosureReason,
    ConsultOutcome,
    Framework,
    Gender,
    GuardianRelation,
    LegalBasisKind,
    OTDecision,
    OTItemKind,
    OTMeetingStatus,
    ReferrerKind,
)
from ketenregie.chains.models import Chain
from ketenregie.common.fields import EncryptedJSONField, EncryptedTextField
from ketenregie.common.models import TimestampedModel, UUIDModel

USER = settings.AUTH_USER_MODEL


class Consult(TimestampedModel):
    """A referrer's question "can this case come to the chain?", before any registration."""

    chain = models.ForeignKey(Chain, on_delete=models.PROTECT, related_name="consults")
    referrer_kind = models.CharField(_("referrer"), max_length=20, choices=ReferrerKind.choices)
    referrer_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("referring organisation"),
    )
    referrer_name = models.CharField(_("name of the referrer"), max_length=150)
    referrer_contact = models.CharField(_("contact details of the referrer"), max_length=200, blank=True)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    consulted_on = models.DateField(_("date of the consult"))
    summary = EncryptedTextField(_("summary of the question"))
    youth_initials = models.CharField(_("initials of the youth"), max_length=10, blank=True)
    youth_age = models.PositiveSmallIntegerField(_("age of the youth"), null=True, blank=True)
    youth_birth_date = models.DateField(_("birth date of the youth"), null=True, blank=True)
    youth_postal_code = models.CharField(_("postal code of the youth"), max_length=4, blank=True)
    has_offence = models.BooleanField(_("offences committed"), null=True)
    has_multi_problem = models.BooleanField(_("complex multi-problem"), null=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=ConsultOutcome.choices)
    advice = EncryptedTextField(_("advice to the referrer"), blank=True)
    eligibility = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    submission_key = models.UUIDField(null=True, blank=True, unique=True)

    objects = ScopedManager(chain="chain")

    class Meta:
        ordering = ["-consulted_on", "-created_at"]
        verbose_name = _("consult")
        verbose_name_plural = _("consults")

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.consulted_on}"


class Youth(TimestampedModel):
    """The young person. One youth may have several trajectories (cases) in a chain over time."""

    chain = models.ForeignKey(Chain, on_delete=models.PROTECT, related_name="youths")
    first_name = models.CharField(_("first name"), max_length=80)
    last_name = models.CharField(_("last name"), max_length=80)
    birth_date = models.DateField(_("birth date"))
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, default=Gender.UNKNOWN)
    postal_code = models.CharField(_("postal code"), max_length=4)
    municipality = models.CharField(_("municipality"), max_length=100)
    strong_link = models.BooleanField(_("strong link with the region"), default=False)
    strong_link_explanation = EncryptedTextField(_("explanation of the strong link"), blank=True)
    # Lower-case, accent-free "first last" for duplicate detection and search.
    search_name = models.CharField(max_length=170, db_index=True, editable=False)

    objects = ScopedManager(chain="chain")

    class Meta:
        verbose_name = _("youth")
        verbose_name_plural = _("youths")
        indexes = [models.Index(fields=["chain", "birth_date"])]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class Case(TimestampedModel):
    """One youth's trajectory in one chain (dossier). Its status changes only via cases.workflow."""

    chain = models.ForeignKey(Chain, on_delete=models.PROTECT, related_name="cases")
    youth = models.ForeignKey(Youth, on_delete=models.PROTECT, related_name="cases")
    reference = models.CharField(_("case number"), max_length=30)
    status = models.CharField(_("status"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.REGISTERED)
    version = models.PositiveIntegerField(default=1)
    framework = models.CharField(_("framework"), max_length=20, choices=Framework.choices, default=Framework.VOLUNTARY)

    referrer_kind = models.CharField(_("referrer"), max_length=20, choices=ReferrerKind.choices)
    referrer_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("referring organisation"),
    )
    referrer_name = models.CharField(_("name of the referrer"), max_length=150)
    referrer_contact = models.CharField(_("contact details of the referrer"), max_length=200, blank=True)
    registered_on = models.DateField(_("registration date"))
    youth_informed_on = models.DateField(_("youth informed of the registration on"))
    parents_informed_on = models.DateField(_("parents informed of the registration on"), null=True, blank=True)
    concerns = EncryptedTextField(_("concerns"), blank=True)
    multi_problem = EncryptedTextField(_("complex multi-problem"))

    eligibility = models.JSONField(default=list, blank=True)
    eligibility_override_reason = EncryptedTextField(_("reason for overriding the criteria"), blank=True)
    eligibility_overridden_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    consult = models.ForeignKey(Consult, on_delete=models.SET_NULL, null=True, blank=True, related_name="cases")
    previous_case = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    case_director = models.ForeignKey(
        USER,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="directed_cases",
        verbose_name=_("case director"),
    )
    trusted_person_name = models.CharField(_("trusted person"), max_length=150, blank=True)
    trusted_person_contact = models.CharField(_("contact details of the trusted person"), max_length=200, blank=True)
    first_guideline = EncryptedTextField(_("first guideline of the OT"), blank=True)
    referrer_informed_on = models.DateField(_("referrer informed of the decision on"), null=True, blank=True)
    youth_informed_of_decision_on = models.DateField(_("youth informed of the decision on"), null=True, blank=True)
    first_conversation_on = models.DateField(_("first conversation on"), null=True, blank=True)
    reflection_until = models.DateField(_("reflection time until"), null=True, blank=True)
    recontact_on = models.DateField(_("re-contact date"), null=True, blank=True)
    not_included_advice = EncryptedTextField(_("advice to the referrer"), blank=True)
    flagged_for_ot = models.BooleanField(_("back to the OT"), default=False)
    flag_reason = models.CharField(_("reason to bring back to the OT"), max_length=300, blank=True)
    closure_reason = models.CharField(_("reason for closure"), max_length=30, choices=ClosureReason.choices, blank=True)
    closure_summary = EncryptedJSONField(_("closing summary per life domain"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)

    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    submission_key = models.UUIDField(null=True, blank=True, unique=True)

    objects = ScopedManager(chain="chain")

    class Meta:
        ordering = ["-registered_on", "-created_at"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        constraints = [models.UniqueConstraint(fields=["chain", "reference"], name="case_reference_unique")]
        indexes = [
            models.Index(fields=["chain", "status"]),
            models.Index(fields=["case_director", "status"]),
            # The case list's default order within a chain: a page is an index range, not a sort.
            models.Index(fields=["chain", "-registered_on", "-created_at"], name="case_chain_registered_idx"),
            # The same for a case director's own list, in a chain of twenty thousand cases; with the chain
            # in it a prepared statement's generic plan takes it too (without, it estimated director and
            # chain as independent and read every case of the director), and the status counts of the
            # list come from this index alone.
            models.Index(
                fields=["case_director", "chain", "-registered_on", "-created_at", "status"],
                name="case_director_list_idx",
            ),
            # Counts per status with a filter on the youth (age band) from the index alone.
            models.Index(fields=["chain", "status", "youth"], name="case_chain_status_youth_idx"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_closed(self) -> bool:
        return self.status in (CaseStatus.CLOSED, CaseStatus.WITHDRAWN)


class Guardian(UUIDModel):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="guardians")
    name = models.CharField(_("name"), max_length=150)
    relation = models.CharField(_("relation"), max_length=20, choices=GuardianRelation.choices)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail address"), blank=True)

    objects = ScopedManager(chain="case__chain")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Offence(UUIDModel):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="offences")
    offence_type = models.CharField(_("type of offence"), max_length=40)
    committed_on = models.DateField(_("date"), null=True, blank=True)
    description = EncryptedTextField(_("description"), blank=True)
    in_group = models.BooleanField(_("committed in a group"), default=False)

    objects = ScopedManager(chain="case__chain")

    class Meta:
        ordering = ["committed_on"]

    def __str__(self) -> str:
        return self.offence_type


class CaseTransition(models.Model):
    """Immutable record of one status change: who, when, from, to and why."""

    id = models.BigAutoField(primary_key=True)
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="transitions")
    from_status = models.CharField(max_length=20, choices=CaseStatus.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=CaseStatus.choices)
    actor = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    reason = EncryptedTextField(blank=True)
    occurred_at = models.DateTimeField()

    objects = ScopedManager(chain="case__chain")

    class Meta:
        ordering = ["occurred_at", "id"]


class Intake(TimestampedModel):
    """The intake form: per life domain the situation, risks and strengths, and the GLM needs."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="intake")
    intake_on = models.DateField(_("date of the intake conversation"), null=True, blank=True)
    domains = EncryptedJSONField(_("answers per life domain"))
    glm_needs = models.JSONField(_("GLM needs"), default=list, blank=True)
    youth_words = EncryptedTextField(_("what the youth wants, in their own words"), blank=True)
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+", null=True)

    objects = ScopedManager(chain="case__chain")


class LegalBasis(TimestampedModel):
    """An entry of the chain's register of legal bases for case conferences (art. 458ter Sw.)."""

    chain = models.ForeignKey(Chain, on_delete=models.PROTECT, related_name="legal_bases")
    kind = models.CharField(_("kind"), max_length=20, choices=LegalBasisKind.choices)
    reference = models.CharField(_("reference"), max_length=200)
    dated = models.DateField(_("date"))
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    purpose = models.TextField(_("purpose"))
    modalities = models.TextField(_("modalities"), blank=True)
    authorised_organisations = models.ManyToManyField(
        Organisation, related_name="+", verbose_name=_("organisations authorised to take part")
    )
    authorised_functions = models.TextField(_("functions authorised to take part"), blank=True)

    objects = ScopedManager(chain="chain")

    class Meta:
        ordering = ["-valid_from"]
        verbose_name = _("legal basis")
        verbose_name_plural = _("legal bases")

    def __str__(self) -> str:
        return self.reference

    def is_valid_on(self, day) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)


class OTMeeting(TimestampedModel):
    """A (monthly) meeting of the operational team that weighs registrations and decides."""

    chain = models.ForeignKey(Chain, on_delete=models.PROTECT, related_name="ot_meetings")
    starts_at = models.DateTimeField(_("date and time"))
    location = models.CharField(_("location"), max_length=200, blank=True)
    legal_basis = models.ForeignKey(
        LegalBasis, on_delete=models.PROTECT, related_name="meetings", verbose_name=_("legal basis")
    )
    status = models.CharField(
        _("status"), max_length=10, choices=OTMeetingStatus.choices, default=OTMeetingStatus.PLANNED
    )
    notes = EncryptedTextField(_("general notes"), blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    submission_key = models.UUIDField(null=True, blank=True, unique=True)

    objects = ScopedManager(chain="chain")

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("OT meeting")
        verbose_name_plural = _("OT meetings")

    def __str__(self) -> str:
        return f"OT {self.starts_at:%Y-%m-%d}"


class OTAttendance(UUIDModel):
    meeting = models.ForeignKey(OTMeeting, on_delete=models.CASCADE, related_name="attendances")
    user = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="ot_attendances")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    confidentiality_acknowledged_at = models.DateTimeField(null=True, blank=True)
    present = models.BooleanField(default=False)

    objects = ScopedManager(chain="meeting__chain")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meeting", "user"], name="otattendance_unique")]


class OTAgendaItem(UUIDModel):
    meeting = models.ForeignKey(OTMeeting, on_delete=models.CASCADE, related_name="items")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="ot_items")
    kind = models.CharField(_("kind"), max_length=10, choices=OTItemKind.choices)
    flag_reason = models.CharField(_("why on the agenda"), max_length=300, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    decision = models.CharField(_("decision"), max_length=20, choices=OTDecision.choices, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    chosen_case_director = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    guideline = EncryptedTextField(_("first guideline"), blank=True)
    subsidiarity = EncryptedTextField(_("subsidiarity: why no regular structure can take the case"), blank=True)
    advice = EncryptedTextField(_("advice to the referrer"), blank=True)
    recontact_on = models.DateField(_("re-contact date"), null=True, blank=True)
    park_until = models.DateField(_("review again on"), null=True, blank=True)
    notes = EncryptedTextField(_("notes"), blank=True)
    version = models.PositiveIntegerField(default=1)

    objects = ScopedManager(chain="meeting__chain")

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "case"], name="otagendaitem_unique")]
