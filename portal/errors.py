"""Domain errors raised by services. Views and the API turn them into clear, translated messages."""

from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """A rule of the domain refused the action (a guard failed, input is inconsistent …).

    `message` is shown to the user; `field` names the form field it belongs to, if any."""

    status_code = 400
    default_message = _("The action could not be completed.")

    def __init__(self, message=None, *, field: str | None = None, code: str = "invalid"):
        self.message = message or self.default_message
        self.field = field
        self.code = code
        super().__init__(str(self.message))


class GuardFailed(DomainError):
    """A workflow transition is not allowed in the record's current state."""

    status_code = 409
    default_message = _("This step is not possible in the record's current state.")


class NotAllowed(DomainError):
    """The actor's roles do not allow this action on this record."""

    status_code = 403
    default_message = _("You are not allowed to do this.")


class StaleEdit(DomainError):
    """Someone else saved the record after this user opened it."""

    status_code = 409
    default_message = _(
        "Someone else changed this record after you opened it. Reload it, check their changes "
        "and apply yours again."
    )

    def __init__(self, message=None, **kwargs):
        kwargs.setdefault("code", "stale")
        super().__init__(message, **kwargs)


class VersionMissing(DomainError):
    """An edit arrived without the version its form or payload was read at, so a lost update
    could not be ruled out."""

    default_message = _(
        "The edit did not say which version of the record it was made on. Reload the page (or "
        "send the \"version\" you read) and save again."
    )

    def __init__(self, message=None, **kwargs):
        kwargs.setdefault("code", "version_required")
        super().__init__(message, **kwargs)
