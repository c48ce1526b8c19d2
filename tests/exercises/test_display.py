"""Rich displays: session card, error box, ledger and batch counts, and the short error
box for uncaught PrimerAPIErrors in a real kernel (IPython's custom exception hook)."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path
from typing import Any

import pytest

from primer_nb import display
from primer_nb.errors import PrimerValidationError
from primer_nb.models import ClientSessionWithToken, short_token

ROOT = Path(__file__).resolve().parents[2]
TAXJAR = "Shipping details are required for calculating tax."


def _text(html: str) -> str:
    """The visible text of an HTML fragment, whitespace collapsed."""
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def _session(client: Any, **extra: Any) -> ClientSessionWithToken:
    address = {"countryCode": "JP", "postalCode": "100-0001"}
    body = {
        "orderId": "order-d1",
        "currencyCode": "JPY",
        "amount": 1500,
        "customer": {"shippingAddress": address},
        **extra,
    }
    session: ClientSessionWithToken = client.create_session(body)
    return session


def test_session_card_shows_amount_token_expiry_and_time_left(client: Any) -> None:
    session = _session(client)
    html = session._repr_html_()
    text = _text(html)
    assert "amount JPY 1,500 (1500 minor units)" in text
    assert short_token(session.client_token) in text
    assert session.client_token not in html  # only the shortened token, JSON included
    assert "expires 2026-01-16 09:00:00 UTC · 24 h 0 min left" in text
    assert "(backend clock 2026-01-15 09:00:00 UTC)" in text
    assert "<details" in html and "<summary" in html and '"orderId": "order-d1"' in html
    assert "⚠" not in html


def test_time_left_follows_the_backend_clock_not_the_wall_clock(client: Any) -> None:
    session = _session(client)
    client.emulator.clock.advance(hours=23, minutes=30)
    assert "30 min left" in _text(session._repr_html_())
    client.emulator.clock.advance(hours=1, minutes=30)
    text = _text(session._repr_html_())
    assert "expired 1 h 0 min ago" in text
    assert "backend clock 2026-01-16 10:00:00 UTC" in text


def test_times_are_shown_in_utc_whatever_their_zone() -> None:
    """An aware non-UTC time was printed as it was with "UTC" after it (9 h off for
    Tokyo)."""
    from datetime import UTC, datetime, timedelta, timezone

    tokyo = datetime(2026, 1, 16, 18, tzinfo=timezone(timedelta(hours=9)))
    html = display.session_html({"orderId": "o"}, expiry=tokyo, now=tokyo - timedelta(hours=1))
    assert "expires 2026-01-16 09:00:00 UTC · 1 h 0 min left" in _text(html)
    assert display.time_left(tokyo, tokyo.astimezone(UTC)) == "expired 0 h 0 min ago"


def test_warnings_are_highlighted(client: Any) -> None:
    session = _session(client, customer={"shippingAddress": {"countryCode": "NL"}})
    html = session._repr_html_()
    assert "1 warning(s)" in html
    assert f"⚠ TAXJAR / MISSING_DATA: {TAXJAR}" in _text(html)
    assert "--jp-warn-color1" in html


def test_the_card_is_deterministic_and_theme_aware(client: Any) -> None:
    from primer_nb.client import PrimerClient
    from primer_nb.emulator import Emulator

    other = PrimerClient(emulator=Emulator(seed=7, start="2026-01-15T09:00:00", frozen=True))
    one, two = _session(client), _session(other)
    assert one._repr_html_() == two._repr_html_() == one._repr_html_()
    html = one._repr_html_()
    assert not re.search(r"\sid=", html)
    colours = re.findall(r"#[0-9a-fA-F]{3,6}\b", html)
    # every colour is a fallback inside var(--jp-...), so both themes apply their own
    assert len(colours) == len(re.findall(r"var\(--jp-[a-z0-9-]+, #[0-9a-fA-F]{3,6}\)", html))
    assert repr(one).startswith("ClientSessionWithToken(") and "…" in repr(one)


def test_a_session_without_a_known_clock_shows_the_expiry_only(client: Any) -> None:
    session = ClientSessionWithToken.model_validate(_session(client).to_wire())
    text = _text(session._repr_html_())
    assert "expires 2026-01-16 09:00:00 UTC" in text and "left" not in text


def test_get_and_patch_answers_render_without_token(client: Any) -> None:
    session = _session(client)
    current = client.update_session(session.client_token, {"amount": 2000})
    text = _text(current._repr_html_())
    assert "amount JPY 2,000" in text and "clientToken" not in text and "expires" not in text


def test_the_backend_clock_survives_copies_and_pickles(client: Any) -> None:
    import copy
    import pickle

    session = _session(client)
    assert copy.deepcopy(session) == session
    restored = pickle.loads(pickle.dumps(session))
    assert restored == session
    # a pickle keeps the backend time it was made at, and counts on from there
    assert re.search(r"(24 h 0|23 h 59) min left", _text(restored._repr_html_()))
    assert "_primer_backend_clock" not in session.model_dump_json()


def test_a_servers_date_header_gives_the_backend_time() -> None:
    session = ClientSessionWithToken.model_validate(
        {"clientToken": "x" * 40, "clientTokenExpirationDate": "2026-01-16T09:00:00.000000"}
    )
    display.remember_backend_clock(session, None, "Thu, 15 Jan 2026 10:00:00 GMT")
    assert "23 h 0 min left" in _text(session._repr_html_()) or "22 h 59 min left" in _text(
        session._repr_html_()
    )
    plain = ClientSessionWithToken.model_validate(session.to_wire())
    display.remember_backend_clock(plain, None, "not a date")
    assert display.backend_now(plain) is None


def test_error_box_has_status_ids_paths_and_recovery(client: Any) -> None:
    with pytest.raises(PrimerValidationError) as caught:
        client.create_session(
            {"orderId": "", "currencyCode": "EURO", "customer": {"emailAddress": "ada@"}},
            validate=False,
        )
    error = caught.value
    html = error._repr_html_()
    text = _text(html)
    assert text.startswith("PrimerValidationError: 422 RequestValidationError")
    assert f"diagnosticsId {error.diagnostics_id}" in text
    assert "JSONPath description" in text
    for detail in error.validation_errors:
        assert f"{detail.path} {detail.description}" in text
    assert html.count("<tr ") >= len(error.validation_errors) + 2
    assert "--jp-error-color1" in html


def test_error_box_shows_recovery_and_escapes_text(client: Any) -> None:
    from primer_nb.errors import InvalidClientTokenError

    with pytest.raises(InvalidClientTokenError) as caught:
        client.get_session("<b>not-a-token</b>")
    text = _text(caught.value._repr_html_())
    assert "What to do: Please provide a valid client token." in text
    local = PrimerValidationError(422, "X", "<script>alert(1)</script>", local=True)
    html = local._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "(refused before sending)" in html


def test_no_api_key_in_any_display(marker_key: str) -> None:
    from primer_nb.client import PrimerClient
    from primer_nb.emulator import Emulator

    emulator = Emulator(seed=1, frozen=True, api_keys=[marker_key])
    client = PrimerClient(emulator=emulator, api_key=marker_key)
    session = client.create_session({"orderId": "o", "amount": 100, "currencyCode": "EUR"})
    wrong = PrimerClient(emulator=emulator, api_key=marker_key[:-1] + "X")
    with pytest.raises(Exception) as caught:
        wrong.create_session({"orderId": "o"})
    for html in (session._repr_html_(), caught.value._repr_html_()):  # type: ignore[attr-defined]
        assert marker_key not in html
        assert marker_key[:-1] not in html


def test_ledger_and_batch_show_counts(client: Any, tmp_path: Path) -> None:
    from primer_nb.batch import create_sessions
    from primer_nb.ledger import Ledger

    csv = tmp_path / "orders.csv"
    csv.write_text(
        "order_id,currency_code,amount\norder-b1,EUR,1000\norder-b2,EURO,1000\norder-b3,GBP,500\n"
    )
    with Ledger(tmp_path / "ledger.sqlite3") as ledger:
        result = create_sessions(csv, client=client, ledger=ledger)
        batch = _text(result._repr_html_())
        assert "rows 3" in batch and "sessions 2" in batch and "failed 1" in batch
        assert "InvalidRow 1" in batch  # 'EURO' is refused before sending
        shown = ledger._repr_html_()
        text = _text(shown)
        assert f"exchanges {len(ledger)}" in text and "POST 200 2" in text
        assert "ledger.sqlite3" in text and str(tmp_path) not in shown
        assert repr(result).startswith("BatchResult(") and repr(ledger).startswith("Ledger(")


def test_uncaught_api_errors_show_the_box_in_a_real_kernel() -> None:
    """IPython's custom exception hook: a box and one line instead of the traceback; %tb
    and full_traceback=True bring the full one back; other errors are untouched."""
    import nbclient
    import nbformat

    cells = [
        "import primer_nb.notebook\n"
        "from primer_nb import PrimerClient\n"
        "from primer_nb.emulator import Emulator\n"
        "client = PrimerClient(emulator=Emulator(seed=7, frozen=True))\n"
        "primer_nb.notebook.enable()",
        'client.create_session({"orderId": 5}, validate=False)',
        "%tb",
        "primer_nb.notebook.enable(full_traceback=True)\n"
        'client.create_session({"orderId": 5}, validate=False)',
        "primer_nb.notebook.enable()\nint('x')",
        "primer_nb.notebook.disable()\nprint(primer_nb.notebook.is_enabled())\n"
        "%load_ext primer_nb.notebook\nprimer_nb.notebook.is_enabled()",
        "primer_nb.notebook.disable()\n"
        "from primer_nb.tutorial import tutorial_client\n"
        "tutorial = tutorial_client()\n"
        "primer_nb.notebook.is_enabled()",
    ]
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c) for c in cells]
    nbclient.NotebookClient(nb, allow_errors=True, timeout=60).execute(cwd=str(ROOT))
    out = [cell.outputs for cell in nb.cells]

    assert [o.output_type for o in out[1]] == ["display_data", "error"]
    box = out[1][0].data
    assert "primer-error" in box["text/html"] and "$.orderId" in box["text/html"]
    assert "%tb" in box["text/html"]
    assert box["text/plain"].startswith("PrimerValidationError: 422 RequestValidationError")
    error = out[1][1]
    assert error.ename == "PrimerValidationError"
    assert error.evalue.startswith("422 RequestValidationError")
    assert len(error.traceback) == 1

    full_tb = "\n".join(line for o in out[2] for line in o.get("traceback", []))
    assert "create_session" in full_tb and len(full_tb.splitlines()) > 10

    assert [o.output_type for o in out[3]] == ["error"]
    assert len("\n".join(out[3][0].traceback).splitlines()) > 10

    assert out[4][0].ename == "ValueError" and len(out[4][0].traceback) > 1
    assert out[0] == []  # the set-up cell shows nothing
    assert out[5][0].text == "False\n" and out[5][1].data["text/plain"] == "True"
    # the tutorials' set-up call turns the box on
    assert out[6][-1].data["text/plain"] == "True"
