"""Admin endpoints, Python controls, faults, determinism, OpenAPI (behaviour.md §1, §3, §5)."""

from __future__ import annotations

import json
import logging
import re
from typing import Any

import httpx
import jwt
import pytest

from primer_nb.emulator import Emulator, default_emulator
from primer_nb.emulator.faults import ConnectionDropped
from tests.emulator.emulator_helpers import HEADERS, START, create, error_of, run


def test_admin_clock_get_and_set(http: httpx.Client) -> None:
    assert http.get("/_emulator/clock").json() == {"now": "2026-01-15T09:00:00.000000"}
    assert (
        http.post("/_emulator/clock", json={"advance": 90}).json()["now"]
        == "2026-01-15T09:01:30.000000"
    )
    for text in ("2026-02-01T00:00:00", "2026-02-01T00:00:00Z", "2026-02-01T01:00:00+01:00"):
        assert http.post("/_emulator/clock", json={"now": text}).json() == {
            "now": "2026-02-01T00:00:00.000000"
        }


@pytest.mark.parametrize(
    ("body", "said"),
    [
        ({}, 'send one of {"advance": seconds} or {"now": "ISO 8601"}'),
        ({"advance": "1"}, "$.advance must be a number of seconds (e.g. 3600), not str"),
        ({"now": "yesterday"}, "now must be an ISO 8601 date-time"),
        ({"now": 12345}, "$.now must be ISO 8601 text"),
        ({"advance": True}, "advance must be a number of seconds from"),
        ({"advance": 1, "now": "2026-01-01"}, "not both"),
        ({"advance": 60, "extra": 1}, "$.extra is not a clock key"),
        ([1], ""),
        ({"now": "9999-12-31T23:59:59"}, "1970..9000"),
        ({"advance": -(10**10)}, "between 1970 and 9000"),
        ({"advance": 10**11}, "about 317 years"),
    ],
)
def test_admin_clock_refuses_bad_bodies(http: httpx.Client, body: Any, said: str) -> None:
    """Each with what is wrong where: three of them got the same "expected ..." line."""
    answer = http.post("/_emulator/clock", json=body)
    error_of(answer, 400, "BadRequest")
    assert said in answer.json()["error"]["description"]
    if body == {}:  # nothing was sent: not "not both"
        assert "not both" not in answer.json()["error"]["description"]


def test_admin_clock_advance_expires_tokens(http: httpx.Client) -> None:
    token = create(http, {})["clientToken"]
    http.post("/_emulator/clock", json={"advance": 24 * 3600})
    error_of(
        http.get("/client-session", params={"clientToken": token}),
        400,
        "ClientSessionValidationError",
    )


def test_admin_endpoints_need_the_api_key() -> None:
    emu = Emulator(api_keys=["k1"])
    with httpx.Client(transport=emu.transport(), base_url="http://e") as http:
        for method, path in [
            ("GET", "/_emulator/clock"),
            ("POST", "/_emulator/reset"),
            ("POST", "/_emulator/faults"),
            ("GET", "/_emulator/sessions"),
        ]:
            for headers in [{"X-API-KEY": "k2"}, {"X-API-KEY": ""}, {"Authorization": "Bearer k1"}]:
                error_of(http.request(method, path, headers=headers), 403, "SecurityPolicyBlock")
        assert http.get("/_emulator/sessions", headers={"X-API-KEY": "k1"}).json() == {
            "sessions": []
        }


def test_admin_sessions_lists_tokens_and_expiry(http: httpx.Client, emulator: Emulator) -> None:
    made = [create(http, {"orderId": f"o-{i}", "metadata": {}}) for i in range(3)]
    listed = http.get("/_emulator/sessions").json()["sessions"]
    assert [s["orderId"] for s in listed] == ["o-0", "o-1", "o-2"]
    assert [s["clientToken"] for s in listed] == [m["clientToken"] for m in made]
    assert all(s["clientTokenExpirationDate"] == "2026-01-16T09:00:00.000000" for s in listed)
    assert "metadata" not in listed[0] and listed == emulator.sessions()


def test_admin_reset_drops_sessions_faults_and_clock_offset(
    http: httpx.Client, emulator: Emulator
) -> None:
    create(http, {})
    emulator.clock.advance(days=3)
    emulator.inject(503, times=5)
    assert http.post("/_emulator/reset").status_code == 200  # admin calls use no faults
    assert emulator.session_count == 0 and emulator.pending_faults() == []
    assert http.get("/_emulator/clock").json()["now"] == "2026-01-15T09:00:00.000000"


def test_admin_faults_replace_list_and_clear(http: httpx.Client) -> None:
    faults = {"faults": [{"status": 429, "times": 2, "retryAfter": 1}, {"status": 503}]}
    assert http.post("/_emulator/faults", json=faults).json() == {
        "faults": [{"status": 429, "times": 2, "retryAfter": 1}, {"status": 503, "times": 1}]
    }
    assert http.get("/_emulator/faults").json()["faults"][0]["times"] == 2
    assert http.post("/_emulator/faults", json={"faults": []}).json() == {"faults": []}
    assert http.post("/client-session", json={}).status_code == 200


@pytest.mark.parametrize(
    ("body", "said"),
    [
        # not "or 0 for a dropped connection", the Python API's spelling, refused here
        ({"faults": [{"status": 200}]}, '$.faults[0].status must be 400..599 (or send "drop"'),
        ({"faults": [{"status": 399}]}, '$.faults[0].status must be 400..599 (or send "drop"'),
        ({"faults": [{"status": 429, "times": 0}]}, "$.faults[0]: a fault's times must be 1.."),
        ({"faults": [{"status": 500}, {"status": "429"}]}, "$.faults[1].status must be an"),
        ({"faults": [{"status": 429, "x": 1}]}, "$.faults[0].x is not a fault's key"),
        ({"faults": [42]}, "$.faults[0] must be an object"),
        ({"faults": {}}, "expected"),
        ({"faults": [{"status": 429, "retryAfter": -1}]}, "retryAfter must be 0..86400"),
        # a 309-digit Retry-After header, and a fault that never runs out
        ({"faults": [{"status": 429, "retryAfter": 1e308}]}, "retryAfter must be 0..86400"),
        ({"faults": [{"status": 503, "times": 10**32}]}, "times must be 1..1000000"),
        # neither a status nor "drop": true silently became a dropped connection
        ({"faults": [{"times": 3}]}, '$.faults[0]: give a status (400..599) or "drop": true'),
        ({"faults": [{}]}, "give a status"),
        ({"faults": [{"status": 0}]}, "give a status"),  # 0 silently dropped too
        # an int of 400 digits: no float holds it (a 500 with OverflowError)
        ({"faults": [{"status": 429, "retryAfter": 10**400}]}, "retryAfter must be 0..86400"),
    ],
)
def test_admin_faults_refuse_bad_bodies(http: httpx.Client, body: Any, said: str) -> None:
    answer = http.post("/_emulator/faults", json=body)
    error_of(answer, 400, "BadRequest")
    assert said in answer.json()["error"]["description"]
    assert http.get("/_emulator/faults").json() == {"faults": []}  # nothing half-set


def test_fault_429_carries_retry_after_and_counts_only_api_requests(http: httpx.Client) -> None:
    http.post(
        "/_emulator/faults", json={"faults": [{"status": 429, "times": 2, "retryAfter": 1.5}]}
    )
    http.get("/_emulator/clock")
    http.get("/_emulator/sessions")
    http.get("/openapi.json")
    # a health check's HEAD, another tool's OPTIONS or a PUT: answered, and no fault taken
    assert http.head("/client-session").status_code == 400  # as GET without a token
    assert http.options("/client-session").status_code == 405
    assert http.put("/client-session", json={}).status_code == 405
    for _ in range(2):
        response = http.post("/client-session", json={})
        error_of(response, 429, "TooManyRequests")
        assert response.headers["Retry-After"] == "2"
    assert http.post("/client-session", json={}).status_code == 200


@pytest.mark.parametrize(
    ("status", "error_id"),
    [
        (503, "ServiceUnavailable"),
        (504, "GatewayTimeout"),
        (500, "InternalServerError"),
        (502, "BadGateway"),
    ],
)
def test_fault_5xx_envelopes(
    http: httpx.Client, emulator: Emulator, status: int, error_id: str
) -> None:
    emulator.inject(status)
    error_of(http.get("/client-session"), status, error_id)
    assert http.get("/client-session").status_code == 400  # the fault is used up


def test_fault_comes_before_auth_and_validation(http: httpx.Client, emulator: Emulator) -> None:
    emulator.inject(503)
    error_of(
        http.post("/client-session", content=b"[", headers={"X-API-KEY": ""}),
        503,
        "ServiceUnavailable",
    )


def test_drop_fault_raises_remote_protocol_error_in_process(
    http: httpx.Client, emulator: Emulator
) -> None:
    emulator.inject(drop=True, times=2)
    with pytest.raises(httpx.RemoteProtocolError):
        http.post("/client-session", json={})

    async def async_drop() -> None:
        async with httpx.AsyncClient(
            transport=emulator.async_transport(), base_url="http://e"
        ) as client:
            await client.post("/client-session", json={}, headers=HEADERS)

    with pytest.raises(httpx.RemoteProtocolError):
        run(async_drop())
    assert emulator.session_count == 0
    assert http.post("/client-session", json={}).status_code == 200


def test_admin_drop_fault_and_clear_faults(http: httpx.Client, emulator: Emulator) -> None:
    http.post("/_emulator/faults", json={"faults": [{"status": 0, "drop": True}]})
    assert emulator.pending_faults() == [{"status": 0, "times": 1, "drop": True}]
    emulator.clear_faults()
    assert http.post("/client-session", json={}).status_code == 200


def test_python_clock_controls(emulator: Emulator) -> None:
    assert emulator.clock.frozen
    emulator.clock.advance(seconds=1, minutes=1, hours=1, days=1)
    assert emulator.clock.now().isoformat() == "2026-01-16T10:01:01+00:00"
    emulator.clock.set("2027-01-01T00:00:00+02:00")
    assert emulator.clock.now().isoformat() == "2026-12-31T22:00:00+00:00"


def test_running_clock_moves_in_real_time() -> None:
    emu = Emulator(start=START)
    first = emu.clock.now()
    assert not emu.clock.frozen and emu.clock.now() >= first


def _scenario(emu: Emulator) -> list[bytes]:
    with httpx.Client(transport=emu.transport(), base_url="http://e", headers=HEADERS) as http:
        made = http.post(
            "/client-session", json={"orderId": "d", "order": {"lineItems": [{"amount": 1}]}}
        )
        token = made.json()["clientToken"]
        return [
            made.content,
            http.get("/client-session", params={"clientToken": token}).content,
            http.patch("/client-session", json={"clientToken": token, "orderId": 5}).content,
            http.get("/client-session", params={"clientToken": "bad"}).content,
            http.get("/_emulator/sessions").content,
        ]


def test_determinism_same_seed_same_bytes() -> None:
    one = _scenario(Emulator(seed=11, start=START, frozen=True))
    two = _scenario(Emulator(seed=11, start=START, frozen=True))
    other = _scenario(Emulator(seed=12, start=START, frozen=True))
    assert one == two
    assert one[0] != other[0]


def test_reset_restarts_a_seeded_sequence() -> None:
    emu = Emulator(seed=3, start=START, frozen=True)
    first = _scenario(emu)
    emu.reset()
    assert _scenario(emu) == first


def test_a_token_from_before_a_seeded_reset_finds_no_session_made_after_it() -> None:
    """A seeded reset restarts the accessToken sequence and the secret: the first session
    made after it has the accessToken of the first one made before. A token from before
    the reset once read and changed that other order's session; it is now unknown (400),
    as behaviour.md's reset ("drops sessions") says. (When the new session expires in the
    same whole second, the two tokens are one and the same, by design: see the next test.)"""
    from primer_nb.client import PrimerClient
    from primer_nb.errors import InvalidClientTokenError

    emulator = Emulator(seed=7, start=START, frozen=True)
    client = PrimerClient(emulator=emulator)
    old = client.create_session({"orderId": "before-reset", "currencyCode": "EUR", "amount": 1})
    assert client.request("POST", "/_emulator/reset").status_code == 200
    emulator.clock.advance(seconds=5)
    new = client.create_session({"orderId": "after-reset", "currencyCode": "GBP", "amount": 999})
    assert (
        jwt.decode(old.client_token, options={"verify_signature": False})["accessToken"]
        == (jwt.decode(new.client_token, options={"verify_signature": False})["accessToken"])
    )
    with pytest.raises(InvalidClientTokenError):
        client.get_session(old.client_token)
    with pytest.raises(InvalidClientTokenError):
        client.update_session(old.client_token, {"amount": 1})
    assert client.get_session(new.client_token).amount == 999  # left as it was


@pytest.mark.parametrize("frozen", [True, False])
def test_a_seeded_reset_issues_the_same_token_again_when_it_expires_in_the_same_second(
    frozen: bool,
) -> None:
    """What `Emulator.reset` and docs/emulator.md say: the old token finds the new session
    exactly when the new token is the old one, i.e. when it expires in the same second.
    The reset drops the clock offset, so a frozen clock moved after the first create is
    back at its start; a running clock reads the same second (unless the second turns
    between the two creates, which the retry covers)."""
    for _ in range(3):
        emulator = Emulator(seed=7, start=START, frozen=frozen)
        with httpx.Client(
            transport=emulator.transport(), base_url="http://e", headers=HEADERS
        ) as http:
            old = create(http, {"orderId": "before-reset"})["clientToken"]
            emulator.clock.advance(hours=2)
            assert http.post("/_emulator/reset").status_code == 200
            new = create(http, {"orderId": "after-reset"})["clientToken"]
            found = http.get("/client-session", params={"clientToken": old})
        emulator.close()
        if old == new:
            break
    assert old == new
    assert found.status_code == 200 and found.json()["orderId"] == "after-reset"


def test_unseeded_emulators_have_different_secrets() -> None:
    bodies = [_scenario(Emulator(start=START, frozen=True))[0] for _ in range(2)]
    tokens = [json.loads(b)["clientToken"] for b in bodies]
    assert tokens[0] != tokens[1]


def test_repr_is_short_and_deterministic(http: httpx.Client, emulator: Emulator) -> None:
    for _ in range(3):
        create(http, {})
    assert (
        repr(emulator) == "Emulator(seed=7, start='2026-01-15T09:00:00', frozen=True, sessions=3)"
    )
    assert repr(Emulator()) == "Emulator(seed=None, start=None, frozen=False, sessions=0)"


def test_default_emulator_is_shared() -> None:
    assert default_emulator() is default_emulator()


def test_latency_delays_api_calls(emulator: Emulator) -> None:
    emulator.latency = 0.2
    with httpx.Client(
        transport=emulator.transport(), base_url="http://e", headers=HEADERS, timeout=0.05
    ) as http:
        with pytest.raises(httpx.ReadTimeout):
            http.post("/client-session", json={})
        assert http.get("/_emulator/clock").status_code == 200  # admin calls have no latency


def test_openapi_document(http: httpx.Client) -> None:
    response = http.get("/openapi.json", headers={"X-API-KEY": ""})
    doc = response.json()
    assert doc["openapi"].startswith("3.1")
    ops = doc["paths"]["/client-session"]
    assert set(ops) == {"get", "post", "patch"}
    assert doc["components"]["securitySchemes"]["ApiKeyAuth"]["name"] == "X-API-KEY"
    # Primer's schema names: a 422's validationErrors name the model ClientSessionAPIRequest
    schemas = doc["components"]["schemas"]
    assert {
        "ClientSessionAPIRequest",
        "ClientSessionUpdateAPIRequest",
        "ClientSessionWithTokenAPIResponse",
        "ClientSessionAPIResponse",
    } <= set(schemas)
    refused = http.post("/client-session", json={"customerId": 1}).json()
    assert refused["error"]["validationErrors"][0]["model"] in schemas
    refs = json.dumps(doc)
    for ref in {r.split('"')[0] for r in refs.split('"$ref": "#/components/schemas/')[1:]}:
        assert ref in doc["components"]["schemas"]


def test_openapi_document_speaks_the_wire_and_primers_defaults(http: httpx.Client) -> None:
    """It told tools to send `email_address` and `billing_address` (nested, silently
    ignored: a session without them), and gave every optional field `default: null`,
    which in a PATCH says leaving a field out clears it."""
    doc = http.get("/openapi.json").json()
    descriptions: list[str] = []
    defaults: list[tuple[str, str, object]] = []
    for name, schema in doc["components"]["schemas"].items():
        descriptions.append(schema.get("description", ""))
        for prop, spec in schema.get("properties", {}).items():
            if isinstance(spec, dict):
                descriptions.append(spec.get("description", ""))
                if "default" in spec:
                    defaults.append((name, prop, spec["default"]))
    for text in descriptions:
        assert not re.search(r"`[a-z]+_[a-z_]+`|\bNone\b|\bPython\b", text), text
    assert ("LineItem", "quantity", 1) in defaults
    assert ("PaymentMethod", "vaultOnSuccess", False) in defaults
    # FINAL is the Payments API's default, not the client session's: none here
    assert not [d for d in defaults if d[1] == "authorizationType"]
    assert not [d for d in defaults if d[2] is None]
    update = doc["components"]["schemas"]["PaymentMethodUpdate"]["properties"]
    assert not any("default" in spec for spec in update.values() if isinstance(spec, dict))
    assert "docs/emulator.md" in doc["info"]["description"]


def test_key_never_in_bodies_headers_or_logs(
    marker_key: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    emu = Emulator(seed=1, api_keys=[marker_key])
    seen: list[str] = []
    with httpx.Client(transport=emu.transport(), base_url="http://e") as http:
        for key in (marker_key, marker_key + "x", ""):
            headers = {"X-API-KEY": key, "X-API-VERSION": "2.4"}
            for response in (
                http.post("/client-session", json={"orderId": "o"}, headers=headers),
                http.post("/client-session", json={"orderId": 1}, headers=headers),
                http.get("/client-session", headers=headers),
                http.get("/_emulator/sessions", headers=headers),
                http.get("/nowhere", headers=headers),
            ):
                seen.append(response.text + json.dumps(dict(response.headers)))
        made = http.post("/client-session", json={}, headers={"X-API-KEY": marker_key})
        token = made.json()["clientToken"]
        seen.append(json.dumps(jwt.decode(token, options={"verify_signature": False})))
    seen.extend(r.getMessage() + str(r.args) for r in caplog.records)
    seen.append(repr(emu) + repr(vars(emu)) + json.dumps(emu.sessions()))
    assert not [text for text in seen if marker_key in text]


@pytest.mark.parametrize(
    ("status", "error_id"),
    [
        (400, "BadRequest"),
        (403, "SecurityPolicyBlock"),
        (404, "NotFound"),
        (413, "RequestTooLarge"),
        (422, "RequestValidationError"),
        (429, "TooManyRequests"),
        (418, "ImATeapot"),  # made from the phrase, letters and digits only
    ],
)
def test_an_injected_fault_carries_the_emulators_own_error_id(status: int, error_id: str) -> None:
    """One errorId per status, whether the emulator answers it by itself or a fault does."""
    emulator = Emulator()
    emulator.inject(status)
    with httpx.Client(transport=emulator.transport(), base_url="http://e") as http:
        answer = http.post("/client-session", json={}, headers={"X-API-KEY": "k"})
    assert answer.status_code == status
    assert answer.json()["error"]["errorId"] == error_id


def test_a_dropped_connection_with_a_status_is_refused_not_rewritten() -> None:
    emulator = Emulator()
    with httpx.Client(transport=emulator.transport(), base_url="http://e") as http:
        answer = http.post(
            "/_emulator/faults",
            json={"faults": [{"status": 429, "drop": True}]},
            headers={"X-API-KEY": "k"},
        )
    assert answer.status_code == 400
    assert "a dropped connection has no status" in answer.json()["error"]["description"]
    assert emulator.pending_faults() == []


def test_a_processed_fault_carries_the_request_out_and_loses_its_answer(
    http: httpx.Client, emulator: Emulator
) -> None:
    """`processed: true`: the POST creates its session, a PATCH changes it, and the
    client gets only the fault (a 504, or a dropped connection): an answer lost on the
    way back, which a client cannot tell from a request that never arrived."""
    http.post(
        "/_emulator/faults",
        json={"faults": [{"status": 504, "processed": True}, {"drop": True, "processed": True}]},
    )
    assert emulator.pending_faults() == [
        {"status": 504, "times": 1, "processed": True},
        {"status": 0, "times": 1, "drop": True, "processed": True},
    ]
    error_of(http.post("/client-session", json={"orderId": "lost-1"}), 504, "GatewayTimeout")
    with pytest.raises(httpx.RemoteProtocolError):
        http.post("/client-session", json={"orderId": "lost-2"})
    assert sorted(s["orderId"] for s in emulator.sessions()) == ["lost-1", "lost-2"]

    token = create(http, {"orderId": "kept"})["clientToken"]
    emulator.inject(503, processed=True)
    error_of(
        http.patch("/client-session", json={"clientToken": token, "customerId": "c-9"}),
        503,
        "ServiceUnavailable",
    )
    got = http.get("/client-session", params={"clientToken": token}).json()
    assert got["customerId"] == "c-9"  # the PATCH was carried out


def test_a_fault_without_processed_stores_nothing(http: httpx.Client, emulator: Emulator) -> None:
    emulator.inject(504)
    error_of(http.post("/client-session", json={"orderId": "never"}), 504, "GatewayTimeout")
    assert emulator.session_count == 0


@pytest.mark.parametrize(
    "fault", [{"processed": "yes"}, {"status": 504, "processed": 1}, {"after": True}]
)
def test_processed_must_be_a_boolean(http: httpx.Client, fault: dict[str, object]) -> None:
    answer = http.post("/_emulator/faults", json={"faults": [fault]})
    error_of(answer, 400, "BadRequest")
    assert "processed" in answer.json()["error"]["description"]


def test_inject_refuses_a_retry_after_no_float_holds() -> None:
    with pytest.raises(ValueError, match=r"retryAfter must be 0\.\.86400 seconds"):
        Emulator().inject(429, retry_after=10**400)


@pytest.mark.parametrize("flags", [{"processed": "no"}, {"drop": 1}])
def test_inject_refuses_flags_that_are_not_booleans(flags: dict[str, Any]) -> None:
    """`processed="no"` is truthy: taken as is it would carry the request out."""
    with pytest.raises(ValueError, match=f"{next(iter(flags))} must be a boolean"):
        Emulator().inject(504, **flags)


@pytest.mark.parametrize(
    ("raw", "says"),
    [
        (b'{"advance": 1e18}', "from -10000000000 to 10000000000"),
        (b'{"advance": -3e11}', "from -10000000000 to 10000000000"),
        (b'{"advance": 1e400}', "too large to read"),
        (b'{"advance": ' + b"9" * 5000 + b"}", "digits"),
    ],
)
def test_admin_clock_says_how_far_it_moves_and_nothing_of_amounts(
    http: httpx.Client, raw: bytes, says: str
) -> None:
    """A clock move out of range names the range (every number is "a number of seconds");
    a number too large to read points to the admin docs, not to amounts in minor units."""
    answer = http.post(
        "/_emulator/clock", content=raw, headers={"Content-Type": "application/json"}
    )
    error = error_of(answer, 400, "BadRequest")
    assert says in error["description"]
    assert "minor units" not in json.dumps(error) and "Admin endpoints" in json.dumps(error)


def test_the_request_log_names_a_request_left_without_an_answer() -> None:
    """`--log-requests`' lines (`RequestLog`): a dropped connection has no status, and a
    path is written without its query and without a character that could break a line."""
    from primer_nb.emulator.app import RequestLog

    emulator = Emulator(seed=8)
    lines: list[str] = []
    app = RequestLog(emulator.app, lines.append)

    async def send() -> None:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://emulator", headers=HEADERS
        ) as http:
            emulator.inject(drop=True)
            with pytest.raises(ConnectionDropped):
                await http.post("/client-session", json={})
            await http.get("/client-session", params={"clientToken": "secret-token"})
            await http.get("/client-session%0Aforged%20200")  # decoded, a new line

    run(send())
    assert [line.split(" ", 1)[1].rsplit(" (", 1)[0] for line in lines] == [
        "POST /client-session no answer",
        "GET /client-session 400 ClientSessionValidationError diagnosticsId="
        + lines[1].split("diagnosticsId=")[1].split(" ")[0],
        "GET /client-session%0Aforged%20200 404 NotFound diagnosticsId="
        + lines[2].split("diagnosticsId=")[1].split(" ")[0],
    ]
    assert "secret-token" not in "".join(lines)
