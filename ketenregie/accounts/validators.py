from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

# Words that make a password guessable in this context (SECURITY.md A2).
CONTEXT_WORDS = ("ketenregie", "ketenaanpak", "casusregie", "genk", "kompas", "fix")


class MaximumLengthValidator:
    def __init__(self, max_length: int = 128):
        self.max_length = max_length

    def validate(self, password: str, user=None) -> None:
        if len(password) > self.max_length:
            raise ValidationError(
                ngettext(
                    "This password is too long. It may contain at most %(max)d character.",
                    "This password is too long. It may contain at most %(max)d characters.",
                    self.max_length,
                )
                % {"max": self.max_length},
                code="password_too_long",
            )

    def get_help_text(self) -> str:
        return _("Your password may contain at most %(max)d characters.") % {"max": self.max_length}


class ContextWordValidator:
    def validate(self, password: str, user=None) -> None:
        lowered = password.lower()
        for word in CONTEXT_WORDS:
            if word in lowered and len(lowered) - len(word) < 8:
                raise ValidationError(
                    _("This password leans too much on the word “%(word)s”. Choose something less guessable.")
                    % {"word": word},
                    code="password_context_word",
                )

    def get_help_text(self) -> str:
        return _("Your password should not be built around the name of this application or the city.")
