"""Password rules (settings.AUTH_PASSWORD_VALIDATORS): at least PASSWORD_MIN_CHARACTER_CLASSES of
the four character classes, and none of the user's last PASSWORD_HISTORY_COUNT passwords.

Each option falls back to the setting at the time of the check, so an administrator changes a
rule with an environment variable (README, "Configuration")."""

import re

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CLASSES = (re.compile(r"[a-z]"), re.compile(r"[A-Z]"), re.compile(r"[0-9]"), re.compile(r"[^a-zA-Z0-9]"))


class CharacterClassesValidator:
    """At least `min_classes` of: lower-case letters, capital letters, digits, symbols (anything
    else, Chinese characters included)."""

    def __init__(self, min_classes: int | None = None):
        self._min_classes = min_classes

    @property
    def min_classes(self) -> int:
        value = self._min_classes if self._min_classes is not None else settings.PASSWORD_MIN_CHARACTER_CLASSES
        return max(0, min(4, int(value)))

    def validate(self, password, user=None):
        if sum(1 for pattern in CLASSES if pattern.search(password)) < self.min_classes:
            raise ValidationError(self._text(), code="password_too_simple", params={"min": self.min_classes})

    def _text(self):
        return _("The password must contain at least %(min)d of these four kinds of characters: lower-case "
                 "letters, capital letters, digits and symbols.")

    def get_help_text(self):
        return self._text() % {"min": self.min_classes}


class PasswordHistoryValidator:
    """A new password must differ from the current one and the `count` before it. The hashes are
    recorded in portal.PasswordHistory whenever a password is saved (password_changed)."""

    def __init__(self, count: int | None = None):
        self._count = count

    @property
    def count(self) -> int:
        return max(0, int(self._count if self._count is not None else settings.PASSWORD_HISTORY_COUNT))

    def _recent(self, user):
        from portal.models import PasswordHistory

        return PasswordHistory.objects.filter(user=user).order_by("-created_at", "-id")

    def validate(self, password, user=None):
        if not self.count or user is None or not getattr(user, "pk", None):
            return
        hashes = list(self._recent(user).values_list("password", flat=True)[: self.count])
        if user.password and user.password not in hashes:
            hashes.insert(0, user.password)  # accounts older than the history count the current one
        if any(check_password(password, encoded) for encoded in hashes[: self.count]):
            raise ValidationError(
                _("You used this password recently. Choose one that is not among your last %(count)d passwords."),
                code="password_reused", params={"count": self.count})

    def password_changed(self, password, user=None):
        from portal.models import PasswordHistory

        if not self.count or user is None or not getattr(user, "pk", None) or not user.has_usable_password():
            return
        PasswordHistory.objects.create(user=user, password=user.password)
        stale = self._recent(user).values_list("id", flat=True)[self.count:]
        PasswordHistory.objects.filter(id__in=list(stale)).delete()

    def get_help_text(self):
        return _("Your password cannot be one of your last %(count)d passwords.") % {"count": self.count}
