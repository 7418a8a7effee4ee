from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from ketenregie.chains import defaults
from ketenregie.common.models import TimestampedModel


def _life_domains() -> list[dict]:
    return [dict(d) for d in defaults.LIFE_DOMAINS]


def _glm_needs() -> list[dict]:
    return [dict(d) for d in defaults.GLM_NEEDS]


def _offence_types() -> list[dict]:
    return [dict(d) for d in defaults.OFFENCE_TYPES]


def _ot_event_kinds() -> list[str]:
    return ["new_offence", "arrest", "court_decision", "crisis"]


def _playbook() -> dict:
    return dict(defaults.PLAYBOOK_FIX)


class Chain(TimestampedModel):
    """A tenant: one local chain approach with its own criteria, partners and staff.

    Every local choice of a chain (age range, region, life domains, cadence, playbook) is
    configuration here, not code.
    """

    name = models.CharField(_("name"), max_length=100, unique=True)
    slug = models.SlugField(_("short name in links"), max_length=40, unique=True)
    municipality = models.CharField(_("municipality"), max_length=100)
    age_min = models.PositiveSmallIntegerField(
        _("minimum age"), default=12, validators=[MinValueValidator(6), MaxValueValidator(30)]
    )
    age_max = models.PositiveSmallIntegerField(
        _("maximum age"), default=25, validators=[MinValueValidator(6), MaxValueValidator(30)]
    )
    follow_up_after_max_age = models.BooleanField(
        _("follow-up after the maximum age allowed"),
        default=False,
        help_text=_("A case that started within the age range may continue after the youth passes it."),
    )
    postal_codes = models.JSONField(_("postal codes of the region"), default=list, blank=True)
    life_domains = models.JSONField(_("life domains"), default=_life_domains)
    glm_needs = models.JSONField(_("GLM needs"), default=_glm_needs)
    offence_types = models.JSONField(_("offence types"), default=_offence_types)
    follow_up_cadence_days = models.PositiveSmallIntegerField(
        _("follow-up cadence (days)"), default=7, validators=[MinValueValidator(1), MaxValueValidator(90)]
    )
    out_of_view_days = models.PositiveSmallIntegerField(
        _("out-of-view threshold (days)"), default=21, validators=[MinValueValidator(1), MaxValueValidator(365)]
    )
    playbook = models.JSONField(_("playbook"), default=_playbook, blank=True)
    ot_event_kinds = models.JSONField(
        _("major events that put a case on the OT agenda"), default=_ot_event_kinds, blank=True
    )
    retention_years = models.PositiveSmallIntegerField(
        _("retention period (years after a case ends)"),
        default=5,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
        help_text=_(
            "After this many years a closed case is pseudonymised: names, birth dates, contact details, "
            "free texts and documents are removed; the figures for reports stay."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("chain")
        verbose_name_plural = _("chains")
        constraints = [
            models.CheckConstraint(condition=models.Q(age_min__lte=models.F("age_max")), name="chain_age_range"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.age_min is not None and self.age_max is not None and self.age_min > self.age_max:
            raise ValidationError({"age_max": _("The maximum age must not be below the minimum age.")})

    def playbook_text(self, step: str) -> str:
        return (self.playbook or {}).get(step, "")

    def life_domain_label(self, code: str) -> str:
        return next((d["label"] for d in self.life_domains if d["code"] == code), code)

    @property
    def life_domain_choices(self) -> list[tuple[str, str]]:
        return [(d["code"], d["label"]) for d in self.life_domains]

    @property
    def glm_need_choices(self) -> list[tuple[str, str]]:
        return [(d["code"], d["label"]) for d in self.glm_needs]

    @property
    def offence_type_choices(self) -> list[tuple[str, str]]:
        return [(d["code"], d["label"]) for d in self.offence_types]
