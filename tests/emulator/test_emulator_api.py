"""behaviour.md §2 (validation), §3 (answers) and §5 (settled points), one test per rule."""

from __future__ import annotations

import json
from typing import Any

import httpx
import jwt
import pytest

from primer_nb.currency import DISABLED_BY_DEFAULT
from primer_nb.emulator import Emulator
from primer_nb.enums import DEFAULT_CARD_NETWORKS
from primer_nb.errors import DISABLED_CURRENCY_RECOVERY
from tests.emulator.emulator_helpers import HEADERS, KEY, create, error_of, paths, run

ORDER = {"lineItems": [{"itemId": "a", "amount": 1299, "quantity": 2}], "countryCode": "GB"}
TAXABLE = {"shippingAddress": {"countryCode": "GB", "postalCode": "CB1 1AA"}}


# --- §2 auth and versions ---------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-API-KEY": ""},
        {"X-API-KEY": "   "},
        {"Authorization": "Bearer sk_test_bearer"},  # a Bearer-only key is a missing key
    ],
)
def test_missing_empty_or_bearer_key_is_403(http: httpx.Client, headers: dict[str, str]) -> None:
    http.headers.pop("X-API-KEY")
    for method, body in [("POST", {}), ("PATCH", {"clientToken": "x"}), ("GET", None)]:
        answer = http.request(method, "/client-session", json=body, headers=headers)
        error = error_of(answer, 403, "SecurityPolicyBlock")
        assert "X-API-KEY" in error["recoverySuggestion"]
        assert "sk_test_bearer" not in answer.text
    assert emulator_sessions(http) == 0


BAD_BODIES = [
    b"{",  # not JSON
    b"[]",  # not an object
    b"[" * 65 + b"]" * 65,  # nested too deep
    b'{"a": "' + b"x" * (1 << 20) + b'"}',  # over 1 MiB
]


@pytest.mark.parametrize("body", BAD_BODIES, ids=["not-json", "array", "deep", "too-large"])
@pytest.mark.parametrize("method", ["POST", "PATCH"])
def test_the_key_and_version_are_judged_before_the_body(method: str, body: bytes) -> None:
    """Order of behaviour.md §2 (validation.py's list): key 403, version 400, then the
    body's 413/400. A request without a right key gets 403 whatever it sends, as the
    admin endpoints answer it; a bad version gets UnsupportedApiVersion."""
    emu = Emulator(api_keys=["right-key"])
    with httpx.Client(transport=emu.transport(), base_url="http://e") as http:

        def send(headers: dict[str, str]) -> httpx.Response:
            return http.request(method, "/client-session", content=body, headers=headers)

        for headers in ({}, {"X-API-KEY": "wrong-key"}):
            error_of(send(headers), 403, "SecurityPolicyBlock")
        error_of(
            send({"X-API-KEY": "right-key", "X-API-VERSION": "9.9"}), 400, "UnsupportedApiVersion"
        )
        status = 413 if len(body) > 1 << 20 else 400
        assert send({"X-API-KEY": "right-key", "X-API-VERSION": "2.4"}).status_code == status
        head = http.request("HEAD", "/client-session", headers={"X-API-KEY": "wrong-key"})
        assert head.status_code == 403  # the Starlette route's door too


def emulator_sessions(http: httpx.Client) -> int:
    return len(http.get("/_emulator/sessions", headers={"X-API-KEY": KEY}).json()["sessions"])


@pytest.mark.parametrize("method", ["POST", "GET"])
def test_a_repeated_header_counts_by_its_first_value(method: str) -> None:
    """Two X-API-KEY (or X-API-VERSION) headers: the first is read, on every method, so
    a right key after a wrong one is still refused."""
    emu = Emulator(api_keys=["right-key"])
    with httpx.Client(transport=emu.transport(), base_url="http://e") as http:

        def send(pairs: list[tuple[str, str]]) -> httpx.Response:
            url = "/client-session" + ("?clientToken=x" if method == "GET" else "")
            content = b"{}" if method == "POST" else None
            return http.request(method, url, headers=pairs, content=content)

        error_of(
            send([("X-API-KEY", "wrong-key-1"), ("X-API-KEY", "right-key")]),
            403,
            "SecurityPolicyBlock",
        )
        first_right = send([("X-API-KEY", "right-key"), ("X-API-KEY", "wrong-key-1")])
        assert first_right.status_code != 403
        versions = [("X-API-KEY", "right-key"), ("X-API-VERSION", "9"), ("X-API-VERSION", "2.4")]
        error_of(send(versions), 400, "UnsupportedApiVersion")


def test_configured_keys_refuse_other_keys() -> None:
    emu = Emulator(api_keys=["right-key"])
    with httpx.Client(transport=emu.transport(), base_url="http://e") as http:
        wrong = http.post("/client-session", json={}, headers={"X-API-KEY": "wrong-key-123"})
        error_of(wrong, 403, "SecurityPolicyBlock")
        assert "wrong-key-123" not in wrong.text
        right = http.post("/client-session", json={}, headers={"X-API-KEY": "right-key"})
        assert right.status_code == 200
    assert "right-key" not in repr(vars(emu)) and "right-key" not in repr(emu.keys)


@pytest.mark.parametrize("version", ["2.1", "2.2", "2.3", "2.4", "2021-09-27", "2021-10-19"])
def test_known_api_versions_are_accepted(http: httpx.Client, version: str) -> None:
    response = http.post("/client-session", json={}, headers={"X-API-VERSION": version})
    assert response.status_code == 200


def test_absent_api_version_means_the_earliest(http: httpx.Client, emulator: Emulator) -> None:
    http.headers.pop("X-API-VERSION")
    create(http, {"orderId": "v"})
    assert emulator._store.all()[0].api_version == "2021-09-27"


@pytest.mark.parametrize("version", ["2.5", "", "latest", "2.4 beta"])
def test_unknown_api_version_is_400(http: httpx.Client, version: str) -> None:
    response = http.post("/client-session", json={}, headers={"X-API-VERSION": version})
    error_of(response, 400, "UnsupportedApiVersion")


# --- §2 body ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content", [b"{", b"", b"not json", b'{"a": NaN}', b"[1, 2]", b'"text"', b"3", b"null", b"\xff"]
)
def test_malformed_or_non_object_body_is_400(http: httpx.Client, content: bytes) -> None:
    for method in ("POST", "PATCH"):
        response = http.request(method, "/client-session", content=content)
        error_of(response, 400, "BadRequest")


def test_deeply_nested_json_is_400_not_500(http: httpx.Client) -> None:
    deep = b'{"metadata": {"a": ' + b"[" * 5000 + b"]" * 5000 + b"}}"
    error_of(http.post("/client-session", content=deep), 400, "BadRequest")


def test_body_over_one_mib_is_413_and_nothing_is_stored(
    http: httpx.Client, emulator: Emulator
) -> None:
    big = {"metadata": {"blob": "x" * (1024 * 1024)}}
    error_of(http.post("/client-session", json=big), 413, "RequestTooLarge")

    def chunks() -> Any:  # no Content-Length: the size is counted while streaming
        for _ in range(20):
            yield b" " * 65536

    error_of(http.post("/client-session", content=chunks()), 413, "RequestTooLarge")
    assert emulator.session_count == 0


def test_schema_violations_are_422_listing_every_path(http: httpx.Client) -> None:
    body = {
        "orderId": "",
        "customerId": 5,
        "currencyCode": "EURO",
        "amount": -1,
        "bogus": 1,
        "order": {
            "countryCode": "XX",
            "lineItems": [{"amount": "100"}, {"quantity": 1}, {"amount": 1, "quantity": -1}],
            "fees": [{"type": "SURCHARGE"}],
        },
        "customer": {"emailAddress": "not-an-email", "firstName": "x" * 256},
        "paymentMethod": {
            "paymentType": "SOMETIMES",
            "authorizationType": "MAYBE",
            "firstPaymentReason": "Whim",
            "orderedAllowedCardNetworks": ["VISA", "NOPE"],
        },
    }
    inner = error_of(http.post("/client-session", json=body), 422, "RequestValidationError")
    assert inner["validationErrors"][0]["model"] == "ClientSessionAPIRequest"
    assert set(paths(inner)) >= {
        "$.orderId",
        "$.customerId",
        "$.currencyCode",
        "$.amount",
        "$.bogus",
        "$.order.countryCode",
        "$.order.lineItems[0].amount",
        "$.order.lineItems[1].amount",
        "$.order.lineItems[2].quantity",
        "$.order.fees[0].amount",
        "$.customer.emailAddress",
        "$.customer.firstName",
        "$.paymentMethod.paymentType",
        "$.paymentMethod.authorizationType",
        "$.paymentMethod.firstPaymentReason",
        "$.paymentMethod.orderedAllowedCardNetworks[1]",
    }


def test_customer_id_example_message(http: httpx.Client) -> None:
    inner = error_of(
        http.post("/client-session", json={"customerId": 1}), 422, "RequestValidationError"
    )
    assert inner["validationErrors"] == [
        {
            "model": "ClientSessionAPIRequest",
            "errors": [{"path": "$.customerId", "description": "Value must be a valid string"}],
        }
    ]
    assert inner["description"].endswith("/docs/api")


def test_patch_violations_use_the_update_model(http: httpx.Client) -> None:
    token = create(http, {})["clientToken"]
    response = http.patch("/client-session", json={"clientToken": token, "amount": "5"})
    inner = error_of(response, 422, "RequestValidationError")
    assert inner["validationErrors"][0]["model"] == "ClientSessionUpdateAPIRequest"
    assert paths(inner) == ["$.amount"]


@pytest.mark.parametrize("method", ["POST", "PATCH"])
def test_metadata_empty_key_is_400(http: httpx.Client, method: str) -> None:
    body: dict[str, Any] = {"metadata": {"": "x", "ok": 1}}
    if method == "PATCH":
        body["clientToken"] = create(http, {})["clientToken"]
    inner = error_of(
        http.request(method, "/client-session", json=body), 400, "MetadataContainsEmptyKey"
    )
    assert inner["description"] == "Metadata field contains empty string key."


def test_metadata_accepts_any_json_value(http: httpx.Client) -> None:
    meta = {"n": 1, "s": "x", "nested": {"deviceInfo": [1, {"a": None}]}, "f": 1.5}
    assert create(http, {"metadata": meta})["metadata"] == meta


def test_get_and_patch_leave_out_empty_values_inside_metadata_too(http: httpx.Client) -> None:
    # behaviour.md §3: GET leaves out empty values, at any depth. A tool that loads the
    # session and sends its metadata back whole (PATCH replaces it) drops those keys:
    # docs/emulator.md says so, and the PatchBuilder warns when metadata changes
    meta = {"promo": "", "n": 1, "tags": [], "extra": {}, "none": None}
    token = create(http, {"orderId": "o-meta", "metadata": meta})["clientToken"]
    got = http.get("/client-session", params={"clientToken": token}).json()
    assert got["metadata"] == {"n": 1}
    assert _patch(http, token, {"metadata": meta})["metadata"] == {"n": 1}


@pytest.mark.parametrize("number", [2**64, -(2**63) - 1, 10**30, 123456789012345678])
def test_metadata_integers_beyond_64_bits_are_echoed_exactly(
    http: httpx.Client, number: int
) -> None:
    """The emulator reads JSON with orjson, which reads such integers as floats: not here."""
    raw = json.dumps({"orderId": "big", "metadata": {"n": number, "s": str(number)}})
    made = http.post("/client-session", content=raw.encode())
    assert made.status_code == 200
    assert f'"n":{number}' in made.text.replace(" ", "")
    assert made.json()["metadata"] == {"n": number, "s": str(number)}
    got = http.get("/client-session", params={"clientToken": made.json()["clientToken"]})
    assert got.json()["metadata"]["n"] == number


@pytest.mark.parametrize(
    "raw", [b'{"a": 1e400}', b'{"a": NaN}', b'{"a": "\\ud800"}', b"\xef\xbb\xbf{}", b'{"a": 1,}']
)
def test_json_orjson_refuses_gets_the_standard_librarys_answer(
    http: httpx.Client, raw: bytes
) -> None:
    error_of(http.post("/client-session", content=raw), 400, "BadRequest")


def test_head_and_get_answer_alike(http: httpx.Client) -> None:
    """GET is answered straight from ASGI, HEAD through the Starlette route: same answer."""
    token = create(http, {"orderId": "head"})["clientToken"]
    got = http.get("/client-session", params={"clientToken": token})
    head = http.head("/client-session", params={"clientToken": token})
    assert (head.status_code, head.content) == (200, b"")
    assert head.headers["content-length"] == got.headers["content-length"]
    assert head.headers["content-type"] == got.headers["content-type"] == "application/json"
    for answer in (http.head("/client-session"), http.get("/client-session")):
        assert answer.status_code == 400


def test_last_client_token_in_the_query_wins(http: httpx.Client) -> None:
    """As Starlette's query parameters read it: the last value of a repeated name."""
    token = create(http, {"orderId": "q"})["clientToken"]
    url = f"/client-session?clientToken=nope&clientToken={token}"
    assert http.get(url).json()["orderId"] == "q"
    answer = http.get(f"/client-session?clientToken={token}&clientToken=nope")
    error_of(answer, 400, "ClientSessionValidationError")


def test_client_gone_before_its_body_gets_no_answer_and_no_bug_log(
    emulator: Emulator, caplog: pytest.LogCaptureFixture
) -> None:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "method": "POST",
        "path": "/client-session",
        "headers": [(b"x-api-key", KEY.encode())],
        "query_string": b"",
    }
    run(emulator.app(scope, receive, send))
    assert sent == [] and emulator.session_count == 0
    assert not [r for r in caplog.records if r.levelname == "ERROR"]


@pytest.mark.parametrize("path", ["/_emulator/clock", "/_emulator/faults"])
def test_a_client_gone_before_an_admin_body_is_no_emulator_bug(
    emulator: Emulator, caplog: pytest.LogCaptureFixture, path: str
) -> None:
    """The admin endpoints read their body through Starlette, whose ClientDisconnect was
    logged as "emulator bug while answering POST ..." with a traceback."""
    parts = [{"type": "http.request", "body": b'{"advance": ', "more_body": True}]

    async def receive() -> dict[str, Any]:
        return parts.pop() if parts else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        pass

    scope = {
        "type": "http",
        "method": "POST",
        "path": path,
        "headers": [(b"x-api-key", KEY.encode()), (b"content-length", b"100")],
        "query_string": b"",
    }
    before = emulator.clock.now()
    run(emulator.app(scope, receive, send))
    assert not [r for r in caplog.records if r.levelname == "ERROR"], caplog.text
    assert emulator.clock.now() == before


@pytest.mark.parametrize("code", sorted(DISABLED_BY_DEFAULT - {"VED", "VES"}))
def test_disabled_currency_is_400(http: httpx.Client, code: str) -> None:
    inner = error_of(
        http.post("/client-session", json={"currencyCode": code}), 400, "DisabledCurrencyError"
    )
    assert inner["description"] == f"{code} is a disabled currency"
    assert inner["recoverySuggestion"] == DISABLED_CURRENCY_RECOVERY


def test_disabled_currency_on_patch_is_400(http: httpx.Client) -> None:
    token = create(http, {"currencyCode": "EUR"})["clientToken"]
    response = http.patch("/client-session", json={"clientToken": token, "currencyCode": "HUF"})
    error_of(response, 400, "DisabledCurrencyError")


def test_enabled_currency_is_accepted() -> None:
    emu = Emulator(enabled_currencies=["huf"])
    emu.enable_currency("CLP")
    with httpx.Client(transport=emu.transport(), base_url="http://e", headers=HEADERS) as http:
        assert create(http, {"currencyCode": "HUF"})["currencyCode"] == "HUF"
        assert create(http, {"currencyCode": "CLP"})["currencyCode"] == "CLP"
    with pytest.raises(ValueError):
        emu.enable_currency("ZZZ")


@pytest.mark.parametrize("code", ["VED", "VES"])
def test_ved_ves_fail_the_enum_first(http: httpx.Client, code: str) -> None:
    inner = error_of(
        http.post("/client-session", json={"currencyCode": code}), 422, "RequestValidationError"
    )
    assert paths(inner) == ["$.currencyCode"]


def test_every_error_has_a_fresh_diagnostics_id(http: httpx.Client) -> None:
    ids = {
        http.post("/client-session", content=b"[").json()["error"]["diagnosticsId"]
        for _ in range(20)
    }
    assert len(ids) == 20


# --- §3 POST ----------------------------------------------------------------------------


def test_post_is_200_echoing_the_request_keys_as_sent(http: httpx.Client) -> None:
    body = {
        "customerId": None,
        "orderId": "o-1",
        "currencyCode": "EUR",
        "order": ORDER,
        "customer": {"emailAddress": "a@b.co", **TAXABLE},
    }
    answer = create(http, body)
    assert list(answer) == [*body, "amount", "clientToken", "clientTokenExpirationDate"]
    assert {k: answer[k] for k in body} == body
    assert "warnings" not in answer


def test_client_token_is_a_primer_shaped_jwt(http: httpx.Client, emulator: Emulator) -> None:
    answer = create(http, {})
    token = answer["clientToken"]
    header = json.loads(jwt.utils.base64url_decode(token.split(".")[0]))
    assert list(header.items()) == [
        ("typ", "JWT"),
        ("alg", "HS256"),
        ("kid", "client-token-signing-key"),
    ]
    claims = jwt.decode(
        token, emulator._issuer._secret, algorithms=["HS256"], options={"verify_exp": False}
    )
    assert claims["intent"] == "CHECKOUT" and claims["env"] == "EMULATOR"
    assert len(claims["accessToken"]) == 36 and claims["accessToken"][14] == "4"
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(token, b"another secret" * 3, algorithms=["HS256"])


def test_expiry_is_24h_on_the_emulator_clock_in_primer_format(emulator: Emulator) -> None:
    emulator.clock.set("2026-01-15T09:00:00.123456Z")
    with httpx.Client(transport=emulator.transport(), base_url="http://e", headers=HEADERS) as http:
        answer = create(http, {})
    assert answer["clientTokenExpirationDate"] == "2026-01-16T09:00:00.123456"
    exp = jwt.decode(answer["clientToken"], options={"verify_signature": False})["exp"]
    assert exp == 1768554000  # floor of 2026-01-16T09:00:00.123456Z


def test_expiry_keeps_six_digits_when_microseconds_are_zero(http: httpx.Client) -> None:
    assert create(http, {})["clientTokenExpirationDate"] == "2026-01-16T09:00:00.000000"


def test_amount_is_computed_from_lines_fees_and_shipping(http: httpx.Client) -> None:
    order = {
        "lineItems": [
            {"amount": 500, "quantity": 3, "discountAmount": 100, "taxAmount": 20},
            {"amount": 250},
        ],
        "fees": [{"type": "SURCHARGE", "amount": 100}],
        "shipping": {"amount": 50},
    }
    assert create(http, {"order": order})["amount"] == 1500 - 100 + 20 + 250 + 100 + 50


def test_top_level_amount_overrides(http: httpx.Client) -> None:
    assert create(http, {"amount": 7, "order": ORDER})["amount"] == 7


def test_amount_absent_when_nothing_to_compute(http: httpx.Client) -> None:
    assert "amount" not in create(http, {"order": {"countryCode": "GB"}})
    # `amount` is derived, not echoed: a null sent with nothing to compute from is absent
    # (behaviour.md §3), and with lines it is their total
    assert "amount" not in create(http, {"orderId": "o-null", "amount": None})
    assert (
        create(http, {"amount": None, "order": ORDER})["amount"]
        == create(http, {"order": ORDER})["amount"]
    )


def test_quantity_zero_accepted_negative_refused(http: httpx.Client) -> None:
    assert create(http, {"order": {"lineItems": [{"amount": 5, "quantity": 0}]}})["amount"] == 0
    response = http.post(
        "/client-session", json={"order": {"lineItems": [{"amount": 5, "quantity": -1}]}}
    )
    assert paths(error_of(response, 422, "RequestValidationError")) == [
        "$.order.lineItems[0].quantity"
    ]


def test_a_discount_larger_than_its_line_is_refused_and_nothing_is_stored(
    http: httpx.Client,
) -> None:
    before = emulator_sessions(http)
    order = {"lineItems": [{"amount": 1, "discountAmount": 500}]}
    response = http.post("/client-session", json={"currencyCode": "EUR", "order": order})
    assert paths(error_of(response, 422, "RequestValidationError")) == [
        "$.order.lineItems[0].discountAmount"
    ]
    assert emulator_sessions(http) == before
    created = create(http, {"order": {"lineItems": [{"amount": 500, "discountAmount": 500}]}})
    token = created["clientToken"]
    patch = {"clientToken": token, "order": {"lineItems": [{"amount": 1, "discountAmount": 2}]}}
    response = http.patch("/client-session", json=patch)
    assert paths(error_of(response, 422, "RequestValidationError")) == [
        "$.order.lineItems[0].discountAmount"
    ]
    assert http.get("/client-session", params={"clientToken": token}).json()["amount"] == 0


@pytest.mark.parametrize(
    "body",
    [
        {"amount": "100"},
        {"order": {"lineItems": [{"amount": 1, "quantity": 1.0}]}},
        {"orderId": 12},
        {"paymentMethod": {"vaultOnSuccess": "true"}},
    ],
)
def test_types_are_strict(http: httpx.Client, body: dict[str, Any]) -> None:
    error_of(http.post("/client-session", json=body), 422, "RequestValidationError")


@pytest.mark.parametrize(
    "method", [{}, {"orderedAllowedCardNetworks": None}, {"vaultOnSuccess": True}]
)
def test_default_card_networks_when_not_sent(http: httpx.Client, method: dict[str, Any]) -> None:
    answer = create(http, {"paymentMethod": method})
    assert answer["paymentMethod"]["orderedAllowedCardNetworks"] == list(DEFAULT_CARD_NETWORKS)
    assert len(DEFAULT_CARD_NETWORKS) == 17


def test_sent_card_networks_are_kept_and_no_payment_method_means_none(http: httpx.Client) -> None:
    nets = ["CARTES_BANCAIRES", "VISA"]
    assert create(http, {"paymentMethod": {"orderedAllowedCardNetworks": nets}})[
        "paymentMethod"
    ] == {"orderedAllowedCardNetworks": nets}
    assert "paymentMethod" not in create(http, {})


@pytest.mark.parametrize(
    ("customer", "warned"),
    [
        (None, True),
        ({"emailAddress": "a@b.co"}, True),
        ({"shippingAddress": {"countryCode": "GB"}}, True),
        ({"shippingAddress": {"postalCode": "1"}}, True),
        ({"shippingAddress": {"countryCode": "GB", "postalCode": "1"}}, False),
        ({"shippingAddress": {"countryCode": "US", "postalCode": "10001"}}, True),
        ({"shippingAddress": {"countryCode": "US", "postalCode": "10001", "state": "NY"}}, False),
        ({"shippingAddress": {"countryCode": "CA", "postalCode": "H2X", "state": "QC"}}, False),
        ({"shippingAddress": {"countryCode": "CA", "postalCode": "H2X"}}, True),
    ],
)
def test_taxjar_warning_rule(http: httpx.Client, customer: Any, warned: bool) -> None:
    body = {} if customer is None else {"customer": customer}
    answer = create(http, body)
    if warned:
        assert answer["warnings"] == [
            {
                "type": "TAXJAR",
                "code": "MISSING_DATA",
                "message": "Shipping details are required for calculating tax.",
            }
        ]
    else:
        assert "warnings" not in answer


def test_tax_connection_is_switchable(http: httpx.Client, emulator: Emulator) -> None:
    emulator.tax_connection = False
    assert "warnings" not in create(http, {})


def test_unknown_nested_keys_are_accepted_and_echoed(http: httpx.Client) -> None:
    answer = create(
        http,
        {
            "paymentMethod": {"paymentMethodType": "PAYMENT_CARD"},
            "customer": {"emailAdress": "typo@x.io"},
        },
    )
    assert answer["paymentMethod"]["paymentMethodType"] == "PAYMENT_CARD"
    assert answer["customer"] == {"emailAdress": "typo@x.io"}


# --- §5 wire names only -------------------------------------------------------------------


def test_a_422_lists_every_line_out_of_range_beside_the_other_fields_errors(
    http: httpx.Client,
) -> None:
    """The range of a line's total was judged only once every other field was valid, and
    only its first bad line: a learner fixed the email, sent again, and met a second 422
    at the discount, then a third at the next line (behaviour.md §2: every violation)."""
    body = {
        "customer": {"emailAddress": "not-an-email"},
        "order": {
            "lineItems": [
                {"amount": 100, "discountAmount": 500},
                {"amount": 10},
                {"amount": 1, "discountAmount": 5},
            ]
        },
    }
    inner = error_of(http.post("/client-session", json=body), 422, "RequestValidationError")
    assert sorted(paths(inner)) == [
        "$.customer.emailAddress",
        "$.order.lineItems[0].discountAmount",
        "$.order.lineItems[2].discountAmount",
    ]
    totals = [e["description"] for e in inner["validationErrors"][0]["errors"]]
    assert sum(d.endswith("; it is -400") or d.endswith("; it is -4") for d in totals) == 2
    # an amount that is itself wrong was sent: it, not the lines, makes the session's amount
    inner = error_of(
        http.post("/client-session", json={**body, "amount": "100"}), 422, "RequestValidationError"
    )
    assert sorted(paths(inner)) == ["$.amount", "$.customer.emailAddress"]


def test_snake_case_top_level_keys_are_422_at_their_own_paths(
    http: httpx.Client, emulator: Emulator
) -> None:
    """`currency_code` is not `currencyCode`: a 422, never a session (nor a HUF 400)."""
    answer = http.post(
        "/client-session", json={"order_id": "x", "currency_code": "HUF", "amount": 5}
    )
    inner = error_of(answer, 422, "RequestValidationError")
    assert paths(inner) == ["$.order_id", "$.currency_code"]
    described = {e["path"]: e["description"] for e in inner["validationErrors"][0]["errors"]}
    assert described["$.order_id"].endswith("did you mean `orderId`?")
    assert described["$.currency_code"].endswith("did you mean `currencyCode`?")
    assert emulator.session_count == 0


def test_snake_case_top_level_keys_on_patch_are_422_and_change_nothing(
    http: httpx.Client,
) -> None:
    token = create(http, {"orderId": "kept"})["clientToken"]
    for changes in ({"order_id": "renamed"}, {"client_token": token, "orderId": "renamed"}):
        body = {"clientToken": token, **changes}
        inner = error_of(http.patch("/client-session", json=body), 422, "RequestValidationError")
        assert inner["validationErrors"][0]["model"] == "ClientSessionUpdateAPIRequest"
        assert paths(inner) == [f"$.{next(k for k in changes if '_' in k)}"]
    assert http.get("/client-session", params={"clientToken": token}).json()["orderId"] == "kept"


def test_nested_snake_case_keys_are_echoed_and_never_read_as_wire_fields(
    http: httpx.Client,
) -> None:
    body = {
        "currencyCode": "EUR",
        "order": {"line_items": [{"amount": 500}], "lineItems": [{"amount": 100}]},
        "customer": {"shipping_address": {"countryCode": "GB"}},
    }
    answer = create(http, body)
    assert answer["amount"] == 100  # line_items adds nothing
    assert answer["order"] == body["order"]
    assert answer["customer"] == {"shipping_address": {"countryCode": "GB"}}
    assert answer["warnings"][0]["type"] == "TAXJAR"  # shipping_address is not an address
    token = answer["clientToken"]
    patched = _patch(http, token, {"order": {"line_items": [{"amount": 9}]}})
    assert patched["amount"] == 100 and patched["order"]["line_items"] == [{"amount": 9}]
    # a nested snake_case key is not validated as the field: a negative amount in it passes
    create(http, {"order": {"line_items": [{"amount": -1}]}})


def test_card_networks_option_forbids_unknown_keys(http: httpx.Client) -> None:
    body = {"paymentMethod": {"options": {"PAYMENT_CARD": {"networks": {"EFTPOS": {}}}}}}
    inner = error_of(http.post("/client-session", json=body), 422, "RequestValidationError")
    assert paths(inner) == ["$.paymentMethod.options.PAYMENT_CARD.networks.EFTPOS"]


def test_version_specific_fields_accepted_under_every_version(http: httpx.Client) -> None:
    body = {"paymentMethod": {"firstPaymentReason": "CardOnFile", "vaultOnAgreement": True}}
    answer = create(http, body, headers={"X-API-VERSION": "2.1"})
    assert answer["paymentMethod"]["firstPaymentReason"] == "CardOnFile"
    assert "paymentType" not in answer["paymentMethod"]


def test_approval_mode_accepted_on_post(http: httpx.Client) -> None:
    assert create(http, {"approvalMode": "MANUAL"})["approvalMode"] == "MANUAL"


# --- §3 GET -------------------------------------------------------------------------------


def test_get_returns_the_session_without_token_expiry_warnings_or_empties(
    http: httpx.Client,
) -> None:
    body = {
        "orderId": "o-1",
        "customerId": None,
        "metadata": {},
        "order": ORDER,
        "customer": {"emailAddress": "a@b.co", "billingAddress": {"addressLine2": ""}},
    }
    token = create(http, body)["clientToken"]
    response = http.get("/client-session", params={"clientToken": token})
    assert response.status_code == 200
    assert response.json() == {
        "orderId": "o-1",
        "order": ORDER,
        "customer": {"emailAddress": "a@b.co"},
        "amount": 2598,
    }


def test_get_without_token_is_400(http: httpx.Client) -> None:
    inner = error_of(http.get("/client-session"), 400, "ClientSessionValidationError")
    assert inner["description"] == "The client token is invalid."
    assert inner["recoverySuggestion"] == "Please provide a valid client token."


@pytest.mark.parametrize("token", ["x", "a.b.c", "eyJhbGciOiJub25lIn0.e30.", "ü" * 10])
def test_malformed_token_is_400(http: httpx.Client, token: str) -> None:
    error_of(
        http.get("/client-session", params={"clientToken": token}),
        400,
        "ClientSessionValidationError",
    )
    error_of(
        http.patch("/client-session", json={"clientToken": token}),
        400,
        "ClientSessionValidationError",
    )


def test_token_of_another_emulator_or_unknown_session_is_400(
    http: httpx.Client, emulator: Emulator
) -> None:
    other = Emulator()
    with httpx.Client(transport=other.transport(), base_url="http://e", headers=HEADERS) as o:
        foreign = create(o, {})["clientToken"]
    error_of(
        http.get("/client-session", params={"clientToken": foreign}),
        400,
        "ClientSessionValidationError",
    )
    token = create(http, {})["clientToken"]
    emulator.reset()
    error_of(
        http.get("/client-session", params={"clientToken": token}),
        400,
        "ClientSessionValidationError",
    )


def test_token_with_a_forged_signature_is_400(http: httpx.Client) -> None:
    token = create(http, {})["clientToken"]
    claims = jwt.decode(token, options={"verify_signature": False})
    forged = jwt.encode(claims, b"not the secret" * 3, algorithm="HS256")
    error_of(
        http.get("/client-session", params={"clientToken": forged}),
        400,
        "ClientSessionValidationError",
    )


def test_expired_token_is_400_on_get_and_patch(http: httpx.Client, emulator: Emulator) -> None:
    token = create(http, {"orderId": "o"})["clientToken"]
    emulator.clock.advance(hours=23, minutes=59)
    assert http.get("/client-session", params={"clientToken": token}).status_code == 200
    emulator.clock.advance(hours=25)
    error_of(
        http.get("/client-session", params={"clientToken": token}),
        400,
        "ClientSessionValidationError",
    )
    error_of(
        http.patch("/client-session", json={"clientToken": token}),
        400,
        "ClientSessionValidationError",
    )


# --- §3 PATCH ------------------------------------------------------------------------------


def _patch(http: httpx.Client, token: str, changes: dict[str, Any]) -> dict[str, Any]:
    response = http.patch("/client-session", json={"clientToken": token, **changes})
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    assert "clientToken" not in answer and "warnings" not in answer
    assert "clientTokenExpirationDate" not in answer
    return answer


def test_patch_without_token_is_400(http: httpx.Client) -> None:
    error_of(
        http.patch("/client-session", json={"orderId": "x"}), 400, "ClientSessionValidationError"
    )
    error_of(
        http.patch("/client-session", json={"clientToken": None}),
        400,
        "ClientSessionValidationError",
    )


def test_patch_replaces_arrays_whole(http: httpx.Client) -> None:
    token = create(
        http, {"order": {"lineItems": [{"amount": 1}, {"amount": 2}], "fees": [{"amount": 3}]}}
    )["clientToken"]
    answer = _patch(http, token, {"order": {"lineItems": [{"amount": 10}]}})
    assert answer["order"] == {"lineItems": [{"amount": 10}], "fees": [{"amount": 3}]}
    assert answer["amount"] == 13


def test_patch_may_not_drop_options_by_clearing_payment_method(http: httpx.Client) -> None:
    """options cannot be updated, so `paymentMethod: null` cannot remove them either."""
    options = {"GOOGLE_PAY": {"surcharge": {"amount": 7}}}
    body = {"amount": 100, "paymentMethod": {"vaultOnSuccess": True, "options": options}}
    token = create(http, body)["clientToken"]
    refused = http.patch("/client-session", json={"clientToken": token, "paymentMethod": None})
    inner = error_of(refused, 422, "RequestValidationError")
    assert paths(inner) == ["$.paymentMethod.options"]
    kept = http.get("/client-session", params={"clientToken": token}).json()
    assert kept["paymentMethod"]["options"] == options
    plain = create(http, {"amount": 100, "paymentMethod": {"vaultOnSuccess": True}})
    cleared = _patch(http, plain["clientToken"], {"paymentMethod": None})
    assert "paymentMethod" not in cleared  # without options, null clears as usual


def test_patch_may_not_store_a_total_a_post_would_refuse(http: httpx.Client) -> None:
    half = 2**62
    token = create(http, {"order": {"lineItems": [{"amount": half}]}})["clientToken"]
    refused = http.patch(
        "/client-session", json={"clientToken": token, "order": {"fees": [{"amount": half}]}}
    )
    inner = error_of(refused, 422, "RequestValidationError")
    assert paths(inner) == ["$.order"]
    assert inner["validationErrors"][0]["model"] == "ClientSessionUpdateAPIRequest"
    after = http.get("/client-session", params={"clientToken": token}).json()
    assert after["amount"] == half and "fees" not in after["order"]


def test_a_top_level_amount_lets_lines_whose_total_it_replaces_through(
    http: httpx.Client,
) -> None:
    """Primer's schema allows a discount larger than its line; the emulator refuses one
    only when the session's amount would be computed from it (no top-level `amount`),
    and a PATCH is judged with the amount the session already has."""
    big_discount = {"lineItems": [{"amount": 100, "discountAmount": 500}]}
    made = create(http, {"amount": 100, "order": big_discount})
    assert made["amount"] == 100
    token = made["clientToken"]
    lines = {"lineItems": [{"amount": 100, "discountAmount": 900}]}
    assert _patch(http, token, {"order": lines})["amount"] == 100  # the override stays
    cleared = http.patch("/client-session", json={"clientToken": token, "amount": None})
    inner = error_of(cleared, 422, "RequestValidationError")
    assert paths(inner) == ["$.order.lineItems[0].discountAmount"]
    after = http.get("/client-session", params={"clientToken": token}).json()
    assert after["amount"] == 100  # unchanged: the refused PATCH stored nothing
    error_of(
        http.post("/client-session", json={"order": big_discount}), 422, "RequestValidationError"
    )


def test_patch_merges_customer_one_level_and_replaces_sub_objects(http: httpx.Client) -> None:
    customer = {
        "emailAddress": "a@b.co",
        "firstName": "Ann",
        "billingAddress": {"city": "Cambridge", "countryCode": "GB"},
    }
    token = create(http, {"customer": customer})["clientToken"]
    answer = _patch(
        http, token, {"customer": {"firstName": "Bea", "billingAddress": {"city": "Ely"}}}
    )
    assert answer["customer"] == {
        "emailAddress": "a@b.co",
        "firstName": "Bea",
        "billingAddress": {"city": "Ely"},
    }


def test_patch_merges_order_and_replaces_shipping_whole(http: httpx.Client) -> None:
    token = create(
        http, {"order": {"countryCode": "GB", "shipping": {"amount": 5, "methodId": "std"}}}
    )["clientToken"]
    answer = _patch(http, token, {"order": {"shipping": {"amount": 7}}})
    assert answer["order"] == {"countryCode": "GB", "shipping": {"amount": 7}}


def test_patch_merges_payment_method_one_level(http: httpx.Client) -> None:
    token = create(
        http,
        {
            "paymentMethod": {
                "vaultOnSuccess": True,
                "descriptor": "d",
                "orderedAllowedCardNetworks": ["VISA"],
            }
        },
    )["clientToken"]
    answer = _patch(
        http, token, {"paymentMethod": {"descriptor": "e", "orderedAllowedCardNetworks": ["AMEX"]}}
    )
    assert answer["paymentMethod"] == {
        "vaultOnSuccess": True,
        "descriptor": "e",
        "orderedAllowedCardNetworks": ["AMEX"],
    }


def test_patch_replaces_metadata_whole(http: httpx.Client) -> None:
    token = create(http, {"metadata": {"a": 1, "b": 2}})["clientToken"]
    assert _patch(http, token, {"metadata": {"c": 3}})["metadata"] == {"c": 3}


def test_patch_null_clears_fields(http: httpx.Client) -> None:
    token = create(
        http, {"orderId": "o", "customer": {"emailAddress": "a@b.co", "firstName": "A"}}
    )["clientToken"]
    answer = _patch(http, token, {"orderId": None, "customer": {"firstName": None}})
    assert "orderId" not in answer and answer["customer"] == {"emailAddress": "a@b.co"}
    assert "orderId" not in http.get("/client-session", params={"clientToken": token}).json()


def test_patch_options_and_approval_mode_are_422(http: httpx.Client) -> None:
    token = create(http, {})["clientToken"]
    body = {
        "clientToken": token,
        "paymentMethod": {"options": {"GOOGLE_PAY": {"surcharge": {"amount": 1}}}},
        "approvalMode": "AUTO",
    }
    inner = error_of(http.patch("/client-session", json=body), 422, "RequestValidationError")
    assert set(paths(inner)) == {"$.paymentMethod.options", "$.approvalMode"}
    assert "cannot be updated" in json.dumps(inner)


def _refused_patch(http: httpx.Client, token: str, changes: dict[str, Any]) -> dict[str, Any]:
    """The one validation error of a PATCH the emulator refuses with 422."""
    response = http.patch("/client-session", json={"clientToken": token, **changes})
    [detail] = error_of(response, 422, "RequestValidationError")["validationErrors"][0]["errors"]
    return dict(detail)


def test_paymentmethod_sent_whole_is_told_to_leave_its_unchanged_options_out(
    http: httpx.Client,
) -> None:
    # Primer asks for `paymentMethod` whole in a PATCH; a learner who sends it back as it
    # was, options unchanged, must read that the options are what to leave out, not be
    # told to make a new session for a change they did not make
    method = {"vaultOnSuccess": False, "options": {"GOOGLE_PAY": {"surcharge": {"amount": 50}}}}
    token = create(http, {"currencyCode": "GBP", "amount": 100, "paymentMethod": method})[
        "clientToken"
    ]
    detail = _refused_patch(http, token, {"paymentMethod": {**method, "vaultOnSuccess": True}})
    assert detail["path"] == "$.paymentMethod.options"
    assert "nor sent unchanged: leave it out of the PATCH" in detail["description"]
    # left out, the same change is made and the options stay
    answer = _patch(http, token, {"paymentMethod": {"vaultOnSuccess": True}})
    assert answer["paymentMethod"]["vaultOnSuccess"] is True
    assert answer["paymentMethod"]["options"] == method["options"]


def test_clearing_an_override_that_hid_a_bad_line_says_the_path_is_the_stored_sessions(
    http: httpx.Client,
) -> None:
    token = create(http, {"currencyCode": "EUR", "amount": 10})["clientToken"]
    # accepted: the override is the amount, so the lines' totals do not count
    _patch(http, token, {"order": {"lineItems": [{"amount": 1, "discountAmount": 5}]}})
    # the body holds no line, yet the 422 names one: the answer must say whose it is
    detail = _refused_patch(http, token, {"amount": None})
    assert detail["path"] == "$.order.lineItems[0].discountAmount"
    assert detail["description"].endswith(
        "(in the session as this PATCH leaves it, its stored order merged with the PATCH: "
        "no top-level amount replaces the order's total there)"
    )
    got = http.get("/client-session", params={"clientToken": token}).json()
    assert got["amount"] == 10  # left as it was


@pytest.mark.parametrize(
    "options",
    [
        {},
        # Primer's reference example: a placeholder key and a surcharge with no amount
        {"<PAYMENT_METHOD_TYPE>": {"surcharge": {}}, "PAYMENT_CARD": {"networks": {"VISA": {}}}},
    ],
)
def test_payment_method_null_may_drop_empty_options_get_never_showed(
    http: httpx.Client, options: dict[str, Any]
) -> None:
    # options with nothing in them are left out of GET: "cannot remove them" was about
    # options unseen
    body = {"paymentMethod": {"vaultOnSuccess": True, "options": options}}
    token = create(http, body)["clientToken"]
    assert "options" not in http.get("/client-session", params={"clientToken": token}).json().get(
        "paymentMethod", {}
    )
    assert "paymentMethod" not in _patch(http, token, {"paymentMethod": None})


def test_a_patch_that_drops_options_and_breaks_the_total_hears_both(http: httpx.Client) -> None:
    """The options' 422 was given alone; once it was fixed, the total's came next."""
    options = {"GOOGLE_PAY": {"surcharge": {"amount": 7}}}
    body = {
        "amount": 100,
        "order": {"lineItems": [{"amount": 2**62}]},
        "paymentMethod": {"options": options},
    }
    token = create(http, body)["clientToken"]
    changes = {"amount": None, "paymentMethod": None, "order": {"fees": [{"amount": 2**62}]}}
    refused = http.patch("/client-session", json={"clientToken": token, **changes})
    inner = error_of(refused, 422, "RequestValidationError")
    assert paths(inner) == ["$.paymentMethod.options", "$.order"]
    assert inner["validationErrors"][0]["model"] == "ClientSessionUpdateAPIRequest"


def test_patch_amount_override_stays_until_cleared(http: httpx.Client) -> None:
    token = create(http, {"order": {"lineItems": [{"amount": 100}]}})["clientToken"]
    assert _patch(http, token, {"amount": 42})["amount"] == 42
    assert _patch(http, token, {"order": {"lineItems": [{"amount": 300}]}})["amount"] == 42
    assert _patch(http, token, {"amount": None})["amount"] == 300
    assert (
        _patch(http, token, {"order": {"lineItems": [{"amount": 5, "quantity": 2}]}})["amount"]
        == 10
    )


def test_patch_keeps_the_token_identity(http: httpx.Client, emulator: Emulator) -> None:
    token = create(http, {"orderId": "a"})["clientToken"]
    _patch(http, token, {"orderId": "b"})
    stored = emulator.sessions()
    assert len(stored) == 1 and stored[0]["clientToken"] == token and stored[0]["orderId"] == "b"
    assert http.get("/client-session", params={"clientToken": token}).json()["orderId"] == "b"


def test_patch_validates_with_post_rules(http: httpx.Client) -> None:
    token = create(http, {})["clientToken"]
    response = http.patch(
        "/client-session", json={"clientToken": token, "orderId": "x" * 256, "currencyCode": "ABC"}
    )
    assert set(paths(error_of(response, 422, "RequestValidationError"))) == {
        "$.orderId",
        "$.currencyCode",
    }


def test_patch_with_disabled_currency_or_empty_key_stores_nothing(http: httpx.Client) -> None:
    token = create(http, {"orderId": "a", "currencyCode": "EUR"})["clientToken"]
    http.patch(
        "/client-session", json={"clientToken": token, "orderId": "b", "currencyCode": "HUF"}
    )
    http.patch("/client-session", json={"clientToken": token, "orderId": "c", "metadata": {"": 1}})
    assert http.get("/client-session", params={"clientToken": token}).json()["orderId"] == "a"


# --- §5 paths and methods ----------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/client-sessions", "/client-session/", "/_emulator/nope"])
def test_unknown_paths_are_404_envelopes(http: httpx.Client, path: str) -> None:
    error_of(http.get(path), 404, "NotFound")


@pytest.mark.parametrize("method", ["PUT", "DELETE", "OPTIONS"])
def test_wrong_method_is_405_envelope(http: httpx.Client, method: str) -> None:
    response = http.request(method, "/client-session")
    error_of(response, 405, "MethodNotAllowed")
    assert "PATCH" in response.headers["allow"]


def test_over_asgi_transport_with_async_client(emulator: Emulator) -> None:
    async def scenario() -> tuple[int, int, int]:
        transport = httpx.ASGITransport(app=emulator.app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://e", headers=HEADERS
        ) as client:
            made = await client.post("/client-session", json={"orderId": "async"})
            token = made.json()["clientToken"]
            got = await client.get("/client-session", params={"clientToken": token})
            bad = await client.post(
                "/client-session", json={"orderId": 1}, headers={"X-API-KEY": KEY}
            )
            return made.status_code, got.status_code, bad.status_code

    assert run(scenario()) == (200, 200, 422)


@pytest.mark.parametrize(
    ("sent", "quoted"),
    [
        ("EURO", "'EURO'"),
        (True, "true"),
        ({"a": 1}, '{"a": 1}'),
        ("€" * 60, "(60 characters)"),
        (["x" * 40], "(44 characters of JSON)"),  # ["xx…x"]
    ],
)
def test_a_refused_code_is_quoted_as_it_was_sent_or_measured(
    http: httpx.Client, sent: object, quoted: str
) -> None:
    """The 422 quotes the refused value in the wire's terms (JSON `true`, not Python's
    `True`), and a long one by its length only: a part of it could be the first part of
    an API key, which no redaction would find then."""
    answer = http.post("/client-session", json={"orderId": "o-1", "currencyCode": sent})
    (detail,) = error_of(answer, 422, "RequestValidationError")["validationErrors"][0]["errors"]
    assert detail["description"] == (
        f"Value {quoted} is not a valid currency code (ISO 4217) in Primer's list"
    )


def test_a_number_past_pythons_digit_limit_is_named_not_called_invalid_json(
    http: httpx.Client,
) -> None:
    """Valid JSON that Python will not read as an int (over 4300 digits) gets a 400 that
    says so, not "not valid JSON"."""
    for body in (
        b'{"amount": ' + b"9" * 5000 + b"}",
        b'{"metadata": {"n": -' + b"1" * 5000 + b"}}",
    ):
        inner = error_of(http.post("/client-session", content=body), 400, "BadRequest")
        assert inner["description"] == "A number in the body has more than 4300 digits."


@pytest.mark.parametrize(
    ("raw", "description"),
    [
        (b'{"amount": 1e999}', "A number in the body is too large to read: 1e999."),
        (b'{"metadata": {"x": -2E+400}}', "A number in the body is too large to read: -2E+400."),
        (
            b'{"orderId": "o-\\ud800"}',
            "A string in the body holds a lone surrogate escape (such as \\ud800), which is "
            "not Unicode text.",
        ),
    ],
)
def test_valid_json_no_value_can_hold_says_what_is_wrong(
    http: httpx.Client, raw: bytes, description: str
) -> None:
    """`1e999` and a lone surrogate escape are valid JSON: the 400 says what cannot be
    read, not that the body is not JSON."""
    inner = error_of(http.post("/client-session", content=raw), 400, "BadRequest")
    assert inner["description"] == description


@pytest.mark.parametrize(
    ("raw", "description"),
    [
        (b'{"amount": 1e999, oops', "The request body is not valid JSON."),
        (b"[1e999]", "The request body must be a JSON object."),
        (b'["\\ud800"]', "The request body must be a JSON object."),
        (b"[" + b"9" * 5000 + b"]", "The request body must be a JSON object."),
        (
            b'{"amount": 1' + b"0" * 400 + b".5}",  # a float that reads as infinity
            "A number in the body is too large to read: 1" + "0" * 39 + "…",
        ),
    ],
)
def test_what_is_wrong_with_the_body_comes_before_its_numbers(
    http: httpx.Client, raw: bytes, description: str
) -> None:
    """A body that is not JSON, or not an object, says so even when it also holds a number
    too large to read; a long number is shown cut, marked with an ellipsis."""
    inner = error_of(http.post("/client-session", content=raw), 400, "BadRequest")
    assert inner["description"] == description
