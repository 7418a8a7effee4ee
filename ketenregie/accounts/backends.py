from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Q


class UsernameOrEmailBackend(ModelBackend):
    """Log in with either the username or the e-mail address, case-insensitively."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None or password is None:
            return None
        User = get_user_model()
        login = username.strip()
        candidates = list(User.objects.filter(Q(username__iexact=login) | Q(email__iexact=login))[:2])
        if len(candidates) != 1:
            # Run the hasher anyway so unknown accounts take as long as wrong passwords (A4).
            User().set_password(password)
            return None
        user = candidates[0]
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None


def lockout_username(request, credentials) -> str:
    """Normalise the login name for lockout, so e-mail and username count as the same account."""
    raw = ""
    if credentials:
        raw = credentials.get("username", "") or ""
    elif request is not None:
        raw = request.POST.get("username", "")
    login = raw.strip().lower()
    if "@" in login:
        User = get_user_model()
        match = User.objects.filter(email__iexact=login).values_list("username", flat=True).first()
        if match:
            return match.lower()
    return login
