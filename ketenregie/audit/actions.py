"""Every audit action code with the sentence shown for it. Unknown codes are refused."""

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
    "intake.saved": _("saved the intake"),
    "ot.meeting_created": _("planned an OT meeting"),
    "ot.meeting_viewed": _("viewed an OT meeting"),
    "ot.attendance": _("recorded OT attendance"),
    "ot.decided": _("recorded an OT decision"),
    "ot.item_added": _("put a case on an OT agenda"),
    "legal_basis.changed": _("changed the legal basis register"),
    "audit.verified": _("verified the audit log"),
}


def describe(action: str) -> str:
    return str(ACTIONS.get(action, action))
