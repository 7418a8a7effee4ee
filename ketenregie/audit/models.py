from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """One append-only entry of the audit log.

    Each entry carries the hash of the previous one, so altering or removing a row breaks the
    chain and ``verify_audit`` names the first bad entry. Entries never hold case content: only
    who did what to which object, when, from where, and with what result.
    """

    id = models.BigAutoField(primary_key=True)
    occurred_at = models.DateTimeField(db_index=True)
    actor_id = models.UUIDField(null=True, blank=True, db_index=True)
    actor_username = models.CharField(max_length=150, blank=True)
    actor_roles = models.CharField(max_length=300, blank=True)
    actor_organisation = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=60, db_index=True)
    result = models.CharField(max_length=10, default="ok")  # ok, denied, failed
    object_type = models.CharField(max_length=60, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    chain_id = models.UUIDField(null=True, blank=True)
    case_id = models.UUIDField(null=True, blank=True)
    request_id = models.CharField(max_length=32, blank=True)
    origin_ip = models.CharField(max_length=45, blank=True)
    channel = models.CharField(max_length=10, blank=True)
    reason = models.TextField(blank=True)
    details = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [models.Index(fields=["case_id", "id"]), models.Index(fields=["chain_id", "id"])]

    def __str__(self) -> str:
        return f"#{self.id} {self.action}"


class AuditHead(models.Model):
    """The single row pointing at the newest entry; locking it serialises appends to the chain."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_id = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)
    count = models.BigIntegerField(default=0)
