from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChainsConfig(AppConfig):
    name = "ketenregie.chains"
    label = "chains"
    verbose_name = _("Chains")
