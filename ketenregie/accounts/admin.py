"""The administrators' screens: chains, organisations and accounts. No case content is registered."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from ketenregie.accounts import domain as account_domain
from ketenregie.accounts.models import ChainPartner, Membership, Organisation, User
from ketenregie.accounts.reauth import reauth_required
from ketenregie.audit.domain import log


class AuditedAdmin(admin.ModelAdmin):
    """Every change made in the administrators' screens lands in the audit log."""

    audit_action = ""

    def audit_chain_id(self, obj):
        """The chain the change belongs to (its cached figures are invalidated): none by default."""
        return None

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            log(
                self.audit_action,
                actor=request.user,
                obj=obj,
                chain_id=self.audit_chain_id(obj),
                details={"fields": sorted(form.changed_data), "new": not change},
            )

    def save_formset(self, request, form, formset, change):
        with transaction.atomic():
            super().save_formset(request, form, formset, change)
            if formset.model is Membership:
                _log_role_changes(request.user, formset)
            elif formset.has_changed():
                log("membership.changed", actor=request.user, obj=form.instance, details={"inline": formset.prefix})


def _log_role_changes(actor, formset) -> None:
    """One entry per role given, changed or taken away: whose, which role, in which chain."""

    def entry(action: str, membership: Membership, **details) -> None:
        log(
            action,
            actor=actor,
            obj=membership.user,
            chain_id=membership.chain_id,
            details={"role": membership.role, "membership": str(membership.pk), **details},
        )

    for membership in formset.new_objects:
        entry("membership.granted", membership, active=membership.is_active)
    for membership, fields in formset.changed_objects:
        entry("membership.changed", membership, fields=sorted(fields), active=membership.is_active)
    for membership in formset.deleted_objects:
        entry("membership.revoked", membership)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    fields = ["chain", "role", "organisation", "is_active"]
    autocomplete_fields = ["organisation"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin, AuditedAdmin):
    audit_action = "account.changed"
    inlines = [MembershipInline]
    list_display = ["username", "first_name", "last_name", "email", "is_active", "is_staff", "last_login"]
    list_filter = ["is_active", "is_staff", "memberships__chain", "memberships__role"]
    search_fields = ["username", "first_name", "last_name", "email"]
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Person"), {"fields": ("first_name", "last_name", "email", "phone")}),
        (
            _("Access"),
            {
                "fields": ("is_active", "is_staff"),
                "description": _(
                    "Administrators configure chains, organisations and accounts. They never see case content; "
                    "give case roles through the roles below."
                ),
            },
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    readonly_fields = ["last_login", "date_joined"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "is_active" in form.changed_data and not obj.is_active:
            account_domain.end_sessions(user=obj)  # SECURITY.md A6: out now, and not back on reactivation

    # Roles and passwords are changed on these pages: only after the administrator confirmed their
    # own password (and second factor) in the last five minutes (SECURITY.md A7).
    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        return reauth_required(super().changeform_view)(request, object_id, form_url, extra_context)

    def user_change_password(self, request, id, form_url=""):
        return reauth_required(super().user_change_password)(request, id, form_url)


class ChainPartnerInline(admin.TabularInline):
    model = ChainPartner
    extra = 1
    fields = ["chain", "in_operational_team", "since", "until"]


@admin.register(Organisation)
class OrganisationAdmin(AuditedAdmin):
    audit_action = "organisation.changed"
    list_display = ["name", "kind", "municipality", "is_active"]
    list_filter = ["kind", "is_active", "chain_partnerships__chain"]
    search_fields = ["name", "municipality"]
    inlines = [ChainPartnerInline]
