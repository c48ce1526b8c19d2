"""A key pasted into a body (a metadata note, say) is shown as `***` wherever the kit
shows data back: a model's repr, the session card, a builder's preview and result, a
snippet. The client, its errors and the ledger already showed it so; these displays
showed the key itself, and a notebook stored it in its outputs. What the session holds
is not changed (`to_wire()`), and what a user types into a form stays as typed."""

from __future__ import annotations

from collections.abc import Iterator

import ipywidgets as w
import pytest

from primer_nb import redaction
from primer_nb.client import PrimerClient
from primer_nb.config import EMULATOR_KEY
from primer_nb.emulator import Emulator
from primer_nb.errors import PrimerValidationError
from primer_nb.models import ClientSessionRequest
from primer_nb.widgets import PatchBuilder, SessionBuilder
from primer_nb.widgets.snippets import curl_snippet, python_snippet


@pytest.fixture(autouse=True)
def nothing_remembered(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts with no key remembered (the set is the process's)."""
    monkeypatch.setattr(redaction, "_REMEMBERED", frozenset(), raising=False)
    monkeypatch.setattr(redaction, "_REMEMBERED_SORTED", (), raising=False)


@pytest.fixture
def client(marker_key: str) -> Iterator[PrimerClient]:
    emulator = Emulator(seed=1, frozen=True, api_keys=[marker_key])
    with PrimerClient(api_key=marker_key, emulator=emulator) as made:
        yield made


def body(key: str) -> dict[str, object]:
    return {"orderId": "o-1", "currencyCode": "EUR", "metadata": {"note": f"key {key}"}}


def shown_texts(widget: object, typed: bool = False) -> list[str]:
    """Every text a widget tree shows but its input controls (what the user typed), or,
    with `typed`, only what its input controls hold."""
    found: list[str] = []
    value = getattr(widget, "value", None)
    if isinstance(value, str) and isinstance(widget, w.Text | w.Textarea) == typed:
        found.append(value)
    for child in getattr(widget, "children", ()) or ():
        found += shown_texts(child, typed)
    return found


def test_a_session_holding_the_key_shows_it_nowhere_but_keeps_it(
    client: PrimerClient, marker_key: str
) -> None:
    session = client.create_session(body(marker_key))
    fetched = client.get_session(session.client_token)
    for model in (session, fetched):
        shown = repr(model) + str(model) + model._repr_html_()
        assert marker_key not in shown and "key ***" in shown
        assert model.to_wire()["metadata"] == {"note": f"key {marker_key}"}


def test_a_model_error_quoting_a_clients_key_redacts_it(
    client: PrimerClient, marker_key: str
) -> None:
    """The models knew only PRIMER_API_KEY: a key given as `api_key=` was quoted."""
    with pytest.raises(PrimerValidationError) as refused:
        ClientSessionRequest(currency_code=marker_key)  # type: ignore[arg-type]
    assert marker_key not in str(refused.value) + repr(refused.value.body)


def test_snippets_write_the_key_in_a_body_as_stars(client: PrimerClient, marker_key: str) -> None:
    target = {"base_url": "https://api.sandbox.primer.io", "api_version": "2.4"}
    curl = curl_snippet(body(marker_key), **target)
    for snippet in (curl, python_snippet(body(marker_key), **target)):
        assert marker_key not in snippet and "key ***" in snippet


@pytest.fixture
def widgets_closed_after() -> Iterator[None]:
    """The form's fields hold the key as typed: closed after the test, so that no later
    test's sweep of every live widget (tests/reliability) meets them."""
    registry = w.widgets.widget._instances
    before = set(registry)
    yield
    for model_id in set(registry) - before:
        widget = registry.get(model_id)  # closing a builder closes its parts too
        if widget is not None:
            widget.close()


@pytest.mark.usefixtures("widgets_closed_after")
def test_the_builders_show_the_key_typed_into_a_field_as_stars(
    client: PrimerClient, marker_key: str
) -> None:
    builder = SessionBuilder(client)
    builder.fill({**body(marker_key), "amount": "1.00"})
    preview = builder.preview
    for text in (preview.body_text, preview.curl_text, preview.python_text):
        assert marker_key not in text and "key ***" in text
    session = builder.submit()
    assert session.metadata == {"note": f"key {marker_key}"}  # sent as typed
    assert all(marker_key not in text for text in shown_texts(builder))

    patcher = PatchBuilder(client, session.client_token)
    # the live diff of changes, as the field holding the key is edited
    patcher.fill({"orderId": "o-2", "metadata": {"note": f"key {marker_key} (edited)"}})
    texts = shown_texts(patcher)
    assert any("(edited)" in text for text in texts)  # the change is shown ...
    assert all(marker_key not in text for text in texts)  # ... without the key
    patcher.submit()
    texts = shown_texts(patcher)
    assert any("o-2" in text for text in texts)  # the result is shown ...
    assert all(marker_key not in text for text in texts)  # ... without the key
    # what the fields hold stays as loaded and typed: a PATCH sends it back as it is
    assert f"key {marker_key} (edited)" in shown_texts(patcher, typed=True)
    assert client.get_session(session.client_token).metadata == {
        "note": f"key {marker_key} (edited)"
    }


@pytest.mark.usefixtures("widgets_closed_after")
def test_a_form_error_and_a_form_problem_quoting_the_key_show_stars(
    client: PrimerClient, marker_key: str
) -> None:
    builder = SessionBuilder(client)
    with pytest.raises(ValueError) as refused:
        builder.fill({"currencyCode": marker_key})
    assert marker_key not in str(refused.value) and "***" in str(refused.value)
    builder.form.node("$.metadata").add_row(marker_key, "1")
    builder.form.node("$.metadata").add_row(marker_key, "2")
    problems = " ".join(builder.problems)
    assert "duplicate key '***'" in problems and marker_key not in problems


def test_the_emulators_published_default_key_is_no_secret_to_displays() -> None:
    with PrimerClient() as client:
        session = client.create_session({"orderId": EMULATOR_KEY})
    assert EMULATOR_KEY not in redaction.remembered_secrets()
    assert repr(session).count(EMULATOR_KEY) == 1


def test_tables_and_exercise_feedback_show_a_pasted_key_as_stars(
    client: PrimerClient, marker_key: str
) -> None:
    from primer_nb import exercises
    from primer_nb.tables import line_items_frame, sessions_frame

    session = client.create_session(
        {
            "orderId": f"order {marker_key}",
            "currencyCode": "EUR",
            "order": {"lineItems": [{"amount": 100, "description": f"d {marker_key}"}]},
        }
    )
    frames = sessions_frame([session]).to_string() + line_items_frame([session]).to_string()
    assert marker_key not in frames and "order ***" in frames and "d ***" in frames
    exercise = exercises.get("03-fix-request")
    answer = {
        "orderId": "order-1",
        "currencyCode": "EUR",
        "order": {"lineItems": [{"itemId": "mug", "description": f"Mug {marker_key}"}]},
    }
    result = exercise.check(answer, record=False)
    assert result.status == "failed" and marker_key not in str(result)


def test_a_token_mismatch_warning_hides_the_key_with_whitespace_around_it(
    client: PrimerClient, marker_key: str
) -> None:
    """Only the key itself was hidden: with a newline (read from a file) or a space around
    it, the warning showed it shortened, or whole when short."""
    session = client.create_session({"orderId": "o-1"})
    for other in (f"{marker_key}\n", f" {marker_key}"):
        with pytest.warns(UserWarning) as caught:
            client.update_session(session.client_token, {"clientToken": other, "orderId": "p"})
        text = " ".join(str(w.message) for w in caught)
        assert marker_key[:8] not in text and marker_key[-4:] not in text


def test_short_keys_are_not_remembered_and_remembering_is_safe_across_threads() -> None:
    """A short emulator key (`demo`) turned every later `demo-order-1` shown in the
    process into `***-order-1`; and two threads remembering at once could raise in
    `PrimerClient()` or lose a key for good."""
    from concurrent.futures import ThreadPoolExecutor

    redaction.remember_secrets(["demo", "k"])
    assert redaction.remembered_secrets() == ()
    keys = [f"key-of-thread-{n:04d}" for n in range(200)]
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda key: redaction.remember_secrets([key]), keys))
    assert sorted(redaction.remembered_secrets()) == sorted(keys)
