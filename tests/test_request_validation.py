"""The emulator's request checks (`primer_nb.emulator.validation`), one rule at a time.

The API tests in `tests/emulator/` drive these through HTTP; this file pins each rule's
boundaries and the exact texts a learner sees in Primer's error envelope.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from primer_nb.config import API_VERSIONS, configured_key_problem
from primer_nb.emulator.validation import (
    DEFAULT_VERSION,
    MAX_BODY_BYTES,
    MAX_DEPTH,
    ApiError,
    KeyRing,
    check_api_version,
    check_patched,
    parse_json_object,
    read_body,
)
from primer_nb.errors import ValidationErrorDetail
from primer_nb.models import ClientSessionUpdateRequest, check_request


def refused(raw: bytes) -> ApiError:
    with pytest.raises(ApiError) as caught:
        parse_json_object(raw)
    return caught.value


def test_an_api_error_reads_as_status_id_and_description() -> None:
    error = ApiError(400, "BadRequest", "The request body is not valid JSON.")
    assert str(error) == "400 BadRequest: The request body is not valid JSON."
    assert (error.recovery, error.details, error.headers) == (None, None, {})


SURROGATE = (
    "A string in the body holds a lone surrogate escape (such as \\ud800), which is not "
    "Unicode text."
)


@pytest.mark.parametrize(
    ("raw", "description"),
    [
        (b"{", "The request body is not valid JSON."),
        (b'{"a": NaN}', "The request body is not valid JSON."),
        (b'{"amount": 1e999}', "A number in the body is too large to read: 1e999."),
        (b'{"a": "\\ud800"}', SURROGATE),  # not valid Unicode
        (b'{"a": {"\\udc00": 1}}', SURROGATE),  # in a key too
        (b'{"a": [1, ["\\ud800"]]}', SURROGATE),  # in a list
        (b"\xff{}", "The request body is not valid JSON."),
        (b"[1]", "The request body must be a JSON object."),
        (b'"text"', "The request body must be a JSON object."),
    ],
)
def test_malformed_bodies_are_400_bad_request(raw: bytes, description: str) -> None:
    error = refused(raw)
    assert (error.status, error.error_id, error.description) == (400, "BadRequest", description)
    number = description.startswith("A number")  # valid JSON: the hint is about amounts
    assert error.recovery == (
        "Amounts are integers in minor units, at most 19 digits."
        if number
        else "Send a JSON object as the request body."
    )


def test_escaped_unicode_that_is_valid_is_kept_in_keys_and_lists() -> None:
    raw = b'{"caf\\u00e9": ["\\u00e9", {"\\ud83d\\ude00": [1]}]}'
    assert parse_json_object(raw) == {"café": ["é", {"\U0001f600": [1]}]}


def test_finite_floats_are_kept() -> None:
    assert parse_json_object(b'{"x": 1.5, "y": -2e3}') == {"x": 1.5, "y": -2000.0}


def _nested_lists(levels: int) -> bytes:
    return b'{"a":' + b"[" * levels + b"]" * levels + b"}"


def _nested_objects(levels: int) -> bytes:
    text = "1"
    for _ in range(levels):
        text = '{"k":' + text + "}"
    return text.encode()


def _nested_objects_and_brackets(levels: int) -> bytes:
    """`_nested_objects` with a sibling `[]`: more brackets than MAX_DEPTH, so the depth
    walk runs (it is skipped for bodies with fewer brackets than that)."""
    inner = _nested_objects(levels - 1).decode()
    return ('{"pad":[],"k":' + inner + "}").encode()


@pytest.mark.parametrize("nested", [_nested_lists, _nested_objects, _nested_objects_and_brackets])
def test_nesting_is_allowed_up_to_max_depth_levels(nested: object) -> None:
    assert callable(nested)
    assert isinstance(parse_json_object(nested(MAX_DEPTH)), dict)
    error = refused(nested(MAX_DEPTH + 1))
    assert (error.status, error.error_id) == (400, "BadRequest")
    assert error.description == f"The JSON body is nested more than {MAX_DEPTH} levels deep."
    assert error.recovery == f"Nest objects and arrays at most {MAX_DEPTH} levels deep."
    assert MAX_DEPTH == 64


def test_nesting_too_deep_for_any_parser_is_still_answered_as_too_deep() -> None:
    # past about 1000 levels orjson and the standard library give up; the answer still
    # says why, and a body that is merely broken is still "not valid JSON"
    for raw in (_nested_lists(1100), _nested_objects(5000), b'{"a":"[[[[","b":' + b"[" * 2000):
        error = refused(raw)
        if raw.endswith(b"]]}") or raw.endswith(b"}}"):
            assert (
                error.description == f"The JSON body is nested more than {MAX_DEPTH} levels deep."
            )
        else:  # 2000 brackets never closed: broken, not deep
            assert error.description == "The request body is not valid JSON."
    text = '{"s": "' + "[" * 3000 + '", "t": ' + "[" * 10 + "]" * 10 + "}"  # brackets in a string
    assert isinstance(parse_json_object(text.encode()), dict)
    assert refused(text.encode()[:-1]).description == "The request body is not valid JSON."


def test_api_keys() -> None:
    open_ring, ring = KeyRing(), KeyRing(["sk_test_1", "k~!"])
    open_ring.check("anything")
    ring.check("sk_test_1")
    ring.check("k~!")
    assert repr(ring) == "KeyRing(keys=2)"
    for key in (None, "", "  ", "sk_test_2"):
        with pytest.raises(ApiError) as caught:
            (ring if key == "sk_test_2" else open_ring).check(key)
        error = caught.value
        assert (error.status, error.error_id) == (403, "SecurityPolicyBlock")
        assert error.description == (
            "The request was blocked by the security policy: the API key is missing or not valid."
        )
        assert error.recovery == "Send an active API key in the X-API-KEY header."


EMPTY_KEY = "an API key must not be empty or blank"
SURROUNDED_KEY = "an API key must not have surrounding whitespace (servers strip it off)"


def _uncarriable(kind: str, position: int) -> str:
    return f"an API key has a {kind} at position {position}, which an HTTP header cannot carry"


@pytest.mark.parametrize(
    ("key", "rule"),
    [
        ("", EMPTY_KEY),
        (" \t\n", EMPTY_KEY),
        (" k", SURROUNDED_KEY),
        ("k ", SURROUNDED_KEY),
        ("k\n", SURROUNDED_KEY),
        ("a\x00b", _uncarriable("control character", 1)),
        ("a\x1fb", _uncarriable("control character", 1)),
        ("a\x7fb", _uncarriable("control character", 1)),
        ("ab\tc", _uncarriable("control character", 2)),
        ("k\x80", _uncarriable("non-ASCII character", 1)),
        ("k\ud800", _uncarriable("non-ASCII character", 1)),
        ("clé", _uncarriable("non-ASCII character", 2)),
    ],
)
def test_a_configured_key_must_be_one_a_request_can_send(key: str, rule: str) -> None:
    """An empty key once was skipped, leaving `--api-key "$KEY"` (KEY unset) open to all."""
    assert configured_key_problem(key) == rule
    with pytest.raises(ValueError) as caught:
        KeyRing(["fine", key])
    assert str(caught.value) == f"api_keys[1]: {rule}"


@pytest.mark.parametrize("key", ["a b", "a\x20b", "~!", "x", "k3y_with-dashes.and~tilde"])
def test_keys_with_inner_spaces_and_any_visible_characters_are_kept(key: str) -> None:
    assert configured_key_problem(key) is None
    ring = KeyRing([key])
    assert repr(ring) == "KeyRing(keys=1)"
    ring.check(key)
    with pytest.raises(ApiError):
        ring.check(key + "y")


def test_keys_must_come_as_a_list_of_str() -> None:
    for keys in ("sk_test_1", b"sk_test_1"):
        with pytest.raises(TypeError) as caught:
            KeyRing(keys)  # type: ignore[arg-type]
        assert str(caught.value) == "api_keys must be a list of keys, not a single str"
    with pytest.raises(TypeError) as caught:
        KeyRing(["ok", 5])  # type: ignore[list-item]
    assert str(caught.value) == "api_keys[1]: an API key must be a str"


def test_api_versions() -> None:
    assert check_api_version(None) == DEFAULT_VERSION == "2021-09-27"
    assert check_api_version(" 2.4 ") == "2.4"
    with pytest.raises(ApiError) as caught:
        check_api_version("2.5")
    error = caught.value
    assert (error.status, error.error_id) == (400, "UnsupportedApiVersion")
    assert error.description == "The X-API-VERSION header names no supported API version."
    assert error.recovery == "Use one of: 2021-09-27, 2021-10-19, 2.1, 2.2, 2.3, 2.4."
    assert API_VERSIONS[-1] == "2.4"


async def _chunks(*parts: bytes) -> AsyncIterator[bytes]:
    for part in parts:
        yield part


def _read(content_length: str | None, *parts: bytes) -> bytes:
    return asyncio.run(read_body(content_length, _chunks(*parts)))


def test_bodies_up_to_one_mebibyte_are_read() -> None:
    full = b"x" * MAX_BODY_BYTES
    assert _read(str(MAX_BODY_BYTES), full[:10], full[10:]) == full
    assert _read(None, b"{", b"}") == b"{}"  # no Content-Length: counted while reading
    assert _read("not a number", b"{}") == b"{}"  # a bad header is not trusted either way


@pytest.mark.parametrize(
    ("content_length", "parts"),
    [
        (str(MAX_BODY_BYTES + 1), [b"{}"]),  # declared too large: refused before reading
        (None, [b"x" * MAX_BODY_BYTES, b"x"]),  # actually too large
        ("2", [b"x" * (MAX_BODY_BYTES + 1)]),  # understated
    ],
)
def test_larger_bodies_are_413(content_length: str | None, parts: list[bytes]) -> None:
    with pytest.raises(ApiError) as caught:
        _read(content_length, *parts)
    error = caught.value
    assert (error.status, error.error_id) == (413, "RequestTooLarge")
    assert error.description == f"The request body is larger than {MAX_BODY_BYTES} bytes."
    assert error.recovery == "Send a smaller request body."


@pytest.mark.parametrize(
    ("digits", "shown"),
    [
        (36, "1" * 36 + "e999."),  # 40 characters: shown whole
        (37, "1" * 37 + "e99…"),  # 41: cut at 40, marked with an ellipsis
    ],
)
def test_a_number_too_large_to_read_is_shown_whole_up_to_40_characters(
    digits: int, shown: str
) -> None:
    error = refused(b'{"a": ' + b"1" * digits + b"e999}")
    assert error.description == f"A number in the body is too large to read: {shown}"


@pytest.mark.parametrize(
    "raw",
    [b'{"a": 1e999}', b'{"a": ' + b"9" * 5000 + b"}"],  # too large for a float; for an int
    ids=["float", "int"],
)
def test_the_caller_s_hint_for_unreadable_numbers_is_the_one_given(raw: bytes) -> None:
    """The admin endpoints pass their own hint; without one, it is about amounts."""
    assert refused(raw).recovery == "Amounts are integers in minor units, at most 19 digits."
    with pytest.raises(ApiError) as caught:
        parse_json_object(raw, numbers_help="See the admin docs.")
    assert caught.value.recovery == "See the admin docs."


def test_a_patch_clearing_payment_method_options_is_refused_as_a_patch_naming_them_is() -> None:
    """`paymentMethod: null` would drop the options: a 422 at the same model and path as a
    PATCH body with `paymentMethod.options` gets from the schema, saying what it would do
    (the body sent no options: "nor sent unchanged" would be about something else)."""
    # options GET shows (empty ones it leaves out may go: tests/emulator/test_emulator_api.py)
    before = {
        "amount": 1,
        "paymentMethod": {"options": {"GOOGLE_PAY": {"surcharge": {"amount": 5}}}},
    }
    _, schema = check_request(
        {"clientToken": "t", "paymentMethod": {"options": {}}}, ClientSessionUpdateRequest
    )
    with pytest.raises(ApiError) as caught:
        check_patched(before, {"amount": 1})
    assert (caught.value.status, caught.value.error_id) == (422, "RequestValidationError")
    [(model, path, _)] = schema
    assert caught.value.details == [
        ValidationErrorDetail(
            model,
            path,
            "paymentMethod.options cannot be updated, so a PATCH cannot remove them "
            "either (paymentMethod: null would); create a new client session instead",
        )
    ]
    assert (model, path) == ("ClientSessionUpdateAPIRequest", "$.paymentMethod.options")
    assert "nor sent unchanged" in schema[0].description
    check_patched(before, dict(before))  # options kept: nothing to refuse
