"""What the reports keep: a chain's own small-number threshold and the steering group's free text.

The figures themselves are never stored in the database: they are computed from the case data
(``reports.figures``) and kept only in the cache, for minutes at most and until the next write in the
chain, so a report can never disagree with the dossiers it counts for longer than that write takes.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from ketenregie.chains.models import Chain
from ketenregie.common.models import TimestampedModel


class ChainReportSettings(TimestampedModel):
    """Per-chain report settings. A chain may raise the small-number threshold, never lower it."""

    chain = models.OneToOneField(
        Chain, on_delete=models.CASCADE, related_name="report_settings", verbose_name=_("chain")
    )
    min_cell_size = models.PositiveSmallIntegerField(
        _("smallest number shown"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
        help_text=_(
            "Cells counting fewer youths than this are shown as “<N” wherever figures leave the chain. "
            "Empty: the platform's setting. A value below the platform's setting has no effect."
        ),
    )

    objects = ScopedManager(chain="chain")

    class Meta:
        verbose_name = _("report settings of a chain")
        verbose_name_plural = _("report settings of chains")

    def __str__(self) -> str:
        return str(self.chain)


class SteeringText(TimestampedModel):
    """The strategic coordinator's own text for the steering group report of one period."""

    chain = models.ForeignKey(Chain, on_delete=models.PROTECT, related_name="steering_texts")
    date_from = models.DateField(_("from"))
    date_to = models.DateField(_("to"))
    text = models.TextField(_("text for the steering group"), blank=True, max_length=10_000)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    objects = ScopedManager(chain="chain")

    class Meta:
        verbose_name = _("steering group text")
        verbose_name_plural = _("steering group texts")
        constraints = [
            models.UniqueConstraint(fields=["chain", "date_from", "date_to"], name="steeringtext_unique_period"),
            models.CheckConstraint(condition=models.Q(date_from__lte=models.F("date_to")), name="steeringtext_period"),
        ]

    def __str__(self) -> str:
        return f"{self.chain} {self.date_from}–{self.date_to}"
