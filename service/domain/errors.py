"""Domain errors. They carry no HTTP status: the web layer decides how each one looks."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error a use case raises on purpose; `message` is Dutch and safe to show."""

    code = "error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(DomainError):
    """It does not exist, or the caller may not know that it exists."""

    code = "not_found"


class NotAllowed(DomainError):
    """The caller may see it but may not do this."""

    code = "forbidden"


class NotAuthenticated(DomainError):
    code = "unauthenticated"


class InvalidInput(DomainError):
    """The input breaks the rules; `fields` maps a field name to a Dutch message."""

    code = "invalid"

    def __init__(self, message: str, fields: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.fields = fields or {}


class Conflict(DomainError):
    """Someone else changed it first (the task was completed or claimed meanwhile)."""

    code = "conflict"

    def __init__(self, message: str, instance_id: int | None = None) -> None:
        super().__init__(message)
        self.instance_id = instance_id  # where the user can see how things stand now


class ProcessFailed(DomainError):
    """A step of the process model failed; nothing was saved. `detail` is for logs and process owners."""

    code = "process_error"

    def __init__(
        self, message: str, detail: str = "", instance_id: int | None = None, actor_id: int | None = None
    ) -> None:
        super().__init__(message)
        self.detail = detail
        self.instance_id = instance_id  # the instance the failed step belongs to, when it exists
        self.actor_id = actor_id  # who tried the step


class StateUnreadable(DomainError):
    """The stored state of an instance cannot be loaded; it is an incident until an administrator repairs it."""

    code = "state_unreadable"

    def __init__(self, instance_id: int, detail: str = "") -> None:
        super().__init__(
            "Dit verzoek kan niet worden geladen: de opgeslagen gegevens zijn beschadigd. "
            "Er is niets gewijzigd; een beheerder ziet dit bij de storingen."
        )
        self.instance_id = instance_id
        self.detail = detail
