from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "ketenregie.portal"
    label = "portal"
    verbose_name = _("My trajectory (the youth's view)")
