"""The PATCH merge rule (`primer_nb.merging`), shared by the emulator and the patch builder."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from primer_nb import PrimerClient
from primer_nb.emulator import Emulator
from primer_nb.emulator.patching import apply_patch as emulator_apply_patch
from primer_nb.merging import MERGED_ONE_LEVEL, apply_patch, patch_of
from primer_nb.widgets.patch_builder import MERGED, merge_preview
from primer_nb.widgets.patch_builder import patch_of as widget_patch_of

leaves = st.one_of(st.integers(-5, 5), st.text("ab", max_size=2), st.booleans())
values = st.recursive(
    leaves,
    lambda inner: st.lists(inner, max_size=2) | st.dictionaries(st.sampled_from("xyz"), inner),
    max_leaves=6,
)
keys = st.sampled_from(["customer", "order", "paymentMethod", "metadata", "orderId", "amount"])
sessions = st.dictionaries(keys, values | st.dictionaries(st.sampled_from("uvw"), values))


def test_one_rule_for_the_emulator_and_the_widget() -> None:
    assert emulator_apply_patch is apply_patch
    assert widget_patch_of is patch_of
    assert MERGED == MERGED_ONE_LEVEL == {"customer", "order", "paymentMethod"}
    session = {"order": {"countryCode": "GB", "lineItems": [{"amount": 1}]}, "amount": 3}
    patch = {"order": {"lineItems": [{"amount": 2}]}, "amount": None}
    assert merge_preview(session, patch) == apply_patch(session, patch)


def test_null_clears_merged_objects_merge_one_level_the_rest_is_replaced() -> None:
    session = {
        "orderId": "o-1",
        "amount": 500,
        "metadata": {"a": 1, "b": 2},
        "customer": {"emailAddress": "a@b.c", "billingAddress": {"city": "X", "postalCode": "1"}},
        "order": {"countryCode": "GB", "lineItems": [{"amount": 1}, {"amount": 2}]},
    }
    patch = {
        "amount": None,
        "metadata": {"b": 3},
        "customer": {"billingAddress": {"city": "Y"}, "emailAddress": None},
        "order": {"lineItems": [{"amount": 9}]},
        "paymentMethod": {"vaultOnSuccess": True},
    }
    assert apply_patch(session, patch) == {
        "orderId": "o-1",
        "metadata": {"b": 3},
        "customer": {"billingAddress": {"city": "Y"}},
        "order": {"countryCode": "GB", "lineItems": [{"amount": 9}]},
        "paymentMethod": {"vaultOnSuccess": True},
    }
    # a merged key whose current value is not an object starts from an empty one
    assert apply_patch({"order": "x"}, {"order": {"countryCode": "FR"}}) == {
        "order": {"countryCode": "FR"}
    }
    # a merged key sent as a non-object is replaced whole
    assert apply_patch({"order": {"a": 1}}, {"order": [1]}) == {"order": [1]}


def test_the_result_shares_nothing_with_the_inputs() -> None:
    """Changing the request dict (or the session) after a PATCH never changes the other."""
    session = {"metadata": {"tags": ["a"]}, "order": {"lineItems": [{"amount": 1}]}}
    changes: dict[str, Any] = {
        "customer": {"billingAddress": {"lines": ["X"]}},
        "metadata": {"tags": ["o", "p"]},
    }
    merged = apply_patch(session, changes)
    changes["customer"]["billingAddress"]["lines"].append("changed")
    changes["metadata"]["tags"].append("q")
    assert merged["customer"] == {"billingAddress": {"lines": ["X"]}}
    assert merged["metadata"] == {"tags": ["o", "p"]}
    merged = apply_patch(session, {"amount": 5})
    merged["metadata"]["tags"].append("b")
    merged["order"]["lineItems"][0]["amount"] = 2
    assert session == {"metadata": {"tags": ["a"]}, "order": {"lineItems": [{"amount": 1}]}}


def test_changing_a_sent_dict_leaves_the_stored_session_untouched() -> None:
    client = PrimerClient(emulator=Emulator(seed=2, start="2024-06-01T12:00:00", frozen=True))
    body: dict[str, Any] = {"orderId": "m-1", "currencyCode": "EUR", "metadata": {"tags": ["a"]}}
    session = client.create_session(body)
    changes: dict[str, Any] = {"metadata": {"tags": ["b"]}, "order": {"countryCode": "GB"}}
    client.update_session(session.client_token, changes)
    body["metadata"]["tags"].append("x")
    changes["metadata"]["tags"].append("y")
    changes["order"]["countryCode"] = "FR"
    stored = client.get_session(session.client_token)
    assert stored.to_wire()["metadata"] == {"tags": ["b"]}
    assert stored.to_wire()["order"] == {"countryCode": "GB"}


@settings(max_examples=300, deadline=None)
@given(sessions, sessions)
def test_patch_of_is_the_smallest_body_apply_patch_turns_into_after(
    before: dict[str, Any], after: dict[str, Any]
) -> None:
    snapshot = repr((before, after))
    patch = patch_of(before, after)
    assert repr((before, after)) == snapshot  # inputs untouched
    assert apply_patch(before, patch) == after
    for key, value in patch.items():
        assert before.get(key) != after.get(key) or key not in after  # only what changed
        old = before.get(key)
        if key in MERGED_ONE_LEVEL and isinstance(value, dict) and isinstance(old, dict):
            assert all(old.get(k, "absent") != after[key].get(k, "absent") for k in value)


def test_patch_of_sends_null_for_what_disappeared_and_keeps_the_order() -> None:
    before = {"orderId": "a", "amount": 1, "order": {"countryCode": "GB", "x": 1}}
    after = {"metadata": {"k": 1}, "order": {"countryCode": "FR", "x": 1}}
    assert list(patch_of(before, after).items()) == [
        ("metadata", {"k": 1}),
        ("order", {"countryCode": "FR"}),
        ("orderId", None),
        ("amount", None),
    ]
    assert patch_of(after, after) == {}
    # an explicit null is sent (it clears), and so is a key that had a null and is gone
    assert patch_of({}, {"amount": None}) == {"amount": None}
    assert patch_of({"amount": None}, {}) == {"amount": None}
    assert patch_of({"order": {}}, {"order": {"fees": None}}) == {"order": {"fees": None}}
    assert patch_of({"order": {"a": 1, "b": 2}}, {"order": {"b": 2}}) == {"order": {"a": None}}
