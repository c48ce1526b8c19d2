"""The emulator's fast paths give the same answers as the slow ones they replace.

- client tokens are made by hand, byte for byte what PyJWT makes, and decode with PyJWT;
- plain email addresses skip `email_validator`, which accepts every one of them;
- the store keeps compact JSON and remakes tokens, and `max_sessions` drops the oldest.
"""

from __future__ import annotations

import json
import math
import random
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import email_validator
import httpx
import jwt
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from primer_nb.cli import build_parser, main
from primer_nb.emulator import Emulator
from primer_nb.emulator.store import SessionStore, StoredSession
from primer_nb.emulator.tokens import _BASE, _HEADER, TokenIssuer
from primer_nb.models import (
    _PLAIN_EMAIL,
    ClientSessionRequest,
    ClientSessionUpdateRequest,
    _check_email,
    _plain_email,
    check_request_keys,
    format_expiry,
    unknown_keys,
)

HEADERS = {"X-API-KEY": "any", "X-API-VERSION": "2.4"}
T0 = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)


# --- tokens ---------------------------------------------------------------------------


def _pyjwt(secret: bytes, access_token: str, expires: datetime) -> str:
    claims = {
        "exp": math.floor(expires.timestamp()),
        "accessToken": access_token,
        "configurationUrl": f"{_BASE}/client-sdk/configuration",
        "coreUrl": _BASE,
        "pciUrl": _BASE,
        "paymentFlow": "DEFAULT",
        "intent": "CHECKOUT",
        "env": "EMULATOR",
    }
    return jwt.encode(claims, secret, algorithm="HS256", headers=_HEADER, sort_headers=False)


@settings(max_examples=100, deadline=None)
@given(
    secret=st.binary(min_size=32, max_size=32),
    access_token=st.text(max_size=40) | st.uuids().map(str),
    seconds=st.integers(min_value=-(10**9), max_value=10**10),
    micro=st.integers(min_value=0, max_value=999_999),
)
@example(secret=b"k" * 32, access_token="\x7f", seconds=0, micro=0)  # DEL: ASCII, escaped
def test_tokens_are_byte_identical_to_pyjwt(
    secret: bytes, access_token: str, seconds: int, micro: int
) -> None:
    expires = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(seconds=seconds, microseconds=micro)
    issuer = TokenIssuer(secret)
    token = issuer.issue(access_token, expires)
    assert token == _pyjwt(secret, access_token, expires)
    assert jwt.get_unverified_header(token) == _HEADER
    if access_token:
        assert issuer.access_token(token) == access_token


def test_the_issuer_never_shows_its_secret() -> None:
    """The emulator's signing secret makes valid client tokens: its repr hides it."""
    secret = b"SIGNINGSECRET-0123456789abcdef01"
    issuer = TokenIssuer(secret)
    assert repr(issuer) == str(issuer) == "TokenIssuer(secret=***)"


@settings(max_examples=200, deadline=None)
@given(seed=st.integers(min_value=0, max_value=2**64))
def test_access_tokens_are_the_uuid4s_of_the_same_draws(seed: int) -> None:
    """The hand-written UUID4 is `uuid.UUID(int=bits, version=4)`, draw for draw."""
    ours, reference = random.Random(seed), random.Random(seed)
    for _ in range(3):
        expected = uuid.UUID(int=reference.getrandbits(128), version=4)
        token = TokenIssuer.new_access_token(ours)
        assert token == str(expected)
        assert uuid.UUID(token).version == 4


@settings(max_examples=300, deadline=None)
@given(
    instant=st.datetimes(
        min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=st.timezones()
    )
    | st.datetimes(timezones=st.just(UTC))
)
def test_expiry_text_is_the_naive_utc_isoformat(instant: datetime) -> None:
    """`format_expiry`'s shortcut for UTC datetimes gives what the general path gives."""
    expected = instant.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds")
    assert format_expiry(instant) == expected
    assert format_expiry(instant.astimezone(UTC)) == expected


# --- email ----------------------------------------------------------------------------


def _accepted(address: str) -> bool:
    try:
        email_validator.validate_email(address, check_deliverability=False)
    except email_validator.EmailNotValidError:
        return False
    return True


@settings(max_examples=300, deadline=None)
@given(st.from_regex(_PLAIN_EMAIL, fullmatch=True) | st.emails() | st.text(max_size=30))
def test_every_plain_email_is_one_email_validator_accepts(address: str) -> None:
    if _plain_email(address):
        assert _accepted(address), address


@pytest.mark.parametrize(
    ("address", "plain", "valid"),
    [
        ("jane@example.com", True, True),
        ("A.B_c+d-e@sub.Example.CO", True, True),
        ("a@b.c", False, True),  # one-letter top-level domain: the full check decides
        ("a@b.test", False, False),  # special-use domains are refused
        ("a@x.b.local", False, False),
        ("a@ab--cd.com", False, False),
        ("a@xn--cd.com", False, False),
        (".a@b.com", False, False),
        ("a..b@b.com", False, False),
        ("a@1.23", False, False),
        ("müller@example.de", False, True),
        ("x" * 65 + "@example.com", False, True),  # long local part: the full check
    ],
)
def test_email_fast_path_and_full_check_agree(address: str, plain: bool, valid: bool) -> None:
    assert _plain_email(address) is plain
    assert _accepted(address) is valid
    if valid:
        assert _check_email(address) == address
    else:
        with pytest.raises(ValueError, match="valid email address"):
            _check_email(address)


# --- the store ------------------------------------------------------------------------


def _session(token: str, data: dict[str, Any]) -> StoredSession:
    return StoredSession(token, f"jwt-{token}", T0, T0 + timedelta(hours=24), "2.4", data)


def test_store_hands_out_copies_and_keeps_any_json() -> None:
    store = SessionStore()
    data: dict[str, Any] = {
        "orderId": "o-1",
        "metadata": {"big": 2**80, "neg": -(2**70), "f": 1.5, "u": "é✓", "list": [1, None]},
    }
    store.add(_session("a", data))
    data["orderId"] = "changed after add"
    first = store.get("a")
    assert first is not None
    assert first.data["orderId"] == "o-1"
    assert first.data["metadata"] == {
        "big": 2**80,
        "neg": -(2**70),
        "f": 1.5,
        "u": "é✓",
        "list": [1, None],
    }
    assert first.client_token == "jwt-a"  # no remaking function: the token is kept
    first.data["metadata"]["list"].append(2)
    again = store.get("a")
    assert again is not None and again.data["metadata"]["list"] == [1, None]
    updated = store.update("a", lambda d: {**d, "amount": 5})
    assert updated is not None and updated.data["amount"] == 5
    assert [s.data.get("amount") for s in store.all()] == [5]
    assert store.update("a", lambda d: d, alive_at=T0 + timedelta(hours=25)) is None
    assert store.get("nope") is None


def test_store_keeps_data_that_is_not_json_as_a_copy() -> None:
    store = SessionStore()
    data: dict[str, Any] = {"when": T0, "pair": (1, 2), 3: "int key"}
    store.add(_session("a", data))
    got = store.get("a")
    assert got is not None and got.data == data and got.data is not data


def test_store_drops_the_oldest_beyond_max_sessions() -> None:
    store = SessionStore(max_sessions=3)
    for n in range(5):
        store.add(_session(f"t{n}", {"orderId": f"o-{n}"}))
    assert len(store) == 3 and store.dropped == 2
    assert [s.access_token for s in store.all()] == ["t2", "t3", "t4"]
    assert store.get("t0") is None and store.get("t1") is None
    store.update("t2", lambda d: {**d, "amount": 1})  # an update does not make it younger
    store.add(_session("t5", {}))
    assert [s.access_token for s in store.all()] == ["t3", "t4", "t5"]
    store.clear()
    assert len(store) == 0 and store.dropped == 0


@pytest.mark.parametrize(
    ("bad", "error"),
    [(0, ValueError), (-1, ValueError), (1.5, TypeError), (True, TypeError), ("10", TypeError)],
)
def test_max_sessions_must_be_a_positive_integer(bad: Any, error: type[Exception]) -> None:
    # the type of error says which rule failed, as for the client's and the batch's counts
    with pytest.raises(error, match="max_sessions must be"):
        SessionStore(max_sessions=bad)
    with pytest.raises(error, match="max_sessions must be"):
        Emulator(max_sessions=bad)


def test_max_sessions_takes_a_numpy_int() -> None:
    numpy = pytest.importorskip("numpy")
    emulator = Emulator(max_sessions=numpy.int64(2))
    assert emulator._store.max_sessions == 2 and type(emulator._store.max_sessions) is int


def _create(http: httpx.Client, order_id: str) -> str:
    answer = http.post("/client-session", json={"orderId": order_id, "amount": 100})
    assert answer.status_code == 200, answer.text
    token: str = answer.json()["clientToken"]
    return token


def test_a_dropped_session_answers_like_an_unknown_token() -> None:
    emulator = Emulator(seed=5, max_sessions=2)
    with httpx.Client(transport=emulator.transport(), base_url="http://e", headers=HEADERS) as http:
        tokens = [_create(http, f"o-{n}") for n in range(3)]
        assert emulator.session_count == 2
        dropped = http.get("/client-session", params={"clientToken": tokens[0]})
        unknown = http.get("/client-session", params={"clientToken": tokens[0][:-2] + "xx"})
        assert dropped.status_code == unknown.status_code == 400
        assert dropped.json()["error"]["errorId"] == "ClientSessionValidationError"
        assert dropped.json()["error"]["description"] == unknown.json()["error"]["description"]
        patched = http.patch("/client-session", json={"clientToken": tokens[0], "amount": 5})
        assert patched.status_code == 400
        assert patched.json()["error"]["errorId"] == "ClientSessionValidationError"
        for token, order_id in zip(tokens[1:], ["o-1", "o-2"], strict=True):
            got = http.get("/client-session", params={"clientToken": token})
            assert got.status_code == 200 and got.json()["orderId"] == order_id
        # the admin list remakes each token exactly as POST gave it
        listed = http.get("/_emulator/sessions").json()["sessions"]
        assert [s["clientToken"] for s in listed] == tokens[1:]
    emulator.close()


def test_no_limit_by_default() -> None:
    emulator = Emulator(seed=1)
    with httpx.Client(transport=emulator.transport(), base_url="http://e", headers=HEADERS) as http:
        tokens = [_create(http, f"o-{n}") for n in range(30)]
        assert emulator.session_count == 30
        first = http.get("/client-session", params={"clientToken": tokens[0]})
        assert first.status_code == 200 and first.json()["orderId"] == "o-0"
    emulator.close()


def test_seeded_tokens_are_unchanged_by_the_compact_store() -> None:
    """Same seed, same tokens as PyJWT would have made: stored notebook outputs stay valid."""
    emulator = Emulator(seed=7, start="2026-01-15T09:00:00", frozen=True)
    with httpx.Client(transport=emulator.transport(), base_url="http://e", headers=HEADERS) as http:
        token = _create(http, "o-1")
    emulator.close()
    rng = random.Random(7)
    secret = rng.randbytes(32)
    access = TokenIssuer.new_access_token(rng)
    assert token == _pyjwt(secret, access, T0 + timedelta(hours=24))


def test_cli_max_sessions_option(capsys: pytest.CaptureFixture[str]) -> None:
    args = build_parser().parse_args(["emulator", "--max-sessions", "10"])
    assert args.max_sessions == 10
    assert build_parser().parse_args(["emulator"]).max_sessions is None
    with pytest.raises(SystemExit) as exit_info:
        main(["emulator", "--max-sessions", "0"])
    assert exit_info.value.code == 2
    assert "argument --max-sessions: must be a whole number >= 1" in capsys.readouterr().err


# --- unknown keys -----------------------------------------------------------------------

_EXAMPLES = json.loads(
    (Path(__file__).parents[1] / "primer_nb/data/primer-examples.json").read_text()
)
_VALID = [
    (e["request"], ClientSessionRequest if e["method"] == "POST" else ClientSessionUpdateRequest)
    for e in _EXAMPLES
    if isinstance(e.get("request"), dict) and e.get("status") == 200
]


def _objects(value: object) -> list[dict[str, Any]]:
    """Every JSON object inside `value`, itself included (where a key can be added)."""
    if isinstance(value, dict):
        return [value, *(o for v in value.values() for o in _objects(v))]
    if isinstance(value, list):
        return [o for v in value for o in _objects(v)]
    return []


@settings(max_examples=150, deadline=None)
@given(
    pick=st.integers(min_value=0),
    added=st.lists(
        st.tuples(
            st.integers(min_value=0),
            st.sampled_from(["line_items", "order_id", "emailAdress", "x", "vaultOnSucess"])
            | st.text(min_size=1, max_size=8),
        ),
        max_size=3,
    ),
)
def test_unknown_keys_without_the_walk_are_the_walks(
    pick: int, added: list[tuple[int, str]]
) -> None:
    """`check_request_keys` skips the walk when no model kept an extra key: its unknown
    keys are `unknown_keys`' for Primer's valid examples with keys added anywhere."""
    body, model = _VALID[pick % len(_VALID)]
    body = json.loads(json.dumps(body))
    for where, key in added:
        objects = _objects(body)
        objects[where % len(objects)].setdefault(key, "value")
    parsed, details, unknown = check_request_keys(body, model)
    if details:
        assert parsed is None and unknown == []
    else:
        assert unknown == unknown_keys(body, model)


def test_a_body_without_unknown_keys_is_not_walked(monkeypatch: pytest.MonkeyPatch) -> None:
    """The usual body: validation met no extra key, so `unknown_keys` is not called."""
    import primer_nb.models as models

    def walk(*_: object) -> list[object]:
        raise AssertionError("walked")

    body = {"orderId": "o-1", "currencyCode": "EUR", "order": {"lineItems": [{"amount": 5}]}}
    monkeypatch.setattr(models, "unknown_keys", walk)
    assert check_request_keys(body, ClientSessionRequest)[1:] == ([], [])
    extra = {**body, "order": {"lineItems": [{"amount": 5}], "line_items": []}}
    with pytest.raises(AssertionError, match="walked"):  # an extra key: walked
        check_request_keys(extra, ClientSessionRequest)


def test_a_token_is_read_up_to_4096_characters_and_anything_else_is_none() -> None:
    """The issuer reads its own tokens up to 4096 characters; a longer one, or what is
    not a string (a client token from a JSON body may be a number), is no token."""
    issuer = TokenIssuer(b"k" * 32)
    expires = datetime(1970, 1, 1, tzinfo=UTC)
    longest, too_long = issuer.issue("a" * 2720, expires), issuer.issue("a" * 2721, expires)
    assert (len(longest), len(too_long)) == (4096, 4097)
    assert issuer.access_token(longest) == "a" * 2720
    assert issuer.access_token(too_long) is None
    assert issuer.access_token(12345) is None
    assert issuer.access_token("") is None
