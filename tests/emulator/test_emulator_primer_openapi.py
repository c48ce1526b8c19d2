"""Schemathesis with Primer's published OpenAPI 2.4 description, against the emulator
(issue 11 §2b).

Only the `/client-session` operations. Cases are generated from Primer's own schemas
(its examples included) and sent to the in-process emulator; each answer is checked for
server errors and against Primer's documented statuses, content types, headers and
response schemas. A failure passes only if `data/primer-openapi-baseline.json` lists
it, each entry with its reason; an entry that never occurs fails the run too, so the
baseline cannot outlive the divergence it excuses.

As in §2a, a generated `clientToken` is replaced by a live token in positive cases, so
GET and PATCH reach their 200 answers and Primer's session schema is checked against them.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.openapi.checks import JsonSchemaError, UndefinedStatusCode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from primer_nb.emulator import Emulator
from primer_nb.models import json_path
from tests.emulator.emulator_helpers import live_token

SPEC = Path(__file__).parents[1] / "data" / "primer" / "primer-openapi-v2.4.yml"
BASELINE = json.loads((Path(__file__).parent / "data" / "primer-openapi-baseline.json").read_text())
KNOWN = {(d["operation"], d["failure"], d["where"]) for d in BASELINE["divergences"]}
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]

KEY = "sk_primer_openapi_key"
EMULATOR = Emulator(seed=13, api_keys=[KEY])
PRIMER = schemathesis.openapi.from_path(SPEC).include(path="/client-session")
PRIMER.app = EMULATOR.app
TOKEN = live_token(EMULATOR, KEY)
CASES: Counter[str] = Counter()
SEEN: Counter[tuple[str, str, str]] = Counter()


def signature(operation: str, failure: Failure) -> tuple[str, str, str]:
    """(operation, kind, where) of a failure, the key of a baseline entry."""
    if isinstance(failure, JsonSchemaError) and failure.instance is None:
        return operation, "response_schema", "null (any field)"
    if isinstance(failure, JsonSchemaError):
        where = f"{json_path(tuple(failure.instance_path))} {failure.schema_path[-1]}"
        return operation, "response_schema", where
    if isinstance(failure, UndefinedStatusCode):
        return operation, "status_code", str(failure.status_code)
    return operation, type(failure).__name__, failure.title


def _prepare(case: schemathesis.Case) -> None:
    meta = case.meta
    if meta is not None and meta.generation.mode.is_negative:
        return
    if isinstance(case.body, dict) and isinstance(case.body.get("clientToken"), str):
        case.body["clientToken"] = TOKEN
    if case.query and isinstance(case.query.get("clientToken"), str):
        case.query["clientToken"] = TOKEN


@PRIMER.parametrize()
@settings(
    max_examples=30,
    derandomize=True,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)
def test_emulator_against_primers_openapi(case: schemathesis.Case) -> None:
    CASES[case.operation.label] += 1
    _prepare(case)
    try:
        case.call_and_validate(headers={"X-API-KEY": KEY}, checks=CHECKS)
    except FailureGroup as group:
        unknown: list[Any] = []
        for failure in group.exceptions:
            key = signature(case.operation.label, failure)
            if key in KNOWN:
                SEEN[key] += 1
            else:
                unknown.append((key, str(failure)[:500]))
        assert not unknown, unknown


def test_primer_openapi_cases_and_baseline() -> None:
    total = sum(CASES.values())
    print(f"\nschemathesis (Primer's OpenAPI 2.4): {total} cases {dict(CASES)}")
    print(f"known divergences seen: { {' '.join(k): n for k, n in SEEN.items()} }")
    assert set(CASES) == {"POST /client-session", "GET /client-session", "PATCH /client-session"}
    assert all(count >= 20 for count in CASES.values()), CASES
    assert set(SEEN) == KNOWN, f"baseline entries that no longer occur: {KNOWN - set(SEEN)}"
