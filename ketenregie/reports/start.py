"""The start page's way to the reports: a link for each coordinator's and analyst's section."""

from __future__ import annotations

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _

from ketenregie.accounts.enums import Role
from ketenregie.accounts.start import Link


def add_report_links(sections, several: bool) -> None:
    report_url = reverse("reports:report")
    for section in sections:
        if section.role in (Role.STRATEGIC_COORDINATOR, Role.OPERATIONAL_COORDINATOR):
            url = f"{report_url}?{urlencode({'keten': section.chain.slug})}" if several else report_url
            label = (
                _("Figures and steering group report") if section.role == Role.STRATEGIC_COORDINATOR else _("Figures")
            )
            # The strategists' first button: the report is what their role is about.
            if section.role == Role.STRATEGIC_COORDINATOR:
                section.links.insert(0, Link(label, url))
            else:
                section.links.append(Link(label, url))
        elif section.role == Role.REGIONAL_ANALYST:
            section.links.append(Link(_("Compare the chains"), reverse("reports:compare")))
