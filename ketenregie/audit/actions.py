"""Every audit action code with the sentence shown for it. Unknown codes are refused."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

ACTIONS: dict[str, object] = {
    "auth.login": _("logged in"),
    "auth.login_failed": _("failed to log in"),
    "auth.logout": _("logged out"),
    "auth.locked_out": _("was locked out after repeated failed logins"),
    "auth.session_expired": _("session expired"),
    "auth.password_changed": _("changed their password"),
    "auth.password_reset_requested": _("requested a password reset"),
    "2fa.enrolled": _("set up two-factor authentication"),
    "2fa.verified": _("confirmed their login with a second factor"),
    "2fa.failed": _("entered a wrong second-factor code"),
    "2fa.recovery_used": _("used a recovery code"),
    "2fa.recovery_regenerated": _("created new recovery codes"),
    "token.created": _("created an API token"),
    "token.revoked": _("revoked an API token"),
    "token.rejected": _("used an invalid API token"),
    "account.created": _("created an account"),
    "account.changed": _("changed an account"),
    "membership.changed": _("changed a role"),
    "membership.granted": _("gave someone a role"),
    "membership.revoked": _("took a role away from someone"),
    "keys.rotated": _("re-encrypted the sensitive fields under the newest key"),
    "organisation.changed": _("changed an organisation"),
    "chain.created": _("created a chain"),
    "chain.changed": _("changed a chain"),
    "access.denied": _("was refused access"),
    "case.viewed": _("viewed a case"),
    "case.listed": _("listed cases"),
    "case.registered": _("registered a case"),
    "case.changed": _("changed a case"),
    "case.transition": _("moved a case to another step"),
    "case.assigned": _("assigned a case director"),
    "case.document_downloaded": _("downloaded a document"),
    "consult.created": _("recorded a consult"),
    "consult.viewed": _("viewed a consult"),
    "consult.listed": _("listed consults"),
    "consent.recorded": _("recorded a consent"),
    "consent.withdrawn": _("recorded the withdrawal of a consent"),
    "consent.break_glass": _("opened a case with emergency access (break the glass)"),
    "intake.saved": _("saved the intake"),
    "ot.meeting_created": _("planned an OT meeting"),
    "ot.meeting_viewed": _("viewed an OT meeting"),
    "ot.attendance": _("recorded OT attendance"),
    "ot.decided": _("recorded an OT decision"),
    "ot.meeting_held": _("recorded an OT meeting as held"),
    "ot.item_added": _("put a case on an OT agenda"),
    "legal_basis.changed": _("changed the legal basis register"),
    "audit.verified": _("verified the audit log"),
    "network.member_added": _("added someone to the network"),
    "network.member_changed": _("changed a network member"),
    "network.member_ended": _("ended someone's part in the network"),
    "offence_group.changed": _("changed an offence group"),
    "offence_group.listed": _("listed offence groups"),
    "plan.saved": _("saved the plan of approach"),
    "plan.viewed": _("viewed the plan of approach"),
    "plan.action_updated": _("updated the status of an action"),
    "meeting.planned": _("planned a network meeting"),
    "meeting.held": _("recorded a network meeting as held"),
    "meeting.refused": _("tried to record a network meeting without the youth"),
    "meeting.evaluated": _("evaluated a network meeting"),
    "meeting.invite_downloaded": _("downloaded a meeting invitation"),
    "followup.contact": _("logged a follow-up contact"),
    "followup.cadence": _("changed the follow-up cadence"),
    "followup.event": _("recorded a major event"),
    "followup.signal_acknowledged": _("acknowledged a signal"),
    "followup.intervision": _("started an intervision session"),
    "followup.intervision_advice": _("recorded intervision advice"),
    "followup.signals_listed": _("listed signals"),
    "followup.digest_sent": _("sent an e-mail digest"),
    "thread.started": _("started a conversation about a case"),
    "thread.viewed": _("read a conversation about a case"),
    "thread.listed": _("listed conversations"),
    "thread.message_posted": _("sent a message in a conversation"),
    "thread.message_edited": _("edited a message"),
    "thread.message_deleted": _("deleted a message"),
    "thread.participant_added": _("added someone to a conversation"),
    "thread.attachment_downloaded": _("downloaded an attachment of a message"),
    "portal.invited": _("invited someone to “My trajectory”"),
    "portal.activated": _("activated their access to “My trajectory”"),
    "portal.code_sent": _("was sent a login code for “My trajectory”"),
    "portal.verified": _("confirmed their login to “My trajectory” with a code"),
    "portal.code_failed": _("entered a wrong login code for “My trajectory”"),
    "portal.viewed": _("viewed “My trajectory”"),
    "portal.ended": _("ended someone's access to “My trajectory”"),
    "portal.withdrawal_requested": _("asked to withdraw a consent"),
    "portal.request_handled": _("handled a request from “My trajectory”"),
    # Reports: aggregated figures only; the entry names the chain, the period and the table, no content
    "report.viewed": _("viewed the report of a chain"),
    "report.exported": _("downloaded a table of a report"),
    "report.records_exported": _("downloaded the pseudonymised trajectories"),
    "report.pdf_downloaded": _("downloaded the steering group report"),
    "report.steering_text_saved": _("saved the text for the steering group"),
    "report.compared": _("compared the figures of several chains"),
    # Re-authentication and the data subject's rights (privacy app)
    "auth.reauthenticated": _("confirmed their identity again"),
    "auth.reauth_failed": _("failed to confirm their identity"),
    "privacy.access_log_viewed": _("viewed who accessed a case"),
    "privacy.subject_viewed": _("opened the data subject page of a youth"),
    "privacy.subject_exported": _("exported everything held about a youth"),
    "privacy.case_restricted": _("restricted the processing of a case"),
    "privacy.restriction_lifted": _("lifted the restriction of a case"),
    "privacy.legal_hold_placed": _("placed a legal hold on a case"),
    "privacy.legal_hold_lifted": _("lifted a legal hold"),
    "privacy.case_pseudonymised": _("pseudonymised a closed case after its retention period"),
    "privacy.consult_pseudonymised": _("pseudonymised a consult after its retention period"),
    "privacy.retention_run": _("applied the retention periods"),
}


# Actions that only read or authenticate: they change nothing a cached figure of a chain depends on.
_READ_ENDINGS = ("viewed", "listed", "downloaded", "exported", "compared", "verified", "code_sent", "code_failed")
_SESSION_PREFIXES = ("auth.", "2fa.", "token.", "access.")


def changes_chain_data(action: str) -> bool:
    """True for an action that writes data of a chain (see ketenregie.common.chain_version)."""
    return not (action.startswith(_SESSION_PREFIXES) or action.endswith(_READ_ENDINGS))


def chain_data_reads() -> Q:
    """The entries whose action ``changes_chain_data`` says no to, as a filter of the audit log."""
    reads = Q()
    for prefix in _SESSION_PREFIXES:
        reads |= Q(action__startswith=prefix)
    for ending in _READ_ENDINGS:
        reads |= Q(action__endswith=ending)
    return reads


def describe(action: str) -> str:
    return str(ACTIONS.get(action, action))
