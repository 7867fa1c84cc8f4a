"""Text fields of the API take text only: DRF's CharField turns a JSON number into a string
(`"comment": 0` → "0"), which the schema (type string) calls invalid input. Installed once from
PortalConfig.ready(); the error is DRF's own translated "Not a valid string."."""

from rest_framework import fields

_original = fields.CharField.to_internal_value


def _text_only(self, data):
    if not isinstance(data, str):
        self.fail("invalid")
    return _original(self, data)


def install_strict_text() -> None:
    if fields.CharField.to_internal_value is not _text_only:
        fields.CharField.to_internal_value = _text_only
