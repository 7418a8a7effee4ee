from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from ketenregie.accounts.admin import AuditedAdmin
from ketenregie.chains.defaults import PLAYBOOK_STEPS
from ketenregie.chains.forms import ChainForm
from ketenregie.chains.models import Chain


@admin.register(Chain)
class ChainAdmin(AuditedAdmin):
    audit_action = "chain.changed"
    form = ChainForm
    list_display = ["name", "municipality", "age_min", "age_max", "follow_up_cadence_days", "is_active"]
    search_fields = ["name", "municipality"]
    prepopulated_fields = {"slug": ["name"]}

    def audit_chain_id(self, obj):
        return obj.pk

    def get_fieldsets(self, request, obj=None):
        return [
            (None, {"fields": ["name", "slug", "municipality", "is_active"]}),
            (_("Criteria"), {"fields": ["age_min", "age_max", "follow_up_after_max_age", "postal_codes_text"]}),
            (
                _("Way of working"),
                {
                    "fields": [
                        "life_domains_text",
                        "glm_needs_text",
                        "offence_types_text",
                        "follow_up_cadence_days",
                        "out_of_view_days",
                    ]
                },
            ),
            (_("Playbook"), {"fields": [f"playbook_{step}" for step, _label in PLAYBOOK_STEPS]}),
            (_("Privacy"), {"fields": ["retention_years"]}),
        ]
