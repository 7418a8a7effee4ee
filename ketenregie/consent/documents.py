"""Validation of uploaded documents: size limit, extension allowlist and magic bytes (SECURITY.md IU3)."""

from __future__ import annotations

import os
import re
import unicodedata

from django.conf import settings
from django.utils.translation import gettext as _

ALLOWED = {
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
}


def safe_filename(name: str) -> str:
    """Strip folders, control characters and odd symbols from an uploaded file's name."""
    base = os.path.basename(name.replace("\\", "/"))
    base = unicodedata.normalize("NFKC", base)
    base = re.sub(r"[^\w.\- ]", "_", base).strip(" .") or "document"
    stem, extension = os.path.splitext(base)
    extension = extension[:10]
    return (stem[: 120 - len(extension)] or "document") + extension


def check_document(upload) -> tuple[str, str]:
    """Return (safe name, content type) or raise ValueError with a message for the user."""
    limit = settings.KETENREGIE_MAX_UPLOAD_BYTES
    if upload.size > limit:
        raise ValueError(_("The file is too large: at most %(mb)d MB.") % {"mb": limit // (1024 * 1024)})
    if upload.size == 0:
        raise ValueError(_("The file is empty."))
    name = safe_filename(upload.name or "")
    extension = os.path.splitext(name)[1].lower()
    if extension not in ALLOWED:
        raise ValueError(_("Only PDF, JPEG or PNG files are accepted."))
    content_type, signatures = ALLOWED[extension]
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not any(head.startswith(sig) for sig in signatures):
        raise ValueError(
            _("The file's content does not match its type: only real PDF, JPEG or PNG files are accepted.")
        )
    return name, content_type


def document_response(handle, *, filename: str, content_type: str):
    """Serve a stored upload as a download that no browser renders or sniffs (SECURITY.md IU3)."""
    from django.http import FileResponse

    response = FileResponse(
        handle,
        as_attachment=True,
        filename=filename or "document",
        content_type=content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response
