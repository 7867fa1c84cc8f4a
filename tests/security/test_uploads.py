"""Upload checks of every app that accepts files, against the same hostile files: markup or a
program renamed to an allowed type, SVG, empty and oversized files, a double extension. Every
validator must refuse them with a clear message and accept a genuine small image. Apps without the
validator listed here is missing fails the test: a renamed or removed validator must not turn the
check into a skip."""

import importlib
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from portal.errors import DomainError

VALIDATORS = [
    ("consultations.services", "validate_upload"),
    ("proposals.services", "validate_upload"),
    ("members.validators", "validate_evidence"),
    ("hall.abuse", "sanitize_photo"),
]
HOSTILE = {
    "markup renamed .jpg": ("photo.jpg", b"<html><script>alert(1)</script></html>"),
    "program renamed .png": ("photo.png", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" * 10),
    "svg with script": ("drawing.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
    "double extension": ("photo.jpg.html", b"<script>alert(1)</script>"),
    "executable": ("setup.exe", b"MZ\x90\x00"),
    "empty": ("empty.png", b""),
    "oversized": ("big.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * (21 * 1024 * 1024)),
}


def _png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def _validator(module_name, func_name):
    module = importlib.import_module(module_name)
    func = getattr(module, func_name, None)
    assert callable(func), f"{module_name}.{func_name} does not exist: every app that accepts files has one"
    return func


@pytest.mark.parametrize("module_name,func_name", VALIDATORS, ids=[m for m, _ in VALIDATORS])
@pytest.mark.parametrize("case", list(HOSTILE), ids=list(HOSTILE))
def test_hostile_files_are_refused_with_a_message(module_name, func_name, case):
    validate = _validator(module_name, func_name)
    name, content = HOSTILE[case]
    upload = SimpleUploadedFile(name, content, content_type="image/png")
    with pytest.raises((DomainError, ValidationError)) as refused:
        validate(upload)
    message = getattr(refused.value, "message", None) or " ".join(getattr(refused.value, "messages", []))
    assert str(message).strip()


@pytest.mark.parametrize("module_name,func_name", VALIDATORS, ids=[m for m, _ in VALIDATORS])
def test_a_genuine_png_is_accepted(module_name, func_name):
    validate = _validator(module_name, func_name)
    validate(SimpleUploadedFile("photo.png", _png(), content_type="image/png"))


def test_photos_are_decoded_not_just_sniffed():
    """The public hall re-encodes photos: a file with a valid JPEG header and garbage after it is
    refused, and a genuine photo comes back as a fresh JPEG."""
    sanitize = _validator("hall.abuse", "sanitize_photo")
    with pytest.raises(DomainError):
        sanitize(SimpleUploadedFile("photo.jpg", b"\xff\xd8\xff\xe0" + b"garbage" * 100, content_type="image/jpeg"))
    data, width, height = sanitize(SimpleUploadedFile("photo.png", _png(), content_type="image/png"))
    assert data.startswith(b"\xff\xd8\xff") and (width, height) == (8, 8)
