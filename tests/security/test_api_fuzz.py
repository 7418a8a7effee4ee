"""Schemathesis over every operation of the JSON API (SECURITY.md IU1).

The OpenAPI document at /api/v1/openapi.json drives the generation; each operation gets valid
(positive) and invalid (negative) requests, sent in-process to the WSGI application with a personal
access token of the demo coordinator, whose chain holds the demo cases. Path parameters are mostly
replaced by ids of real objects (a random UUID only ever reaches the 404 branch). Checks: no 5xx,
the status code, content type and body are the ones the schema documents.

Bounded and deterministic: 2 × ``EXAMPLES`` requests per operation (positive and negative mixed),
derandomised, no example database, no shrinking (each failure is recorded as it is found and the
run goes on). Prints the number of requests (shown with ``-s`` or ``-rP``).
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import schemathesis
from django.apps import apps
from django.core import signals
from django.db import close_old_connections, models
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from ketenregie.accounts import domain as account_domain
from ketenregie.accounts.models import User
from ketenregie.followup import queries as followup_queries
from ketenregie.wsgi import application

SCHEMA_URL = "/api/v1/openapi.json"
EXAMPLES = 10  # twice this many requests per operation
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
IDS_PER_POOL = 12
KEEP_GENERATED = None  # in a pool: leave the generated value (random, or invalid in negative mode)


@contextmanager
def _one_connection() -> Iterator[None]:
    """Django's WSGI handler closes the connection at the end of each request, which would end the
    test's transaction; Django's own test client switches that off the same way."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def _uuid_models() -> list[type[models.Model]]:
    return [
        model
        for model in apps.get_models()
        if model.__module__.startswith("ketenregie.") and isinstance(model._meta.pk, models.UUIDField)
    ]


def _pool_for(parameter: str, user: User) -> list[str]:
    """Ids of real objects for a path parameter: ``case_id`` takes Case ids, ``meeting_id`` the ids
    of every kind of meeting, an unknown ``*_id`` any object's id; ``key`` the user's signal keys."""
    if parameter == "key":
        return [signal.key for signal in followup_queries.signals_of(user)][:IDS_PER_POOL]
    if not parameter.endswith("_id"):
        return []
    stem = parameter.removesuffix("_id").replace("_", "")
    uuid_models = _uuid_models()
    matching = [m for m in uuid_models if m.__name__.lower().endswith(stem)] or uuid_models
    ids: list[str] = []
    for model in matching:
        ids += [str(pk) for pk in model._base_manager.order_by("pk").values_list("pk", flat=True)[:IDS_PER_POOL]]
    return ids


@pytest.fixture
def coordinator_token(demo) -> tuple[User, str]:
    _token, plaintext = account_domain.create_token(actor=demo.coordinator, name="api fuzz")
    return demo.coordinator, plaintext


def _strategy(operation, pools: dict[str, list[str]]):
    modes = [operation.as_strategy(generation_mode=mode) for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)]
    overrides = st.fixed_dictionaries(
        {name: st.sampled_from([*ids, KEEP_GENERATED]) for name, ids in pools.items() if ids}
    )
    return st.tuples(st.one_of(modes), overrides)


def _fuzz(operation, *, pools: dict[str, list[str]], headers: dict[str, str], failures: dict[str, str]) -> int:
    """Send the generated requests of one operation; record each distinct failure. Returns the count."""
    label = f"{operation.method.upper()} {operation.path}"
    sent = 0

    @hypothesis_settings(
        max_examples=2 * EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(drawn=_strategy(operation, pools))
    def send(drawn):
        nonlocal sent
        case, overrides = drawn
        for name, value in overrides.items():
            if value is not KEEP_GENERATED:
                case.path_parameters[name] = value
        sent += 1
        response = case.call(headers=headers)
        try:
            case.validate_response(response, checks=CHECKS)
        except FailureGroup as exc:
            titles = sorted({failure.title for failure in exc.exceptions})
            failures.setdefault(f"{label}: {', '.join(titles)}", str(exc)[:1500])

    send()
    return sent


def test_every_api_operation_survives_generated_requests(coordinator_token, record_property):
    user, token = coordinator_token
    headers = {"Authorization": f"Bearer {token}"}
    failures: dict[str, str] = {}
    requests_per_operation: dict[str, int] = {}
    timings: list[tuple[float, str]] = []
    started = time.monotonic()

    with _one_connection():
        schema = schemathesis.openapi.from_wsgi(SCHEMA_URL, application)
        operations = [result.ok() for result in schema.get_all_operations()]
        for operation in operations:
            label = f"{operation.method.upper()} {operation.path}"
            pools = {name: _pool_for(name, user) for name in re.findall(r"{(\w+)}", operation.path)}
            operation_started = time.monotonic()
            requests_per_operation[label] = _fuzz(operation, pools=pools, headers=headers, failures=failures)
            timings.append((time.monotonic() - operation_started, label))

    total = sum(requests_per_operation.values())
    elapsed = time.monotonic() - started
    figure = f"schemathesis: {total} requests over {len(operations)} API operations in {elapsed:.1f} s"
    record_property("figure", figure)
    print(figure)
    print("slowest operations:", ", ".join(f"{label} {seconds:.1f} s" for seconds, label in sorted(timings)[-3:]))

    assert len(operations) >= 26, "the walk should find every operation of the API"
    assert all(count > 0 for count in requests_per_operation.values())
    assert failures == {}, "\n\n".join(f"{key}\n{detail}" for key, detail in failures.items())
