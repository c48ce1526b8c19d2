"""PatchBuilder: loads a session, sends only what changed, explains the rules."""

from __future__ import annotations

import html
from typing import Any

import pytest

from primer_nb.emulator import Emulator
from primer_nb.errors import DisabledCurrencyError, GatewayTimeoutError, PrimerValidationError
from primer_nb.models import ClientSessionRequest
from primer_nb.widgets import PatchBuilder
from primer_nb.widgets.patch_builder import merge_preview, patch_of

from .conftest import all_state, walk


@pytest.fixture
def token(client: Any) -> str:
    session = client.create_session(
        ClientSessionRequest.model_validate(
            {
                "orderId": "order-1",
                "currencyCode": "EUR",
                "customerId": "cust-1",
                "customer": {"emailAddress": "ana@example.com"},
                "order": {"lineItems": [{"name": "Shoes", "amount": 1299, "quantity": 2}]},
                "paymentMethod": {"vaultOnSuccess": True},
            }
        )
    )
    return str(session.client_token)


def test_loads_the_session_and_has_nothing_to_send(client: Any, token: str) -> None:
    patcher = PatchBuilder(client, token)
    assert patcher.errors == []
    assert patcher.form.node("$.orderId").value == "order-1"  # type: ignore[attr-defined]
    assert patcher.form.node("$.order.lineItems[0].amount").value == "12.99"  # type: ignore[attr-defined]
    assert patcher.changes == {}
    assert patcher.send_button.disabled is True
    assert "Nothing to send" in patcher.status.value
    assert "$.paymentMethod.options" not in patcher.form.nodes
    assert "$.approvalMode" not in patcher.form.nodes
    assert "cannot be updated" in patcher.rules.value
    assert repr(patcher) == "PatchBuilder(changes=0, valid=True, sent=False)"


def test_changed_array_is_sent_whole_and_amount_change_shown(client: Any, token: str) -> None:
    patcher = PatchBuilder(client, token)
    patcher.fill({"orderId": "order-1b"})
    patcher.form.node("$.order.lineItems[0]").fill({"quantity": "3"})  # type: ignore[attr-defined]
    assert patcher.changes == {
        "orderId": "order-1b",
        "order": {"lineItems": [{"name": "Shoes", "amount": 1299, "quantity": 3}]},
    }
    assert "replaces it whole" in patcher.rules.value
    assert "$.order.lineItems" in patcher.diff.value and "order-1b" in patcher.diff.value
    assert "Total: EUR 38.97" in patcher.preview.total.value
    assert "$PRIMER_CLIENT_TOKEN" in patcher.preview.curl.value
    patcher.send_button.click()
    assert patcher.errors == []
    assert patcher.session is not None and patcher.session.amount == 3897
    result = "\n".join(str(getattr(x, "value", "")) for x in walk(patcher.result))
    assert "EUR 25.98" in result and "EUR 38.97" in result
    assert patcher.changes == {}  # the form now shows the new session
    assert client.get_session(token).order_id == "order-1b"


def test_emptying_a_field_sends_null(client: Any, token: str) -> None:
    patcher = PatchBuilder(client, token)
    patcher.fill({"customerId": ""})
    assert patcher.changes == {"customerId": None}
    assert "null clears" in patcher.rules.value
    assert "null (cleared)" in patcher.diff.value
    patcher.send_button.click()
    assert patcher.session is not None and patcher.session.customer_id is None


def test_invalid_change_disables_send(client: Any, token: str, marker_key: str) -> None:
    patcher = PatchBuilder(client, token)
    patcher.fill({"customer": {"emailAddress": "nope"}})
    assert "valid email" in patcher.form.node("$.customer.emailAddress").error.value
    assert patcher.send_button.disabled is True
    assert "Send is disabled" in patcher.status.value
    assert token not in all_state(patcher)
    assert marker_key not in all_state(patcher)


def test_patch_of_and_merge_preview_follow_primer_rules() -> None:
    before = {"orderId": "a", "customer": {"emailAddress": "x@y.z", "firstName": "Ana"}}
    after = {"orderId": "a", "customer": {"emailAddress": "x@y.z"}, "metadata": {"k": 1}}
    patch = patch_of(before, after)
    assert patch == {"metadata": {"k": 1}, "customer": {"firstName": None}}
    merged = merge_preview({**before, "amount": 5}, patch)
    assert merged == {
        "orderId": "a",
        "amount": 5,
        "customer": {"emailAddress": "x@y.z"},
        "metadata": {"k": 1},
    }


LINE = {"itemId": "a", "description": "A", "amount": 5990, "quantity": 2}  # EUR 119.80


def test_a_session_with_an_override_shows_the_total_the_api_answers(client: Any) -> None:
    """The override stays through PATCHes until cleared: the preview says so, and the
    amount field holds it, so emptying the field clears it."""
    session = client.create_session(
        {"orderId": "o-1", "currencyCode": "EUR", "amount": 10000, "order": {"lineItems": [LINE]}}
    )
    patcher = PatchBuilder(client, session.client_token)
    assert patcher.form.node("$.amount").value == "100.00"  # type: ignore[attr-defined]
    patcher.fill({"orderId": "o-1b"})
    assert patcher.changes == {"orderId": "o-1b"}
    assert patcher.preview.total_text.startswith("Total: EUR 100.00")
    answer = patcher.submit()
    assert answer.amount == 10000
    clearing = PatchBuilder(client, session.client_token)
    clearing.form.node("$.amount").value = ""  # type: ignore[attr-defined]
    assert clearing.changes == {"amount": None}
    assert clearing.preview.total_text.startswith("Total: EUR 119.80")
    cleared = clearing.submit()
    assert cleared is not None and cleared.amount == 11980


def test_a_computed_amount_is_not_loaded_as_an_override(client: Any, token: str) -> None:
    patcher = PatchBuilder(client, token)
    assert patcher.form.node("$.amount").value == ""  # type: ignore[attr-defined]


def test_amounts_loaded_without_a_currency_are_never_multiplied(client: Any) -> None:
    """A session without currencyCode holds minor units the form cannot show in major
    ones: they are kept as loaded, so choosing EUR later sends the currency alone."""
    session = client.create_session({"orderId": "o-2", "order": {"lineItems": [LINE]}})
    patcher = PatchBuilder(client, session.client_token)
    assert patcher.changes == {}
    assert "as loaded" in patcher.form.node("$.order.lineItems[0].amount").minor.value  # type: ignore[attr-defined]
    patcher.fill({"currencyCode": "EUR"})
    assert patcher.changes == {"currencyCode": "EUR"}
    assert patcher.preview.total_text.startswith("Total: EUR 119.80")
    answer = patcher.submit()
    assert answer.amount == 11980
    # typing a new amount reads it in major units again
    patcher.form.node("$.order.lineItems[0].amount").value = "60.00"  # type: ignore[attr-defined]
    assert patcher.changes["order"]["lineItems"][0]["amount"] == 6000  # type: ignore[index]


def test_a_refused_patch_says_who_refused_it(client: Any, token: str) -> None:
    """After a failed PATCH the status no longer says Ready: it names the emulator (the
    backend that answered), never "Primer" for the emulator's own answer."""
    patcher = PatchBuilder(client, token)
    patcher.fill({"currencyCode": "HUF"})  # valid to the schema, disabled on the account
    with pytest.raises(DisabledCurrencyError):  # raised for code, as update_session does
        patcher.submit()
    assert patcher.failure is not None
    assert "The emulator refused the request" in patcher.status.value
    assert "Primer" not in patcher.status.value


def test_a_patch_answered_504_says_the_change_may_have_been_made(
    client: Any, emulator: Emulator, token: str
) -> None:
    """A PATCH the emulator carried out before answering 504: "refused" said it was not
    made, while the session on the server already had it."""
    patcher = PatchBuilder(client, token)
    patcher.fill({"orderId": "order-2"})
    emulator.inject(504, processed=True)
    with pytest.raises(GatewayTimeoutError):
        patcher.submit()
    assert client.get_session(token).order_id == "order-2"  # made all the same
    status = patcher.status.value
    assert "The emulator answered 504" in status and "refused" not in status
    assert "the change may have been made all the same" in status
    assert "press Reload (reload())" in status
    assert patcher.changes == {"orderId": "order-2"}  # what was typed is kept


def test_reload_after_a_lost_answer_leaves_nothing_to_send_again(
    client: Any, emulator: Emulator, token: str
) -> None:
    """The PATCH was made though its answer said 504: Reload reads it, and Send has
    nothing left to apply a second time."""
    patcher = PatchBuilder(client, token)
    patcher.fill({"orderId": "order-2"})
    emulator.inject(504, processed=True)
    with pytest.raises(GatewayTimeoutError):
        patcher.submit()
    patcher.reload_button.click()
    assert patcher.errors == []
    assert patcher.before.order_id == "order-2"
    assert patcher.changes == {}
    assert patcher.send_button.disabled is True
    assert patcher.failure is None and patcher.result.children == ()
    assert "already has every change you typed" in patcher.status.value
    assert patcher.form.node("$.orderId").value == "order-2"  # type: ignore[attr-defined]


def test_reload_keeps_a_change_that_was_not_made(
    client: Any, emulator: Emulator, token: str
) -> None:
    patcher = PatchBuilder(client, token)
    patcher.fill({"orderId": "order-2"})
    emulator.inject(504)  # not carried out
    with pytest.raises(GatewayTimeoutError):
        patcher.submit()
    assert patcher.reload().order_id == "order-1"
    assert patcher.changes == {"orderId": "order-2"}
    assert patcher.send_button.disabled is False
    assert patcher.submit().order_id == "order-2"


def test_reload_applies_what_was_typed_to_someone_elses_change(client: Any, token: str) -> None:
    """A teammate changed another field meanwhile: the reload shows it, and the PATCH
    still holds only what was typed here (it does not put the old value back)."""
    patcher = PatchBuilder(client, token)
    patcher.fill({"orderId": "order-3"})
    patcher.form.node("$.order.lineItems[0]").fill({"quantity": "5"})  # type: ignore[attr-defined]
    client.update_session(token, {"customerId": "cust-9", "metadata": {"by": "teammate"}})
    patcher.reload()
    assert patcher.form.node("$.customerId").value == "cust-9"  # type: ignore[attr-defined]
    assert patcher.changes == {
        "orderId": "order-3",
        "order": {"lineItems": [{"name": "Shoes", "amount": 1299, "quantity": 5}]},
    }
    after = patcher.submit()
    assert (after.customer_id, after.order_id) == ("cust-9", "order-3")
    assert after.metadata == {"by": "teammate"}


def test_reload_refuses_to_drop_text_that_is_not_a_value_yet(
    client: Any, emulator: Emulator, token: str
) -> None:
    patcher = PatchBuilder(client, token)
    patcher.fill({"orderId": "order-2"})
    patcher.form.node("$.order.lineItems[0].quantity").value = "two"  # type: ignore[attr-defined]
    client.update_session(token, {"customerId": "cust-9"})
    with pytest.raises(ValueError, match=r"\$\.order\.lineItems\[0\]\.quantity"):
        patcher.reload()
    patcher.reload_button.click()  # shown, not raised
    assert patcher.errors == []
    assert "Not reloaded" in patcher.status.value
    assert patcher.form.node("$.order.lineItems[0].quantity").value == "two"  # type: ignore[attr-defined]
    assert patcher.before.customer_id == "cust-1"  # not read again


def test_a_reload_that_fails_keeps_the_form(client: Any, emulator: Emulator, token: str) -> None:
    patcher = PatchBuilder(client, token)
    patcher.fill({"orderId": "order-2"})
    emulator.inject(404)
    patcher.reload_button.click()
    assert patcher.errors == []
    assert "Could not read the session again" in patcher.status.value
    assert patcher.failure is not None
    assert patcher.changes == {"orderId": "order-2"}
    assert patcher.form.node("$.orderId").value == "order-2"  # type: ignore[attr-defined]


def test_the_rules_mark_the_emulators_own_choices(client: Any, token: str) -> None:
    patcher = PatchBuilder(client, token)
    patcher.fill({"customerId": "cust-2", "customer": {"emailAddress": "bo@example.com"}})
    patcher.form.node("$.amount").value = "10.00"  # type: ignore[attr-defined]
    rules = html.unescape(patcher.rules.value)
    assert "merged one level deep" in rules and "the emulator's rule" in rules
    assert "Primer does not say how long" in rules


def test_a_metadata_change_warns_that_keys_get_left_out_are_dropped() -> None:
    """GET leaves out empty values, metadata too, and a PATCH replaces metadata whole:
    `{"promo": ""}` is not in the loaded form, so sending metadata drops it."""
    from primer_nb.widgets.patch_builder import rules_for

    [rule] = [r for r in rules_for({"metadata": {"n": 2}}) if r.startswith("$.metadata")]
    assert "keys with empty values, which GET leaves out of what this form loaded" in rule


def test_currencies_without_published_minor_units_are_marked() -> None:
    from primer_nb.widgets.form import currency_options

    labels = dict((code, label) for label, code in currency_options() if code)
    assert labels["MRO"] == "MRO — 2 minor units (primer-nb's choice)"
    assert labels["XAU"].endswith("(primer-nb's choice)")
    assert labels["JPY"] == "JPY — 0 minor units"


def test_submit_on_a_patch_that_cannot_be_sent_raises_and_says_why(client: Any, token: str) -> None:
    """It returned None, and the next cell's `updated.amount` failed without a reason."""
    patcher = PatchBuilder(client, token)
    with pytest.raises(ValueError, match="nothing to send yet: change a field"):
        patcher.submit()
    patcher.send_button.click()  # the button says it in the status, with no log entry
    assert patcher.errors == [] and "Nothing to send yet" in patcher.status.value
    patcher.form.node("$.order.lineItems[0].amount").value = "12.345"  # type: ignore[attr-defined]
    with pytest.raises(PrimerValidationError) as refused:
        patcher.submit()
    assert refused.value.local is True
    assert [d.path for d in refused.value.validation_errors] == ["$.order.lineItems[0].amount"]
    assert patcher.session is None


def test_after_sending_the_result_shows_what_the_patch_changed(client: Any, token: str) -> None:
    """The form is reloaded with the answer, so its own diff says "No changes yet": the
    result keeps the before → after of what was sent."""
    patcher = PatchBuilder(client, token)
    patcher.fill({"orderId": "order-9"})
    patcher.submit()
    assert "No changes yet" in patcher.diff.value
    [outcome] = patcher.result.children
    shown = html.unescape(outcome.value)
    assert "<b>Changes</b>" in shown
    assert "$.orderId</td>" in shown and "order-1" in shown and "order-9" in shown


def test_reload_keeps_text_that_is_not_a_value_yet_as_typed(client: Any, token: str) -> None:
    """Only values are applied again: an amount typed as `12,50` was refused with "Fix or
    empty it first"; it is put back as typed, beside the teammate's change."""
    patcher = PatchBuilder(client, token)
    patcher.fill({"orderId": "order-2"})
    patcher.form.node("$.amount").value = "12,50"  # type: ignore[attr-defined]
    client.update_session(token, {"customerId": "cust-9"})
    patcher.reload()
    assert patcher.errors == []
    assert patcher.form.node("$.amount").value == "12,50"  # type: ignore[attr-defined]
    assert patcher.form.node("$.customerId").value == "cust-9"  # type: ignore[attr-defined]
    assert patcher.changes == {"orderId": "order-2"}
    assert "$.amount" in patcher.status.value  # still a problem to fix before Send


def test_a_metadata_rule_does_not_stop_a_reload(client: Any, token: str) -> None:
    """An empty metadata row is a rule broken, not text lost: it was refused as "text
    that is not a value yet", which emptying could not fix."""
    patcher = PatchBuilder(client, token)
    patcher.form.node("$.metadata").add_row()  # type: ignore[attr-defined]
    patcher.reload()
    assert "Not reloaded" not in patcher.status.value
    assert patcher.errors == []


def test_the_diff_shows_which_item_of_an_array_changed() -> None:
    """A long array was one cell cut short on both sides: the change was out of sight."""
    from primer_nb.widgets.patch_builder import diff_html

    items = [{"name": "Running shoes", "amount": 5990, "quantity": 2}, {"name": "Socks"}]
    changed = [items[0], {"name": "Socks", "quantity": 3}]
    shown = html.unescape(
        diff_html({"order": {"lineItems": items}}, {"order": {"lineItems": changed}})
    )
    assert "$.order.lineItems[1].quantity</td>" in shown
    assert "$.order.lineItems[0]" not in shown  # unchanged items are not listed


def test_the_reload_button_sits_beside_send(client: Any, token: str) -> None:
    patcher = PatchBuilder(client, token)
    [row] = [c for c in walk(patcher) if patcher.send_button in getattr(c, "children", ())]
    assert list(row.children[:2]) == [patcher.send_button, patcher.reload_button]


def test_a_reload_whose_get_fails_raises_for_code(
    client: Any, emulator: Emulator, token: str
) -> None:
    """Code after a lost PATCH must not take a failed reload for a good one."""
    from primer_nb.errors import PrimerAPIError

    patcher = PatchBuilder(client, token)
    patcher.fill({"orderId": "order-2"})
    emulator.inject(404)  # a GET answered 5xx is retried: a 404 is final
    with pytest.raises(PrimerAPIError):
        patcher.reload()
    assert patcher.before.order_id == "order-1"


def test_an_outcome_with_nothing_changed_says_the_session_is_unchanged(
    client: Any, token: str
) -> None:
    session = client.get_session(token)
    shown = html.unescape(PatchBuilder._outcome_html(session, session))
    assert "The session is unchanged." in shown and "No changes yet" not in shown


def test_a_metadata_key_typed_twice_stops_a_reload(client: Any, token: str) -> None:
    """The form reads one of the two rows: the reload would have dropped the other."""
    patcher = PatchBuilder(client, token)
    metadata = patcher.form.node("$.metadata")
    metadata.add_row("b", "my long note")  # type: ignore[attr-defined]
    metadata.add_row("b", "2")  # type: ignore[attr-defined]
    with pytest.raises(ValueError, match=r"^Not reloaded: \$\.metadata: duplicate key 'b'"):
        patcher.reload()
    values = [v.value for _, v in metadata.rows]  # type: ignore[attr-defined]
    assert values == ["my long note", "2"]


def test_the_diff_says_an_added_or_removed_item_as_the_whole_array() -> None:
    """Walked item by item, adding the first line read "[] -> null (cleared)" and a
    removed item "its fields -> null (cleared)"."""
    from primer_nb.widgets.patch_builder import diff_html

    one, two = [{"name": "A", "amount": 1}], [{"name": "A", "amount": 1}, {"name": "B"}]
    for before, after in (([], one), (two, one), (one, [])):
        shown = html.unescape(
            diff_html({"order": {"lineItems": before}}, {"order": {"lineItems": after}})
        )
        assert "$.order.lineItems</td>" in shown and "cleared" not in shown


def test_every_metadata_problem_counts_not_only_the_last(client: Any, token: str) -> None:
    """An empty key written last replaced "duplicate key" in the form's problems, so the
    reload went ahead and dropped a row."""
    patcher = PatchBuilder(client, token)
    metadata = patcher.form.node("$.metadata")
    for name, value in (("b", "my long note"), ("b", "2"), ("", "x")):
        metadata.add_row(name, value)  # type: ignore[attr-defined]
    with pytest.raises(ValueError, match=r"duplicate key 'b'; .*empty string key"):
        patcher.reload()
    assert [v.value for _, v in metadata.rows] == ["my long note", "2", "x"]  # type: ignore[attr-defined]
