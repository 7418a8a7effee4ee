from django.contrib import admin

from ketenregie.accounts.admin import AuditedAdmin
from ketenregie.reports.models import ChainReportSettings


@admin.register(ChainReportSettings)
class ChainReportSettingsAdmin(AuditedAdmin):
    """Administrators set a chain's own small-number threshold; the figures themselves are not here."""

    audit_action = "chain.changed"
    list_display = ["chain", "min_cell_size"]
    fields = ["chain", "min_cell_size"]

    def audit_chain_id(self, obj):
        return obj.chain_id

    def get_queryset(self, request):
        return ChainReportSettings.objects.with_scopes_disabled().select_related("chain")
