"""Who makes a change: an organizer in the console, an organizer's API token, a CLI command or the
system itself. Doors build one and hand it to the services, which write the audit entries."""

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from app.organizers.models import ApiToken, Organizer


@dataclass(frozen=True)
class Actor:
    via: str  # "console", "api", "cli" or "system"
    organizer_id: int | None = None
    token_id: int | None = None

    @classmethod
    def console(cls, organizer: "Organizer") -> "Actor":
        return cls("console", organizer_id=organizer.id)

    @classmethod
    def api(cls, token: "ApiToken") -> "Actor":
        return cls("api", organizer_id=token.organizer_id, token_id=token.id)

    @classmethod
    def cli(cls, organizer: "Organizer | None" = None) -> "Actor":
        return cls("cli", organizer_id=organizer.id if organizer is not None else None)

    def detail(self) -> dict[str, Any]:
        """What the audit entry keeps about the door, beside the organizer."""
        if self.via == "console":
            return {}
        if self.token_id is not None:
            return {"via": self.via, "token_id": self.token_id}
        return {"via": self.via}


SYSTEM = Actor("system")
