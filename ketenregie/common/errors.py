"""Errors raised by domain operations; the web views show them, the API turns them into problem+json."""

from __future__ import annotations


class DomainError(Exception):
    """A refused operation. ``errors`` holds field-level messages: [{field, message}]."""

    status = 422
    title = "Unprocessable Content"

    def __init__(self, detail: str = "", *, errors: list[dict] | None = None):
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []


class ValidationFailed(DomainError):
    status = 422
    title = "Unprocessable Content"


class GuardFailed(DomainError):
    """A workflow guard refused a transition."""

    status = 409
    title = "Conflict"


class StaleVersion(DomainError):
    """Someone else saved first; the client must reload."""

    status = 409
    title = "Conflict"


class NotAllowed(DomainError):
    """The object is visible but this action is not allowed for this user."""

    status = 403
    title = "Forbidden"
