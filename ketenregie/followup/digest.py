"""The e-mail digest: per user, how many signals of each kind they have (and how many unread in-app
notifications), with links to /signalen/ and /meldingen/.

An e-mail leaves the platform, so it carries counts only — never a youth's name, a case number or
any content (SECURITY.md L9). Whoever wants to know which cases, logs in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ketenregie.accounts.enums import Role
from ketenregie.accounts.models import User
from ketenregie.audit.domain import log
from ketenregie.followup import queries
from ketenregie.followup.enums import DigestFrequency
from ketenregie.followup.models import NotificationPreference

# A digest is due again after this long (a little under a day or a week, so a daily or weekly run
# that starts a few minutes early still sends).
DUE_AFTER = {DigestFrequency.DAILY: timedelta(hours=20), DigestFrequency.WEEKLY: timedelta(days=6, hours=20)}


@dataclass
class Digest:
    user: User
    frequency: str
    counts: list[tuple[str, str, int]]  # (kind, label, count)
    subject: str
    body: str

    @property
    def total(self) -> int:
        return sum(n for _k, _l, n in self.counts)


def base_url() -> str:
    """Where the platform is reached, for the link in the mail."""
    configured = getattr(settings, "KETENREGIE_BASE_URL", "")
    if configured:
        return configured.rstrip("/")
    hosts = [h for h in settings.ALLOWED_HOSTS if h and h != "*" and not h.startswith(".")]
    host = hosts[0] if hosts else "127.0.0.1:8000"
    scheme = "http" if host.startswith(("127.", "localhost")) else "https"
    return f"{scheme}://{host}"


def compose(user: User, frequency: str, *, link_base: str) -> Digest | None:
    """The digest for ``user``, or None when they have no open signals and no unread notifications."""
    from ketenregie.followup.models import Notification

    counts = queries.counts_by_kind(queries.signals_of(user))
    # In-app notifications (messages, mentions, updated actions) count too: partners act on no
    # signals but do take part in conversations. Only the number leaves the platform.
    unread = Notification.objects.filter(user=user, read_at__isnull=True).count()
    if not counts and not unread:
        return None
    total = sum(n for _k, _l, n in counts)
    with translation.override(settings.LANGUAGE_CODE):
        if total:
            subject = ngettext(
                "Ketenregie: %(n)d signal needs your attention", "Ketenregie: %(n)d signals need your attention", total
            ) % {"n": total}
        else:
            subject = ngettext(
                "Ketenregie: %(n)d unread notification", "Ketenregie: %(n)d unread notifications", unread
            ) % {"n": unread}
        signal_lines = [
            _("These signals are waiting for you in Ketenregie:"),
            "",
            *[f"- {label}: {n}" for _k, label, n in counts],
            "",
            _("Log in to see which cases they are about and what to do:"),
            f"{link_base}{reverse('followup:signals')}",
            "",
        ]
        notification_lines = [
            ngettext(
                "You have %(n)d unread notification (a message, a mention or an update):",
                "You have %(n)d unread notifications (messages, mentions or updates):",
                unread,
            )
            % {"n": unread},
            f"{link_base}{reverse('followup:notifications')}",
            "",
        ]
        lines = [
            _("Good day,"),
            "",
            *(signal_lines if counts else []),
            *(notification_lines if unread else []),
            _("For privacy this e-mail never contains names, case numbers or case content."),
            _("You receive this summary %(how)s. Change that here: %(url)s")
            % {
                "how": _("every day") if frequency == DigestFrequency.DAILY else _("every week"),
                "url": f"{link_base}{reverse('followup:preferences')}",
            },
        ]
    return Digest(user=user, frequency=frequency, counts=counts, subject=subject, body="\n".join(lines))


def recipients(frequency: str | None = None):
    """Active accounts with an e-mail address and a role that acts on signals or takes part in
    conversations (partners), with their preference."""
    users = (
        User.objects.filter(
            is_active=True,
            memberships__is_active=True,
            memberships__chain__is_active=True,
            memberships__role__in=[Role.OPERATIONAL_COORDINATOR, Role.CASE_DIRECTOR, Role.PARTNER],
        )
        .exclude(email="")
        .distinct()
        .order_by("username")
    )
    prefs = {p.user_id: p for p in NotificationPreference.objects.filter(user__in=users)}
    for user in users:
        pref = prefs.get(user.pk)
        chosen = pref.digest if pref else DigestFrequency.WEEKLY
        if chosen == DigestFrequency.OFF or (frequency and chosen != frequency):
            continue
        yield user, chosen, pref


def is_due(pref: NotificationPreference | None, frequency: str, now: datetime) -> bool:
    last = pref.last_digest_at if pref else None
    return last is None or now - last >= DUE_AFTER[DigestFrequency(frequency)]


@dataclass
class RunResult:
    sent: int = 0
    skipped: int = 0  # nothing to report, or not due yet
    failed: int = 0


def send_digests(
    *,
    frequency: str | None = None,
    dry_run: bool = False,
    now: datetime | None = None,
    link_base: str | None = None,
    stdout=None,
) -> RunResult:
    """Send each due user their digest. With ``dry_run`` nothing is sent, stored or audited."""
    now = now or timezone.now()
    link_base = link_base or base_url()
    result = RunResult()
    for user, chosen, pref in recipients(frequency):
        if not is_due(pref, chosen, now):
            result.skipped += 1
            continue
        digest = compose(user, chosen, link_base=link_base)
        if digest is None:
            result.skipped += 1
            continue
        if dry_run:
            if stdout is not None:
                stdout.write(f"would send to {user.get_username()}: {digest.total} signals ({chosen})")
            result.sent += 1
            continue
        try:
            EmailMessage(digest.subject, digest.body, settings.DEFAULT_FROM_EMAIL, [user.email]).send()
        except Exception:  # noqa: BLE001 — one failing address must not stop the others
            result.failed += 1
            if stdout is not None:
                stdout.write(f"sending to {user.get_username()} failed")
            continue
        with transaction.atomic():
            NotificationPreference.objects.update_or_create(user=user, defaults={"last_digest_at": now})
            log("followup.digest_sent", actor=None, obj=user, details={"count": digest.total, "frequency": chosen})
        result.sent += 1
    return result
