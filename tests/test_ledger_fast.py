"""The ledger hook's fast paths store what the slow ones stored, and never a secret.

- the client hands the ledger the bodies' wire text (`Exchange.request_json` /
  `response_json`) only when the text can be stored as it is: no API key, no backslash;
- the ledger stores that text without encoding the body again, unless it names a secret
  (`apiKey`, ...) or holds a backslash; it still redacts every secret it knows in it;
- a new ledger file has small pages, checkpoints at SQLite's default WAL size, and every
  exchange is committed (visible to another connection) when the call returns.
"""

from __future__ import annotations

import gc
import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from primer_nb.client import Exchange, PrimerClient, _redacted_json
from primer_nb.emulator import Emulator
from primer_nb.ledger import (
    BACKSTOP_PAGES,
    CHECKPOINT_EVERY,
    PAGE_SIZE,
    RESTART_PAGES,
    Ledger,
)
from primer_nb.redaction import longest_first, redact, redact_each

BODY = {"orderId": "o-1", "currencyCode": "EUR", "amount": 1299}
KEY = "sk_" + "sandbox_" + "FASTPATHKEY0123456789"


def _exchange(**changes: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "started_at": datetime(2024, 6, 1, 12, 0, tzinfo=UTC),
        "method": "POST",
        "path": "/client-session",
        "status": 200,
        "attempt": 1,
        "request_id": "0" * 32,
        "request_body": {"orderId": "o-1"},
        "response_body": {"orderId": "o-1", "clientToken": "tok-1"},
    }
    row.update(changes)
    return row


def _stored(ledger: Ledger, column: str) -> str:
    db = ledger._connection()
    return str(db.execute(f"SELECT {column} FROM exchanges ORDER BY id DESC").fetchone()[0])


# --- what the client hands on ----------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "text_given"),
    [
        (b'{"orderId":"o-1","amount":5}', True),
        (b'[{"a":"\xc3\xa9"}]', True),  # UTF-8 as it is
        (b'{\n  "orderId": "o-1"\n}', True),  # whitespace kept: it is the wire text
        (b'{"note":"' + KEY.encode() + b'"}', False),  # the key: redacted in the value only
        (b'{"\\u0061piKey":"x"}', False),  # an escape could hide a name or the key
        (b'{"note":"caf\\u00e9"}', False),
        ('{"orderId":"o-1"}'.encode("utf-16"), False),  # JSON, but not UTF-8
        (b'\xef\xbb\xbf{"orderId":"o-1"}', False),  # a BOM
        (b'"just a string"', False),
        (b"12", False),
        (b"not json", False),
        (b"", False),
    ],
)
def test_wire_text_is_given_only_when_it_can_be_stored_as_it_is(
    content: bytes, text_given: bool
) -> None:
    value, text = _redacted_json(content, [KEY])
    assert (text is not None) is text_given
    if text is not None:
        assert text == content.decode("utf-8")
        assert json.loads(text) == value
    assert KEY not in repr(value)
    _, text_without_key = _redacted_json(content, ())  # no key configured
    assert (text_without_key is not None) is (text_given or KEY.encode() in content)


@pytest.mark.parametrize(
    "name", ["X-API-KEY", "x_api_key", "api_key", "PRIMER_API_KEY", "apiKey", "Authorization"]
)
def test_a_body_naming_a_secret_is_never_stored_as_it_is(name: str, tmp_path: Path) -> None:
    """The ledger writes a body without a walk through it only when its text cannot name a
    secret: a name with `_`, or `Authorization`, must be seen too (the value is no
    configured key: only its name says what it is). With and without the wire text."""
    body = {"note": "n", name: "Bearer " + "OTHERSECRET0123456789"}
    wire = json.dumps(body, separators=(",", ":"))
    ledger = Ledger(tmp_path / "l.sqlite3")
    ledger.record({"method": "POST", "path": "/x", "request_body": body})
    ledger.record({"method": "POST", "path": "/x", "request_body": body, "request_json": wire})
    assert ledger.frame().request_body.tolist() == [{"note": "n", name: "***"}] * 2
    ledger.close()
    for file in tmp_path.iterdir():
        assert b"OTHERSECRET" not in file.read_bytes(), file.name


def test_the_key_echoed_in_a_body_reaches_hooks_and_the_ledger_redacted(tmp_path: Path) -> None:
    seen: list[Exchange] = []
    ledger = Ledger(tmp_path / "l.sqlite3")
    client = PrimerClient(KEY, emulator=Emulator(), hooks=[seen.append])
    ledger.attach(client)
    client.create_session({**BODY, "metadata": {"note": KEY}})
    (exchange,) = seen
    assert exchange.request_json is None and exchange.response_json is None
    assert exchange.request_body["metadata"] == {"note": "***"}  # type: ignore[index]
    assert ledger.frame().request_body[0]["metadata"] == {"note": "***"}
    ledger.close()
    for file in tmp_path.iterdir():
        assert KEY.encode() not in file.read_bytes(), file.name


def test_the_wire_text_is_what_was_sent_and_received(tmp_path: Path) -> None:
    sent: list[httpx.Request] = []
    answered: list[bytes] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        response = httpx.Response(
            200,
            json={
                **json.loads(request.content),
                "clientToken": "t",
                "clientTokenExpirationDate": "2030-01-01T00:00:00",
            },
        )
        answered.append(response.content)
        return response

    seen: list[Exchange] = []
    client = PrimerClient(KEY, transport=httpx.MockTransport(answer), hooks=[seen.append])
    ledger = Ledger(tmp_path / "l.sqlite3")
    ledger.attach(client)
    client.create_session({**BODY, "customer": {"firstName": "Zoë"}})
    (exchange,) = seen
    assert exchange.request_json == sent[0].content.decode()
    assert exchange.response_json == answered[0].decode()
    assert _stored(ledger, "request_body") == sent[0].content.decode()
    assert _stored(ledger, "response_body") == answered[0].decode()
    row = ledger.frame(full_tokens=True).iloc[0]
    assert row.request_body == exchange.request_body
    assert row.response_body == exchange.response_body
    assert row.order_id == "o-1" and row.client_token == "t"
    ledger.close()


# --- what the ledger stores ------------------------------------------------------------


def test_wire_text_naming_a_secret_is_walked_and_scrubbed(tmp_path: Path) -> None:
    body = {"headers": {"X-API-KEY": "abc"}, "orderId": "o-1"}
    with Ledger(tmp_path / "l.sqlite3") as ledger:
        ledger.record(_exchange(request_body=body, request_json=json.dumps(body)))
        assert json.loads(_stored(ledger, "request_body")) == {
            "headers": {"X-API-KEY": "***"},
            "orderId": "o-1",
        }


def test_wire_text_with_an_escape_is_not_trusted(tmp_path: Path) -> None:
    """`\\u0061piKey` is `apiKey`: a check on the text alone would miss it."""
    text = '{"\\u0061piKey":"abc","k":"sk_\\u0078"}'
    body = json.loads(text)
    with Ledger(tmp_path / "l.sqlite3", secrets=["sk_x"]) as ledger:
        ledger.record(_exchange(request_body=body, request_json=text))
        stored = _stored(ledger, "request_body")
    assert json.loads(stored) == {"apiKey": "***", "k": "***"}
    assert "abc" not in stored and "sk_x" not in stored


def test_every_known_secret_is_redacted_from_wire_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The client keeps only its own key out of the text; the ledger knows more secrets."""
    monkeypatch.setenv("PRIMER_API_KEY", "env-secret-1")
    body = {"a": "vault-secret-22", "b": "env-secret-1", "c": "x vault-secret-22-long y"}
    with Ledger(tmp_path / "l.sqlite3", secrets=["vault-secret-22", "vault-secret-22-long"]) as led:
        led.record(_exchange(response_body=body, response_json=json.dumps(body)))
        stored = _stored(led, "response_body")
        assert json.loads(stored) == {"a": "***", "b": "***", "c": "x *** y"}
        monkeypatch.setenv("PRIMER_API_KEY", "env-secret-2")  # read again on each record
        led.record(_exchange(error="env-secret-2 and env-secret-1"))
        assert _stored(led, "error") == "*** and env-secret-1"


SECRETISH = st.sampled_from(["apiKey", "API_KEY", "x-api-key", "Authorization", "note", "k"])
TEXT = st.text(alphabet=st.characters(codec="utf-8"), max_size=12)


@settings(max_examples=80, deadline=None)
@given(
    body=st.dictionaries(SECRETISH | TEXT, TEXT | st.integers() | st.lists(TEXT, max_size=2)),
    secret=st.text(alphabet="acdeghXYZ_-é", min_size=3, max_size=8),
)
def test_fast_and_slow_paths_store_the_same_json(body: dict[str, Any], secret: str) -> None:
    """With the wire text or without it, the stored JSON decodes to the same scrubbed body.

    (Secrets are key-like: letters, `_`, `-`. One made of digits or of the letters of a
    JSON escape could be matched inside a number or an escape of the text.)
    """
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    with Ledger(":memory:", secrets=[secret]) as ledger:
        ledger.record(_exchange(request_body=body))
        slow = _stored(ledger, "request_body")
        ledger.record(_exchange(request_body=body, request_json=text))
        fast = _stored(ledger, "request_body")
    assert secret not in fast and secret not in slow
    assert json.loads(fast) == json.loads(slow)


_COLUMNS = ("environment", "api_version", "path", "error_id", "request_id", "error")


@settings(max_examples=150, deadline=None)
@given(
    texts=st.lists(st.text(alphabet="abAB\"\\'_-0é", max_size=8), min_size=7, max_size=7),
    secrets=st.lists(st.text(alphabet="abAB\"\\'_-0é", min_size=1, max_size=9), max_size=3),
)
@example(texts=["x", "", "", "", "", "", "get ab"], secrets=["AB"])  # only once upper-cased
@example(texts=['x a\\"b', "", "", "", "", "", ""], secrets=['a"b'])  # as JSON spells it
def test_the_text_columns_look_for_secrets_once_and_store_what_redact_each_gives(
    texts: list[str], secrets: list[str]
) -> None:
    """A row's text columns are looked at once for every spelling of every secret; a row
    holding none is stored without a `redact_each` per column. What is stored is what
    `redact_each` gives each column (the method redacted before and after upper-casing)."""
    ordered = longest_first(secrets)
    *columns, method = texts
    with Ledger(":memory:", secrets=secrets) as ledger:
        ledger.record(_exchange(**dict(zip(_COLUMNS, columns, strict=True)), method=method))
        for name, text in zip(_COLUMNS, columns, strict=True):
            assert _stored(ledger, name) == redact_each(text, ordered), name
        expected = redact_each(redact_each(method, ordered).upper(), ordered)
        assert _stored(ledger, "method") == expected


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (k, *_strings(v))]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


@settings(max_examples=120, deadline=None)
@given(
    body=st.dictionaries(
        SECRETISH | TEXT, TEXT | st.integers() | st.booleans() | st.lists(TEXT, max_size=2)
    ),
    secret=st.text(alphabet='0123456789tru"\\\x1fabcé', min_size=2, max_size=6),
)
@example(body={"": "000"}, secret="00")  # a short secret inside a word: kept, as documented
def test_any_secret_leaves_valid_json_and_no_string_holding_it(
    body: dict[str, Any], secret: str
) -> None:
    """Secrets are replaced in the decoded body, never in the text: one that spells JSON
    (digits of a number, `true`, part of a `\\u001f` escape) cannot break the stored row,
    and one JSON escapes (a quote, a backslash) is found all the same."""
    text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    with Ledger(":memory:", secrets=[secret]) as ledger:
        ledger.record(_exchange(request_body=body))
        slow = json.loads(_stored(ledger, "request_body"))
        rows = 1
        if "\\" not in text:
            ledger.record(_exchange(request_body=body, request_json=text))
            assert json.loads(_stored(ledger, "request_body")) == slow
            rows = 2
        assert len(ledger.frame()) == rows  # every row reads back
    # a secret shorter than 8 characters is replaced only where it stands alone (`000`
    # keeps `00`): no string may hold an occurrence the redaction rules replace
    assert all(redact(s, secret) == s for s in _strings(slow))


def test_a_secret_spelling_json_keeps_numbers_and_the_row_readable(tmp_path: Path) -> None:
    """The bug this fixes: a secret matched inside `12990` or `true` made the row invalid
    JSON (and `frame()` failed on it); now only strings lose the secret."""
    body = {"amount": 12990, "paid": True, "note": "code 1299 and true"}
    with Ledger(tmp_path / "l.sqlite3", secrets=["1299", "true"]) as ledger:
        ledger.record(_exchange(request_body=body, request_json=json.dumps(body)))
        stored = json.loads(_stored(ledger, "request_body"))
        assert stored == {"amount": 12990, "paid": True, "note": "code *** and ***"}
        assert len(ledger.frame()) == 1


@pytest.mark.parametrize(
    ("secret", "method"),
    [
        ("marker-key-123", "marker-key-123"),
        ("marker-key-123", "get marker-key-123"),
        ("MARKER-KEY-123", "marker-key-123"),  # it would be the key once upper-cased
    ],
)
def test_the_method_column_is_redacted_like_every_text_column(secret: str, method: str) -> None:
    """The module docstring: a secret's text is replaced "in every text column". The method
    column was upper-cased and stored without redaction."""
    with Ledger(":memory:", secrets=[secret]) as ledger:
        ledger.record(_exchange(method=method, environment=secret))
        stored = _stored(ledger, "method")
        assert "MARKER-KEY-123" not in stored.upper(), stored
        assert "***" in stored
        assert _stored(ledger, "environment") == "***"
        ledger.record(_exchange(method="patch"))
        assert _stored(ledger, "method") == "PATCH"  # the verb is still upper-cased


# --- the file --------------------------------------------------------------------------


def test_a_new_file_has_small_pages_and_sqlite_checkpoints_only_as_a_backstop(
    tmp_path: Path,
) -> None:
    with Ledger(tmp_path / "new.sqlite3") as ledger:
        db = ledger._connection()
        assert db.execute("PRAGMA page_size").fetchone()[0] == PAGE_SIZE == 1024
        # the ledger's thread checkpoints every 100 exchanges (about 1000 pages, SQLite's
        # default); SQLite's own checkpoint on commit only if that thread falls behind
        assert db.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == BACKSTOP_PAGES
        assert BACKSTOP_PAGES > RESTART_PAGES > CHECKPOINT_EVERY * 10
        assert db.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def _checkpointers() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "primer-nb-ledger-checkpoint"]


def _wait_for(condition: Callable[[], bool], seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def test_the_wal_is_checkpointed_every_100_exchanges_by_a_thread_of_the_ledger(
    tmp_path: Path,
) -> None:
    """No `record` waits for a checkpoint (about 2.5 ms every 100 exchanges, with every
    thread of a batch waiting behind it): the ledger's own thread copies the WAL into the
    database, and SQLite's checkpoint on commit comes only at 10,000 pages."""
    path = tmp_path / "l.sqlite3"
    before = set(_checkpointers())
    ledger = Ledger(path)
    for n in range(CHECKPOINT_EVERY - 1):
        ledger.record(_exchange(request_id=f"{n:032d}"))
    assert set(_checkpointers()) == before  # started when first needed
    empty = path.stat().st_size
    ledger.record(_exchange(request_id="9" * 32))
    # the 100 exchanges (about 2.9 KB each here, more with real bodies) reach the database
    assert _wait_for(lambda: path.stat().st_size > empty + CHECKPOINT_EVERY * 200)
    [thread] = set(_checkpointers()) - before
    assert len(ledger) == CHECKPOINT_EVERY
    ledger.close()
    assert not thread.is_alive()  # stopped, and its connection closed before the writer's
    assert not Path(f"{path}-wal").exists()  # the last connection removed the WAL, as before


def test_the_wal_starts_again_from_its_beginning_while_exchanges_keep_coming(
    tmp_path: Path,
) -> None:
    """A checkpoint beside the writes never leaves the WAL all checkpointed, and only then
    does SQLite write it from the beginning again: without the writer's catch-up the WAL
    grew by every exchange until SQLite's own checkpoint at 10,000 pages."""
    path = tmp_path / "l.sqlite3"
    wal = Path(f"{path}-wal")
    client = PrimerClient(emulator=Emulator(seed=1), max_retries=0)
    with Ledger(path) as ledger:
        ledger.attach(client)
        largest = 0
        for n in range(1500):
            client.create_session({**BODY, "orderId": f"o-{n}"})
            largest = max(largest, wal.stat().st_size)
        assert len(ledger) == 1500
    client.close()
    # RESTART_PAGES pages and what came in meanwhile, far below 1,500 exchanges' worth
    assert largest < (RESTART_PAGES + 10 * CHECKPOINT_EVERY) * (PAGE_SIZE + 24), largest


def test_an_unclosed_ledger_stops_its_thread_when_collected(tmp_path: Path) -> None:
    before = set(_checkpointers())
    ledger = Ledger(tmp_path / "l.sqlite3")
    for n in range(CHECKPOINT_EVERY):
        ledger.record(_exchange(request_id=f"{n:032d}"))
    [thread] = set(_checkpointers()) - before
    del ledger
    gc.collect()
    thread.join(timeout=10)
    assert not thread.is_alive()


def _exit_code(pid: int, seconds: float = 30.0) -> int:
    """A forked child's exit code; a child still running after `seconds` is killed, and
    the test fails saying it hung (a test waiting for ever would stop the whole suite)."""
    deadline = time.monotonic() + seconds
    while (done := os.waitpid(pid, os.WNOHANG))[0] == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    if done[0] == 0:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
        pytest.fail("the forked child hung")
    return os.waitstatus_to_exitcode(done[1])


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_child_forked_beside_the_checkpoint_thread_writes_and_checkpoints(
    tmp_path: Path,
) -> None:
    """A fork waits for a checkpoint under way (SQLite's process-wide locks would be held
    in the child by a thread it does not have); the child starts a thread of its own."""
    path = tmp_path / "l.sqlite3"
    ledger = Ledger(path)
    for round_ in range(5):
        for n in range(CHECKPOINT_EVERY):  # the last one pokes the thread: fork right away
            ledger.record(_exchange(request_id=f"{round_}{n:031d}"))
        pid = os.fork()
        if pid == 0:
            code = 1
            try:
                for n in range(CHECKPOINT_EVERY):
                    ledger.record(_exchange(request_id=f"c{round_}{n:030d}"))
                code = 0 if ledger._checkpoint_thread().pid == os.getpid() else 2
                ledger.close()
            finally:
                os._exit(code)
        assert _exit_code(pid) == 0
    assert len(ledger) == 10 * CHECKPOINT_EVERY
    ledger.close()


def test_an_unclosed_ledger_leaves_no_wal_at_exit(tmp_path: Path) -> None:
    """A connection the thread kept open outlived the writer's at exit (the thread is a
    daemon): SQLite removes the WAL only when the last connection closes, so the WAL
    stayed, and a copy of the database file alone lacked the latest exchanges."""
    path = tmp_path / "l.sqlite3"
    script = (
        "import sys\n"
        "from primer_nb.ledger import Ledger\n"
        "ledger = Ledger(sys.argv[1])\n"
        "for n in range(150):\n"
        "    ledger.record({'method': 'POST', 'path': '/client-session', 'status': 200,\n"
        "                   'request_id': f'{n:032d}', 'request_body': {'orderId': 'o'}})\n"
    )
    for _ in range(3):
        path.unlink(missing_ok=True)
        subprocess.run([sys.executable, "-c", script, str(path)], check=True, timeout=60)
        assert not Path(f"{path}-wal").exists()
        db = sqlite3.connect(path)
        assert db.execute("SELECT count(*) FROM exchanges").fetchone()[0] == 150
        db.close()


def test_no_thread_to_start_leaves_the_checkpoint_to_sqlite_and_record_succeeds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At a thread limit, `record` raised after its exchange was committed: a caller would
    write it again, and a client logged the hook as failing every 100 exchanges."""
    ledger = Ledger(tmp_path / "l.sqlite3")
    starts: list[object] = []

    def refuse(thread: threading.Thread) -> None:
        starts.append(thread)
        raise RuntimeError("can't start new thread")

    monkeypatch.setattr(threading.Thread, "start", refuse)
    for n in range(3 * CHECKPOINT_EVERY):
        ledger.record(_exchange(request_id=f"{n:032d}"))
    monkeypatch.undo()
    assert len(starts) == 1  # tried once in this process
    assert len(ledger) == 3 * CHECKPOINT_EVERY and ledger.failures == ()
    db = ledger._connection()
    assert db.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 1000  # SQLite's default
    ledger.close()


def test_no_thread_and_a_failing_pragma_still_leave_record_succeeding(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ledger = Ledger(tmp_path / "l.sqlite3")
    real = ledger._connection()

    class Refusing:  # the connection, refusing the PRAGMA that hands checkpoints back
        def execute(self, sql: str, *args: Any) -> Any:
            if sql.startswith("PRAGMA wal_autocheckpoint"):
                raise sqlite3.OperationalError("disk I/O error")
            return real.execute(sql, *args)

    def refuse(thread: threading.Thread) -> None:
        raise RuntimeError("can't start new thread")

    monkeypatch.setattr(threading.Thread, "start", refuse)
    monkeypatch.setattr(ledger, "_connection", Refusing)
    for n in range(CHECKPOINT_EVERY + 1):
        ledger.record(_exchange(request_id=f"{n:032d}"))
    monkeypatch.undo()
    assert len(ledger) == CHECKPOINT_EVERY + 1 and ledger.failures == ()
    ledger.close()


def test_each_new_thread_replaces_the_last_ones_finalizer(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "l.sqlite3")
    finalizers = []
    for _ in range(3):  # closed and used again: a new thread each time
        for n in range(CHECKPOINT_EVERY):
            ledger.record(_exchange(request_id=f"{n:032d}"))
        finalizers.append(ledger._finalizer)
        ledger.close()
    assert [f is not None and f.alive for f in finalizers] == [False, False, True]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_forked_child_leaves_the_parents_thread_and_locks_alone(tmp_path: Path) -> None:
    """The child inherited the finalizer of the parent's thread, which set its Event at
    the child's exit: copied while another thread held that Event's lock (a batch thread
    poking it), the child hung. A ledger lock held by another thread at the fork (a batch
    thread inside `record`) hung the child's first `record` (before this change too)."""
    ledger = Ledger(tmp_path / "l.sqlite3")
    for n in range(CHECKPOINT_EVERY):
        ledger.record(_exchange(request_id=f"{n:032d}"))
    thread = ledger._checkpoint_thread()
    assert thread is not None and ledger._finalizer is not None
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:  # another thread inside poke() and inside record() at the fork
        with thread._wake._cond, ledger._lock:
            holding.set()
            release.wait()

    holder = threading.Thread(target=hold)
    holder.start()
    assert holding.wait(10)
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            ledger._finalizer()  # what the child's exit runs
            ledger.record(_exchange(request_id="c" * 32))
            code = 0
        finally:
            os._exit(code)
    release.set()
    holder.join()
    assert _exit_code(pid) == 0
    assert len(ledger) == CHECKPOINT_EVERY + 1
    ledger.close()


def test_the_thread_never_makes_a_removed_ledger_again(tmp_path: Path) -> None:
    path = tmp_path / "l.sqlite3"
    ledger = Ledger(path)
    for n in range(CHECKPOINT_EVERY - 1):
        ledger.record(_exchange(request_id=f"{n:032d}"))
    path.unlink()  # removed under the ledger: its connection still writes to the old file
    ledger.record(_exchange(request_id="9" * 32))  # the thread starts here
    time.sleep(0.2)
    ledger.close()
    assert not path.exists()


def test_an_existing_file_keeps_its_page_size(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    with Ledger(path) as ledger:  # made, then its pages set to 4096 as older ledgers had
        ledger.record(_exchange())
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode = DELETE")
    db.execute("PRAGMA page_size = 4096")
    db.execute("VACUUM")
    db.close()
    with Ledger(path) as ledger:
        db = ledger._connection()
        assert db.execute("PRAGMA page_size").fetchone()[0] == 4096
        ledger.record(_exchange())
        assert len(ledger) == 2


def test_each_exchange_is_committed_when_the_call_returns(tmp_path: Path) -> None:
    path = tmp_path / "l.sqlite3"
    ledger = Ledger(path)
    client = PrimerClient(emulator=Emulator())
    ledger.attach(client)
    other = sqlite3.connect(path)  # another reader, as another process would be
    for n in range(1, 4):
        client.create_session({**BODY, "orderId": f"o-{n}"})
        count = other.execute("SELECT count(*) FROM exchanges").fetchone()[0]
        assert count == n
    other.close()
    ledger.close()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_forked_child_writes_through_its_own_connection(tmp_path: Path) -> None:
    """The ledger notices a fork without asking the OS for its pid on every write."""
    ledger = Ledger(tmp_path / "l.sqlite3")
    ledger.record(_exchange(request_id="1" * 32))
    parent_db = ledger._connection()
    pid = os.fork()
    if pid == 0:  # the child: must not use the parent's connection
        code = 1
        try:
            ledger.record(_exchange(request_id="2" * 32))
            code = 0 if ledger._connection() is not parent_db else 2
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert ledger._connection() is parent_db
    ledger.record(_exchange(request_id="3" * 32))
    assert ledger.frame().request_id.tolist() == ["1" * 32, "2" * 32, "3" * 32]
    ledger.close()
