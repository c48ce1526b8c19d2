"""The SQLite ledger: recording, filters, redaction, migration, concurrency."""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import sqlite3
import stat
import tempfile
import threading
import warnings
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from ledger_writer import write_many

from primer_nb.client import PrimerClient
from primer_nb.emulator import Emulator
from primer_nb.errors import PrimerAPIError
from primer_nb.ledger import (
    LEDGER_COLUMNS,
    SCHEMA_VERSION,
    Ledger,
    LedgerError,
    default_path,
)
from primer_nb.redaction import short_token
from primer_nb.wire_errors import json_path
from tests.conftest import QUOTED_MARKER_KEYS

BODY = {"orderId": "o-1", "currencyCode": "EUR", "amount": 1299}


def exchange(n: int = 0, **changes: Any) -> dict[str, Any]:
    """An `Exchange`-shaped mapping (the ledger accepts mappings as well as the dataclass)."""
    row: dict[str, Any] = {
        "started_at": datetime(2024, 6, 1, 12, 0, tzinfo=UTC) + timedelta(seconds=n),
        "duration_ms": 1.5,
        "environment": "emulator",
        "api_version": "2.4",
        "method": "POST",
        "path": "/client-session",
        "query": {},
        "request_body": {"orderId": f"o-{n}", "amount": 100},
        "status": 200,
        "response_body": {"orderId": f"o-{n}", "amount": 100, "clientToken": f"tok-{n:020d}"},
        "error_id": None,
        "attempt": 1,
        "error": None,
        "request_id": f"{n:032x}",
    }
    row.update(changes)
    return row


@pytest.fixture
def ledger(tmp_path: Path) -> Any:
    with Ledger(tmp_path / "ledger.sqlite3") as opened:
        yield opened


def test_records_every_attempt_of_an_attached_client(ledger: Ledger) -> None:
    emulator = Emulator(seed=3)
    client = PrimerClient(emulator=emulator, max_retries=2)
    client._random = lambda: 0.0  # no backoff wait in tests
    ledger.attach(client)
    ledger.attach(client)  # twice: still one hook
    assert client.hooks.count(ledger.record) == 1
    session = client.create_session(BODY)
    client.get_session(session.client_token)
    emulator.inject(503, times=1)
    client.get_session(session.client_token)  # 503, then retried: two rows, one request id
    with pytest.raises(PrimerAPIError):
        client.create_session({**BODY, "amount": -1}, validate=False)
    frame = ledger.frame(full_tokens=True)
    assert list(frame.columns) == list(LEDGER_COLUMNS)
    assert {k: str(v) for k, v in frame.dtypes.items()} == dict(LEDGER_COLUMNS)
    assert frame.method.tolist() == ["POST", "GET", "GET", "GET", "POST"]
    assert frame.status.tolist() == [200, 200, 503, 200, 422]
    assert frame.request_id[2] == frame.request_id[3] and frame.attempt.tolist()[2:4] == [1, 2]
    assert frame.error_id[4] == "RequestValidationError"
    assert frame.order_id[0] == "o-1" and frame.client_token[1] == session.client_token
    assert frame.response_body[0]["clientToken"] == session.client_token
    assert frame.query_params[1] == {"clientToken": session.client_token}
    assert (frame.duration_ms > 0).all() and frame.environment.eq("emulator").all()
    ledger.detach(client)
    client.create_session(BODY)
    assert len(ledger) == 5


def test_frame_filters_and_shortened_tokens(ledger: Ledger) -> None:
    for n in range(6):
        ledger.record(exchange(n, status=200 if n % 2 else 422, method="POST" if n < 4 else "GET"))
    start = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
    assert ledger.frame(status=422).request_id.tolist() == [f"{n:032x}" for n in (0, 2, 4)]
    assert len(ledger.frame(status=[200, 422])) == 6
    assert ledger.frame(order_id="o-3").status.tolist() == [200]
    assert len(ledger.frame(order_id=["o-1", "o-2"])) == 2
    assert len(ledger.frame(method="get")) == 2
    assert len(ledger.frame(since=start + timedelta(seconds=2))) == 4
    assert len(ledger.frame(until="2024-06-01T12:00:02Z")) == 2
    assert len(ledger.frame(since=start, until=start + timedelta(seconds=3), status=422)) == 2
    assert len(ledger.frame(until="2024-06-01T12:00:02")) == 2  # naive text: UTC
    with pytest.raises(ValueError, match=r"^until is a naive datetime .* local time"):
        ledger.frame(until=datetime(2024, 6, 1, 12, 0, 2))  # Python's local time: refused
    frame = ledger.frame()
    assert frame.client_token[0] == "tok-0000…0000"
    assert frame.response_body[0]["clientToken"] == "tok-0000…0000"
    assert ledger.frame().response_body[0] == ledger.frame(full_tokens=True).response_body[0] | {
        "clientToken": "tok-0000…0000"
    }


def test_frame_shortens_every_token_inside_a_body(ledger: Ledger) -> None:
    """A row with many sessions in its body (`GET /_emulator/sessions`) has no token of
    its own: frame() showed every client token inside it in full."""
    client = PrimerClient(emulator=Emulator(seed=3))
    ledger.attach(client)
    made = [client.create_session({**BODY, "orderId": f"o-{n}"}) for n in range(2)]
    client.request("GET", "/_emulator/sessions")
    listed = ledger.frame().response_body.iloc[-1]
    shown = json.dumps(listed, ensure_ascii=False)
    assert all(s.client_token not in shown for s in made)
    assert all(short_token(s.client_token) in shown for s in made)
    full = json.dumps(ledger.frame(full_tokens=True).response_body.iloc[-1])
    assert all(s.client_token in full for s in made)


def test_sessions_are_the_answered_posts(ledger: Ledger) -> None:
    ledger.record(exchange(1))
    ledger.record(exchange(2, status=422, response_body={"error": {"errorId": "X"}}))
    ledger.record(exchange(3, method="GET"))
    ledger.record(exchange(4, environment="sandbox"))
    records = ledger.sessions()
    assert [r.order_id for r in records] == ["o-1", "o-4"]
    assert records[0].body["clientToken"] == f"tok-{1:020d}"  # full, for resume and GET
    assert records[0].created_at == datetime(2024, 6, 1, 12, 0, 1, tzinfo=UTC)
    assert [r.order_id for r in ledger.sessions(environment="sandbox")] == ["o-4"]


def test_the_api_key_is_never_stored(tmp_path: Path, marker_key: str) -> None:
    path = tmp_path / "ledger.sqlite3"
    ledger = Ledger(path)
    client = PrimerClient(marker_key, emulator=Emulator())
    ledger.attach(client)
    client.create_session(BODY)
    # Defensively, also a hook payload that carries the key (as a header-like field, in a
    # nested body, in text) - as a buggy client or a hand-made exchange might.
    ledger.record(
        exchange(
            9,
            query={"api_key": marker_key},
            request_body={"headers": {"X-API-KEY": marker_key}, "note": f"key={marker_key}"},
            response_body={"apiKey": marker_key, "list": [{"x-api-key": "other"}]},
            error=f"failed with {marker_key}",
            path=f"/client-session?key={marker_key}",
        )
    )
    row = ledger.frame().iloc[-1]
    assert row.request_body["headers"]["X-API-KEY"] == "***"
    assert row.request_body["note"] == "key=***"
    assert row.response_body == {"apiKey": "***", "list": [{"x-api-key": "***"}]}
    assert row.query_params == {"api_key": "***"}
    assert row.error == "failed with ***"
    ledger.close()
    for file in tmp_path.iterdir():
        assert marker_key.encode() not in file.read_bytes(), file.name
    assert marker_key not in repr(ledger)


def test_bodies_are_stored_as_json_whatever_mapping_holds_them(ledger: Ledger) -> None:
    """A plain body is written as it is; other mappings and secret names are walked first."""
    from types import MappingProxyType

    body = {"orderId": "o-9", "items": (1, 2), "at": datetime(2024, 6, 1, tzinfo=UTC)}
    inner = MappingProxyType({"X-Api-Key": "k", "note": "n"})
    ledger.record(exchange(1, request_body=body, response_body={"headers": inner}))
    row = ledger.frame().iloc[-1]
    assert row.request_body == {
        "orderId": "o-9",
        "items": [1, 2],
        "at": "2024-06-01 00:00:00+00:00",
    }
    assert row.response_body == {"headers": {"X-Api-Key": "***", "note": "n"}}


def test_env_key_is_redacted_without_attach(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, marker_key: str
) -> None:
    monkeypatch.setenv("PRIMER_API_KEY", marker_key)
    with Ledger(tmp_path / "l.sqlite3") as ledger:
        ledger.record(exchange(1, error=f"boom {marker_key}"))
        assert ledger.frame().error[0] == "boom ***"


@pytest.mark.parametrize("key", QUOTED_MARKER_KEYS, ids=["double-quote", "single-quote"])
def test_a_key_a_body_spells_escaped_is_redacted_from_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, key: str
) -> None:
    """A body (recorded without a client) that quotes the key as a JSONPath or a repr
    does: the text of its JSON does not hold the key as it is, yet it is walked."""
    monkeypatch.setenv("PRIMER_API_KEY", key)
    quoted = [f"{json_path(('customer', key))}: Unknown field", f"Value {key!r} is not valid"]
    with Ledger(tmp_path / "l.sqlite3") as ledger:
        for n, description in enumerate(quoted):  # one each: neither holds the key as it is
            ledger.record(exchange(n, response_body={"error": {"description": description}}))
        shown = [body["error"]["description"] for body in ledger.frame().response_body]
        assert shown[0] == "$.customer['***']: Unknown field"
        assert shown[1] in ("Value '***' is not valid", 'Value "***" is not valid')
    for path in tmp_path.iterdir():
        assert b"MARKERKEY" not in path.read_bytes(), path.name


def test_default_path_and_repr(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("PRIMER_NB_LEDGER", str(tmp_path / "nb" / "my.sqlite3"))
    assert default_path() == tmp_path / "nb" / "my.sqlite3"
    with Ledger() as ledger:
        assert repr(ledger) == "Ledger('~/nb/my.sqlite3', exchanges=0)"
    monkeypatch.delenv("PRIMER_NB_LEDGER")
    assert default_path().name == "ledger.sqlite3"
    assert "primer-nb" in str(default_path())
    with Ledger(":memory:") as memory:
        memory.record(exchange())
        assert repr(memory) == "Ledger(':memory:', exchanges=1)"


def test_wal_mode_and_schema_version(ledger: Ledger) -> None:
    assert ledger.path is not None
    db = sqlite3.connect(ledger.path)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 2
    db.close()
    assert ledger.schema_version == 2


def test_a_file_of_another_schema_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "v1.sqlite3"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE exchanges (id INTEGER PRIMARY KEY)")
    db.execute("PRAGMA user_version = 1")
    db.close()
    with pytest.raises(LedgerError, match="schema version 1; this primer-nb reads 2"):
        Ledger(path)


def test_the_ledger_is_private_to_its_owner(tmp_path: Path) -> None:
    """Folders it creates 0700; the database, its WAL, shm and journal files 0600."""
    path = tmp_path / "shared-home" / "primer-nb" / "ledger.sqlite3"
    existing = stat.S_IMODE(tmp_path.stat().st_mode)
    old = os.umask(0o022)  # the usual umask, under which files are world-readable
    try:
        ledger = Ledger(path)
        ledger.record(exchange(1))
        assert len(ledger) == 1
        files = sorted(path.parent.iterdir())
        assert {f.name for f in files} >= {"ledger.sqlite3", "ledger.sqlite3-wal"}
        for folder in (path.parent, path.parent.parent):
            assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
        for file in files:
            assert stat.S_IMODE(file.stat().st_mode) == 0o600, file
        ledger.close()
        journaled = tmp_path / "journaled.sqlite3"
        Ledger(journaled).close()
        db = sqlite3.connect(journaled, isolation_level=None)  # rollback journal, not WAL
        db.execute("PRAGMA journal_mode = DELETE")
        db.execute("BEGIN IMMEDIATE")
        db.execute(
            "INSERT INTO exchanges (recorded_at, started_at, method, path) "
            "VALUES ('t', 't', 'GET', '/')"
        )
        journal = tmp_path / "journaled.sqlite3-journal"
        assert stat.S_IMODE(journal.stat().st_mode) == 0o600
        db.execute("COMMIT")
        db.close()
        assert stat.S_IMODE(tmp_path.stat().st_mode) == existing  # not created: untouched
    finally:
        os.umask(old)


def test_newer_or_foreign_files_are_refused(tmp_path: Path) -> None:
    newer = tmp_path / "newer.sqlite3"
    db = sqlite3.connect(newer)
    db.execute("PRAGMA user_version = 99")
    db.close()
    with pytest.raises(LedgerError, match="schema version 99"):
        Ledger(newer)
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"this is not a database" * 100)
    with pytest.raises(LedgerError, match="cannot open"):
        Ledger(junk)


def test_a_ledger_that_cannot_be_made_or_opened_is_a_ledger_error_saying_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A path under a file was a bare NotADirectoryError (callers catch LedgerError); a
    ledger in a read-only folder said only 'unable to open database file'; and without a
    home directory, the message itself failed (RuntimeError from Path.home())."""
    (tmp_path / "afile").write_text("")
    with pytest.raises(LedgerError) as caught:
        Ledger(tmp_path / "afile" / "ledger.sqlite3")
    assert str(caught.value).startswith(
        f"cannot create the ledger {tmp_path / 'afile' / 'ledger.sqlite3'}: Not a directory"
    )

    path = tmp_path / "kept.sqlite3"
    Ledger(path).close()
    Path(f"{path}-wal").unlink(missing_ok=True)
    Path(f"{path}-wal").mkdir()  # SQLite cannot make its WAL file, as in a read-only folder
    import primer_nb.ledger as ledger_module

    monkeypatch.setattr(ledger_module.os, "access", lambda *_: False)  # root writes anyway
    with pytest.raises(LedgerError) as caught:
        Ledger(path)
    assert str(caught.value) == (
        f"cannot open the ledger {path}: unable to open database file (its folder "
        f"{tmp_path} is read-only, and SQLite needs to create its WAL files next to the "
        "ledger: copy the ledger somewhere writable)"
    )

    junk = tmp_path / "junk.sqlite3"
    junk.write_text("order_id,amount\n")
    monkeypatch.setattr(Path, "home", lambda: (_ for _ in ()).throw(RuntimeError("no home")))
    with pytest.raises(LedgerError, match=f"^cannot open the ledger {junk}: file is not a"):
        Ledger(junk)


def test_threads_write_concurrently(tmp_path: Path) -> None:
    path = tmp_path / "threads.sqlite3"
    shared = Ledger(path)
    errors: list[BaseException] = []

    def work(worker: int) -> None:
        try:
            own = Ledger(path)  # half the writes through one object, half through their own
            for n in range(40):
                (shared if n % 2 else own).record(exchange(worker * 1000 + n))
            own.close()
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(w,)) for w in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(shared) == 8 * 40
    assert shared.frame().request_id.nunique() == 320
    shared.close()


def test_processes_write_concurrently(tmp_path: Path) -> None:
    path = str(tmp_path / "processes.sqlite3")
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=write_many, args=(path, w, 50)) for w in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert [w.exitcode for w in workers] == [0, 0, 0, 0]
    with Ledger(path) as ledger:
        assert len(ledger) == 200
        assert ledger.frame().request_id.nunique() == 200


def test_another_programs_database_is_refused_and_left_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "app.sqlite3"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
    db.execute("INSERT INTO customers (name) VALUES ('Ann')")
    db.commit()
    db.close()
    before = path.read_bytes()
    with pytest.raises(LedgerError, match="is a SQLite database but not a primer-nb ledger"):
        Ledger(path)
    assert path.read_bytes() == before  # no schema, no user_version, no WAL mode written
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert [r[0] for r in db.execute("SELECT name FROM sqlite_master")] == ["customers"]
    db.close()
    empty = tmp_path / "empty.sqlite3"
    sqlite3.connect(empty).close()  # a database with no tables yet becomes a ledger
    os.chmod(empty, 0o600)
    assert Ledger(empty).schema_version == 2


@pytest.mark.parametrize(
    ("change", "said"),
    [
        (  # drops every exchange as it is written: a batch then sends its rows again
            "CREATE TRIGGER quiet BEFORE INSERT ON exchanges BEGIN SELECT RAISE(IGNORE); END",
            "has trigger quiet, which a primer-nb ledger never has",
        ),
        (
            "CREATE VIEW tokens AS SELECT client_token FROM exchanges",
            "has view tokens, which a primer-nb ledger never has",
        ),
        # a version-2 file without its table or a column opened, then `frame()` or the
        # next exchange failed with "no such table"
        ("DROP TABLE exchanges", "says it is a version-2 ledger but has no exchanges table"),
        (
            "ALTER TABLE exchanges DROP COLUMN error",
            "says it is a version-2 ledger but has no column error",
        ),
    ],
)
def test_a_ledger_another_program_changed_is_refused_on_open(
    tmp_path: Path, change: str, said: str
) -> None:
    path = tmp_path / "ledger.sqlite3"
    Ledger(path).close()
    db = sqlite3.connect(path)
    db.execute(change)
    db.commit()
    db.close()
    before = path.read_bytes()
    with pytest.raises(LedgerError) as refused:
        Ledger(path)
    assert said in str(refused.value) and "it was left unchanged" in str(refused.value)
    assert path.read_bytes() == before


def test_a_ledger_file_others_can_read_is_used_with_a_warning(tmp_path: Path) -> None:
    shared = tmp_path / "common"
    shared.mkdir(mode=0o755)
    os.chmod(shared, 0o755)  # others may enter the folder
    path = shared / "ledger.sqlite3"
    Ledger(path).close()
    os.chmod(path, 0o644)  # copied in, or made by an older tool: left as it is
    with pytest.warns(UserWarning, match=r"can be read or written by other users \(mode 0644\)"):
        ledger = Ledger(path)
    ledger.close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    for private in ((path, 0o600, 0o755), (path, 0o644, 0o700)):  # either one keeps them out
        os.chmod(private[0], private[1])
        os.chmod(shared, private[2])
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            Ledger(path).close()


@pytest.fixture
def folders_to_remove() -> Iterator[list[Path]]:
    folders: list[Path] = []
    yield folders
    for folder in folders:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs chown (root)")
def test_a_ledger_file_another_user_planted_in_a_shared_folder_is_refused(
    folders_to_remove: list[Path],
) -> None:
    """Planted (in /tmp, say), it let its owner read every token written to it. Root may
    use a user's project mounted into a container, except in a folder everyone may write
    to."""
    # pytest's own folders are root's 0700: the other user must be able to get there
    tmp_path = Path(tempfile.mkdtemp(dir="/tmp"))
    os.chmod(tmp_path, 0o755)
    folders_to_remove.append(tmp_path)
    shared = tmp_path / "common"
    shared.mkdir()
    os.chmod(shared, 0o1777)
    path = shared / "ledger.sqlite3"
    Ledger(path).close()
    os.chown(path, 65534, 65534)
    before = path.read_bytes()
    with pytest.raises(LedgerError, match=r"belongs to another user \(uid 65534\)"):
        Ledger(path)
    assert path.read_bytes() == before
    # root using a user's project (a container's mount: their folder, umask 002) is fine
    os.chown(shared, 65534, 65534)
    os.chmod(shared, 0o775)
    Ledger(path).close()
    # any other user is refused another's file wherever it lies (a planted ledger in a
    # folder its owner made 0755 let them read all that was written to it)
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child reports by its exit status
        try:
            os.setgid(1001)
            os.setuid(1001)
            Ledger(path)
        except LedgerError as exc:
            os._exit(0 if "belongs to another user (uid 65534)" in str(exc) else 2)
        except BaseException:
            os._exit(3)
        os._exit(1)
    assert os.waitpid(pid, 0)[1] == 0


def test_a_ledger_another_process_creates_meanwhile_is_not_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two processes opening a new ledger file at once: the one that looks while the other
    commits the schema must see the ledger, not "tables and no ledger schema version" (it
    read the version and the tables apart, and the other's commit could fall between)."""
    import primer_nb.ledger as ledger_module

    path = tmp_path / "race.sqlite3"
    real_connect = sqlite3.connect
    created: list[bool] = []

    def connect(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        db = real_connect(*args, **kwargs)

        def the_other_process_commits(statement: str) -> None:
            if "sqlite_master" in statement and not created:
                created.append(True)  # just before the tables are counted
                Ledger(path).close()

        db.set_trace_callback(the_other_process_commits)
        return db

    monkeypatch.setattr(ledger_module.sqlite3, "connect", connect)
    with Ledger(path) as ledger:
        assert len(ledger) == 0
    assert created == [True]


def _ledger_with_one_session() -> Ledger:
    ledger = Ledger(":memory:")
    client = PrimerClient(emulator=Emulator())
    ledger.attach(client)
    client.create_session({"orderId": "o-1", "currencyCode": "EUR", "amount": 100})
    return ledger


def test_a_status_taken_from_a_dataframe_filters_like_an_int() -> None:
    np = pytest.importorskip("numpy")
    ledger = _ledger_with_one_session()
    assert len(ledger.frame(status=np.int64(200))) == 1
    assert len(ledger.frame(status=np.array([200, 201]))) == 1
    assert len(ledger.frame(status=np.int64(422))) == 0


@pytest.mark.parametrize(
    ("filters", "error", "match"),
    [
        ({"status": 200.0}, TypeError, "^status must be an HTTP status code such as 200"),
        ({"status": [200, "x"]}, TypeError, r"^status must be .*: status\[1\] is str"),
        ({"method": ["POST"]}, TypeError, "^method must be one HTTP method as text"),
        ({"since": "yesterday"}, ValueError, "^since must be a datetime or ISO 8601 text"),
        ({"until": 5}, TypeError, "^until must be a datetime or ISO 8601 text"),
        ({"order_id": 5}, TypeError, "^order_id must be an order id as text"),
        ({"environment": 1}, TypeError, "^environment must be text"),
    ],
)
def test_a_bad_frame_filter_is_named_in_its_error(
    filters: dict[str, Any], error: type[Exception], match: str
) -> None:
    ledger = _ledger_with_one_session()
    with pytest.raises(error, match=match):
        ledger.frame(**filters)


@pytest.mark.parametrize(
    ("column", "value", "says"),
    [
        ("response_body", "not json", "exchange 1: response_body is not JSON text"),
        ("request_body", b"\x00\xff", "exchange 1: request_body is not JSON text"),
        ("status", "two hundred", "exchange 1: status is 'two hundred'"),
        ("started_at", "yesterday", "started_at"),
    ],
)
def test_a_row_another_program_wrote_is_a_ledger_error_naming_it(
    column: str, value: object, says: str
) -> None:
    """frame(), sessions() and last_posts() failed with JSONDecodeError, TypeError or
    pandas' ValueError for a row primer-nb never writes."""
    ledger = _ledger_with_one_session()
    ledger._connection().execute(f"UPDATE exchanges SET {column} = ? WHERE id = 1", (value,))
    readers: list[Any] = [ledger.frame]
    if column in ("response_body", "request_body", "started_at"):
        readers.append(ledger.sessions)
    if column == "started_at":
        readers.append(ledger.last_posts)
    for read in readers:
        with pytest.raises(LedgerError) as refused:
            read()
        message = str(refused.value)
        assert says in message and "another program changed the file" in message, read


@pytest.mark.parametrize("path", [5, b"ledger.db", ["ledger.db"]])
def test_a_path_of_the_wrong_type_names_the_argument(path: object) -> None:
    with pytest.raises(TypeError, match=r"^path must be a file path \(str or Path\)"):
        Ledger(path)  # type: ignore[arg-type]


def test_attaching_something_that_is_no_client_names_the_argument() -> None:
    with (
        Ledger(":memory:") as ledger,
        pytest.raises(
            TypeError, match=r"^client must be a PrimerClient or AsyncPrimerClient, not str"
        ),
    ):
        ledger.attach("x")  # type: ignore[arg-type]


def test_a_folder_as_the_ledger_says_to_name_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite said only "unable to open database file"."""
    with pytest.raises(
        LedgerError, match=r"is a folder: name a file in it, such as .*ledger\.sqlite3"
    ):
        Ledger(tmp_path)
    monkeypatch.setenv("PRIMER_NB_LEDGER", str(tmp_path))
    with pytest.raises(LedgerError, match=r"\(PRIMER_NB_LEDGER\) is a folder"):
        Ledger()
    with pytest.raises(LedgerError) as caught:  # a folder given in code: not the variable's
        Ledger(tmp_path)
    assert "PRIMER_NB_LEDGER" not in str(caught.value)
