"""Authentication events into the audit log (Django and django-axes emit them as signals)."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.utils import timezone

from ketenregie.accounts.middleware import SESSION_LAST_SEEN, SESSION_LOGIN_AT
from ketenregie.audit.domain import log


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        now = timezone.now().timestamp()
        request.session[SESSION_LOGIN_AT] = now
        request.session[SESSION_LAST_SEEN] = now
    log("auth.login", actor=user, obj=user)


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        log("auth.logout", actor=user, obj=user)


@receiver(user_login_failed)
def _login_failed(sender, credentials, request=None, **kwargs):
    from ketenregie.accounts.backends import lockout_username

    log("auth.login_failed", actor=None, result="failed", username=lockout_username(request, credentials))


@receiver(user_locked_out)
def _locked_out(sender, request, username=None, ip_address=None, **kwargs):
    log("auth.locked_out", actor=None, result="denied", username=(username or "")[:150])
