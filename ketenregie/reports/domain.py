"""The one change of state in the reports: the steering group's text for a period."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from ketenregie.accounts.models import User
from ketenregie.audit.domain import log
from ketenregie.chains.models import Chain
from ketenregie.common.errors import NotAllowed, ValidationFailed
from ketenregie.reports.models import SteeringText
from ketenregie.reports.periods import Period
from ketenregie.reports.queries import may_write_steering_text

MAX_TEXT = 10_000


def steering_text_for(chain: Chain, period: Period) -> SteeringText | None:
    return (
        SteeringText.objects.with_scope(chain=chain.pk)
        .filter(chain=chain, date_from=period.start, date_to=period.end)
        .first()
    )


def save_steering_text(*, actor: User, chain: Chain, period: Period, text: str) -> SteeringText:
    """Save the strategic coordinator's text for the steering group report of ``period``.

    Only a strategic coordinator of the chain writes it. The audit entry names the chain and the
    period, not the text.
    """
    if not may_write_steering_text(actor, chain):
        raise NotAllowed(_("Only the chain's strategic coordinators write the text for the steering group."))
    text = text.strip()
    if len(text) > MAX_TEXT:
        raise ValidationFailed(
            _("The text is too long."),
            errors=[{"field": "text", "message": _("Keep the text under 10,000 characters.")}],
        )
    with transaction.atomic():
        steering, created = SteeringText.objects.with_scope(chain=chain.pk).get_or_create(
            chain=chain, date_from=period.start, date_to=period.end, defaults={"text": text, "updated_by": actor}
        )
        if not created:
            steering = SteeringText.objects.with_scope(chain=chain.pk).select_for_update().get(pk=steering.pk)
            steering.text = text
            steering.updated_by = actor
            steering.save(update_fields=["text", "updated_by", "updated_at"])
        log(
            "report.steering_text_saved",
            actor=actor,
            obj=steering,
            chain_id=chain.pk,
            details={"from": period.start.isoformat(), "to": period.end.isoformat(), "characters": len(text)},
        )
    return steering
