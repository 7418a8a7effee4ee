"""The data inventory (SECURITY.md L4): every field that holds personal data, with its purpose, its
GDPR category, its retention rule and what retention does to it.

One declarative table drives three things, so they cannot drift apart:

- ``tests/privacy/test_inventory.py`` introspects every installed model and fails on a field that
  is neither mapped here, declared not personal, nor technical;
- ``ketenregie.privacy.retention`` pseudonymises a case by applying each field's ``on_retention``;
- ``docs/privacy.md`` describes the categories and rules named here.

A new model or field therefore cannot go live without someone deciding what it holds and how long.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

# --- Categories (GDPR) ---------------------------------------------------------------------------

ORDINARY = "ordinary"
HEALTH = "art9_health"  # special category: health, mental health, substance use
OFFENCES = "art10_offences"  # criminal offences and suspicions

CATEGORIES = {
    ORDINARY: _("ordinary personal data"),
    HEALTH: _("health data (GDPR art. 9)"),
    OFFENCES: _("data on offences (GDPR art. 10)"),
}

# --- Whose data ----------------------------------------------------------------------------------

YOUTH = "youth"
PARENT = "parent"
REFERRER = "referrer"
NETWORK = "network"  # people around the youth: formal and informal network, trusted person
STAFF = "staff"  # the chain's professionals and administrators (accounts)

SUBJECTS = {
    YOUTH: _("the youth"),
    PARENT: _("parents and guardians"),
    REFERRER: _("the referrer"),
    NETWORK: _("people in the youth's network"),
    STAFF: _("professionals with an account"),
}

# --- Purposes ------------------------------------------------------------------------------------

TRAJECTORY = "trajectory"
CASE_CONFERENCE = "case_conference"
CONSENT = "consent"
REFERRAL = "referral"
ACCOUNTABILITY = "accountability"
AUTHENTICATION = "authentication"
REPORTING = "reporting"
RIGHTS = "rights"
COMMUNICATION = "communication"

PURPOSES = {
    TRAJECTORY: _("directing and following up the youth's trajectory in the chain"),
    CASE_CONFERENCE: _("case conference with shared professional secrecy (art. 458ter Sw.) in the OT and network"),
    CONSENT: _("recording the consent of the youth and parents, its scope and withdrawal"),
    REFERRAL: _("handling a consult or registration and checking the chain's criteria"),
    ACCOUNTABILITY: _("accountability and security: who did what, when, from where"),
    AUTHENTICATION: _("logging professionals in securely"),
    REPORTING: _("figures for the steering group and the chain's reports, without identities"),
    RIGHTS: _("handling the data subject's rights (access, restriction, retention)"),
    COMMUNICATION: _("telling professionals what needs their attention"),
}

# --- Retention rules -----------------------------------------------------------------------------

CASE = "case"
CASE_FIGURE = "case_figure"
CONSULT_RULE = "consult"
ACCOUNT = "account"
SESSION = "session"
LOCKOUT = "lockout"
AUDIT = "audit"

RETENTION_RULES = {
    CASE: _(
        "removed or generalised when the case is pseudonymised: the chain's retention period (default 5 years) "
        "after the case ended, unless a legal hold or a restriction applies"
    ),
    CASE_FIGURE: _("kept after pseudonymisation as a figure for reports (code, date or count without identity)"),
    CONSULT_RULE: _("removed when the consult is pseudonymised: the chain's retention period after the consult date"),
    ACCOUNT: _("as long as the account exists; deactivated accounts keep the name for the audit trail"),
    SESSION: _("until logout, 30 minutes without activity or 12 hours after login"),
    LOCKOUT: _("login attempts: until the cool-off ends; login history: removed after 90 days (axes_reset_logs)"),
    AUDIT: _("kept with the append-only audit log, which holds no case content"),
}

# --- What retention does to a field --------------------------------------------------------------

KEEP = "keep"  # stays: a code, date, count or link that reports need
CLEAR = "clear"  # emptied: "" for text, {} or [] for JSON
YEAR = "year"  # a date generalised to 1 July of its year (age stays right within half a year)
PSEUDONYM = "pseudonym"  # replaced by "#" and 8 hex digits of the row's own (random) id
FILE = "file"  # the stored file is deleted and the field emptied

ACTIONS = {KEEP, CLEAR, YEAR, PSEUDONYM, FILE}


@dataclass(frozen=True)
class Field:
    subject: str
    purpose: str
    categories: tuple[str, ...]
    retention: str
    on_retention: str = ""  # for case data: one of ACTIONS; empty for data outside a case

    @property
    def is_sensitive(self) -> bool:
        return HEALTH in self.categories or OFFENCES in self.categories


def _f(subject: str, purpose: str, on: str, *categories: str, retention: str = CASE) -> Field:
    return Field(subject, purpose, categories or (ORDINARY,), retention, on)


def youth(purpose: str, on: str, *categories: str) -> Field:
    retention = CASE_FIGURE if on == KEEP else CASE
    return _f(YOUTH, purpose, on, *categories, retention=retention)


def staff(purpose: str = ACCOUNTABILITY, on: str = KEEP, retention: str = CASE_FIGURE) -> Field:
    """A professional named on a case record (who recorded, decided, was assigned)."""
    return _f(STAFF, purpose, on, retention=retention)


def account(purpose: str = AUTHENTICATION, retention: str = ACCOUNT) -> Field:
    """Data of a professional's account, outside any case."""
    return _f(STAFF, purpose, "", retention=retention)


# Free text about the youth's life can hold anything: health, substance use and offences included.
FREE_TEXT = (ORDINARY, HEALTH, OFFENCES)
T, CC, R = TRAJECTORY, CASE_CONFERENCE, REFERRAL

PERSONAL: dict[str, dict[str, Field]] = {
    # --- the youth and the case ----------------------------------------------------------------
    "cases.Youth": {
        "first_name": youth(T, PSEUDONYM),
        "last_name": youth(T, CLEAR),
        "search_name": youth(T, CLEAR),
        "birth_date": youth(T, YEAR),
        "gender": youth(REPORTING, KEEP),
        "postal_code": youth(REPORTING, KEEP),
        "municipality": youth(REPORTING, KEEP),
        "strong_link": youth(R, KEEP),
        "strong_link_explanation": youth(R, CLEAR),
    },
    "cases.Case": {
        "youth": youth(T, KEEP),
        "reference": youth(T, KEEP),
        "status": youth(REPORTING, KEEP),
        "framework": youth(REPORTING, KEEP, OFFENCES),
        "referrer_kind": youth(REPORTING, KEEP),
        "referrer_organisation": youth(REPORTING, KEEP),
        "referrer_name": _f(REFERRER, R, CLEAR),
        "referrer_contact": _f(REFERRER, R, CLEAR),
        "registered_on": youth(REPORTING, KEEP),
        "youth_informed_on": youth(R, KEEP),
        "parents_informed_on": youth(R, KEEP),
        "concerns": youth(R, CLEAR, *FREE_TEXT),
        "multi_problem": youth(R, CLEAR, *FREE_TEXT),
        "eligibility": youth(R, KEEP),
        "eligibility_override_reason": youth(R, CLEAR),
        "eligibility_overridden_by": staff(),
        "consult": youth(R, KEEP),
        "previous_case": youth(T, KEEP),
        "case_director": staff(T),
        "trusted_person_name": _f(NETWORK, T, CLEAR),
        "trusted_person_contact": _f(NETWORK, T, CLEAR),
        "first_guideline": youth(CC, CLEAR, *FREE_TEXT),
        "referrer_informed_on": youth(T, KEEP),
        "youth_informed_of_decision_on": youth(T, KEEP),
        "first_conversation_on": youth(REPORTING, KEEP),
        "reflection_until": youth(T, KEEP),
        "recontact_on": youth(T, KEEP),
        "not_included_advice": youth(CC, CLEAR, *FREE_TEXT),
        "flagged_for_ot": youth(T, KEEP),
        "flag_reason": youth(T, CLEAR, *FREE_TEXT),
        "closure_reason": youth(REPORTING, KEEP),
        "closure_summary": youth(T, CLEAR, *FREE_TEXT),
        "closed_on": youth(REPORTING, KEEP),
        "created_by": staff(),
    },
    "cases.Guardian": {
        "name": _f(PARENT, T, CLEAR),
        "relation": _f(PARENT, T, KEEP, retention=CASE_FIGURE),
        "phone": _f(PARENT, T, CLEAR),
        "email": _f(PARENT, T, CLEAR),
    },
    "cases.Offence": {
        "offence_type": youth(REPORTING, KEEP, OFFENCES),
        "committed_on": youth(REPORTING, KEEP, OFFENCES),
        "description": youth(R, CLEAR, OFFENCES),
        "in_group": youth(REPORTING, KEEP, OFFENCES),
    },
    "cases.CaseTransition": {
        "from_status": youth(REPORTING, KEEP),
        "to_status": youth(REPORTING, KEEP),
        "actor": staff(),
        "reason": youth(T, CLEAR, *FREE_TEXT),
        "occurred_at": youth(REPORTING, KEEP),
    },
    "cases.Intake": {
        "intake_on": youth(REPORTING, KEEP),
        "domains": youth(T, CLEAR, *FREE_TEXT),
        "glm_needs": youth(REPORTING, KEEP),
        "youth_words": youth(T, CLEAR, *FREE_TEXT),
        "updated_by": staff(),
    },
    "cases.Consult": {
        "referrer_kind": _f(REFERRER, REPORTING, KEEP, retention=CASE_FIGURE),
        "referrer_organisation": _f(REFERRER, REPORTING, KEEP, retention=CASE_FIGURE),
        "referrer_name": _f(REFERRER, R, CLEAR, retention=CONSULT_RULE),
        "referrer_contact": _f(REFERRER, R, CLEAR, retention=CONSULT_RULE),
        "channel": _f(REFERRER, REPORTING, KEEP, retention=CASE_FIGURE),
        "consulted_on": _f(YOUTH, REPORTING, KEEP, retention=CASE_FIGURE),
        "summary": _f(YOUTH, R, CLEAR, *FREE_TEXT, retention=CONSULT_RULE),
        "youth_initials": _f(YOUTH, R, CLEAR, retention=CONSULT_RULE),
        "youth_age": _f(YOUTH, REPORTING, KEEP, retention=CASE_FIGURE),
        "youth_birth_date": _f(YOUTH, R, YEAR, retention=CONSULT_RULE),
        "youth_postal_code": _f(YOUTH, REPORTING, KEEP, retention=CASE_FIGURE),
        "has_offence": _f(YOUTH, REPORTING, KEEP, OFFENCES, retention=CASE_FIGURE),
        "has_multi_problem": _f(YOUTH, REPORTING, KEEP, retention=CASE_FIGURE),
        "outcome": _f(YOUTH, REPORTING, KEEP, retention=CASE_FIGURE),
        "advice": _f(YOUTH, R, CLEAR, *FREE_TEXT, retention=CONSULT_RULE),
        "eligibility": _f(YOUTH, R, KEEP, retention=CASE_FIGURE),
        "created_by": staff(),
    },
    # --- the operational team ------------------------------------------------------------------
    "cases.OTMeeting": {
        # General notes may mention youths; they go once every case on the agenda is pseudonymised.
        "notes": youth(CC, CLEAR, *FREE_TEXT),
        "created_by": staff(),
    },
    "cases.OTAttendance": {
        "user": staff(CC),
        "organisation": staff(CC),
        "confidentiality_acknowledged_at": staff(CC),
        "present": staff(CC),
    },
    "cases.OTAgendaItem": {
        "kind": youth(REPORTING, KEEP),
        "flag_reason": youth(CC, CLEAR, *FREE_TEXT),
        "decision": youth(REPORTING, KEEP),
        "decided_at": youth(REPORTING, KEEP),
        "decided_by": staff(CC),
        "chosen_case_director": staff(CC),
        "guideline": youth(CC, CLEAR, *FREE_TEXT),
        "subsidiarity": youth(CC, CLEAR, *FREE_TEXT),
        "advice": youth(CC, CLEAR, *FREE_TEXT),
        "recontact_on": youth(CC, KEEP),
        "park_until": youth(CC, KEEP),
        "notes": youth(CC, CLEAR, *FREE_TEXT),
    },
    # --- consent and access --------------------------------------------------------------------
    "consent.Consent": {
        "kind": youth(CONSENT, KEEP),
        "given_by": youth(CONSENT, KEEP),
        "given_by_name": _f(PARENT, CONSENT, CLEAR),
        "signed_on": youth(CONSENT, KEEP),
        "valid_until": youth(CONSENT, KEEP),
        "organisations": youth(CONSENT, KEEP),
        "life_domains": youth(CONSENT, KEEP),
        "withdrawn_on": youth(CONSENT, KEEP),
        "withdrawal_note": youth(CONSENT, CLEAR),
        "document": youth(CONSENT, FILE),
        "document_name": youth(CONSENT, CLEAR),
        "document_type": youth(CONSENT, KEEP),
        "recorded_by": staff(),
    },
    "consent.BreakGlassAccess": {
        "user": staff(),
        "reason": youth(ACCOUNTABILITY, CLEAR, *FREE_TEXT),
        "expires_at": staff(),
    },
    # --- network -------------------------------------------------------------------------------
    "network.NetworkMember": {
        "kind": _f(NETWORK, REPORTING, KEEP, retention=CASE_FIGURE),
        "name": _f(NETWORK, T, CLEAR),
        "role": _f(NETWORK, T, CLEAR),
        "organisation": _f(NETWORK, REPORTING, KEEP, retention=CASE_FIGURE),
        "user": staff(T),
        "phone": _f(NETWORK, T, CLEAR),
        "email": _f(NETWORK, T, CLEAR),
        "is_support_figure": _f(NETWORK, REPORTING, KEEP, retention=CASE_FIGURE),
        "is_trusted_person": _f(NETWORK, REPORTING, KEEP, retention=CASE_FIGURE),
        "youth_agreed": youth(CONSENT, KEEP),
        "life_domains": _f(NETWORK, T, KEEP, retention=CASE_FIGURE),
        "since": _f(NETWORK, REPORTING, KEEP, retention=CASE_FIGURE),
        "until": _f(NETWORK, REPORTING, KEEP, retention=CASE_FIGURE),
        "notes": _f(NETWORK, T, CLEAR, *FREE_TEXT),
    },
    "network.OffenceGroup": {
        # Linked to several youths: emptied once every linked case is pseudonymised.
        "name": youth(T, PSEUDONYM, OFFENCES),
        "facts_on": youth(REPORTING, KEEP, OFFENCES),
        "dynamics": youth(T, CLEAR, OFFENCES),
        "created_by": staff(),
    },
    "network.OffenceGroupMember": {
        "group": youth(T, KEEP, OFFENCES),
        "position": youth(REPORTING, KEEP, OFFENCES),
        "influence": youth(REPORTING, KEEP, OFFENCES),
    },
    # --- the plan ------------------------------------------------------------------------------
    "plans.Plan": {"updated_by": staff()},
    "plans.PlanDomain": {
        "plan": youth(T, KEEP),
        "domain": youth(REPORTING, KEEP),
        "situation": youth(T, CLEAR, *FREE_TEXT),
        "strengths": youth(T, CLEAR, *FREE_TEXT),
        "risks": youth(T, CLEAR, *FREE_TEXT),
        "glm_needs": youth(REPORTING, KEEP),
    },
    "plans.Goal": {
        "plan_domain": youth(T, KEEP),
        "text": youth(T, CLEAR, *FREE_TEXT),
        "proposed_by": youth(REPORTING, KEEP),
        "intended_result": youth(T, CLEAR, *FREE_TEXT),
        "youth_agreed": youth(REPORTING, KEEP),
    },
    "plans.Action": {
        "goal": youth(T, KEEP),
        "what": youth(T, CLEAR, *FREE_TEXT),
        "responsible_member": _f(NETWORK, T, KEEP, retention=CASE_FIGURE),
        "responsible_organisation": youth(REPORTING, KEEP),
        "due_on": youth(REPORTING, KEEP),
        "status": youth(REPORTING, KEEP),
        "note": youth(T, CLEAR, *FREE_TEXT),
        "source_meeting": youth(T, KEEP),
    },
    "plans.PlanVersion": {
        "plan": youth(T, KEEP),
        "number": youth(T, KEEP),
        "snapshot": youth(T, CLEAR, *FREE_TEXT),
        "changes": youth(T, KEEP),
        "created_by": staff(),
    },
    # --- network meetings ----------------------------------------------------------------------
    "meetings.NetworkMeeting": {
        "kind": youth(REPORTING, KEEP),
        "starts_at": youth(REPORTING, KEEP),
        "duration_minutes": youth(REPORTING, KEEP),
        "location_kind": youth(REPORTING, KEEP),
        "location": youth(CC, CLEAR),  # may be the family's home address
        "agenda": youth(CC, CLEAR, *FREE_TEXT),
        "legal_basis": youth(CC, KEEP),
        "status": youth(REPORTING, KEEP),
        "youth_attended": youth(REPORTING, KEEP),
        "minutes": youth(CC, CLEAR, *FREE_TEXT),
        "information_shared": youth(CC, CLEAR, *FREE_TEXT),
        "cooperation": youth(CC, CLEAR),
        "held_at": youth(REPORTING, KEEP),
        "created_by": staff(),
        "invitees": _f(NETWORK, CC, KEEP, retention=CASE_FIGURE),
    },
    "meetings.MeetingAttendance": {
        "meeting": youth(CC, KEEP),
        "member": _f(NETWORK, CC, KEEP, retention=CASE_FIGURE),
        "is_youth": youth(REPORTING, KEEP),
        "name": _f(NETWORK, CC, CLEAR),
        "is_professional": _f(NETWORK, REPORTING, KEEP, retention=CASE_FIGURE),
        "confidentiality_acknowledged_at": _f(NETWORK, CC, KEEP, retention=CASE_FIGURE),
    },
    "meetings.ActionEvaluation": {
        "meeting": youth(T, KEEP),
        "action": youth(T, KEEP),
        "kept": youth(REPORTING, KEEP),
        "realistic": youth(REPORTING, KEEP),
        "note": youth(T, CLEAR, *FREE_TEXT),
    },
    "meetings.DomainProgress": {
        "meeting": youth(T, KEEP),
        "domain": youth(REPORTING, KEEP),
        "score": youth(REPORTING, KEEP),
        "note": youth(T, CLEAR, *FREE_TEXT),
    },
    # --- follow-up -----------------------------------------------------------------------------
    "followup.FollowUpContact": {
        "contact_at": youth(REPORTING, KEEP),
        "with_whom": youth(REPORTING, KEEP),
        "network_member": _f(NETWORK, T, KEEP, retention=CASE_FIGURE),
        "channel": youth(REPORTING, KEEP),
        "reached": youth(REPORTING, KEEP),
        "note": youth(T, CLEAR, *FREE_TEXT),
        "life_domains": youth(REPORTING, KEEP),
        "positive_development": youth(REPORTING, KEEP),
        "created_by": staff(),
    },
    "followup.CaseCadence": {
        "days": youth(T, KEEP),
        "reason": youth(T, CLEAR, *FREE_TEXT),
        "set_by": staff(),
        "set_at": youth(T, KEEP),
    },
    "followup.MajorEvent": {
        "kind": youth(REPORTING, KEEP, OFFENCES),
        "occurred_on": youth(REPORTING, KEEP),
        "description": youth(T, CLEAR, *FREE_TEXT),
        "flagged_for_ot": youth(T, KEEP),
        "created_by": staff(),
    },
    "followup.SignalAcknowledgement": {
        "key": youth(T, KEEP),
        "note": youth(T, CLEAR, *FREE_TEXT),
        "acknowledged_by": staff(),
        "acknowledged_at": youth(T, KEEP),
        "quiet_until": youth(T, KEEP),
    },
    "followup.IntervisionSession": {"created_by": account(T)},
    "followup.IntervisionAdvice": {
        "session": youth(T, KEEP),
        "advice": youth(T, CLEAR, *FREE_TEXT),
        "created_by": staff(),
    },
    "followup.Notification": {
        # Points at the case, holds no content; deleted when the case is pseudonymised.
        "user": staff(COMMUNICATION),
        "kind": staff(COMMUNICATION),
        "url": staff(COMMUNICATION, CLEAR),
        "read_at": staff(COMMUNICATION),
    },
    "followup.NotificationPreference": {
        "user": account(COMMUNICATION),
        "digest": account(COMMUNICATION),
        "last_digest_at": account(COMMUNICATION),
    },
    # --- conversations about a case (threads app) -----------------------------------------------
    "threads.Thread": {
        "subject": youth(T, CLEAR, *FREE_TEXT),
        "meeting": youth(T, KEEP),
        "action": youth(T, KEEP),
        "portal_user": youth(T, KEEP),  # the youth's or trusted person's own account
        "created_by": staff(),
        "last_message_at": youth(T, KEEP),
    },
    "threads.ThreadParticipant": {
        "thread": youth(T, KEEP),
        "user": staff(T),
        "added_by": staff(),
        "added_at": staff(),
        "last_read_at": staff(T),
    },
    "threads.Message": {
        "thread": youth(T, KEEP),
        "author": staff(T),
        "body": youth(T, CLEAR, *FREE_TEXT),
        "edited_at": youth(T, KEEP),
        "deleted_at": youth(T, KEEP),
        "deleted_by": staff(),
    },
    "threads.MessageRevision": {
        "message": youth(T, KEEP),
        "kind": youth(T, KEEP),
        "body": youth(T, CLEAR, *FREE_TEXT),
        "replaced_at": youth(T, KEEP),
        "replaced_by": staff(),
    },
    "threads.Attachment": {
        "message": youth(T, KEEP),
        "file": youth(T, FILE, *FREE_TEXT),
        "name": youth(T, CLEAR),
        "content_type": youth(T, KEEP),
        "size": youth(T, KEEP),
    },
    # --- "My trajectory", the youth's own view (portal app) ------------------------------------
    "portal.PortalAccess": {
        # The account itself (accounts.User) is emptied and deactivated when the case is pseudonymised.
        "user": youth(T, KEEP),
        "role": youth(T, KEEP),
        "network_member": _f(NETWORK, T, KEEP, retention=CASE_FIGURE),
        "youth_agreed_on": youth(CONSENT, KEEP),
        "invited_by": staff(),
        "invited_at": youth(T, KEEP),
        "activated_at": youth(T, KEEP),
        "ended_at": youth(T, KEEP),
        "ended_by": staff(),
        "end_reason": youth(T, CLEAR),
    },
    "portal.PortalRequest": {
        "access": youth(T, KEEP),
        "kind": youth(T, KEEP),
        "consent": youth(CONSENT, KEEP),
        "note": youth(T, CLEAR, *FREE_TEXT),
        "handled_at": youth(T, KEEP),
        "handled_by": staff(),
    },
    # --- privacy -------------------------------------------------------------------------------
    "privacy.Restriction": {
        "reason": youth(RIGHTS, CLEAR),
        "restricted_by": staff(RIGHTS),
        "since": youth(RIGHTS, KEEP),
        "lifted_at": youth(RIGHTS, KEEP),
        "lifted_by": staff(RIGHTS),
        "lift_reason": youth(RIGHTS, CLEAR),
    },
    "privacy.LegalHold": {
        "reason": youth(RIGHTS, CLEAR),
        "until": youth(RIGHTS, KEEP),
        "placed_by": staff(RIGHTS),
        "lifted_at": youth(RIGHTS, KEEP),
        "lifted_by": staff(RIGHTS),
    },
    "privacy.Pseudonymisation": {
        "consult": youth(RIGHTS, KEEP),
        "applied_at": youth(RIGHTS, KEEP),
        "ended_on": youth(RIGHTS, KEEP),
        "retention_years": youth(RIGHTS, KEEP),
        "removed": youth(RIGHTS, KEEP),
    },
    # --- accounts and security (outside any case) ----------------------------------------------
    "accounts.User": {
        "password": account(),  # an Argon2id hash
        "last_login": account(ACCOUNTABILITY),
        "username": account(),
        "first_name": account(COMMUNICATION),
        "last_name": account(COMMUNICATION),
        "email": account(COMMUNICATION),
        "phone": account(COMMUNICATION),
        "date_joined": account(ACCOUNTABILITY),
        "is_active": account(),
        "is_staff": account(),
        "is_superuser": account(),
        "is_portal_account": account(),  # made for "Mijn traject": confined to the portal
        "groups": account(),
        "user_permissions": account(),
    },
    "accounts.Membership": {
        "user": account(T),
        "role": account(T),
        "organisation": account(T),
        "is_active": account(T),
    },
    "accounts.PersonalAccessToken": {
        "user": account(),
        "name": account(),
        "prefix": account(),
        "digest": account(),  # SHA-256 of the token; the token itself is never stored
        "last_used_at": account(ACCOUNTABILITY),
        "expires_at": account(),
        "revoked_at": account(),
    },
    "otp_totp.TOTPDevice": {
        "user": account(),
        "name": account(),
        "confirmed": account(),
        "throttling_failure_timestamp": account(),
        "throttling_failure_count": account(),
        "last_used_at": account(),
        "key": account(),
        "step": account(),
        "t0": account(),
        "digits": account(),
        "tolerance": account(),
        "drift": account(),
        "last_t": account(),
    },
    "otp_static.StaticDevice": {
        "user": account(),
        "name": account(),
        "confirmed": account(),
        "throttling_failure_timestamp": account(),
        "throttling_failure_count": account(),
        "last_used_at": account(),
    },
    "otp_static.StaticToken": {"device": account(), "token": account()},
    "otp_email.EmailDevice": {
        # Second factor by e-mail for the youth's "My trajectory" account.
        "user": account(),
        "name": account(),
        "confirmed": account(),
        "token": account(),
        "valid_until": account(),
        "last_generated_timestamp": account(),
        "throttling_failure_timestamp": account(),
        "throttling_failure_count": account(),
        "last_used_at": account(),
        "email": account(),
    },
    "sessions.Session": {
        "session_key": account(retention=SESSION),
        "session_data": account(retention=SESSION),
        "expire_date": account(retention=SESSION),
    },
    "axes.AccessAttempt": {
        "user_agent": account(retention=LOCKOUT),
        "ip_address": account(retention=LOCKOUT),
        "username": account(retention=LOCKOUT),
        "http_accept": account(retention=LOCKOUT),
        "path_info": account(retention=LOCKOUT),
        "attempt_time": account(retention=LOCKOUT),
        "get_data": account(retention=LOCKOUT),
        "post_data": account(retention=LOCKOUT),  # axes masks the password
        "failures_since_start": account(retention=LOCKOUT),
    },
    "axes.AccessAttemptExpiration": {
        "access_attempt": account(retention=LOCKOUT),
        "expires_at": account(retention=LOCKOUT),
    },
    "axes.AccessLog": {
        "user_agent": account(ACCOUNTABILITY, LOCKOUT),
        "ip_address": account(ACCOUNTABILITY, LOCKOUT),
        "username": account(ACCOUNTABILITY, LOCKOUT),
        "http_accept": account(ACCOUNTABILITY, LOCKOUT),
        "path_info": account(ACCOUNTABILITY, LOCKOUT),
        "attempt_time": account(ACCOUNTABILITY, LOCKOUT),
        "logout_time": account(ACCOUNTABILITY, LOCKOUT),
        "session_hash": account(ACCOUNTABILITY, LOCKOUT),
    },
    "axes.AccessFailureLog": {
        "user_agent": account(ACCOUNTABILITY, LOCKOUT),
        "ip_address": account(ACCOUNTABILITY, LOCKOUT),
        "username": account(ACCOUNTABILITY, LOCKOUT),
        "http_accept": account(ACCOUNTABILITY, LOCKOUT),
        "path_info": account(ACCOUNTABILITY, LOCKOUT),
        "attempt_time": account(ACCOUNTABILITY, LOCKOUT),
        "locked_out": account(ACCOUNTABILITY, LOCKOUT),
    },
    "admin.LogEntry": {
        # Administrators' changes to chains, organisations and accounts (never case content).
        "action_time": account(ACCOUNTABILITY, AUDIT),
        "user": account(ACCOUNTABILITY, AUDIT),
        "content_type": account(ACCOUNTABILITY, AUDIT),
        "object_id": account(ACCOUNTABILITY, AUDIT),
        "object_repr": account(ACCOUNTABILITY, AUDIT),
        "action_flag": account(ACCOUNTABILITY, AUDIT),
        "change_message": account(ACCOUNTABILITY, AUDIT),
    },
    "audit.AuditEvent": {
        # Who did what to which object: identifiers and codes, never case content (SECURITY.md AU4).
        "occurred_at": account(ACCOUNTABILITY, AUDIT),
        "actor_id": account(ACCOUNTABILITY, AUDIT),
        "actor_username": account(ACCOUNTABILITY, AUDIT),
        "actor_roles": account(ACCOUNTABILITY, AUDIT),
        "actor_organisation": account(ACCOUNTABILITY, AUDIT),
        "action": account(ACCOUNTABILITY, AUDIT),
        "result": account(ACCOUNTABILITY, AUDIT),
        "object_type": account(ACCOUNTABILITY, AUDIT),
        "object_id": account(ACCOUNTABILITY, AUDIT),
        "case_id": account(ACCOUNTABILITY, AUDIT),
        "origin_ip": account(ACCOUNTABILITY, AUDIT),
        "channel": account(ACCOUNTABILITY, AUDIT),
        "reason": account(ACCOUNTABILITY, AUDIT),  # break-the-glass reasons: written without case content
        "details": account(ACCOUNTABILITY, AUDIT),
    },
    "reports.SteeringText": {
        # The strategic coordinator's commentary on the chain's figures; no case content by design.
        "text": account(REPORTING),
        "updated_by": account(REPORTING),
    },
}

# Fields that hold no personal data: configuration of chains, organisations and the legal bases,
# technical bookkeeping. Listing them keeps "forgotten" and "not personal" apart.
NOT_PERSONAL: dict[str, set[str]] = {
    "contenttypes.ContentType": {"app_label", "model"},
    "auth.Permission": {"name", "content_type", "codename"},
    "auth.Group": {"name", "permissions"},
    "audit.AuditEvent": {"chain_id", "request_id", "prev_hash", "hash"},
    "audit.AuditHead": {"last_id", "last_hash", "count"},
    "chains.Chain": {
        "name",
        "slug",
        "municipality",
        "age_min",
        "age_max",
        "follow_up_after_max_age",
        "postal_codes",
        "life_domains",
        "glm_needs",
        "offence_types",
        "follow_up_cadence_days",
        "out_of_view_days",
        "playbook",
        "ot_event_kinds",
        "retention_years",
        "is_active",
    },
    # An organisation's own contact details (a service desk), not a person's.
    "accounts.Organisation": {"name", "kind", "municipality", "email", "phone", "is_active"},
    "accounts.ChainPartner": {"organisation", "in_operational_team", "since", "until"},
    "cases.LegalBasis": {
        "kind",
        "reference",
        "dated",
        "valid_from",
        "valid_until",
        "purpose",
        "modalities",
        "authorised_functions",
        "authorised_organisations",
    },
    "cases.OTMeeting": {"starts_at", "location", "legal_basis", "status"},
    "cases.OTAttendance": {"meeting"},
    "cases.OTAgendaItem": {"meeting"},
    "followup.IntervisionSession": {"held_on"},
    "reports.ChainReportSettings": {"min_cell_size"},
    "reports.SteeringText": {"date_from", "date_to"},
}

# Technical fields on every model: keys, timestamps of the row, optimistic locking, form tokens,
# ordering, and the links to the tenant and the case (what the row is about is mapped above).
TECHNICAL = {"id", "created_at", "updated_at", "version", "submission_key", "position", "chain", "case"}


def model_key(model: type[models.Model]) -> str:
    return model._meta.label


def entry(model: type[models.Model], name: str) -> Field | None:
    return PERSONAL.get(model_key(model), {}).get(name)


def fields_to_check(model: type[models.Model]) -> list[models.Field]:
    """The model's own stored fields and many-to-many fields (reverse relations are the other side's)."""
    return [
        f
        for f in model._meta.get_fields()
        if isinstance(f, models.Field) and (f.concrete or f.many_to_many) and not f.auto_created
    ]


def unmapped(model: type[models.Model]) -> list[str]:
    key = model_key(model)
    mapped = set(PERSONAL.get(key, {})) | NOT_PERSONAL.get(key, set())
    return [f.name for f in fields_to_check(model) if f.name not in mapped and f.name not in TECHNICAL]


def retention_actions(model: type[models.Model]) -> dict[str, str]:
    """Field name -> what retention does to it, for the fields it changes."""
    return {name: f.on_retention for name, f in PERSONAL.get(model_key(model), {}).items() if f.on_retention != KEEP}
