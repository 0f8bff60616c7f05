"""Schemathesis against the live API: the document is fetched from a real server, every operation
is called with generated valid and invalid input (a bounded number of examples each), and no
answer may be a server error or differ from what the document says."""

from datetime import timedelta

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.conftest import NOW
from tests.factories import join_network, make_announcement

# Examples per operation and mode: enough to reach every branch of the input checks, few enough
# to keep the run well under a minute.
EXAMPLES = 10
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def seeded(app, make_event, make_registration):
    """Rows with id 1 for the path examples: an event with parts, tables and a question, a
    registration, a member and an announcement."""
    event = make_event(
        capacity=5,
        meeting_url="https://meet.example.jp/abc",
        parts=[{"title": "第一部"}, {"title": "第二部", "uses_tables": True}],
        tables=[{"title": "庁内職員向け事業", "capacity": 3}],
    )
    make_registration(event, part_ids=[event.parts[0].id])
    join_network("member@city.example.jp", confirm=False)
    make_announcement(body="本文", send_at=NOW + timedelta(days=1))


@pytest.fixture
def api_schema(seeded, live_server):
    return schemathesis.openapi.from_url(f"{live_server}/api/v1/openapi.json")


def _exercise(operation, mode: GenerationMode, token: str) -> None:
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(mode))
    def call(case):
        case.call_and_validate(
            headers={"Authorization": f"Bearer {token}"}, checks=CHECKS, timeout=30
        )

    call()


def test_the_live_api_matches_its_document_and_never_fails(api_schema, organizer_token):
    failures = []
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) == 20  # all but the document itself, which schemathesis leaves out
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                _exercise(operation, mode, organizer_token)
            except Unsatisfiable:
                continue  # nothing invalid can be sent to it (no parameters, no body)
            except Exception as error:  # every operation is tried; all failures are reported
                failures.append(f"{operation.label} ({mode.value}): {error}")
    assert not failures, "\n\n".join(failures)
