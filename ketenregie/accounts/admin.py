"""The administrators' screens: chains, organisations and accounts. No case content is registered."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from ketenregie.accounts.models import ChainPartner, Membership, Organisation, User
from ketenregie.audit.domain import log


class AuditedAdmin(admin.ModelAdmin):
    """Every change made in the administrators' screens lands in the audit log."""

    audit_action = ""

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            log(
                self.audit_action,
                actor=request.user,
                obj=obj,
                details={"fields": sorted(form.changed_data), "new": not change},
            )

    def save_formset(self, request, form, formset, change):
        with transaction.atomic():
            super().save_formset(request, form, formset, change)
            if formset.has_changed():
                log("membership.changed", actor=request.user, obj=form.instance, details={"inline": formset.prefix})


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
