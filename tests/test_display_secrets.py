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
    monkeypatch.setattr(redaction, "_REMEMBERED", set(), raising=False)
    monkeypatch.setattr(redaction, "_REMEMBERED_SORTED", [], raising=False)


@pytest.fixture
def client(marker_key: str) -> Iterator[PrimerClient]:
    emulator = Emulator(seed=1, frozen=True, api_keys=[marker_key])
    with PrimerClient(api_key=marker_key, emulator=emulator) as made:
        yield made


def body(key: str) -> dict[str, object]:
    return {"orderId": "o-1", "currencyCode": "EUR", "metadata": {"note": f"key {key}"}}


def shown_texts(widget: object) -> list[str]:
    """Every text a widget tree shows but its input controls (what the user typed)."""
    found: list[str] = []
    value = getattr(widget, "value", None)
    if isinstance(value, str) and not isinstance(widget, w.Text | w.Textarea):
        found.append(value)
    for child in getattr(widget, "children", ()) or ():
        found += shown_texts(child)
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
    patcher.fill({"orderId": "o-2"})
    patcher.submit()
    texts = shown_texts(patcher)
    assert any("o-2" in text for text in texts)  # the result is shown ...
    assert all(marker_key not in text for text in texts)  # ... without the key
    typed = [c.value for c in patcher.children if isinstance(c, w.Text)]
    assert all(marker_key not in value for value in typed)


def test_the_emulators_published_default_key_is_no_secret_to_displays() -> None:
    with PrimerClient() as client:
        session = client.create_session({"orderId": EMULATOR_KEY})
    assert EMULATOR_KEY not in redaction.remembered_secrets()
    assert repr(session).count(EMULATOR_KEY) == 1
