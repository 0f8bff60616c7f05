"""What the API reads outside the input models: the shape error of a query string, and the
allowed values of query parameters."""

from app.events.models import EventStatus
from app.members.models import ThemeInterest
from app.registrations.models import RegistrationStatus


class Invalid(Exception):
    """The request body or query breaks the API's shape rules; `errors` says where and why."""

    def __init__(self, errors: list[dict]):
        super().__init__(errors)
        self.errors = errors


STATUSES = tuple(status.value for status in RegistrationStatus)
THEMES = tuple(theme.value for theme in ThemeInterest)
EVENT_STATUSES = tuple(status.value for status in EventStatus)
