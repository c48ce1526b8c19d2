"""SessionBuilder driven from Python: values set, Send clicked, state asserted."""

from __future__ import annotations

import json
from typing import Any

import ipywidgets as w
import pytest

from primer_nb.client import PrimerClient
from primer_nb.emulator import Emulator
from primer_nb.errors import (
    DisabledCurrencyError,
    GatewayTimeoutError,
    PrimerConnectionError,
    PrimerError,
    PrimerValidationError,
    RateLimitError,
)
from primer_nb.models import ClientSessionRequest, ClientSessionWithToken
from primer_nb.widgets import ExpiryCountdown, SessionBuilder
from primer_nb.widgets.form import LeafNode, ListNode, MoneyNode, UnknownFieldError

from .conftest import all_state, control_values, walk


def filled(client: Any) -> SessionBuilder:
    builder = SessionBuilder(client)
    builder.fill({"orderId": "order-1", "currencyCode": "EUR", "customerId": "cust-1"})
    builder.add_line_item({"name": "Shoes", "amount": "12.99", "quantity": "2"})
    builder.add_line_item({"name": "Socks", "amount": "3.50", "taxAmount": "0.70"})
    return builder


def test_form_is_generated_from_every_request_field(client: Any) -> None:
    builder = SessionBuilder(client)
    builder.add_line_item()
    paths = set(builder.form.nodes)
    top = {(f.alias or n) for n, f in ClientSessionRequest.model_fields.items()}
    assert {f"$.{alias}" for alias in top} <= paths
    for path in (
        "$.order.lineItems[0].productType",
        "$.order.lineItems[0].productData.sku",
        "$.order.shipping.amount",
        "$.customer.billingAddress.postalCode",
        "$.customer.shippingAddress.countryCode",
        "$.paymentMethod.orderedAllowedCardNetworks",
        "$.paymentMethod.vaultOnSuccess",
        "$.paymentMethod.options",
    ):
        assert path in paths, path
    assert isinstance(builder.field("$.order.lineItems[0].discountAmount"), MoneyNode)
    assert isinstance(builder.field("$.order.fees"), ListNode)
    assert builder.errors == []


def test_currency_dropdown_shows_minor_units(client: Any) -> None:
    builder = SessionBuilder(client)
    control = builder.field("$.currencyCode").control  # type: ignore[attr-defined]
    assert control.label == "—" and control.value is None
    options = dict(control.options)
    assert options["JPY — 0 minor units"] == "JPY"
    assert options["KWD — 3 minor units"] == "KWD"
    assert options["EUR — 2 minor units"] == "EUR"


def test_send_creates_the_session_and_shows_token_countdown_warnings(client: Any) -> None:
    builder = filled(client)
    assert builder.send_button.disabled is False
    builder.send_button.click()
    assert builder.errors == []
    assert builder.request == ClientSessionRequest.model_validate(
        {
            "orderId": "order-1",
            "currencyCode": "EUR",
            "customerId": "cust-1",
            "order": {
                "lineItems": [
                    {"name": "Shoes", "amount": 1299, "quantity": 2},
                    {"name": "Socks", "amount": 350, "taxAmount": 70},
                ]
            },
        }
    )
    session = builder.session
    assert isinstance(session, ClientSessionWithToken)
    assert session.amount == 1299 * 2 + 350 + 70
    assert [(x.type, x.code) for x in session.warnings or []] == [("TAXJAR", "MISSING_DATA")]
    html = "\n".join(str(getattr(x, "value", "")) for x in walk(builder.result))
    token = session.client_token
    assert f"{token[:8]}…{token[-4:]}" in html
    assert token not in all_state(builder)
    assert "TAXJAR" in html and "MISSING_DATA" in html and "Shipping details" in html
    assert isinstance(builder.countdown, ExpiryCountdown)
    assert builder.countdown.value == "expires in 24:00:00"
    assert "EUR 30.18" in builder.status.value
    assert repr(builder) == "SessionBuilder(currency='EUR', line_items=2, valid=True, sent=True)"


def test_json_preview_and_total_follow_the_request(client: Any) -> None:
    builder = filled(client)
    assert builder.request is not None
    assert json.loads(builder.preview.body_text) == builder.request.to_wire()
    assert "Total: EUR 30.18" in builder.preview.total.value
    minor = builder.field("$.order.lineItems[0].amount").minor.value  # type: ignore[attr-defined]
    assert minor == "<code>1299</code> minor units"
    builder.fill({"amount": "10"})
    assert (
        builder.preview.total_text == "Total: EUR 10.00 (amount overrides the computed EUR 30.18)"
    )


def test_unset_fields_are_not_sent(client: Any) -> None:
    builder = filled(client)
    builder.fill({"customerId": ""})
    assert builder.request is not None
    assert "customerId" not in builder.request.to_wire()
    assert "customer" not in builder.request.to_wire()  # untouched nested objects too
    assert "paymentMethod" not in json.loads(builder.preview.body_text)


def test_jpy_with_decimals_is_refused_inline_and_send_is_disabled(client: Any) -> None:
    builder = SessionBuilder(client)
    builder.fill({"currencyCode": "JPY", "amount": "5.5"})
    message = builder.field("$.amount").error.value
    assert "$.amount" in message and "JPY has 0 minor units" in message
    assert builder.send_button.disabled is True
    assert "Send is disabled" in builder.status.value and "$.amount" in builder.status.value
    assert builder.request is None
    assert builder.problems == [
        "$.amount: JPY has 0 minor units (decimal places); 5.5 has 1. Type a whole number."
    ]  # not Decimal.quantize, which is for code
    builder.fill({"currencyCode": "EUR", "amount": "0.005"})
    assert builder.problems == [
        "$.amount: EUR has 2 minor units (decimal places); 0.005 has 3. "
        "Type at most 2 decimal places."
    ]
    builder.fill({"currencyCode": "JPY", "amount": "5.5"})
    # submit() in code says why too: it returned None, and `session.client_token` in the
    # next cell failed with an AttributeError that named no field
    with pytest.raises(PrimerValidationError) as refused:
        builder.submit()
    assert refused.value.local is True
    assert [(d.path, d.description) for d in refused.value.validation_errors] == [
        tuple(problem.split(": ", 1)) for problem in builder.problems
    ]
    assert "$.amount: JPY has 0 minor units" in str(refused.value)
    builder.fill({"amount": "5"})
    assert builder.field("$.amount").error.value == ""
    assert builder.send_button.disabled is False
    assert builder.request is not None and builder.request.amount == 5


def test_bad_email_and_long_order_id_are_shown_beside_their_fields(client: Any) -> None:
    builder = SessionBuilder(client)
    builder.fill({"orderId": "x" * 256, "customer": {"emailAddress": "not-an-email"}})
    assert "at most 255 characters" in builder.field("$.orderId").error.value
    email_error = builder.field("$.customer.emailAddress").error.value
    assert "$.customer.emailAddress" in email_error and "valid email" in email_error
    assert builder.send_button.disabled is True
    assert "2 problems" in builder.status.value
    builder.send_button.click()  # disabled in the page; a programmatic click sends nothing
    assert builder.session is None and builder.errors == []


def test_other_local_rules(client: Any) -> None:
    builder = SessionBuilder(client)
    builder.fill({"amount": "12"})
    assert "choose currencyCode first" in builder.field("$.amount").error.value
    builder.fill({"currencyCode": "EUR"})
    row = builder.add_line_item({"amount": "1", "quantity": "1.5"})
    assert "whole number" in builder.field("$.order.lineItems[0].quantity").error.value
    row.fill({"quantity": "3"})
    assert builder.request is not None
    builder.metadata.add_row("plan", "gold")
    builder.metadata.add_row("seats", "3")
    assert builder.request is not None
    assert builder.request.to_wire()["metadata"] == {"plan": "gold", "seats": 3}
    builder.metadata.add_row("", "x")
    assert "empty string key" in builder.field("$.metadata").error.value
    assert builder.send_button.disabled is True


def test_rows_are_added_and_removed_with_buttons(client: Any) -> None:
    builder = SessionBuilder(client)
    builder.line_items.add_button.click()
    builder.line_items.add_button.click()
    assert len(builder.line_items.rows) == 2
    assert "Field required" in builder.field("$.order.lineItems[1].amount").error.value
    remove = builder.line_items.rows_box.children[0].children[0].children[1]
    remove.click()
    assert len(builder.line_items.rows) == 1
    assert builder.errors == []


def test_failed_send_shows_primer_error_and_keeps_every_value(client: Any) -> None:
    builder = filled(client)
    builder.fill({"currencyCode": "HUF", "customer": {"emailAddress": "ana@example.com"}})
    builder.metadata.add_row("plan", "gold")
    before = control_values(builder)
    builder.send_button.click()
    assert builder.errors == []
    assert isinstance(builder.failure, DisabledCurrencyError)
    assert builder.session is None
    text = "\n".join(str(getattr(x, "value", "")) for x in walk(builder.result))
    assert "DisabledCurrencyError" in text and "400" in text and "diagnosticsId" in text
    # said at the field too (the 400 has no validationErrors to place it)
    currency: Any = builder.form.node("$.currencyCode")
    assert "$.currencyCode: HUF is a disabled currency" in currency.error.value
    assert control_values(builder) == before
    assert builder.send_button.disabled is False  # fix the currency and send again
    with pytest.raises(DisabledCurrencyError):  # in code, raised as create_session does
        builder.submit()
    assert control_values(builder) == before
    builder.fill({"currencyCode": "EUR"})
    builder.send_button.click()
    assert builder.session is not None and builder.failure is None


def test_the_key_never_appears_in_any_widget(client: Any, marker_key: str) -> None:
    builder = filled(client)
    builder.send_button.click()
    builder.fill({"currencyCode": "HUF"})
    builder.send_button.click()  # an error answer too
    assert builder.errors == []
    state = all_state(builder)
    assert marker_key not in state
    # the in-process emulator's snippet targets `primer-nb emulator`: the key the Python
    # client sends an emulator when PRIMER_API_KEY is unset, never an empty one (a 403)
    assert '"X-API-KEY: ${PRIMER_API_KEY:-primer-nb-emulator}"' in builder.preview.curl_text


def test_a_key_typed_as_an_objects_key_never_appears_in_a_message(
    client: Any, marker_key: str
) -> None:
    """The key pasted as a name (an options key, a metadata key, a field to fill) was in
    the JSONPath of the message: problems, status, the field's message and tooltip, the
    error Send raises, and fill's UnknownFieldError all showed it in clear."""
    options = json.dumps({marker_key: {"surcharge": {"amount": "x"}}})
    builder = filled(client).fill({"paymentMethod": {"options": options}})
    builder.form.node("$.metadata").add_row(marker_key, "{not json")
    builder.refresh()
    assert any("$.paymentMethod.options.***.surcharge.amount" in p for p in builder.problems)
    # what the learner typed stays in the fields they typed it into; nothing else has it
    options_node: Any = builder.form.node("$.paymentMethod.options")
    metadata: Any = builder.form.node("$.metadata")
    shown = [
        *builder.problems,
        builder.status.value,
        options_node.error.value,
        str(options_node.control.tooltip),
        metadata.error.value,
    ]
    assert "&#x27;***&#x27; is sent as text, not JSON" in metadata.error.value
    assert marker_key not in " ".join(shown)
    with pytest.raises(PrimerValidationError) as refused:
        builder.submit()
    assert marker_key not in str(refused.value) + repr(refused.value)
    with pytest.raises(UnknownFieldError) as unknown:
        builder.fill({marker_key: "x"})
    assert str(unknown.value).startswith("$.*** is not a field"), str(unknown.value)


def send_with_a_broken_create(
    client: Any, key: str, monkeypatch: pytest.MonkeyPatch
) -> SessionBuilder:
    """A filled builder whose Send meets an exception that quotes `key`."""
    builder = filled(client)

    def broken(*_args: Any) -> Any:
        raise RuntimeError(f"boom with {key}")

    monkeypatch.setattr(client, "create_session", broken)
    builder.send_button.click()
    assert len(builder.errors) == 1 and "RuntimeError: boom with ***" in builder.errors[0]
    assert key not in all_state(builder)
    return builder


def test_handler_exceptions_are_recorded_and_redacted(
    client: Any, marker_key: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    builder = send_with_a_broken_create(client, marker_key, monkeypatch)
    assert "boom with ***" in builder.handlers.output.outputs[0]["text"]


def test_handler_exceptions_redact_the_environments_key_on_an_emulator(
    emulator: Any, marker_key: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A client given `emulator=` does not send PRIMER_API_KEY; the log hides it too."""
    monkeypatch.setenv("PRIMER_API_KEY", marker_key)
    with PrimerClient(emulator=emulator) as client:
        send_with_a_broken_create(client, marker_key, monkeypatch)


def test_repr_is_short_and_deterministic(client: Any) -> None:
    builder = SessionBuilder(client)
    assert repr(builder) == "SessionBuilder(currency=None, line_items=0, valid=True, sent=False)"
    bundle = builder._repr_mimebundle_()
    assert bundle["text/plain"] == repr(builder)
    assert isinstance(builder.field("$.orderId"), LeafNode)


def test_filling_a_nested_object_with_a_non_mapping_names_the_field(client: Any) -> None:
    builder = SessionBuilder(client)
    with pytest.raises(TypeError, match=r"customer is an object: fill it with a mapping"):
        builder.fill({"customer": "ana@example.com"})
    builder.fill({"customer": {"emailAddress": "ana@example.com"}})
    assert builder.evaluation is not None
    assert builder.evaluation.body["customer"] == {"emailAddress": "ana@example.com"}


@pytest.mark.parametrize(
    ("typed", "rule"),
    [
        ("1e5000", "Value must have at most 4300 digits"),
        ("9" * 5000, "Value must have at most 4300 digits"),
        ("1.5e-400", "Value is out of range for a number with decimals (about 1e-308 to 1e308)"),
    ],
)
def test_a_number_too_long_for_json_is_refused_inline(client: Any, typed: str, rule: str) -> None:
    """`1e5000` in a number field used to reach the preview's json.dumps, whose
    traceback ("Exceeds the limit (4300 digits)...") was what the learner saw."""
    builder = filled(client)
    builder.field("$.order.lineItems[0].productData.weight").control.value = typed  # type: ignore[attr-defined]
    assert builder.form.evaluate().errors == [("$.order.lineItems[0].productData.weight", rule)]
    assert builder.errors == [] and builder.send_button.disabled
    builder.field("$.order.lineItems[0].productData.weight").control.value = "1e400"  # type: ignore[attr-defined]
    assert builder.form.evaluate().errors == []  # a long integer is still a JSON number


def test_without_pythons_digit_limit_a_number_field_has_none(client: Any) -> None:
    """`sys.set_int_max_str_digits(0)` switches the limit off: 0 is not a limit of 0."""
    import sys

    before = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(0)
    try:
        builder = filled(client)
        weight = builder.field("$.order.lineItems[0].productData.weight")
        weight.control.value = "2"  # type: ignore[attr-defined]
        assert builder.form.evaluate().errors == []
    finally:
        sys.set_int_max_str_digits(before)


# --- what a screen reader hears, and colours readable in JupyterLab's dark theme ------------


def test_field_errors_are_the_fields_tooltip_so_a_screen_reader_says_them(client: Any) -> None:
    """An error sits in an element beside the field: tabbing to the field said only
    'amount, edit text'. The control's tooltip (its `title`) now carries it too."""
    builder = SessionBuilder(client)
    builder.fill({"currencyCode": "JPY", "amount": "5.5"})
    amount = builder.field("$.amount")
    assert amount.control.tooltip.startswith("$.amount: JPY has 0 minor units")
    assert "var(--jp-error-color1, #b00020)" in amount.error.value  # the theme's red
    builder.fill({"amount": "5"})
    assert amount.control.tooltip is None and amount.error.value == ""


def test_status_lines_are_announced_and_use_the_themes_colours(client: Any) -> None:
    builder = SessionBuilder(client)
    builder.fill({"currencyCode": "JPY", "amount": "5.5"})
    assert builder.status.value.startswith("<span role='status' style='color:var(--jp-error")
    builder.fill({"amount": "5", "currencyCode": "HUF"})  # disabled by default: refused
    assert builder.status.value.startswith("<span role='status' style='color:var(--jp-success")
    builder.send_button.click()
    assert builder.status.value.startswith("<span role='alert' style='color:var(--jp-error")
    failure = "\n".join(str(getattr(x, "value", "")) for x in walk(builder.result))
    assert "class='primer-failure' role='alert'" in failure
    builder.fill({"currencyCode": "EUR"})
    builder.send_button.click()
    assert builder.status.value.startswith("<span role='status' style='color:var(--jp-success")
    assert "Created: amount" in builder.status.value
    for color in ("#b00020", "#1b5e20", "#666"):  # none hard-coded without the theme's
        for item in walk(builder):
            value = str(getattr(item, "value", ""))
            assert f"color:{color}" not in value


def test_unlabelled_controls_get_a_name_a_screen_reader_can_say(client: Any) -> None:
    """The card-network tags had no label at all (ipywidgets draws no description for
    them); metadata rows had only placeholders; every row's button said just 'remove'."""
    builder = SessionBuilder(client)
    networks = builder.field("$.paymentMethod.orderedAllowedCardNetworks")
    labels = [c.value for c in networks.widget.children if isinstance(c, w.Label)]
    assert labels == ["orderedAllowedCardNetworks"]
    builder.metadata.add_row("plan", "gold")
    key, value, remove = builder.metadata.rows_box.children[0].children
    assert (key.tooltip, value.tooltip) == ("metadata key", "metadata value")
    assert remove.tooltip == "remove this metadata entry"
    builder.add_line_item({"amount": "1"})
    builder.add_line_item({"amount": "2"})
    removes = [box.children[0].children[1] for box in builder.line_items.rows_box.children]
    assert [b.tooltip for b in removes] == ["remove lineItems[0]", "remove lineItems[1]"]
    removes[0].click()
    (left,) = [box.children[0].children[1] for box in builder.line_items.rows_box.children]
    assert left.tooltip == "remove lineItems[0]"  # renumbered with its title


# --- what the status says when the outcome is unknown -----------------------------------


@pytest.mark.parametrize(
    ("fault", "error", "said"),
    [
        ({"status": 504, "processed": True}, GatewayTimeoutError, "The emulator answered 504"),
        ({"drop": True, "processed": True}, PrimerConnectionError, "No answer came from"),
        ({"status": 500}, PrimerError, "The emulator answered 500"),
        ({"status": 408}, PrimerError, "The emulator answered 408"),
        (
            {"status": 429, "retry_after": 5},
            RateLimitError,
            "The emulator answered 429, asking to wait 5 s",
        ),
    ],
)
def test_a_send_without_a_sure_answer_says_the_session_may_exist(
    client: Any, emulator: Emulator, fault: dict[str, Any], error: type[Exception], said: str
) -> None:
    """A 5xx, a 429 or a dropped connection was shown as "The emulator refused the
    request; the form is unchanged", and a second Send made a second session (a POST
    answered 504 may have created one: behaviour.md §4)."""
    builder = filled(client)
    emulator.inject(**fault)
    with pytest.raises(error):
        builder.submit()
    status = builder.status.value
    assert said in status and "refused" not in status
    assert "the session may have been created all the same" in status
    assert "second Send could make a second one" in status
    assert builder.session is None and builder.failure is not None
    assert builder.send_button.disabled is False  # the learner decides; the form is kept


def test_a_send_that_never_left_says_nothing_was_sent(marker_key: str) -> None:
    """No connection was made (nothing listens there): sending again is safe, and the
    status says so instead of "may have been created"."""
    with PrimerClient(
        api_key=marker_key, base_url="http://127.0.0.1:9", max_retries=0, timeout=5
    ) as client:
        builder = filled(client)
        with pytest.raises(PrimerConnectionError) as info:
            builder.submit()
    assert info.value.sent is False
    assert "nothing was sent" in builder.status.value
    assert "may have been created" not in builder.status.value


def test_a_refusal_before_sending_says_so_not_that_the_emulator_refused(client: Any) -> None:
    """The client's own check (`local=True`) sent nothing: naming the emulator would send
    a learner looking for an answer that never came."""
    from primer_nb.errors import ValidationErrorDetail, refused_before_sending

    builder = filled(client)
    error = refused_before_sending(
        [ValidationErrorDetail("ClientSessionAPIRequest", "$.amount", "Value must be >= 0")]
    )
    builder._show_failure(error)
    status = builder.status.value
    assert "primer-nb's check refused the request before sending it" in status
    assert "emulator" not in status


def test_a_connection_error_made_elsewhere_never_claims_nothing_was_sent() -> None:
    """`sent=False` makes a second Send look safe: only the client, which knows, says so."""
    assert PrimerConnectionError("no answer").sent is True
