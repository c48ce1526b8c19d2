"""Behaviour of `PrimerClient`: configuration, validation, errors, retries, hooks, secrets.

Most tests answer through `httpx.MockTransport`, so they need no emulator; the last
few run against the in-process emulator once `primer_nb.emulator` exists.
"""

from __future__ import annotations

import asyncio
import json
import logging
import pickle
import subprocess
import sys
import warnings
from collections.abc import Callable, Iterable
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import httpx
import pandas as pd
import pytest

from primer_nb import errors
from primer_nb.client import (
    BACKOFF_CAP,
    RETRY_AFTER_CAP,
    AsyncPrimerClient,
    Exchange,
    PrimerClient,
)
from primer_nb.config import BASE_URLS, EMULATOR_URL
from primer_nb.emulator import Emulator
from primer_nb.errors import (
    ConfigurationError,
    PrimerAPIError,
    PrimerConnectionError,
    PrimerTimeoutError,
    PrimerValidationError,
    UnknownFieldWarning,
)
from primer_nb.models import ClientSessionRequest, ClientSessionUpdateRequest, LineItem, Order

TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJleHAiOjE3MDIzNzI2ODJ9.c2lnbmF0dXJlX3g5UWs"
EXPIRY = "2023-12-12T09:18:02.346787"

Answer = httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]


def envelope(error_id: str, description: str, **extra: Any) -> dict[str, Any]:
    return {"error": {"errorId": error_id, "description": description, **extra}}


def created(request: httpx.Request) -> httpx.Response:
    """The emulator's shape of a POST answer: the request echoed plus token and expiry."""
    body = json.loads(request.content)
    return httpx.Response(
        200, json={**body, "clientToken": TOKEN, "clientTokenExpirationDate": EXPIRY}
    )


def session(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"orderId": "order-1", "amount": 500})


class Server:
    """A scripted server: answers in order (the last one repeats), records each request."""

    def __init__(self, answers: Iterable[Answer]) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers[min(len(self.requests), len(self.answers)) - 1]
        if isinstance(answer, Exception):
            raise answer
        if isinstance(answer, httpx.Response):
            return answer
        return answer(request)

    @property
    def bodies(self) -> list[Any]:
        return [json.loads(r.content) if r.content else None for r in self.requests]


def make(
    *answers: Answer,
    sleeps: list[float] | None = None,
    client_class: type[Any] = PrimerClient,
    **kwargs: Any,
) -> tuple[Any, Server]:
    """A sandbox client (key required) answering through a scripted MockTransport.

    Sleeps are recorded instead of taken, and the jitter is pinned to the top of its range.
    """
    server = Server(answers or [created])
    kwargs.setdefault("api_key", "sk_test_key")
    client = client_class(transport=httpx.MockTransport(server), **kwargs)
    recorded = sleeps if sleeps is not None else []

    async def async_sleep(seconds: float) -> None:
        recorded.append(seconds)

    client._sleep = recorded.append if client_class is PrimerClient else async_sleep
    client._random = lambda: 1.0
    return client, server


# --- configuration --------------------------------------------------------------------


def test_repr_shows_settings_and_hides_the_key(marker_key: str) -> None:
    client, _ = make(api_key=marker_key)
    assert repr(client) == (
        "PrimerClient(environment='sandbox', base_url='https://api.sandbox.primer.io', "
        "api_version='2.4', api_key='***')"
    )
    assert marker_key not in str(client) + repr(client.settings)


def test_no_configuration_targets_the_in_process_emulator() -> None:
    client = PrimerClient(transport=httpx.MockTransport(Server([session])))
    assert client.environment == "emulator"
    assert client.base_url == EMULATOR_URL
    assert client.settings.in_process
    assert client.emulator is None  # an explicit transport replaces the emulator


def test_primer_api_key_selects_the_sandbox(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRIMER_API_KEY", "sk_env_key")
    server = Server([session])
    client = PrimerClient(transport=httpx.MockTransport(server))
    assert client.environment == "sandbox"
    assert client.base_url == BASE_URLS["sandbox"]
    client.get_session(TOKEN)
    assert server.requests[0].url.host == "api.sandbox.primer.io"
    assert server.requests[0].headers["X-API-KEY"] == "sk_env_key"


def test_primer_base_url_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRIMER_BASE_URL", "http://127.0.0.1:8010/")
    server = Server([session])
    client = PrimerClient(transport=httpx.MockTransport(server))
    assert client.base_url == "http://127.0.0.1:8010"
    assert not client.settings.in_process
    client.get_session(TOKEN)
    assert str(server.requests[0].url).startswith("http://127.0.0.1:8010/client-session?")


def test_sandbox_requires_a_key() -> None:
    with pytest.raises(ConfigurationError, match="API key"):
        PrimerClient(environment="sandbox", transport=httpx.MockTransport(Server([session])))


def test_production_env_without_opt_in_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRIMER_ENV", "production")
    server = Server([session])
    with pytest.raises(ConfigurationError, match="production"):
        PrimerClient(api_key="sk_live", transport=httpx.MockTransport(server))
    assert server.requests == []


def test_production_url_without_opt_in_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="production"):
        PrimerClient(api_key="sk_live", base_url="https://api.primer.io")
    with pytest.raises(ConfigurationError, match="production"):
        PrimerClient(api_key="sk_live", base_url="https://api.primer.io", allow_production=True)


def test_production_with_both_opt_ins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PRIMER_ENV", "production")
    client, server = make(session, api_key="sk_live", allow_production=True)
    assert client.environment == "production"
    client.get_session(TOKEN)
    assert server.requests[0].url.host == "api.primer.io"


def test_explicit_emulator_ignores_a_real_key_in_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    class FakeEmulator:
        def __init__(self) -> None:
            self.server = Server([session])

        def transport(self) -> httpx.BaseTransport:
            return httpx.MockTransport(self.server)

        def async_transport(self) -> httpx.AsyncBaseTransport:
            return httpx.MockTransport(self.server)

    monkeypatch.setenv("PRIMER_API_KEY", "sk_real_key")
    fake = FakeEmulator()
    client = PrimerClient(emulator=fake)
    assert client.emulator is fake
    assert client.environment == "emulator"
    client.get_session(TOKEN)
    assert fake.server.requests[0].headers["X-API-KEY"] != "sk_real_key"
    with pytest.raises(ConfigurationError):
        PrimerClient(emulator=fake, base_url="http://127.0.0.1:8010")


def test_client_module_does_not_import_the_emulator() -> None:
    code = "import sys, primer_nb.client; print('primer_nb.emulator' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_context_manager_closes() -> None:
    client, _ = make(session)
    with client as same:
        assert same is client
    assert client._http.is_closed


def test_negative_max_retries_is_refused() -> None:
    with pytest.raises(ValueError):
        make(session, max_retries=-1)


# --- what is sent ---------------------------------------------------------------------


def test_headers_sent() -> None:
    client, server = make(session)
    client.get_session(TOKEN)
    headers = server.requests[0].headers
    assert headers["X-API-KEY"] == "sk_test_key"
    assert headers["X-API-VERSION"] == "2.4"
    assert headers["Content-Type"] == "application/json"
    assert headers["User-Agent"].startswith("primer-nb/")


def test_api_version_overridable(monkeypatch: pytest.MonkeyPatch) -> None:
    client, server = make(session, api_version="2.2")
    client.get_session(TOKEN)
    assert server.requests[0].headers["X-API-VERSION"] == "2.2"
    monkeypatch.setenv("PRIMER_API_VERSION", "2021-10-19")
    client, server = make(session)
    client.get_session(TOKEN)
    assert server.requests[0].headers["X-API-VERSION"] == "2021-10-19"
    assert client.api_version == "2021-10-19"


def test_create_session_posts_the_model_in_camel_case() -> None:
    client, server = make(created)
    request = ClientSessionRequest(
        order_id="order-1",
        currency_code="EUR",
        order=Order(line_items=[LineItem(amount=1299, quantity=2)]),
    )
    result = client.create_session(request)
    sent = server.requests[0]
    assert (sent.method, sent.url.path) == ("POST", "/client-session")
    assert server.bodies[0] == {
        "orderId": "order-1",
        "currencyCode": "EUR",
        "order": {"lineItems": [{"amount": 1299, "quantity": 2}]},
    }
    assert result.client_token == TOKEN
    assert result.client_token_expiration_date == datetime(
        2023, 12, 12, 9, 18, 2, 346787, tzinfo=UTC
    )


def test_create_session_sends_a_valid_dict_as_written() -> None:
    client, server = make(created)
    body = {"orderId": "o-1", "metadata": {"nested": {"a": [1, 2]}}, "amount": 0}
    client.create_session(body)
    assert server.bodies[0] == body
    assert list(server.bodies[0]) == list(body)


def test_get_session_sends_the_token_as_query() -> None:
    client, server = make(session)
    result = client.get_session(TOKEN)
    sent = server.requests[0]
    assert sent.method == "GET"
    assert sent.url.params["clientToken"] == TOKEN
    assert sent.content == b""
    assert result.amount == 500


def test_update_session_puts_the_token_in_the_body() -> None:
    client, server = make(session)
    with pytest.warns(
        UserWarning, match=r"changes\['clientToken'\] \(ignored\) is not the"
    ) as seen:
        client.update_session(TOKEN, {"amount": 700, "clientToken": "ignored"})
    assert "the argument's session is updated" in str(seen[0].message)
    assert seen[0].filename == __file__  # points at the caller's line
    assert TOKEN not in str(seen[0].message)  # shown shortened, as tables show tokens
    assert server.requests[0].method == "PATCH"
    assert server.bodies[0] == {"clientToken": TOKEN, "amount": 700}
    client.update_session(TOKEN, ClientSessionUpdateRequest(order_id="o-2"))
    assert server.bodies[1] == {"clientToken": TOKEN, "orderId": "o-2"}


def test_update_session_refuses_options_before_sending() -> None:
    client, server = make(session)
    with pytest.raises(PrimerValidationError) as info:
        client.update_session(TOKEN, {"paymentMethod": {"options": {}}, "approvalMode": "AUTO"})
    paths = {d.path for d in info.value.validation_errors}
    assert paths == {"$.paymentMethod.options", "$.approvalMode"}
    assert {d.model for d in info.value.validation_errors} == {"ClientSessionUpdateAPIRequest"}
    assert server.requests == []


def test_update_clearing_the_amount_refuses_a_negative_line_before_sending() -> None:
    # `"amount": null` makes the order's total the amount whatever the session holds,
    # and the body's lines replace the stored ones: the server's 422 is certain
    client, server = make(session)
    changes = {"amount": None, "order": {"lineItems": [{"amount": 1, "discountAmount": 5}]}}
    with pytest.raises(PrimerValidationError) as info:
        client.update_session(TOKEN, changes)
    assert info.value.local is True and server.requests == []
    [detail] = info.value.validation_errors
    assert detail.path == "$.order.lineItems[0].discountAmount"
    assert detail.model == "ClientSessionUpdateAPIRequest"
    # without `"amount": null` a stored override may hide the line: the server judges
    client.update_session(TOKEN, {"order": changes["order"]})
    assert server.bodies == [{"clientToken": TOKEN, "order": changes["order"]}]


# --- validation before the network ----------------------------------------------------


def test_invalid_request_is_refused_before_the_network() -> None:
    client, server = make(created)
    with pytest.raises(PrimerValidationError) as info:
        client.create_session({"order": {"lineItems": [{"amount": "100"}]}, "orderId": 5})
    error = info.value
    assert server.requests == []
    assert error.local is True
    assert error.status_code == 422
    assert error.error_id == "RequestValidationError"
    assert error.diagnostics_id is None
    assert [d.path for d in error.validation_errors] == ["$.orderId", "$.order.lineItems[0].amount"]
    assert all(d.model == "ClientSessionAPIRequest" for d in error.validation_errors)
    assert "$.order.lineItems[0].amount" in str(error)
    assert "before sending" in str(error)


def test_unknown_top_level_key_is_refused() -> None:
    client, server = make(created)
    with pytest.raises(PrimerValidationError) as info:
        client.create_session({"orderID": "o-1"})
    assert [d.path for d in info.value.validation_errors] == ["$.orderID"]
    assert server.requests == []


def test_snake_case_top_level_keys_are_refused_before_sending_with_the_wire_name() -> None:
    client, server = make(created, session)
    with pytest.raises(PrimerValidationError) as info:
        client.create_session({"order_id": "x", "currency_code": "HUF", "amount": 5})
    error = info.value
    assert (error.local, error.status_code) == (True, 422)
    assert [d.path for d in error.validation_errors] == ["$.order_id", "$.currency_code"]
    assert "$.order_id: Unknown field" in str(error)
    assert "did you mean `orderId`?" in str(error)
    assert "did you mean `currencyCode`?" in error.validation_errors[1].description
    with pytest.raises(PrimerValidationError) as patched:
        client.update_session(TOKEN, {"order_id": "renamed"})
    assert [d.path for d in patched.value.validation_errors] == ["$.order_id"]
    assert patched.value.validation_errors[0].model == "ClientSessionUpdateAPIRequest"
    assert server.requests == []


def test_python_names_still_work_in_python() -> None:
    client, server = make(created)
    client.create_session(ClientSessionRequest(order_id="o-1", currency_code="EUR"))
    assert server.bodies == [{"orderId": "o-1", "currencyCode": "EUR"}]


def test_nested_snake_case_key_warns_with_the_wire_name_and_is_sent_as_written() -> None:
    client, server = make(created)
    body = {"order": {"line_items": [{"amount": 5}]}}
    with pytest.warns(UnknownFieldWarning) as rec:
        client.create_session(body)
    assert [str(w.message) for w in rec] == [
        "$.order.line_items is not a field of $.order (in ClientSessionAPIRequest); did you "
        "mean `lineItems`?; it is sent as written"
    ]
    assert server.bodies == [body]


def test_a_top_level_field_sent_inside_an_object_is_pointed_to_its_place() -> None:
    """`currencyCode` is a field of the request, but not of `order`: the warning says
    which object lacks it and where it belongs, not that the schema has no such field."""
    client, _ = make(created)
    body = {"orderId": "o-1", "order": {"currencyCode": "EUR"}, "customer": {"orderId": "o-1"}}
    with pytest.warns(UnknownFieldWarning) as rec:
        client.create_session(body)
    assert [str(w.message) for w in rec] == [
        "$.order.currencyCode is not a field of $.order (in ClientSessionAPIRequest); it "
        "belongs at $.currencyCode; it is sent as written",
        "$.customer.orderId is not a field of $.customer (in ClientSessionAPIRequest); it "
        "belongs at $.orderId; it is sent as written",
    ]


def test_typo_warning_suggests_the_close_wire_name() -> None:
    client, _ = make(created)
    with pytest.warns(UnknownFieldWarning, match=r"emailAdress .*did you mean `emailAddress`\?"):
        client.create_session({"customer": {"emailAdress": "a@example.com"}})


def test_an_echoed_snake_case_key_is_not_read_as_the_field() -> None:
    """Against the emulator: `order.line_items` adds nothing to `amount`, and the
    parsed session does not read it as `order.line_items` (the wire `lineItems`)."""
    with PrimerClient(emulator=Emulator(seed=2)) as client, warnings.catch_warnings():
        warnings.simplefilter("ignore", UnknownFieldWarning)
        made = client.create_session(
            {"order": {"line_items": [{"amount": 700}], "lineItems": [{"amount": 300}]}}
        )
    assert made.amount == 300
    assert made.order is not None
    assert [item.amount for item in made.order.line_items or []] == [300]
    assert made.order.model_extra == {"line_items": [{"amount": 700}]}


def test_metadata_empty_key_is_refused_locally() -> None:
    client, server = make(created)
    with pytest.raises(errors.MetadataEmptyKeyError) as info:
        client.create_session({"metadata": {"": "x"}})
    assert info.value.status_code == 400
    assert info.value.local is True
    assert info.value.error_id == "MetadataContainsEmptyKey"
    assert server.requests == []


def _chain(levels: int) -> object:
    value: object = 1
    for level in range(levels):
        value = [value] if level % 2 else {"k": value}
    return value


@pytest.mark.parametrize("levels", [61, 62, 63, 300])
def test_nesting_too_deep_is_refused_locally_with_the_emulators_answer(levels: int) -> None:
    # one rule for both sides: what the emulator answers 400 the client refuses before
    # sending, with the same text (past 254 levels pydantic's own recursion error spoke)
    body = {"currencyCode": "EUR", "metadata": {"deep": _chain(levels)}}
    served = httpx.Client(transport=Emulator().transport(), base_url="http://e")
    answer = served.post("/client-session", json=body, headers={"X-API-KEY": "k"})
    client, server = make(created)
    if answer.status_code == 200:
        client.create_session(body)
        assert len(server.requests) == 1
        return
    with pytest.raises(errors.BadRequestError) as info:
        client.create_session(body)
    assert (info.value.status_code, info.value.local) == (400, True)
    assert info.value.description == answer.json()["error"]["description"]
    assert info.value.description == "The JSON body is nested more than 64 levels deep."
    assert server.requests == []


def test_a_session_object_as_the_token_is_a_type_error_that_says_what_to_pass() -> None:
    """`client.get_session(session)` used to answer "The client token is invalid.", as if
    the token had expired."""
    client, server = make(created)
    session = client.create_session({"orderId": "o-1"})
    for call in (
        lambda: client.get_session(session),  # type: ignore[arg-type]
        lambda: client.update_session(session, {"orderId": "o-2"}),  # type: ignore[arg-type]
    ):
        with pytest.raises(TypeError) as info:
            call()
        assert str(info.value) == (
            "client_token must be a str, e.g. session.client_token, not "
            "ClientSessionWithToken (its .client_token)"
        )
    with pytest.raises(TypeError, match=r"must be a str, e.g. session.client_token, not int$"):
        client.get_session(7)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="not ClientSessionWithToken"):  # checks off too
        client.update_session(session, {"orderId": "o-2"}, validate=False)  # type: ignore[arg-type]
    for missing in (float("nan"), pd.NA):  # a DataFrame's missing token: no token at all
        with pytest.raises(errors.InvalidClientTokenError):
            client.get_session(missing)  # type: ignore[arg-type]
    assert len(server.requests) == 1  # the POST only


def test_a_refused_default_key_says_no_key_was_configured(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An emulator given keys of its own refuses the kit's default key: the error says
    that key was sent, and where the right one goes, instead of "check the sandbox key"."""
    monkeypatch.delenv("PRIMER_API_KEY", raising=False)
    locked = Emulator(api_keys=["team-key-123"])
    given = PrimerClient(emulator=locked)
    with pytest.raises(errors.AuthenticationError) as info:
        given.create_session({"orderId": "o-1"})
    assert str(info.value).endswith(errors.DEFAULT_KEY_REFUSED_BY_EMULATOR_HINT)
    assert info.value.args == (str(info.value),)
    assert str(pickle.loads(pickle.dumps(info.value))) == str(info.value)
    served = PrimerClient(base_url="http://127.0.0.1:8010", transport=locked.transport())
    with pytest.raises(errors.AuthenticationError) as info:
        served.create_session({"orderId": "o-1"})
    assert str(info.value).endswith(errors.DEFAULT_KEY_REFUSED_HINT)
    # in process without emulator=: PRIMER_API_KEY alone would mean Primer's sandbox
    in_process = PrimerClient(transport=locked.transport())
    with pytest.raises(errors.AuthenticationError) as info:
        in_process.create_session({"orderId": "o-1"})
    assert str(info.value).endswith(errors.DEFAULT_KEY_REFUSED_BY_EMULATOR_HINT)
    wrong = PrimerClient(emulator=locked, api_key="wrong-key-456")
    with pytest.raises(errors.AuthenticationError) as info:
        wrong.create_session({"orderId": "o-1"})
    assert str(info.value).endswith(errors.AUTHENTICATION_HINT)  # a key was configured


@pytest.mark.parametrize("token", ["", "   ", None])
def test_no_client_token_at_all_gets_the_servers_answer_before_sending(token: Any) -> None:
    client, server = make(created)
    for call in (
        lambda: client.get_session(token),
        lambda: client.update_session(token, {"orderId": "o-1"}),
    ):
        with pytest.raises(errors.InvalidClientTokenError) as info:
            call()
        assert (info.value.status_code, info.value.local) == (400, True)
        assert info.value.error_id == "ClientSessionValidationError"
    assert server.requests == []
    client.update_session(token, {"orderId": "o-1"}, validate=False)  # sent as written
    assert len(server.requests) == 1


@pytest.mark.parametrize("timeout", [0, -1, float("nan"), float("inf"), 1e10])
def test_a_timeout_that_cannot_work_is_refused(timeout: float) -> None:
    # timeout=-1 made every call time out; NaN and inf are no number of seconds either;
    # 1e10 made the sync client's first request raise a raw OverflowError (time_t)
    with pytest.raises(ValueError, match="timeout must be a positive number of seconds"):
        PrimerClient(timeout=timeout)
    PrimerClient(timeout=0.5).close()
    with PrimerClient(timeout=1e9) as longest:  # the longest one works
        assert longest.create_session({"orderId": "o-1"}).order_id == "o-1"


def test_validate_false_sends_the_raw_dict() -> None:
    answer = httpx.Response(
        422,
        json=envelope(
            "RequestValidationError",
            "We were unable to validate your request",
            validationErrors=[
                {
                    "model": "ClientSessionAPIRequest",
                    "errors": [{"path": "$.amount", "description": "x"}],
                }
            ],
        ),
    )
    client, server = make(answer)
    raw = {"amount": "100", "unknown": True, "metadata": {"": 1}}
    with pytest.raises(PrimerValidationError) as info:
        client.create_session(raw, validate=False)
    assert server.bodies == [raw]
    assert info.value.local is False
    assert info.value.validation_errors[0].path == "$.amount"


def test_validate_false_on_the_client() -> None:
    client, server = make(session, validate=False)
    assert client.update_session(TOKEN, {"approvalMode": "AUTO"}).amount == 500
    assert server.bodies == [{"clientToken": TOKEN, "approvalMode": "AUTO"}]


def test_unknown_nested_field_warns_at_the_callers_line() -> None:
    client, server = make(created)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        client.create_session({"customer": {"emailAdress": "a@example.com"}})
    assert len(caught) == 1
    warning = caught[0]
    assert issubclass(warning.category, UnknownFieldWarning)
    assert "$.customer.emailAdress" in str(warning.message)
    assert warning.filename == __file__
    assert server.bodies == [{"customer": {"emailAdress": "a@example.com"}}]


def test_unknown_nested_field_warns_for_updates_too() -> None:
    client, _ = make(session)
    with pytest.warns(UnknownFieldWarning, match=r"\$\.order\.lineItems\[0\]\.colour") as rec:
        client.update_session(TOKEN, {"order": {"lineItems": [{"amount": 1, "colour": "red"}]}})
    assert rec[0].filename == __file__


# --- errors from answers --------------------------------------------------------------

INVALID_TOKEN = envelope(
    "ClientSessionValidationError",
    "The client token is invalid.",
    recoverySuggestion="Please provide a valid client token.",
    diagnosticsId="1234567898",
)
VALIDATION_422 = envelope(
    "RequestValidationError",
    "We were unable to validate your request, please check your payload against /docs/api",
    diagnosticsId="1234567898",
    validationErrors=[
        {
            "model": "ClientSessionAPIRequest",
            "errors": [
                {"path": "$.customerId", "description": "Value must be a valid string"},
                {"path": "$.order.lineItems[0].amount", "description": "Field required"},
            ],
        }
    ],
)

ERROR_CASES: list[tuple[int, Any, type[PrimerAPIError], str]] = [
    (400, INVALID_TOKEN, errors.InvalidClientTokenError, "ClientSessionValidationError"),
    (
        400,
        envelope("MetadataContainsEmptyKey", "Metadata field contains empty string key."),
        errors.MetadataEmptyKeyError,
        "MetadataContainsEmptyKey",
    ),
    (
        400,
        envelope("DisabledCurrencyError", "HUF is a disabled currency"),
        errors.DisabledCurrencyError,
        "DisabledCurrencyError",
    ),
    (
        400,
        envelope("UnsupportedApiVersion", "Unsupported API version"),
        errors.UnsupportedApiVersionError,
        "UnsupportedApiVersion",
    ),
    (400, envelope("BadRequest", "Malformed JSON"), errors.BadRequestError, "BadRequest"),
    (
        403,
        envelope("SecurityPolicyBlock", "Blocked by the security policy"),
        errors.AuthenticationError,
        "SecurityPolicyBlock",
    ),
    (401, envelope("Unauthorized", "Missing API key"), errors.AuthenticationError, "Unauthorized"),
    (403, envelope("Forbidden", "Wrong scope"), errors.AuthenticationError, "Forbidden"),
    (404, envelope("NotFound", "No such path"), errors.NotFoundError, "NotFound"),
    (405, envelope("MethodNotAllowed", "No"), errors.NotFoundError, "MethodNotAllowed"),
    (413, envelope("RequestTooLarge", "Too big"), errors.RequestTooLargeError, "RequestTooLarge"),
    (422, VALIDATION_422, errors.PrimerValidationError, "RequestValidationError"),
    (
        500,
        envelope("InternalServerError", "Boom"),
        errors.ServerError,
        "InternalServerError",
    ),
    # the 2.2 spec's bare error object and the Android SDK's `detail`
    (400, INVALID_TOKEN["error"], errors.InvalidClientTokenError, "ClientSessionValidationError"),
    (
        403,
        {"errorId": "SecurityPolicyBlock", "detail": "Blocked"},
        errors.AuthenticationError,
        "SecurityPolicyBlock",
    ),
]


@pytest.mark.parametrize(("status", "body", "cls", "error_id"), ERROR_CASES)
def test_error_class_from_a_primer_body(
    status: int, body: Any, cls: type[PrimerAPIError], error_id: str
) -> None:
    client, server = make(httpx.Response(status, json=body))
    with pytest.raises(cls) as info:
        client.create_session({"orderId": "o-1"})
    error = info.value
    assert type(error) is cls
    assert (error.status_code, error.error_id, error.local) == (status, error_id, False)
    assert error.description
    line = str(error)
    assert "\n" not in line
    assert line.startswith(f"{status} {error_id}")
    assert error.description in line
    assert len(server.requests) == 1  # no 4xx but 429, no POST 5xx is retried


def test_a_bad_key_is_an_authentication_error_that_says_what_to_check() -> None:
    """The emulator answers 403 SecurityPolicyBlock, as the sandbox does; the message
    points at the X-API-KEY header and the key being active, and never holds the key."""
    strict = Emulator(seed=3, api_keys=["the-right-key"])
    calls: list[Callable[[PrimerClient], object]] = [
        lambda c: c.create_session({"orderId": "o-1"}),
        lambda c: c.get_session("eyJ.not.a.token"),
        lambda c: c.update_session("eyJ.not.a.token", {"amount": 5}),
    ]
    with PrimerClient("sk_wrong_key_0042", emulator=strict, max_retries=0) as client:
        for call in calls:
            with pytest.raises(errors.AuthenticationError) as info:
                call(client)
            error = info.value
            assert (error.status_code, error.error_id) == (403, "SecurityPolicyBlock")
            text = str(error)
            assert "X-API-KEY" in text and "active" in text
            assert "sk_wrong_key_0042" not in text + repr(error) + json.dumps(error.body)
    assert strict.session_count == 0
    strict.close()


def test_validation_error_paths_and_str() -> None:
    client, _ = make(httpx.Response(422, json=VALIDATION_422))
    with pytest.raises(PrimerValidationError) as info:
        client.create_session({"orderId": "o-1"})
    error = info.value
    assert [(d.model, d.path) for d in error.validation_errors] == [
        ("ClientSessionAPIRequest", "$.customerId"),
        ("ClientSessionAPIRequest", "$.order.lineItems[0].amount"),
    ]
    assert error.diagnostics_id == "1234567898"
    assert str(error) == (
        "422 RequestValidationError: We were unable to validate your request, please check "
        "your payload against /docs/api [$.customerId: Value must be a valid string; "
        "$.order.lineItems[0].amount: Field required] (diagnosticsId 1234567898)"
    )


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (502, errors.ServerError),
        (503, errors.ServerError),
        (504, errors.GatewayTimeoutError),
        (429, errors.RateLimitError),
    ],
)
def test_retryable_statuses_raise_their_class_when_exhausted(
    status: int, cls: type[PrimerAPIError]
) -> None:
    body = envelope("ServiceUnavailable", "Try later", diagnosticsId="42")
    client, server = make(httpx.Response(status, json=body), max_retries=1)
    with pytest.raises(cls) as info:
        client.get_session(TOKEN)
    assert type(info.value) is cls
    assert len(server.requests) == 2


def test_rate_limit_error_carries_retry_after() -> None:
    answer = httpx.Response(
        429, json=envelope("TooManyRequests", "Slow down"), headers={"Retry-After": "3"}
    )
    client, server = make(answer, max_retries=0)
    with pytest.raises(errors.RateLimitError) as info:
        client.create_session({"orderId": "o-1"})
    assert info.value.retry_after == 3.0
    assert len(server.requests) == 1


def test_error_without_an_envelope() -> None:
    client, _ = make(httpx.Response(502, text="<html>Bad Gateway</html>"), max_retries=0)
    with pytest.raises(errors.ServerError) as info:
        client.get_session(TOKEN)
    assert info.value.error_id == "HTTP502"
    assert info.value.body == {"raw": "<html>Bad Gateway</html>"}


def test_success_that_is_not_json() -> None:
    client, _ = make(httpx.Response(200, text="<html>hello</html>"))
    with pytest.raises(PrimerAPIError, match="not JSON") as info:
        client.get_session(TOKEN)
    assert info.value.error_id == "InvalidResponse"


@pytest.mark.parametrize(
    "answer",
    [
        {"amount": True},
        {"amount": "1299"},
        {"amount": 1299.0},
        {"order": {"lineItems": [{"amount": 100, "quantity": "2"}]}},
        {"order": {"fees": [{"amount": 1.5}]}},
        {"paymentMethod": {"vaultOnSuccess": 1}},
    ],
)
def test_a_value_of_the_wrong_json_type_in_an_answer_is_invalid(answer: dict[str, Any]) -> None:
    """`"amount": true` was read as 1, `"1299"` and `1299.0` as 1299, `vaultOnSuccess: 1`
    as True: the session showed an amount Primer never sent (the models' docstrings
    promise an InvalidResponse for a value of the wrong JSON type)."""
    client, _ = make(httpx.Response(200, json={"orderId": "o-1", **answer}))
    with pytest.raises(PrimerAPIError, match="is not a valid ClientSession") as info:
        client.get_session(TOKEN)
    assert info.value.error_id == "InvalidResponse"


def test_success_that_is_not_a_session() -> None:
    client, _ = make(httpx.Response(200, json={"orderId": "o-1"}))  # no clientToken
    with pytest.raises(PrimerAPIError, match="ClientSessionWithToken"):
        client.create_session({"orderId": "o-1"})


def test_examples_error_bodies(examples: list[dict[str, Any]]) -> None:
    expected = {
        "ClientSessionValidationError": errors.InvalidClientTokenError,
        "MetadataContainsEmptyKey": errors.MetadataEmptyKeyError,
        "RequestValidationError": errors.PrimerValidationError,
        "DisabledCurrencyError": errors.DisabledCurrencyError,
    }
    seen = set()
    for example in examples:
        response = example["response"]
        if not isinstance(response, dict) or "error" not in response:
            continue
        status = example["status"] or 400
        client, _ = make(httpx.Response(status, json=response))
        with pytest.raises(PrimerAPIError) as info:
            client.create_session({"orderId": "o-1"})
        error_id = response["error"]["errorId"]
        assert type(info.value) is expected[error_id], example["id"]
        assert info.value.diagnostics_id == response["error"]["diagnosticsId"]
        seen.add(error_id)
    assert seen == set(expected)


# --- transport failures ---------------------------------------------------------------


def test_timeout_raises_primer_timeout_error() -> None:
    client, server = make(httpx.ReadTimeout("timed out"), max_retries=0)
    with pytest.raises(PrimerTimeoutError, match="ReadTimeout"):
        client.get_session(TOKEN)
    assert len(server.requests) == 1


@pytest.mark.parametrize(
    ("failure", "base_url", "method", "next_step"),
    [
        (
            httpx.ConnectError("[Errno 111] Connection refused"),
            "http://127.0.0.1:8010",
            "GET",
            "Is the server running at that address? (`primer-nb emulator` prints its URL.)",
        ),
        (
            httpx.ConnectError("[Errno -2] Name or service not known"),
            None,
            "GET",
            "Check this machine's network connection (and any proxy) to "
            "https://api.sandbox.primer.io.",
        ),
        (
            httpx.ConnectError("[SSL: WRONG_VERSION_NUMBER] wrong version number (_ssl.c:1006)"),
            "https://127.0.0.1:8010",
            "GET",
            "The server there speaks plain http, not https: use an http:// URL.",
        ),
        (
            httpx.ReadTimeout("timed out"),
            None,
            "POST",
            "The client stopped waiting; a session may have been made all the same (pass "
            "timeout= to wait longer).",
        ),
        (
            httpx.RemoteProtocolError("Server disconnected without sending a response."),
            None,
            "GET",
            "The connection closed before the answer came.",
        ),
        (
            httpx.ConnectError("[SSL: WRONG_VERSION_NUMBER] wrong version number (_ssl.c:1006)"),
            None,
            "GET",
            "Something on the way speaks plain http, not https: a proxy that does is written "
            "http:// in HTTPS_PROXY.",
        ),
        (
            httpx.ConnectError("[Errno 111] Connection refused"),
            None,
            "GET",
            "Check this machine's network connection (and any proxy) to "
            "https://api.sandbox.primer.io.",
        ),
        (
            httpx.ConnectError("[Errno -2] Name or service not known"),
            "http://emulatr:8010",
            "GET",
            "Check this machine's network connection (and any proxy) to http://emulatr:8010.",
        ),
        (
            httpx.ProxyError("407 Proxy Authentication Required"),
            None,
            "GET",
            "Check the proxy this machine uses (HTTPS_PROXY, HTTP_PROXY) and its login.",
        ),
        (
            httpx.PoolTimeout("pool"),
            "http://127.0.0.1:8010",
            "GET",
            "Every connection of the client's pool was busy for the whole timeout: send "
            "fewer requests at once, or pass a larger timeout=.",
        ),
        (
            httpx.LocalProtocolError("Illegal header value b'a\\nb'"),
            "http://127.0.0.1:8010",
            "GET",
            "httpx could not write this request: check the URL and headers passed.",
        ),
    ],
)
def test_no_answer_says_what_to_do_next(
    failure: Exception, base_url: str | None, method: str, next_step: str
) -> None:
    """The OS's words alone (`Connection refused`, `Name or service not known`) left a
    learner with nothing to try; parity's own messages said what to check."""
    options: dict[str, Any] = {"max_retries": 0}
    if base_url is not None:
        options.update(base_url=base_url, environment="emulator")
    client, _ = make(failure, **options)
    with pytest.raises(PrimerConnectionError) as info:
        if method == "GET":
            client.get_session(TOKEN)
        else:
            client.create_session({"orderId": "o-1"})
    assert str(info.value).endswith(next_step)


def test_connection_failure_raises_primer_connection_error() -> None:
    client, server = make(httpx.ConnectError("refused"))
    with pytest.raises(PrimerConnectionError, match="after 3 attempts") as info:
        client.create_session({"orderId": "o-1"})
    assert not isinstance(info.value, PrimerTimeoutError)
    assert info.value.sent is False  # no connection was made: sending again is safe
    assert len(server.requests) == 3


# --- retries --------------------------------------------------------------------------


def too_many(retry_after: str | None = None) -> httpx.Response:
    headers = {"Retry-After": retry_after} if retry_after is not None else {}
    return httpx.Response(429, json=envelope("TooManyRequests", "Slow down"), headers=headers)


def unavailable() -> httpx.Response:
    return httpx.Response(503, json=envelope("ServiceUnavailable", "Try later"))


def test_get_retries_429_and_honours_retry_after() -> None:
    sleeps: list[float] = []
    client, server = make(too_many("1"), too_many("2.5"), session, sleeps=sleeps)
    assert client.get_session(TOKEN).amount == 500
    assert len(server.requests) == 3
    assert sleeps == [1.0, 2.5]


def test_get_exhausts_after_max_retries_plus_one() -> None:
    sleeps: list[float] = []
    client, server = make(unavailable(), sleeps=sleeps)
    with pytest.raises(errors.ServerError):
        client.get_session(TOKEN)
    assert len(server.requests) == 3
    assert sleeps == [0.5, 1.0]  # backoff 0.5 * 2**n at the top of the jitter range
    client, server = make(unavailable(), max_retries=4)
    with pytest.raises(errors.ServerError):
        client.get_session(TOKEN)
    assert len(server.requests) == 5


@pytest.mark.parametrize("status", [502, 503, 504])
def test_get_retries_gateway_statuses(status: int) -> None:
    client, server = make(httpx.Response(status), session)
    assert client.get_session(TOKEN).amount == 500
    assert len(server.requests) == 2


@pytest.mark.parametrize(
    "failure", [httpx.ReadError("reset"), httpx.ReadTimeout("slow"), httpx.ConnectError("no")]
)
def test_get_retries_transport_errors(failure: Exception) -> None:
    client, server = make(failure, session)
    assert client.get_session(TOKEN).amount == 500
    assert len(server.requests) == 2


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_post_is_never_resent_after_a_5xx(status: int) -> None:
    client, server = make(httpx.Response(status, json=envelope("X", "y")), created)
    with pytest.raises(errors.ServerError):
        client.create_session({"orderId": "o-1"})
    assert len(server.requests) == 1


def test_patch_is_never_resent_after_a_5xx() -> None:
    client, server = make(unavailable(), session)
    with pytest.raises(errors.ServerError):
        client.update_session(TOKEN, {"amount": 1})
    assert len(server.requests) == 1


@pytest.mark.parametrize(
    "failure",
    [httpx.ProxyError("407 Proxy Authentication Required"), httpx.UnsupportedProtocol("x")],
)
def test_a_request_that_never_left_this_machine_is_not_called_sent(failure: Exception) -> None:
    """A proxy's refusal reached no server: the builders must not say the session may
    have been created."""
    client, server = make(failure)
    with pytest.raises(PrimerConnectionError) as info:
        client.create_session({"orderId": "o-1"})
    assert info.value.sent is False
    assert len(server.requests) == 1  # and, unlike a refused connection, not tried again


@pytest.mark.parametrize("failure", [httpx.ConnectError("refused"), httpx.ConnectTimeout("slow")])
def test_post_is_retried_when_nothing_was_sent(failure: Exception) -> None:
    client, server = make(failure, created)
    assert client.create_session({"orderId": "o-1"}).client_token == TOKEN
    assert len(server.requests) == 2
    assert server.bodies[0] == server.bodies[1]


@pytest.mark.parametrize(
    "failure",
    [
        httpx.ReadError("reset"),
        httpx.ReadTimeout("slow"),
        httpx.WriteError("broken pipe"),
        httpx.RemoteProtocolError("bad"),
    ],
)
def test_post_is_not_retried_once_it_may_have_been_processed(failure: Exception) -> None:
    client, server = make(failure, created)
    with pytest.raises(PrimerConnectionError) as info:
        client.create_session({"orderId": "o-1"})
    assert info.value.sent is True  # the builders say the session may exist all the same
    assert len(server.requests) == 1


def test_post_answered_429_is_not_sent_again() -> None:
    """A 429 is an answer; Primer documents none, so nothing says the POST was not
    processed: the caller gets the RateLimitError and its hint, and decides."""
    sleeps: list[float] = []
    client, server = make(too_many("1"), created, sleeps=sleeps)
    with pytest.raises(errors.RateLimitError) as caught:
        client.create_session({"orderId": "o-1"})
    assert caught.value.retry_after == 1.0
    assert len(server.requests) == 1
    assert sleeps == []


def test_patch_answered_429_is_not_sent_again() -> None:
    client, server = make(too_many(), session)
    with pytest.raises(errors.RateLimitError):
        client.update_session(TOKEN, {"amount": 1})
    assert len(server.requests) == 1


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_a_retry_after_past_the_cap_is_raised_at_once(method: str) -> None:
    """Resending before the server's time only meets more 429s: the caller gets the
    RateLimitError with the server's hint and decides whether to wait an hour."""
    sleeps: list[float] = []
    client, server = make(too_many("3600"), session, sleeps=sleeps)
    with pytest.raises(errors.RateLimitError) as caught:
        if method == "GET":
            client.get_session(TOKEN)
        else:
            client.create_session({"orderId": "o-1"})
    assert caught.value.retry_after == 3600 > RETRY_AFTER_CAP
    assert sleeps == [] and len(server.requests) == 1


def test_a_retry_after_at_the_cap_is_waited_for() -> None:
    sleeps: list[float] = []
    client, server = make(too_many(str(int(RETRY_AFTER_CAP))), session, sleeps=sleeps)
    client.get_session(TOKEN)
    assert sleeps == [RETRY_AFTER_CAP] and len(server.requests) == 2


def test_retry_after_as_http_date() -> None:
    sleeps: list[float] = []
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=10), usegmt=True)
    client, _ = make(too_many(when), session, sleeps=sleeps)
    client.get_session(TOKEN)
    assert 8.0 <= sleeps[0] <= 10.0


@pytest.mark.parametrize(
    "when", ["Wed, 01 Jan 99999999999 00:00:00 GMT", "Fri, 31 Dec 9999 23:59:60 GMT"]
)
def test_a_retry_after_date_past_any_calendar_is_no_hint(when: str) -> None:
    """A year past 9999 raised a raw OverflowError out of get_session and create_session,
    where any other unreadable Retry-After is read as no hint."""
    sleeps: list[float] = []
    client, server = make(
        httpx.Response(
            503, json=envelope("ServiceUnavailable", "Try later"), headers={"Retry-After": when}
        ),
        session,
        sleeps=sleeps,
    )
    assert client.get_session(TOKEN).amount == 500
    assert len(server.requests) == 2 and sleeps == [0.5]


@pytest.mark.parametrize("client_class", [PrimerClient, AsyncPrimerClient])
def test_an_answer_whose_body_cannot_be_decoded_is_a_connection_error(
    client_class: type[Any], marker_key: str
) -> None:
    """A corrupt gzip body escaped as a raw `httpx.DecodingError`, neither a
    PrimerAPIError nor a PrimerConnectionError, with the key in its request's headers.
    The server answered: a POST is not sent again, a GET is."""

    def corrupt(request: httpx.Request) -> httpx.Response:
        gzip = {"Content-Encoding": "gzip"}
        return httpx.Response(200, headers=gzip, stream=httpx.ByteStream(b"nope"))

    def run(call: Any) -> Any:
        result = call()
        return asyncio.run(result) if asyncio.iscoroutine(result) else result

    client, server = make(corrupt, client_class=client_class, api_key=marker_key)
    with pytest.raises(errors.PrimerConnectionError) as posted:
        run(lambda: client.create_session({"orderId": "o-1"}))
    assert len(server.requests) == 1 and posted.value.sent
    message = str(posted.value)
    assert "got no answer it could read after 1 attempt: DecodingError: " in message
    assert "a session may have been made all the same" in message
    chain = [posted.value, posted.value.__cause__, posted.value.__context__]
    assert marker_key not in " ".join(repr(e) + str(e) for e in chain if e is not None)

    client, server = make(corrupt, session, client_class=client_class, api_key=marker_key)
    assert run(lambda: client.get_session(TOKEN)).amount == 500
    assert len(server.requests) == 2


def test_backoff_is_exponential_capped_and_jittered() -> None:
    sleeps: list[float] = []
    client, _ = make(unavailable(), sleeps=sleeps, max_retries=6)
    with pytest.raises(errors.ServerError):
        client.get_session(TOKEN)
    assert sleeps == [0.5, 1.0, 2.0, 4.0, BACKOFF_CAP, BACKOFF_CAP]
    jittered: list[float] = []
    client, _ = make(unavailable(), sleeps=jittered, max_retries=3)
    client._random = lambda: 0.25
    with pytest.raises(errors.ServerError):
        client.get_session(TOKEN)
    assert jittered == [0.125, 0.25, 0.5]


def test_zero_retries() -> None:
    client, server = make(too_many("1"), session, max_retries=0)
    with pytest.raises(errors.RateLimitError):
        client.get_session(TOKEN)
    assert len(server.requests) == 1


def test_retry_is_logged_at_warning(caplog: pytest.LogCaptureFixture) -> None:
    client, _ = make(too_many("2"), session)
    with caplog.at_level(logging.WARNING, logger="primer_nb"):
        client.get_session(TOKEN)
    (record,) = [r for r in caplog.records if r.name == "primer_nb"]
    assert record.levelno == logging.WARNING
    assert "GET /client-session in 2.00 s" in record.getMessage()
    assert "HTTP 429" in record.getMessage()


def test_each_attempt_is_logged_at_debug(caplog: pytest.LogCaptureFixture) -> None:
    client, _ = make(created)
    with caplog.at_level(logging.DEBUG, logger="primer_nb"):
        client.create_session({"orderId": "o-1"})
    (record,) = [r for r in caplog.records if r.name == "primer_nb"]
    message = record.getMessage()
    assert message.startswith("POST /client-session -> 200 (")
    assert " ms) attempt 1" in message
    assert "'X-API-KEY': '***'" in message


# --- raw requests ---------------------------------------------------------------------


def test_raw_request_does_not_validate_or_raise() -> None:
    client, server = make(httpx.Response(400, json=envelope("BadRequest", "Malformed JSON")))
    response = client.request("POST", "/client-session", content=b"{not json")
    assert response.status_code == 400
    assert server.requests[0].content == b"{not json"
    assert server.requests[0].headers["X-API-KEY"] == "sk_test_key"


def test_raw_request_retries_get_and_passes_headers() -> None:
    client, server = make(unavailable(), session)
    response = client.request(
        "get", "/client-session", params={"clientToken": "t"}, headers={"X-API-VERSION": "9"}
    )
    assert response.status_code == 200
    assert len(server.requests) == 2
    assert server.requests[0].headers["X-API-VERSION"] == "9"
    assert server.requests[0].url.params["clientToken"] == "t"


def test_raw_request_json() -> None:
    client, server = make(created)
    response = client.request("POST", "/client-session", json={"orderId": 5})
    assert response.status_code == 200
    assert server.bodies == [{"orderId": 5}]


def test_raw_request_response_hides_the_key_in_its_request_repr(marker_key: str) -> None:
    # httpx hides only `Authorization` in a Headers repr; the raw response's request
    # shows `***` for X-API-KEY, and the key is still what was sent
    client = PrimerClient(api_key=marker_key, environment="emulator")
    response = client.request("GET", "/client-session", params={"clientToken": "x"})
    shown = repr(response.request.headers)
    assert marker_key not in shown
    assert "'x-api-key': '***'" in shown
    assert "'x-api-version': '2.4'" in shown
    assert response.request.headers["X-API-KEY"] == marker_key
    assert marker_key not in repr(response.request) + repr(response)


# --- hooks ----------------------------------------------------------------------------


def test_one_exchange_per_attempt() -> None:
    seen: list[Exchange] = []
    client, _ = make(httpx.ConnectError("refused"), created, hooks=[seen.append])
    client.create_session({"orderId": "o-1"})
    assert [e.attempt for e in seen] == [1, 2]
    assert [e.status for e in seen] == [None, 200]
    assert [e.error for e in seen] == ["ConnectError: refused", None]
    assert len({e.request_id for e in seen}) == 1
    first, second = seen
    assert first.method == "POST"
    assert first.path == "/client-session"
    assert first.query == {}
    assert first.request_body == {"orderId": "o-1"}
    assert first.environment == "sandbox"
    assert first.api_version == "2.4"
    assert first.started_at.tzinfo is not None
    assert first.duration_ms >= 0
    assert first.request_headers["X-API-KEY"] == "***"
    assert second.response_body["clientToken"] == TOKEN
    client.create_session({"orderId": "o-2"})
    assert seen[2].request_id != first.request_id


def test_exchange_for_a_get_and_for_a_transport_failure() -> None:
    seen: list[Exchange] = []
    client, _ = make(httpx.ReadError("reset"), session)
    client.add_hook(seen.append)
    client.get_session(TOKEN)
    failed, answered = seen
    assert failed.status is None
    assert failed.response_body is None
    assert failed.error == "ReadError: reset"
    assert failed.query == {"clientToken": TOKEN}
    assert failed.request_body is None
    assert answered.status == 200
    assert answered.response_body == {"orderId": "order-1", "amount": 500}


def test_hooks_can_be_removed() -> None:
    seen: list[Exchange] = []
    client, _ = make(session, hooks=[seen.append])
    assert client.hooks == (seen.append,)
    client.remove_hook(seen.append)
    client.get_session(TOKEN)
    assert seen == []
    assert client.hooks == ()


def test_a_failing_hook_is_logged_and_never_breaks_the_call(
    caplog: pytest.LogCaptureFixture,
) -> None:
    seen: list[Exchange] = []

    def broken(exchange: Exchange) -> None:
        raise RuntimeError("ledger is full")

    client, _ = make(session, hooks=[broken, seen.append])
    with caplog.at_level(logging.WARNING, logger="primer_nb"):
        assert client.get_session(TOKEN).amount == 500
    assert len(seen) == 1
    assert any("ledger is full" in r.getMessage() for r in caplog.records)
    assert all(r.levelno == logging.WARNING for r in caplog.records if r.name == "primer_nb")


def test_a_closed_client_says_so_and_reports_no_attempt(tmp_path: Path) -> None:
    """A call after `close()` (or the `with` block) raises a `RuntimeError` that says what
    happened, before anything is sent. No hook hears of it: the ledger once recorded a POST
    "the server may have processed", and a resume refused the order as OutcomeUnknown."""
    from primer_nb.batch import create_sessions
    from primer_nb.client import AsyncPrimerClient
    from primer_nb.ledger import Ledger

    seen: list[Exchange] = []
    emulator = Emulator()
    ledger = Ledger(tmp_path / "ledger.sqlite3")
    with PrimerClient(emulator=emulator, hooks=[seen.append]) as client:
        ledger.attach(client)
    closed = r"this PrimerClient was closed \(its `with` block ended, or close\(\) was called\)"
    with pytest.raises(RuntimeError, match=closed + ", so nothing was sent; make a new client"):
        client.create_session({"orderId": "o-1", "currencyCode": "EUR", "amount": 100})
    with pytest.raises(RuntimeError, match=closed):
        client.request("GET", "/client-session")
    assert seen == [] and len(ledger) == 0 and emulator.session_count == 0

    rows = [{"order_id": f"o-{i}", "currency_code": "EUR", "amount": 100} for i in range(3)]
    closed_async = AsyncPrimerClient(emulator=emulator)
    asyncio.run(closed_async.aclose())
    for used in (client, closed_async):  # a batch through a closed client sends nothing
        result = create_sessions(rows, client=used, ledger=ledger, progress=False)
        assert [e.error_id for e in result.errors] == ["RuntimeError"] * 3
        assert "was closed" in result.errors[0].description and len(ledger) == 0
    fresh = PrimerClient(emulator=emulator)
    resumed = create_sessions(rows, client=fresh, ledger=ledger, progress=False)
    assert resumed.ok == 3 and emulator.session_count == 3  # sent: nothing said they may exist


def test_an_interrupt_in_a_hook_still_reaches_the_later_hooks(tmp_path: Path) -> None:
    """Ctrl-C while a hook runs (a slow display): the ledger, attached after it, once never
    got the exchange of a POST the server had answered, and a resume created it again."""
    from primer_nb.batch import create_sessions
    from primer_nb.ledger import Ledger

    calls: list[int | None] = []

    def display(exchange: Exchange) -> None:
        calls.append(exchange.status)
        raise KeyboardInterrupt  # Ctrl-C arrives while this hook runs

    emulator = Emulator()
    seen: list[Exchange] = []
    client = PrimerClient(emulator=emulator, hooks=[display, seen.append])
    ledger = Ledger(tmp_path / "ledger.sqlite3")
    ledger.attach(client)  # appended: called after `display`
    with pytest.raises(KeyboardInterrupt):
        client.create_session({"orderId": "o-1", "currencyCode": "EUR", "amount": 100})
    assert calls == [200] and [e.status for e in seen] == [200]
    assert ledger.frame().status.tolist() == [200]

    rows = [{"order_id": "o-1", "currency_code": "EUR", "amount": 100}]
    resumed = create_sessions(
        rows, client=PrimerClient(emulator=emulator), ledger=ledger, progress=False
    )
    assert resumed.resumed == 1 and emulator.session_count == 1  # not created twice


def test_exchange_is_frozen() -> None:
    seen: list[Exchange] = []
    client, _ = make(session, hooks=[seen.append])
    client.get_session(TOKEN)
    with pytest.raises(AttributeError):
        seen[0].status = 500  # type: ignore[misc]


# --- secrets --------------------------------------------------------------------------


def test_the_key_never_leaks(marker_key: str, caplog: pytest.LogCaptureFixture) -> None:
    """A marker key sent through every path: repr, errors, logs at DEBUG, Exchanges."""
    seen: list[Exchange] = []

    def echo_key(request: httpx.Request) -> httpx.Response:
        # a hostile server that echoes the key back in its error body
        key = request.headers["X-API-KEY"]
        return httpx.Response(403, json=envelope("SecurityPolicyBlock", f"Bad key {key}"))

    def nosy_hook(exchange: Exchange) -> None:
        raise RuntimeError(f"hook saw {exchange.request_headers}")

    client, _ = make(
        httpx.ConnectTimeout(f"slow for {marker_key}"),
        httpx.ConnectError(f"refused for {marker_key}"),
        created,
        unavailable(),
        unavailable(),
        unavailable(),
        httpx.ReadTimeout("slow"),
        echo_key,
        too_many("1"),
        api_key=marker_key,
        hooks=[seen.append, nosy_hook],
    )
    texts = [repr(client), str(client), repr(client.settings), str(client.settings)]
    with caplog.at_level(logging.DEBUG):
        client.create_session({"orderId": "o-1"})  # connect timeout, connect error, 200
        for call in (
            lambda: client.get_session(TOKEN),  # 503 x3
            lambda: client.update_session(TOKEN, {"amount": 1}),  # read timeout
            lambda: client.create_session({"orderId": "o-2"}),  # 403 echoing the key
            lambda: client.create_session({"orderId": 1}),  # local 422
            lambda: client.create_session({"metadata": {"": 1}}),  # local 400
            lambda: client.create_session({"orderId": "o-3"}),  # 429
        ):
            with pytest.raises(errors.PrimerError) as info:
                call()
            texts += [str(info.value), repr(info.value), json.dumps(info.value.args)]
            if isinstance(info.value, PrimerAPIError):
                texts.append(json.dumps(info.value.body))
    texts += [r.getMessage() for r in caplog.records]
    texts += [json.dumps(asdict(e), default=str) for e in seen]
    assert len(seen) == 9
    assert len(caplog.records) >= 9
    joined = "\n".join(texts)
    assert "***" in joined
    assert joined.count(marker_key) == 0


# --- against the in-process emulator --------------------------------------------------


@pytest.fixture
def emulator_module() -> Any:
    module = pytest.importorskip("primer_nb.emulator")
    if not hasattr(module, "default_emulator"):
        pytest.skip("primer_nb.emulator is not complete yet")
    return module


def test_emulator_round_trip(emulator_module: Any) -> None:
    emulator = emulator_module.Emulator(seed=1, frozen=True)
    seen: list[Exchange] = []
    with PrimerClient(emulator=emulator, hooks=[seen.append]) as client:
        assert client.emulator is emulator
        created_session = client.create_session(
            {
                "orderId": "o-1",
                "currencyCode": "EUR",
                "order": {"lineItems": [{"amount": 250, "quantity": 2}]},
            }
        )
        assert created_session.amount == 500
        token = created_session.client_token
        updated = client.update_session(token, {"amount": 700})
        assert updated.amount == 700
        assert client.get_session(token).amount == 700
        assert emulator.session_count == 1
    assert [e.status for e in seen] == [200, 200, 200]


def test_emulator_agrees_with_local_validation(emulator_module: Any) -> None:
    body = {"orderId": 5, "order": {"lineItems": [{"amount": "100"}]}, "amount": -1}
    with PrimerClient(emulator=emulator_module.Emulator(seed=1)) as client:
        with pytest.raises(PrimerValidationError) as local:
            client.create_session(body)
        with pytest.raises(PrimerValidationError) as remote:
            client.create_session(body, validate=False)
    assert local.value.local and not remote.value.local
    assert local.value.validation_errors == remote.value.validation_errors


def test_emulator_faults_are_retried(emulator_module: Any) -> None:
    emulator = emulator_module.Emulator(seed=1)
    with PrimerClient(emulator=emulator) as client:
        sleeps: list[float] = []
        client._sleep = sleeps.append
        token = client.create_session({"orderId": "o-1"}).client_token
        emulator.inject(429, times=2, retry_after=1)
        client.get_session(token)
        assert sleeps == [1.0, 1.0]
        emulator.inject(429)
        with pytest.raises(errors.RateLimitError):
            client.create_session({"orderId": "o-2"})
        emulator.inject(503)
        with pytest.raises(errors.ServerError):
            client.create_session({"orderId": "o-2"})
        assert emulator.session_count == 1


def test_default_client_uses_the_default_emulator(emulator_module: Any) -> None:
    with PrimerClient() as client:
        assert client.emulator is emulator_module.default_emulator()
        assert client.create_session({"orderId": "o-1", "amount": 1}).client_token


def _deep(levels: int, leaf: object) -> dict[str, Any]:
    body: dict[str, Any] = {}
    inner = body
    for _ in range(levels - 1):
        inner["a"] = {}
        inner = inner["a"]
    inner["a"] = leaf
    return body


@pytest.mark.parametrize(
    ("body", "path", "rule"),
    [
        ({"orderId": "o", "amount": float("nan")}, "$.amount", "NaN is not a JSON number"),
        (
            {"order": {"lineItems": [{"amount": float("inf")}]}},
            "$.order.lineItems[0].amount",
            "Infinity is not a JSON number",
        ),
        ({"metadata": {"tags": {"a", "b"}}}, "$.metadata.tags", "JSON has no sets"),
        ({"metadata": {(1, 2): "x"}}, "$.metadata", "JSON keys are text"),
        (_deep(5000, 1), "$", "more than Python's JSON encoder can follow"),
        ({"orderId": "o-\ud800"}, "$.orderId", "lone surrogate"),
        ({"orderId": "o", "amount": 10**5000}, "$.amount", "more than 4300 digits"),
    ],
    ids=["nan", "inf", "set", "tuple-key", "5000-deep", "lone-surrogate", "5000-digits"],
)
def test_a_body_json_cannot_hold_is_refused_before_sending_with_its_path(
    body: dict[str, Any], path: str, rule: str
) -> None:
    emulator = Emulator()
    seen: list[Exchange] = []
    client = PrimerClient(emulator=emulator, hooks=[seen.append])
    with pytest.raises(PrimerValidationError) as caught:
        client.create_session(body, validate=False)
    error = caught.value
    assert error.local
    assert "cannot be written as JSON" in str(error)
    [detail] = error.validation_errors
    assert detail.path == path
    assert rule in detail.description
    assert emulator.session_count == 0 and seen == []


def test_a_404_from_the_api_path_says_the_base_url_is_wrong() -> None:
    """`PRIMER_BASE_URL=http://host:8010/v1` answered "There is nothing at this path",
    naming neither the URL used nor where it came from."""
    emulator = Emulator(seed=1)
    client = PrimerClient(base_url="http://emulator.test/v1", transport=emulator.transport())
    with pytest.raises(errors.NotFoundError) as info:
        client.create_session({"orderId": "o-1"})
    assert str(info.value).endswith(
        "; http://emulator.test/v1/client-session is not the Client Session API: check the "
        "base URL (http://emulator.test/v1, from base_url= or PRIMER_BASE_URL), the server's "
        "address without /client-session, such as http://127.0.0.1:8010"
    )
    with pytest.raises(errors.NotFoundError) as info:
        client.get_session("a-token")
    assert "a-token" not in str(info.value)  # the URL is shown without its query
    # Primer's own URLs and the in-process emulator answer a 404 of their own: no hint
    in_process = PrimerClient(emulator=emulator)
    sandbox = PrimerClient("k", transport=emulator.transport())
    assert sandbox.base_url == "https://api.sandbox.primer.io"
    for other in (in_process, sandbox):
        emulator.inject(404)
        with pytest.raises(errors.NotFoundError) as info:
            other.create_session({"orderId": "o-1"})
        assert "is not the Client Session API" not in str(info.value)
    # a base URL without a path (the address `primer-nb emulator` prints) is no such
    # mistake: a 404 there is the server's own (an injected fault)
    served = PrimerClient(base_url="http://127.0.0.1:8010", transport=emulator.transport())
    emulator.inject(404)
    with pytest.raises(errors.NotFoundError) as info:
        served.create_session({"orderId": "o-1"})
    assert "is not the Client Session API" not in str(info.value)
    # another path through request() is a plain 404: nothing said about the base URL
    answer = PrimerClient(transport=emulator.transport(), base_url="http://e.test").request(
        "GET", "/elsewhere"
    )
    assert answer.status_code == 404
