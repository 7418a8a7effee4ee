import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from ketenregie.cases.models import Case
from ketenregie.common.fields import EncryptedTextField
from ketenregie.common.models import TimestampedModel, UUIDModel
from ketenregie.consent.models import private_storage
from ketenregie.threads.enums import RevisionKind

USER = settings.AUTH_USER_MODEL


def _attachment_path(instance, filename: str) -> str:
    # Random stored name: the original name (which may hold a youth's name) stays in the database only.
    return f"threads/{uuid.uuid4().hex}"


class Thread(TimestampedModel):
    """A conversation about a case, optionally about one of its meetings or plan actions.

    A thread with a ``portal_user`` is the youth's (or trusted person's) conversation with the case
    director from "Mijn traject"; partners never take part in it.
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="threads")
    subject = EncryptedTextField(_("subject"))
    meeting = models.ForeignKey(
        "meetings.NetworkMeeting",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="threads",
        verbose_name=_("network meeting"),
    )
    action = models.ForeignKey(
        "plans.Action",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="threads",
        verbose_name=_("plan action"),
    )
    portal_user = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    last_message_at = models.DateTimeField(db_index=True)

    objects = ScopedManager(chain="case__chain")

    class Meta:
        ordering = ["-last_message_at"]
        verbose_name = _("conversation")
        verbose_name_plural = _("conversations")
        indexes = [models.Index(fields=["case", "last_message_at"])]

    def __str__(self) -> str:
        return str(self.pk)

    @property
    def is_portal(self) -> bool:
        return self.portal_user_id is not None


class ThreadParticipant(models.Model):
    """Someone who takes part in a thread, and up to when they have read it."""

    id = models.BigAutoField(primary_key=True)
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(USER, on_delete=models.CASCADE, related_name="thread_participations")
    added_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    added_at = models.DateTimeField()
    last_read_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(chain="thread__case__chain")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["thread", "user"], name="threadparticipant_unique")]
        indexes = [models.Index(fields=["user", "thread"])]


class Message(UUIDModel):
    """One message. It can be changed for 15 minutes; after that it is immutable (threads.domain)."""

    thread = models.ForeignKey(Thread, on_delete=models.PROTECT, related_name="messages")
    author = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    body = EncryptedTextField(_("message"), blank=True)
    created_at = models.DateTimeField(db_index=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    submission_key = models.UUIDField(null=True, blank=True, unique=True)

    objects = ScopedManager(chain="thread__case__chain")

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["thread", "created_at"])]

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


class MessageRevision(models.Model):
    """The text a message had before it was edited or deleted: the history stays, out of the audit log."""

    id = models.BigAutoField(primary_key=True)
    message = models.ForeignKey(Message, on_delete=models.PROTECT, related_name="revisions")
    kind = models.CharField(max_length=10, choices=RevisionKind.choices)
    body = EncryptedTextField(blank=True)
    replaced_at = models.DateTimeField()
    replaced_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")

    objects = ScopedManager(chain="message__thread__case__chain")

    class Meta:
        ordering = ["replaced_at"]


class Attachment(UUIDModel):
    """A file sent with a message: validated like consent documents, served only after a permission check."""

    message = models.ForeignKey(Message, on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField(storage=private_storage, upload_to=_attachment_path)
    name = models.CharField(max_length=120)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()

    objects = ScopedManager(chain="message__thread__case__chain")

    class Meta:
        ordering = ["name"]
