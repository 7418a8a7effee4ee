"""consent/documents.py: what an uploaded signed consent may be, and what its name becomes."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from ketenregie.consent.documents import check_document, safe_filename

PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"

WRONG_TYPE = "Only PDF, JPEG or PNG files are accepted."
MISMATCH = "The file's content does not match its type: only real PDF, JPEG or PNG files are accepted."
MB = 1024 * 1024


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("toestemming.pdf", PDF, ("toestemming.pdf", "application/pdf")),
        ("foto.jpg", JPEG, ("foto.jpg", "image/jpeg")),
        ("foto.jpeg", JPEG, ("foto.jpeg", "image/jpeg")),
        ("SCAN.PNG", PNG, ("SCAN.PNG", "image/png")),
    ],
)
def test_real_pdf_jpeg_and_png_files_pass(name, content, expected):
    document = upload(name, content)

    assert check_document(document) == expected
    assert document.read() == content  # the caller can still store the whole file


def test_the_content_type_claimed_by_the_browser_is_ignored():
    document = SimpleUploadedFile("toestemming.pdf", PDF, content_type="application/x-msdownload")

    assert check_document(document) == ("toestemming.pdf", "application/pdf")


@pytest.mark.parametrize("name", ["toestemming.docx", "toestemming.exe", "toestemming.pdf.exe", "toestemming", ".pdf"])
def test_other_extensions_are_refused(name):
    with pytest.raises(ValueError, match=WRONG_TYPE):
        check_document(upload(name, PDF))


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("toestemming.pdf", EXE),  # a program renamed to .pdf
        ("foto.jpg", PNG),  # a real image with the wrong extension
        ("scan.png", PDF),
        ("toestemming.pdf", b"<html><script>alert(1)</script></html>"),
    ],
)
def test_content_that_does_not_match_the_extension_is_refused(name, content):
    with pytest.raises(ValueError) as error:
        check_document(upload(name, content))

    assert str(error.value) == MISMATCH


def test_an_empty_file_is_refused():
    with pytest.raises(ValueError) as error:
        check_document(upload("toestemming.pdf", b""))

    assert str(error.value) == "The file is empty."


def test_a_file_over_the_limit_is_refused_and_one_at_the_limit_passes(settings):
    settings.KETENREGIE_MAX_UPLOAD_BYTES = 2 * MB
    at_limit = PDF + b"0" * (2 * MB - len(PDF))

    assert check_document(upload("groot.pdf", at_limit))[1] == "application/pdf"
    with pytest.raises(ValueError) as error:
        check_document(upload("te-groot.pdf", at_limit + b"0"))
    assert str(error.value) == "The file is too large: at most 2 MB."


def test_the_size_is_checked_before_the_content_is_read(settings):
    settings.KETENREGIE_MAX_UPLOAD_BYTES = 1 * MB

    with pytest.raises(ValueError, match="too large"):
        check_document(upload("programma.exe", EXE * (MB // len(EXE) + 1)))


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("..\\..\\Windows\\system32\\toestemming.pdf", "toestemming.pdf"),
        ("/var/lib/ketenregie/media/private/x.pdf", "x.pdf"),
        ("toestemming\x00.exe.pdf", "toestemming_.exe.pdf"),
        ('toe<stem>ming|"*?.pdf', "toe_stem_ming____.pdf"),
        ("Toestemming Zoë Claes.pdf", "Toestemming Zoë Claes.pdf"),
        ("  .hidden.pdf. ", "hidden.pdf"),
        ("..", "document"),
        ("", "document"),
    ],
)
def test_safe_filename_strips_folders_and_odd_characters(name, safe):
    assert safe_filename(name) == safe


def test_a_long_name_is_cut_to_120_characters():
    assert len(safe_filename("a" * 300 + ".pdf")) == 120


def test_a_path_traversal_name_is_checked_and_stored_as_its_safe_name():
    assert check_document(upload("../../etc/passwd.pdf", PDF)) == ("passwd.pdf", "application/pdf")


def test_a_real_pdf_with_a_long_name_keeps_its_extension():
    name, content_type = check_document(upload("Toestemming " + "heel lang " * 20 + ".pdf", PDF))

    assert name.endswith(".pdf") and len(name) <= 120
    assert content_type == "application/pdf"
