"""Checked exercises for the tutorials: right, or exactly what is wrong.

Every tutorial has at least two exercises, placed right after the cell that taught the
skill. An exercise cell in a notebook has exactly this form (the stored notebooks keep
the placeholder `...`, whose check says "not attempted yet", so nbval stays strict):

```python
from primer_nb.exercises import check

answer = ...  # your answer: here, ¥1,500 in minor units
check("02-jpy-amount", answer)
```

Exercises that need what the notebook holds at that point (the sessions of a batch, ...)
take it as keyword arguments, named in the exercise's `needs`:

```python
answer = ...  # how many created sessions have a TAXJAR warning?
check("09-warnings-count", answer, sessions=result.sessions)
```

The same through the exercise object, with its hint and its solution:

```python
from primer_nb import exercises

exercise = exercises.get("02-jpy-amount")
exercise                     # shows the task and the cell that checks it
exercise.check(answer)       # a Result: passed, or a specific feedback message
exercise.hint()              # a nudge, without the answer
exercise.solution()          # the answer and why
exercises.progress()         # which exercises you have passed
```

In the stored notebooks the answer stays `...`: its result ("Not attempted yet") is
deterministic, so nbval compares it like any other output. Never store a notebook with a
real answer or with `progress()` output (that depends on the reader).

**What is checked.** The learner passes what they built or received: a number, a request
(a model or a dict in Primer's camelCase), the session a call returned, the error it
raised. A check never sends anything: it reads the answer, validates requests with the
same rules the client and the emulator use (`primer_nb.models.check_request`), and so
works the same whatever backend the notebook talks to (emulator or sandbox).

**Feedback.** Each exercise knows the mistakes learners typically make, each with the
exact message it gets (150000 for ¥1,500 gets "JPY has no minor unit: ¥1,500 is 1500").
`catalogue()` returns every exercise; `exercise.mistakes` lists its known mistakes, each a
way to build the wrong answer and the feedback it must get, and `exercise.correct` builds
a right answer (tests/exercises runs them all against the emulator). A result shows as a
coloured box in a notebook and as one line of text elsewhere.

**Texts and judges.** Every word an exercise shows (title, task, hint, solution, success,
each feedback message) lives once, in `primer_nb/data/exercises.toml`; this module holds
the judges: the Python that reads an answer and names the feedback it gets
(`_say("key", value=...)`), the builders of a right answer and of each known mistake, and
what a notebook holds at that point. TOML because the texts are prose that an author edits:
multi-line strings wrap without quotes or `+` on every line, comments sit next to the text,
and the standard library reads it (`tomllib`); JSON has neither comments nor multi-line
strings, and YAML would add a dependency and its implicit typing ("no" and 2.4 are not
strings). A missing or garbled entry fails with an error naming the exercise and the key.
The file's header describes its layout.

**Progress.** Every checked answer (never a placeholder) is recorded per user in
`progress.json` under the user's data directory (`platformdirs.user_data_dir("primer-nb")`,
or the directory named by `PRIMER_NB_DATA_DIR`), never in the repository;
`progress()` shows which exercises passed. Pass `record=False` to `check` to keep a
check out of it.
"""

from __future__ import annotations

import base64
import contextlib
import json
import numbers
import operator
import re
import tomllib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from primer_nb import display
from primer_nb.amounts import wire_amount
from primer_nb.client import PrimerClient
from primer_nb.config import env_var
from primer_nb.currency import format_amount, from_minor_units
from primer_nb.errors import METADATA_EMPTY_KEY, PrimerAPIError
from primer_nb.models import (
    ClientSession,
    ClientSessionRequest,
    ClientSessionUpdateRequest,
    check_request,
    metadata_has_empty_key,
    shown_secrets,
)
from primer_nb.redaction import is_secret_name, redact_each
from primer_nb.storage import write_private

__all__ = [
    "AFTER",
    "DATA_DIR_ENV",
    "Exercise",
    "Mistake",
    "Note",
    "Progress",
    "Result",
    "catalogue",
    "check",
    "get",
    "progress",
    "progress_path",
]

#: Environment variable that moves the progress file (tests point it at a temp dir).
DATA_DIR_ENV = "PRIMER_NB_DATA_DIR"
#: The exercises' texts (see the module's docstring and the file's header).
_DATA_FILE = Path(__file__).resolve().parent / "data" / "exercises.toml"

Status = Literal["passed", "failed", "not attempted"]
#: What an exercise's builders receive: a client on the notebook's backend, and what the
#: notebook holds at that point (`Exercise.given`); they return an answer.
Build = Callable[[PrimerClient, Mapping[str, object]], object]


# --- results, hints, solutions ---------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    """The outcome of one check: `status` and the `message` a learner reads."""

    exercise_id: str
    status: Status
    message: str

    @property
    def passed(self) -> bool:
        """True when the answer is right."""
        return self.status == "passed"

    def __repr__(self) -> str:
        mark = {"passed": "✓", "failed": "✗", "not attempted": "…"}[self.status]
        return f"{mark} {self.exercise_id}: {self.message}"

    def _repr_html_(self) -> str:
        return display.result_html(self.exercise_id, self.status, self.message)


@dataclass(frozen=True)
class Note:
    """A hint or a solution: text for consoles, a small box in notebooks."""

    exercise_id: str
    kind: Literal["hint", "solution"]
    text: str
    code: str = ""

    def __repr__(self) -> str:
        body = self.text if not self.code else f"{self.text}\n\n{self.code}"
        return f"{self.kind.capitalize()} for {self.exercise_id}: {body}"

    def _repr_html_(self) -> str:
        return display.note_html(self.exercise_id, self.kind, self.text, self.code)


@dataclass(frozen=True)
class Mistake:
    """A typical wrong answer (`answer(client, given)` builds it) and its exact feedback."""

    label: str
    feedback: str
    answer: Build


def _nothing_needed(client: PrimerClient) -> dict[str, object]:
    return {}


class _TextError(ValueError):
    """A text the judge asked for is missing from the data file, or cannot be filled."""


@dataclass(frozen=True, eq=False)
class Exercise:
    """One checked exercise.

    - `id`, `notebook` (the tutorial's file name), `title`, `task` (what to do);
    - `check(answer, **given)` -> `Result`; `hint()`, `solution()` -> `Note`;
    - `needs`: the names of what `check` needs besides the answer (e.g. `sessions`);
      `given(client)` builds them the way the notebook does;
    - `correct(client, given)` builds a right answer; `mistakes` lists the typical wrong
      ones, each with the feedback it must get;
    - `after`: the cell of the notebook that teaches the skill (the exercise goes next).
    """

    id: str
    notebook: str
    title: str
    task: str
    judge: Callable[[object, Mapping[str, object]], str | None]
    success: str
    hint_text: str
    solution_text: str
    solution_code: str
    correct: Build
    mistakes: tuple[Mistake, ...]
    needs: tuple[str, ...] = ()
    given: Callable[[PrimerClient], dict[str, object]] = field(default=_nothing_needed)
    #: Where the exercise goes in its notebook: right after the cell that teaches this.
    after: str = ""
    #: What the notebook passes for each need, when it is not a name of its own.
    given_as: Mapping[str, str] = field(default_factory=dict)

    @property
    def call(self) -> str:
        """The `check` call of the exercise's notebook cell, e.g.
        `check("09-eur-total", answer, sessions=result.sessions)`."""
        extra = "".join(f", {name}={self.given_as.get(name, name)}" for name in self.needs)
        return f'check("{self.id}", answer{extra})'

    def check(self, answer: object = ..., /, *, record: bool = True, **given: object) -> Result:
        """Check `answer`; `...` (the placeholder) gives "not attempted yet"."""
        if answer is Ellipsis:
            return Result(self.id, "not attempted", NOT_ATTEMPTED)
        missing = [name for name in self.needs if name not in given]
        if missing:
            names = ", ".join(f"{name}=..." for name in missing)
            raise TypeError(f"check({self.id!r}, answer, {names}) needs {', '.join(missing)}")
        try:
            problem = self.judge(answer, given)
        except _TextError:  # the data file, not the answer: the author must see it
            raise
        except Exception as exc:  # an answer of a shape nobody foresaw: say so, never crash
            problem = _TEXTS.message(
                "unreadable", error=type(exc).__name__, detail=exc, task=self.task
            )
        # a pasted API key is never shown back (the kit's rule for every text it prints)
        result = (
            Result(self.id, "passed", self.success)
            if problem is None
            else Result(self.id, "failed", redact_each(problem, shown_secrets()))
        )
        if record:
            _record(result)
        return result

    def hint(self) -> Note:
        """A nudge towards the answer, without giving it away."""
        return Note(self.id, "hint", self.hint_text)

    def solution(self) -> Note:
        """The answer, and why."""
        return Note(self.id, "solution", self.solution_text, self.solution_code)

    def __repr__(self) -> str:
        return f"Exercise({self.id!r}, notebook={self.notebook!r}, mistakes={len(self.mistakes)})"

    def _repr_html_(self) -> str:
        return display.exercise_html(self.id, self.title, self.task, self.call)


# --- progress --------------------------------------------------------------------------------


def progress_path() -> Path:
    """Where progress is kept: `$PRIMER_NB_DATA_DIR/progress.json`, else the user data dir."""
    base = env_var(DATA_DIR_ENV)
    if base is None:
        import platformdirs

        base = platformdirs.user_data_dir("primer-nb", appauthor=False)
    return Path(base).expanduser() / "progress.json"


def _load() -> dict[str, dict[str, Any]]:
    path = progress_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    exercises = data.get("exercises") if isinstance(data, dict) else None
    return {k: v for k, v in exercises.items() if isinstance(v, dict)} if exercises else {}


def _record(result: Result) -> None:
    if result.status == "not attempted":
        return
    state = _load()
    entry = state.setdefault(result.exercise_id, {"passed": False, "attempts": 0})
    entry["attempts"] = int(entry.get("attempts", 0)) + 1
    entry["passed"] = bool(entry.get("passed")) or result.passed
    text = json.dumps({"exercises": state}, indent=2, sort_keys=True)
    # a read-only home never breaks a notebook (progress is a nicety); the file is private
    # and written through a new one, so a link planted at a fixed name is never followed
    with contextlib.suppress(OSError):
        write_private(progress_path(), text)


@dataclass(frozen=True)
class Progress:
    """Which exercises passed: `rows` of (id, notebook, status, attempts)."""

    rows: tuple[tuple[str, str, str, int], ...]

    @property
    def passed(self) -> list[str]:
        """Ids of the exercises passed, in catalogue order."""
        return [row[0] for row in self.rows if row[2] == "passed"]

    def __repr__(self) -> str:
        lines = [f"Progress: {len(self.passed)} of {len(self.rows)} exercises passed"]
        lines += [f"  {s:<13} {i} ({n} attempts)" for i, _nb, s, n in self.rows]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        return display.progress_html(self.rows)


def progress() -> Progress:
    """Every exercise of the catalogue with its status for this user."""
    state = _load()
    rows = []
    for exercise in catalogue():
        entry = state.get(exercise.id, {})
        attempts = int(entry.get("attempts", 0))
        status = "passed" if entry.get("passed") else ("tried" if attempts else "not attempted")
        rows.append((exercise.id, exercise.notebook, status, attempts))
    return Progress(tuple(rows))


# --- the texts (primer_nb/data/exercises.toml) -----------------------------------------------

#: `{name}` or `{name!r}` in a feedback text; any other brace is text.
_PLACEHOLDER = re.compile(r"\{(\w+)(!r)?\}")
_PROSE = ("notebook", "after", "title", "task", "success", "hint", "solution")
_SECTIONS = {"messages", "feedback", "exercise"}


def _fold(text: str) -> str:
    """Prose as written in the data file: a line break (with its spaces) is one space."""
    return re.sub(r" *\n *", " ", text.strip("\n"))


def _fill(template: str, values: Mapping[str, object], where: str) -> str:
    def value(match: re.Match[str]) -> str:
        name, as_repr = match.group(1), match.group(2)
        if name not in values:
            given = ", ".join(sorted(values)) or "nothing"
            raise _TextError(f"{where} names {{{name}}}, but its judge gives {given}")
        return repr(values[name]) if as_repr else str(values[name])

    return _PLACEHOLDER.sub(value, template)


def _table(data: Mapping[str, object], key: str, where: str) -> dict[str, object]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise ValueError(f"{where}: {key!r} must be a table, not {type(value).__name__}")
    return value


def _texts(data: Mapping[str, object], where: str) -> dict[str, str]:
    """A table of prose, folded; anything but a string is an error naming its key."""
    for key, value in data.items():
        if not isinstance(value, str):
            raise ValueError(f"{where}: {key!r} must be a string, not {type(value).__name__}")
    return {key: _fold(str(value)) for key, value in data.items()}


@dataclass(frozen=True)
class _MistakeText:
    """[exercise.ID.mistakes] SLUG: its label and the feedback it must get."""

    label: str
    says: str
    values: Mapping[str, object]


@dataclass(frozen=True)
class _ExerciseText:
    """[exercise.ID]: the prose, the feedback texts and the known mistakes."""

    prose: Mapping[str, str]
    solution_code: str
    feedback: Mapping[str, str]
    mistakes: Mapping[str, _MistakeText]


def _mistake(slug: str, entry: object, where: str) -> _MistakeText:
    if not isinstance(entry, dict) or not isinstance(entry.get("label"), str):
        raise ValueError(f"{where} {slug!r} needs a label (a string)")
    says, values = entry.get("says", slug), entry.get("with", {})
    if set(entry) - {"label", "says", "with"} or not isinstance(says, str):
        raise ValueError(f"{where} {slug!r} may have only label, says (a key) and with")
    if not isinstance(values, dict):
        raise ValueError(f"{where} {slug!r}: with must be a table of values")
    return _MistakeText(entry["label"], says, values)


def _exercise_text(entry: object, where: str) -> _ExerciseText:
    if not isinstance(entry, dict):
        raise ValueError(f"{where} must be a table")
    keys = {*_PROSE, "solution_code", "feedback", "mistakes"}
    unknown = sorted(set(entry) - keys)
    missing = [key for key in (*_PROSE, "solution_code") if key not in entry]
    if unknown or missing:
        problem = f"unknown key {unknown[0]!r}" if unknown else f"no {missing[0]!r}"
        raise ValueError(f"{where} has {problem}")
    code = entry["solution_code"]
    if not isinstance(code, str):
        raise ValueError(f"{where}: 'solution_code' must be a string")
    inside = where.removesuffix("]")
    return _ExerciseText(
        prose=_texts({key: entry[key] for key in _PROSE}, where),
        solution_code=code.removesuffix("\n"),  # code is kept as written, not folded
        feedback=_texts(_table(entry, "feedback", where), f"{inside}.feedback]"),
        mistakes={
            str(slug): _mistake(str(slug), mistake, f"{inside}.mistakes]")
            for slug, mistake in _table(entry, "mistakes", where).items()
        },
    )


@dataclass(frozen=True)
class _Texts:
    """The data file, read and checked: the shared texts and each exercise's."""

    source: str
    messages: Mapping[str, str]
    feedback: Mapping[str, str]
    exercises: Mapping[str, _ExerciseText]

    def message(self, key: str, **values: object) -> str:
        """A text of [messages], filled in."""
        return _fill(self.messages[key], values, f"{self.source}: [messages] {key!r}")

    def say(self, exercise_id: str, key: str, values: Mapping[str, object]) -> str:
        """Exercise `exercise_id`'s feedback `key` (else the shared one), filled in."""
        where = f"{self.source}: [exercise.{exercise_id}.feedback] {key!r}"
        template = self.exercises[exercise_id].feedback.get(key, self.feedback.get(key))
        if template is None:
            raise _TextError(f"{where} is missing (and [feedback] has no {key!r} either)")
        return _fill(template, values, where)


def _read(path: Path) -> _Texts:
    """Read the data file; a missing or mistyped entry is an error naming its key."""
    source = f"primer_nb/data/{path.name}"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ValueError(f"{source}: cannot read the exercises' texts: {exc}") from exc
    unknown = sorted(set(data) - _SECTIONS)
    if unknown:
        raise ValueError(f"{source}: unknown table [{unknown[0]}]")
    messages = _texts(_table(data, "messages", source), f"{source}: [messages]")
    for key in ("not-attempted", "unreadable"):
        if key not in messages:
            raise ValueError(f"{source}: [messages] has no {key!r}")
    return _Texts(
        source,
        messages,
        _texts(_table(data, "feedback", source), f"{source}: [feedback]"),
        {
            str(exercise_id): _exercise_text(entry, f"{source}: [exercise.{exercise_id}]")
            for exercise_id, entry in _table(data, "exercise", source).items()
        },
    )


# --- reading answers -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Say:
    """What a judge finds: the key of a feedback text and the values it is filled with."""

    key: str
    values: Mapping[str, object]


def _say(key: str, /, **values: object) -> _Say:
    return _Say(key, values)


def _wrong(value: object, known: Mapping[Any, str]) -> _Say | None:
    """The feedback for a known wrong `value` (compared with ==, as a learner's answer may
    be of any type, unhashable too), else None."""
    for wrong, key in known.items():
        if value == wrong:
            return _say(key)
    return None


def _wire(answer: Any) -> Any:
    """A model, a builder or a mapping -> the JSON Primer would see (else the answer as is)."""
    request = getattr(answer, "request", None)
    if request is not None and not isinstance(answer, Mapping) and hasattr(request, "to_wire"):
        return request.to_wire()
    changes = getattr(answer, "changes", None)
    if isinstance(changes, Mapping) and not isinstance(answer, Mapping):
        return dict(changes)
    to_wire = getattr(answer, "to_wire", None)
    if callable(to_wire):
        return to_wire()
    if isinstance(answer, Mapping):
        return _plain(answer)
    return answer


def _changes(answer: Any) -> Any:
    """PATCH changes as Primer would see them (`_wire`). The session a PATCH answered
    stands for its changes by its order, the part the PATCH exercises change; so does a
    PatchBuilder that was sent (Send, `submit()`): its `changes` are empty again, and its
    `session` is the answer to what it sent."""
    sent = getattr(answer, "session", None)
    if not isinstance(answer, Mapping) and getattr(answer, "changes", None) == {}:
        answer = sent if isinstance(sent, ClientSession) else answer
    if isinstance(answer, ClientSession):
        session = answer.to_wire()
        changes: dict[str, Any] = {k: session[k] for k in ("currencyCode", "order") if k in session}
        amount = session.get("amount")
        if amount is not None and amount != _order_total(session):  # an override is set
            changes["amount"] = amount
        return changes
    return _wire(answer)


def _plain(value: Any) -> Any:
    """Plain JSON data; a float or Decimal becomes a marker that no schema accepts."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, float | Decimal):
        return {"__not_an_integer__": value}  # kept as written, for the feedback
    return value


def _is_integer(value: object) -> bool:
    """An int, or another library's integer (numpy.int64 from pandas), never a bool."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _snake_keys(data: Any, path: str = "$") -> list[str]:
    found: list[str] = []
    if isinstance(data, Mapping):
        for key, value in data.items():
            # Primer's own upper-case keys (GOOGLE_PAY, PAYMENT_CARD) are wire names, a key
            # of options names a payment method (payment_card is not paymentCard), and an
            # API key's name (api_key) is no field at all: `_key_name` says so, not "apiKey"
            if (
                isinstance(key, str)
                and "_" in key.strip("_")
                and key != key.upper()
                and key != "__not_an_integer__"
                and not path.endswith(".options")
                and not _names_a_key(key)
            ):
                found.append(f"{path}.{key}")
            if key != "metadata":
                found += _snake_keys(value, f"{path}.{key}")
    elif isinstance(data, list):
        for i, value in enumerate(data):
            found += _snake_keys(value, f"{path}[{i}]")
    return found


def _camel(path: str) -> str:
    last = path.rsplit(".", 1)[-1]
    head, *rest = last.split("_")
    return head + "".join(part.capitalize() for part in rest)


def _snake_case(data: Any) -> _Say | None:
    snake = _snake_keys(data)
    if not snake:
        return None
    key = snake[0].rsplit(".", 1)[-1]
    return _say("snake-case", camel=_camel(key), key=key)


def _refused(data: Any, model: type[Any] = ClientSessionRequest) -> _Say | None:
    """The first JSONPath Primer would refuse in `data`, with its description: its 422s,
    then its 400 for an empty metadata key (the client refuses both before sending)."""
    _, errors = check_request(data, model)
    if errors:
        return _say("refused", path=errors[0].path, description=errors[0].description)
    if metadata_has_empty_key(data):
        return _say("refused", path="$.metadata", description=METADATA_EMPTY_KEY[1])
    return None


def _fields(wire: Mapping[str, Any], **right: object) -> _Say | None:
    """The first top-level field whose value is not the right one: its name is the key of
    the feedback, filled with the `value` the answer has."""
    for name, value in right.items():
        if wire.get(name) != value:
            return _say(name, value=wire.get(name))
    return None


def _line(
    item: Mapping[str, Any],
    right: tuple[int, int],
    pairs: Mapping[tuple[int, int], str],
    amounts: Mapping[int, str],
) -> _Say | None:
    """A line item's (amount, quantity) against the right pair: a known wrong pair or
    amount gets its own feedback, any other pair "line"."""
    amount, quantity = item.get("amount"), item.get("quantity", 1)
    if (amount, quantity) == right:
        return None
    return (
        _wrong((amount, quantity), pairs)
        or _wrong(amount, amounts)
        or _say("line", amount=_shown(amount), quantity=_shown(quantity))
    )


def _line_items(wire: Any) -> list[dict[str, Any]] | None:
    order = wire.get("order") if isinstance(wire, Mapping) else None
    items = order.get("lineItems") if isinstance(order, Mapping) else None
    return [i for i in items if isinstance(i, dict)] if isinstance(items, list) else None


def _order_total(wire: Mapping[str, Any]) -> int | None:
    """What the order adds up to as Primer computes it (line totals, fees, shipping),
    whatever the top-level amount says: for a body Primer accepts."""
    return wire_amount({k: v for k, v in wire.items() if k != "amount"})


def _raw_amount(value: Any) -> Any:
    """The original value of an amount that `_wire` marked as not an integer."""
    if isinstance(value, Mapping) and "__not_an_integer__" in value:
        return value["__not_an_integer__"]
    return value


def _not_minor(value: Any, key: str = "not-minor") -> _Say | None:
    """An amount that is not an integer in minor units: feedback `key` with its `raw` value."""
    raw = _raw_amount(value)
    return None if _is_integer(raw) else _say(key, raw=raw)


def _shown(value: Any) -> str:
    """How a learner wrote a value, as Python shows it: 1001.0 for a float, Decimal('1001')
    for a Decimal (both marked by `_plain`), '1001' for text."""
    return repr(_raw_amount(value))


def _is_session(answer: Any) -> bool:
    wire = _wire(answer)
    return isinstance(wire, Mapping) and "clientToken" in wire


def _warning_types(wire: Mapping[str, Any]) -> list[str]:
    raw = wire.get("warnings")
    items = [raw] if isinstance(raw, Mapping) else (raw or [])
    return [str(w.get("type")) for w in items if isinstance(w, Mapping)]


def _money_kind(value: object) -> str | None:
    """Why `value` cannot be an amount (float, string, Decimal, bool), or None."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, float):
        return "a float"
    if isinstance(value, Decimal):
        return "a Decimal"
    if isinstance(value, str):
        return "a string"
    return None


# --- builders shared by exercises ------------------------------------------------------------

FULL_ADDRESS = {
    "firstName": "Ada",
    "lastName": "Lovelace",
    "addressLine1": "Keizersgracht 1",
    "city": "Amsterdam",
    "postalCode": "1015 CJ",
    "countryCode": "NL",
}


def _book_request(amount: int, address: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "orderId": "order-ex-101",
        "currencyCode": "EUR",
        "order": {
            "countryCode": "NL",
            "lineItems": [
                {"itemId": "book-1", "description": "Book", "amount": amount, "quantity": 1}
            ],
        },
        "customer": {"emailAddress": "ada@example.com", "shippingAddress": dict(address)},
    }


def _create(request: Mapping[str, Any]) -> Build:
    return lambda client, given: client.create_session(request)


def _value(value: object) -> Build:
    return lambda client, given: value


# --- the judges: an answer -> None (right) or the feedback it gets ---------------------------
#
# A judge returns `_say(key, **values)`: the key of a text in the data file, looked up in
# the exercise's [exercise.ID.feedback] and then in [feedback], filled with `values`.

_JudgeFn = Callable[[Any, Mapping[str, Any]], _Say | None]
_WireJudge = Callable[[Mapping[str, Any], Mapping[str, Any]], _Say | None]


def _on_wire(
    otherwise: str, *, camel: bool = False, read: Callable[[Any], Any] = _wire
) -> Callable[[_WireJudge], _JudgeFn]:
    """A judge of the answer's wire data (`read`, `_wire` by default): an answer that is no
    mapping there gets the feedback `otherwise`; with `camel`, a snake_case key gets
    "snake-case"."""

    def wrap(judge: _WireJudge) -> _JudgeFn:
        def judged(answer: Any, given: Mapping[str, Any]) -> _Say | None:
            wire = read(answer)
            if not isinstance(wire, Mapping):
                return _say(otherwise)
            return (_snake_case(wire) if camel else None) or judge(wire, given)

        return judged

    return wrap


# --- 01 create a client session


@_on_wire("not-a-session")
def _judge_no_warning(wire: Mapping[str, Any], given: Mapping[str, Any]) -> _Say | None:
    if "clientToken" not in wire:
        return _say("request")
    problem = _fields(wire, orderId="order-ex-101", currencyCode="EUR")
    if problem:
        return problem
    amount = wire.get("amount")
    if amount != 2500:
        return _wrong(amount, {25: "major-units"}) or _say("amount", value=amount)
    return _say("taxjar") if "TAXJAR" in _warning_types(wire) else None


@_on_wire("not-a-request", camel=True)
def _judge_minimal_request(wire: Mapping[str, Any], given: Mapping[str, Any]) -> _Say | None:
    if "clientToken" in wire:  # the answer to the request (the exercise before asks for one)
        return _say("session")
    items = _line_items(wire) or []
    for item in items:
        raw = _raw_amount(item.get("amount"))
        if raw is not item.get("amount") or isinstance(raw, str):
            return _say("not-minor", raw=raw)
    problem = _refused(wire) or _fields(wire, orderId="order-ex-102", currencyCode="USD")
    if problem:
        return problem
    if wire.get("amount") is not None:  # `None`, like leaving it out, overrides nothing
        return _say("top-level-amount")
    if len(items) != 1:
        return _say("count", count=len(items))
    return _line(
        items[0],
        right=(1250, 2),
        pairs={(2500, 1): "line-total", (1250, 1): "no-quantity"},
        amounts={12: "cents", 13: "cents"},
    ) or _total_of(wire, 2500)


def _total_of(wire: Mapping[str, Any], right: int) -> _Say | None:
    """ "total" when the order adds up to another amount than `right` (a discount, a fee
    or shipping beside the right line items)."""
    total = _order_total(wire)
    return None if total == right else _say("total", total=total)


def _tshirts(**changes: object) -> Build:
    item: dict[str, object] = {"itemId": "tshirt-1", "description": "T-shirt"}
    item.update(changes)
    return _value(
        {"orderId": "order-ex-102", "currencyCode": "USD", "order": {"lineItems": [item]}}
    )


def _minimal_session(client: PrimerClient, given: Mapping[str, object]) -> object:
    request = _minimal_model(client, given)
    assert isinstance(request, ClientSessionRequest)
    return client.create_session(request)


def _minimal_model(client: PrimerClient, given: Mapping[str, object]) -> object:
    from primer_nb.enums import Currency
    from primer_nb.models import LineItem, Order

    return ClientSessionRequest(
        order_id="order-ex-102",
        currency_code=Currency.USD,
        order=Order(
            line_items=[
                LineItem(item_id="tshirt-1", description="T-shirt", amount=1250, quantity=2)
            ]
        ),
    )


# --- 02 currency and minor units: one judge for every "give this price in minor units"


def _judge_minor(code: str, shown: str, right: int, known: Mapping[int, str]) -> _JudgeFn:
    """`shown` (the price as the task writes it) is `right` in `code`'s minor units; a
    `known` wrong integer gets its own feedback."""

    def judge(answer: Any, given: Mapping[str, Any]) -> _Say | None:
        kind = _money_kind(answer)
        if kind:
            return _say("not-money", kind=kind, shown=shown, right=right)
        if not _is_integer(answer):
            return _say("not-whole", shown=shown)
        answer = operator.index(answer)  # numpy.int64(1500) is 1500
        if answer == right:
            return None
        return _wrong(answer, known) or _say(
            "other-amount",
            answer=answer,
            code=code,
            formatted=format_amount(answer, code),
            shown=shown,
        )

    return judge


# --- 03 errors

BROKEN_REQUEST: dict[str, object] = {
    "orderId": "",
    "currencyCode": "EURO",
    "order": {"lineItems": [{"description": "Mug", "quantity": 2}]},
    "customer": {"emailAddress": "ada@"},
}
#: The JSONPaths of BROKEN_REQUEST's broken fields: each has its own advice, which quotes
#: BROKEN_REQUEST's value. It applies while the answer's value is still that one (the
#: amount: still missing, or still no integer); any other refusal there is worded by
#: `check_request`, with what the learner typed.
_BROKEN_FIELDS: dict[str, Callable[[Mapping[str, Any]], bool]] = {
    "$.orderId": lambda wire: wire.get("orderId") == BROKEN_REQUEST["orderId"],
    "$.currencyCode": lambda wire: wire.get("currencyCode") == BROKEN_REQUEST["currencyCode"],
    "$.order.lineItems[0].amount": lambda wire: (
        not _is_integer(_raw_amount(((_line_items(wire) or [{}])[0]).get("amount")))
    ),
    "$.customer.emailAddress": lambda wire: _email(wire) == "ada@",
}
_EMAIL = "ada@example.com"


def _email(wire: Mapping[str, Any]) -> object:
    customer = wire.get("customer")
    return customer.get("emailAddress") if isinstance(customer, Mapping) else None


def _judge_read_path(answer: Any, given: Mapping[str, Any]) -> _Say | None:
    if isinstance(answer, int):
        return _say("status")
    if not isinstance(answer, str):
        return _say("not-a-string")
    text = answer.strip()
    if text == "$.orderId":
        return None
    known = {
        "orderId": "no-dollar",
        "$.order_id": "snake",
        "RequestValidationError": "error-id",
        "$.currencyCode": "other-field",
    }
    return _wrong(text, known) or _say("wrong-path", text=text)


@_on_wire("not-a-request", camel=True)
def _judge_fix_request(wire: Mapping[str, Any], given: Mapping[str, Any]) -> _Say | None:
    if "currencyCode" not in wire:
        return _say("no-currency")
    items = _line_items(wire)
    if not items:
        return _say("no-line-item")
    customer = wire.get("customer")
    if not isinstance(customer, Mapping) or "emailAddress" not in customer:
        return _say("no-email")
    refused = _refused(wire)
    if refused:
        path = str(refused.values["path"])
        still_broken = _BROKEN_FIELDS.get(path)
        if still_broken is not None and still_broken(wire):
            return _say(path)
        return _say("still-refused", **refused.values)
    order_id = wire.get("orderId")
    if not order_id:
        return _say("no-order-id")
    if isinstance(order_id, str) and not order_id.strip():  # "any non-empty orderId"
        return _say("blank-order-id", value=order_id)
    if wire["currencyCode"] != "EUR":
        return _say("euros", value=wire["currencyCode"])
    mug = items[0]
    if mug.get("description") != "Mug":
        return _say("mug", value=mug.get("description"))
    if (mug.get("amount"), mug.get("quantity", 1)) != (800, 2):
        return _say("mugs")
    if len(items) != 1:
        return _say("extra-lines", count=len(items))
    # "keep every field; fix the values": bad_request has no amount, and one added
    # replaces the total of the mugs (null, like leaving it out, adds nothing)
    if wire.get("amount") is not None:
        return _say("top-level-amount", value=_shown(wire["amount"]))
    problem = _total_of(wire, 1600)
    if problem:
        return problem
    email = _email(wire)
    if not isinstance(email, str) or email.strip().lower() != _EMAIL:
        return _say("email", value=email)
    return None


def _fixed_request(**overrides: object) -> dict[str, object]:
    request: dict[str, object] = {
        "orderId": "order-7005",
        "currencyCode": "EUR",
        "order": {"lineItems": [{"description": "Mug", "quantity": 2, "amount": 800}]},
        "customer": {"emailAddress": "ada@example.com"},
    }
    request.update(overrides)
    return request


# --- 04 update a client session

_KEEP = {"mug": (1200, 2), "tea": (650, 1)}
#: The session's currency (the task's prices are in pounds).
_CURRENCY = "GBP"


@_on_wire("not-changes", read=_changes)
def _judge_add_item(wire: Mapping[str, Any], given: Mapping[str, Any]) -> _Say | None:
    if "lineItems" in wire:
        return _say("top-level")
    snake = _snake_case(wire)
    if snake:
        return snake
    items = _line_items(wire)
    if items is None:
        return _say("no-line-items")
    by_id = {str(i.get("itemId")): i for i in items}
    biscuits = by_id.get("biscuits")
    if biscuits is None:
        return _say("no-biscuits")
    missing = [name for name in _KEEP if name not in by_id]
    if len(missing) == len(_KEEP):
        return _say("only-new")
    if missing:
        return _say("forgot", name=missing[0])
    raw = _raw_amount(biscuits.get("amount"))
    problem = _not_minor(raw) or (_say("price", raw=raw) if raw != 350 else None)
    # the whole body, as Primer reads it: an unknown field (apiKey) or a kept item's
    # float amount is named with its JSONPath, before "keep it as it was"
    problem = problem or _refused(wire, ClientSessionUpdateRequest)
    if problem:
        return problem
    # the task asks for biscuits (any quantity, 1 when left out): 0 adds none
    if biscuits.get("quantity") == 0:
        return _say("no-biscuit", quantity=biscuits["quantity"])
    # the prices are in pounds: a PATCH that changes the currency changes every price
    if "currencyCode" in wire and wire["currencyCode"] != _CURRENCY:
        return _say("currency", value=wire["currencyCode"])
    # rule 5 of the same notebook: a top-level amount overrides the lines' total, and stays
    if wire.get("amount") is not None:
        return _say("amount", value=wire["amount"])
    for name, (amount, quantity) in _KEEP.items():
        item = by_id[name]
        if (item.get("amount"), item.get("quantity", 1)) != (amount, quantity):
            return _say("changed", name=name, amount=amount, quantity=quantity)
    return None


def _kept(*extra: dict[str, object], keep: Sequence[str] = ("mug", "tea")) -> list[object]:
    """The session's line items that are kept (all, by default), then `extra`."""
    items = [
        {"itemId": "mug", "description": "Mug", "amount": 1200, "quantity": 2},
        {"itemId": "tea", "description": "Tea", "amount": 650},
    ]
    return [*(i for i in items if i["itemId"] in keep), *extra]


_BISCUITS = {"itemId": "biscuits", "description": "Biscuits", "amount": 350}


def _patched_with_an_amount(client: PrimerClient, given: Mapping[str, object]) -> object:
    """The session a PATCH answered that added the biscuits and set an amount of 6000."""
    session = client.create_session({"currencyCode": _CURRENCY, "order": {"lineItems": _kept()}})
    changes = {"order": {"lineItems": _kept(_BISCUITS)}, "amount": 6000}
    return client.update_session(session.client_token, changes)


@_on_wire("not-changes")
def _judge_clear_shipping(wire: Mapping[str, Any], given: Mapping[str, Any]) -> _Say | None:
    if "shipping" in wire:
        return _say("top-level")
    if "order" not in wire:
        return _say("no-order")
    order = wire["order"]
    if order is None:
        return _say("whole-order")
    if not isinstance(order, Mapping) or "shipping" not in order:
        return _say("no-shipping")
    shipping = order["shipping"]
    if shipping == {}:
        return _say("empty")
    if isinstance(shipping, Mapping) and shipping.get("amount") == 0:
        return _say("free")
    if shipping is not None:
        return _say("not-null")
    if set(order) != {"shipping"} or set(wire) != {"order"}:
        return _say("only-changes")
    return None


# --- 05 client token expiry

CREATED_AT = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)
_LIFETIME = timedelta(hours=24)
_WEEK = timedelta(days=7)


def _judge_expiry(answer: Any, given: Mapping[str, Any]) -> _Say | None:
    if isinstance(answer, str):
        return _say("string")
    if not isinstance(answer, datetime):
        return _say("not-a-datetime")
    if answer.tzinfo is None:
        if answer == (CREATED_AT + _LIFETIME).replace(tzinfo=None):
            return _say("naive")
        answer = answer.replace(tzinfo=UTC)
    delta = answer - CREATED_AT
    if delta == _LIFETIME:
        return None
    known = {timedelta(hours=12): "12-hours", timedelta(hours=1): "one-hour", _WEEK: "week"}
    return _wrong(delta, known) or _say("other", delta=delta)


def _judge_after_expiry(answer: Any, given: Mapping[str, Any]) -> _Say | None:
    if _is_session(answer) or hasattr(answer, "order_id"):
        return _say("before-expiry")
    if isinstance(answer, PrimerAPIError):
        status, error_id = answer.status_code, answer.error_id
    elif isinstance(answer, tuple) and len(answer) == 2:
        status, error_id = answer
    elif isinstance(answer, int):
        status, error_id = answer, None
    else:
        return _say("not-an-error")
    statuses = {401: "authentication", 403: "authentication", 410: "gone", 200: "ok"}
    digits = status.strip() if isinstance(status, str) else ""
    if digits.isdecimal() and len(digits) <= 3:  # a status written as text ("²" is no digit)
        if int(digits) == 400:  # right, but text
            return _say("status-text", status=status)
        status = int(digits)  # another status: its own feedback, not the answer
    if status != 400:
        return _wrong(status, statuses) or _say("status", status=status)
    if error_id == "ClientSessionValidationError":
        return None
    known = {None: "no-error-id", "RequestValidationError": "body"}
    return _wrong(error_id, known) or _say("error-id", error_id=error_id)


def _expired_patch(client: PrimerClient, given: Mapping[str, object]) -> object:
    session = client.create_session({"orderId": "order-ex-502", "currencyCode": "EUR"})
    if client.emulator is None:
        raise RuntimeError("this builder needs the in-process emulator's clock")
    client.emulator.clock.advance(hours=25)
    try:
        client.update_session(session.client_token, {"amount": 3000})
    except PrimerAPIError as exc:
        return exc
    raise AssertionError("a PATCH after expiry was accepted")


def _live_patch(client: PrimerClient, given: Mapping[str, object]) -> object:
    session = client.create_session({"orderId": "order-ex-502", "currencyCode": "EUR"})
    return client.update_session(session.client_token, {"amount": 3000})


# --- 06 payment methods and order details


def _judge_save_card(answer: Any, given: Mapping[str, Any]) -> _Say | None:
    wire = _wire(answer)
    method = (
        wire["paymentMethod"] if isinstance(wire, Mapping) and "paymentMethod" in wire else wire
    )
    if not isinstance(method, Mapping):
        return _say("not-a-method")
    problem = _snake_case(wire) or _key_name(method, "$" if method is wire else "$.paymentMethod")
    if problem:
        return problem
    kind = method.get("paymentType")
    if kind is None:
        return _say("no-type")
    known = {"ECOMMERCE": "ecommerce", "SUBSCRIPTION": "subscription", "UNSCHEDULED": "unscheduled"}
    wrong_kind = _wrong(kind, known)
    if wrong_kind:
        return wrong_kind
    if isinstance(kind, str) and kind.upper() == "FIRST_PAYMENT" and kind != "FIRST_PAYMENT":
        return _say("lower-case", value=kind)
    vault = method.get("vaultOnSuccess")
    if isinstance(vault, str):
        return _say("vault-string", value=vault)
    if vault is not True:
        return _say("no-vault")
    # a whole request is read whole (an unknown top-level field such as apiKey is refused)
    return _refused(wire if method is not wire else {"paymentMethod": dict(method)})


def _key_name(data: Any, path: str = "$") -> _Say | None:
    """The feedback "api-key", with the JSONPath of the key as `path`, when a key of `data`
    (at any depth, metadata too) names an API key (apiKey, X-API-KEY, Authorization...):
    Primer may accept it in a nested object, but a key belongs in the X-API-KEY header the
    client adds, never in a body."""
    if isinstance(data, Mapping):
        for key, value in data.items():
            if _names_a_key(key):
                return _say("api-key", path=f"{path}.{key}")
            found = _key_name(value, f"{path}.{key}")
            if found:
                return found
    elif isinstance(data, list):
        for i, value in enumerate(data):
            found = _key_name(value, f"{path}[{i}]")
            if found:
                return found
    return None


def _names_a_key(name: object) -> bool:
    """A header or field name that holds an API key: api_key, X-API-KEY, PRIMER_API_KEY,
    Authorization."""
    return bool(_KEYISH.search(str(name))) or is_secret_name(str(name))


@_on_wire("not-a-request", camel=True)
def _judge_surcharge(wire: Mapping[str, Any], given: Mapping[str, Any]) -> _Say | None:
    method = wire.get("paymentMethod")
    options = method.get("options") if isinstance(method, Mapping) else None
    card = options.get("PAYMENT_CARD") if isinstance(options, Mapping) else None
    networks = card.get("networks") if isinstance(card, Mapping) else None
    visa = networks.get("VISA") if isinstance(networks, Mapping) else None
    fees = (wire.get("order") or {}).get("fees") if isinstance(wire.get("order"), dict) else None
    if visa is None:
        if isinstance(method, Mapping) and "surcharge" in method:
            return _say("on-method")
        if isinstance(card, Mapping) and "surcharge" in card:
            return _say("on-card")
        return _say("fee") if fees else _say("no-surcharge")
    surcharge = visa.get("surcharge") if isinstance(visa, Mapping) else None
    if not isinstance(surcharge, Mapping):  # VISA: 50, surcharge: 50: the path Primer names
        return _refused(wire) or _say("no-surcharge")
    raw = _raw_amount(surcharge.get("amount"))
    problem = (None if raw is None else _not_minor(raw)) or (
        _say("price", raw=raw) if raw != 50 else None
    )
    if problem:
        return problem
    if wire.get("amount") is not None:
        return _say("top-level-amount")
    # what Primer refuses (a float line amount, an unknown field) is named by its path
    problem = _refused(wire)
    if problem:
        return problem
    items = _line_items(wire) or []
    if [(i.get("amount"), i.get("quantity", 1)) for i in items] != [(2000, 1)]:
        return _say("line-item")
    return _total_of(wire, 2000) or _fields(wire, orderId="order-ex-602", currencyCode="EUR")


def _surcharge_request(
    surcharge: object = 50,
    *,
    amount: int | None = None,
    where: str = "VISA",
    currency: str = "EUR",
    fee: int | None = None,
) -> Build:
    request: dict[str, Any] = {
        "orderId": "order-ex-602",
        "currencyCode": currency,
        "order": {"lineItems": [{"itemId": "lamp", "description": "Lamp", "amount": 2000}]},
    }
    if amount is not None:
        request["amount"] = amount
    if where == "VISA":
        options = {"PAYMENT_CARD": {"networks": {"VISA": {"surcharge": {"amount": surcharge}}}}}
        request["paymentMethod"] = {"options": options}
    elif where == "card":
        request["paymentMethod"] = {"options": {"PAYMENT_CARD": {"surcharge": {"amount": 50}}}}
    elif where == "fees":
        request["order"]["fees"] = [{"type": "SURCHARGE", "amount": surcharge}]
    if fee is not None:  # a fee beside the surcharge
        request["order"]["fees"] = [{"type": "SURCHARGE", "amount": fee}]
    return _value(request)


@_on_wire("not-a-request", camel=True)
def _judge_order_details(wire: Mapping[str, Any], given: Mapping[str, Any]) -> _Say | None:
    # Primer's schema lets metadata hold any key, an API key too: the judge does not
    problem = _key_name(wire)
    if problem:
        return problem
    order = wire.get("order")
    fees = order.get("fees") if isinstance(order, Mapping) else None
    if not isinstance(fees, list) or len(fees) != 1 or not isinstance(fees[0], Mapping):
        return _say("no-fee")
    fee = _raw_amount(fees[0].get("amount"))
    problem = _not_minor(fee, "fee-not-minor") or (_say("fee", raw=fee) if fee != 150 else None)
    if problem:
        return problem
    if fees[0].get("type") != "SERVICE":
        return _say("fee-type", value=fees[0].get("type"))
    items = _line_items(wire) or []
    if len(items) != 1:
        return _say("line-count")
    item = items[0]
    tax = _raw_amount(item.get("taxAmount"))
    problem = _wrong(tax, {190: "tax-per-unit"}) or _not_minor(tax, "tax-not-minor")
    if problem:
        return problem
    if (item.get("amount"), item.get("quantity", 1), tax) != (1000, 2, 380):
        return _say("line")
    if wire.get("amount") is not None:
        return _say("top-level-amount")
    metadata = wire.get("metadata")
    if not isinstance(metadata, Mapping) or "productId" not in metadata:
        return _say("no-metadata")
    product = metadata["productId"]
    if product not in (1001, "1001") or isinstance(product, bool):
        return _say("metadata-type", shown=_shown(product))
    return (
        _refused(wire)
        or _total_of(wire, 2530)
        or _fields(wire, orderId="order-ex-603", currencyCode="EUR")
    )


def _details_request(
    fee: object = 150,
    tax: object = 380,
    product: object = 1001,
    fee_type: str = "SERVICE",
    total: int | None = None,
    discount: int | None = None,
    **metadata: object,
) -> Build:
    item: dict[str, object] = {"itemId": "plate", "description": "Plate", "amount": 1000}
    item.update(quantity=2, taxAmount=tax)
    if discount is not None:
        item["discountAmount"] = discount
    request: dict[str, object] = {
        "orderId": "order-ex-603",
        "currencyCode": "EUR",
        "order": {"lineItems": [item], "fees": [{"type": fee_type, "amount": fee}]},
        "metadata": {"productId": product, **metadata},
    }
    if total is not None:  # the top-level amount
        request["amount"] = total
    return _value(request)


# --- 07 the token to the front end

_JWT = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$")
_KEYISH = re.compile(r"api.?key", re.IGNORECASE)


def _looks_like_token(value: object) -> bool:
    if not isinstance(value, str) or not _JWT.match(value):
        return False
    payload = value.split(".")[1]
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except ValueError:
        return False
    return isinstance(claims, dict) and "exp" in claims


def _judge_return_token(answer: Any, given: Mapping[str, Any]) -> _Say | None:
    if isinstance(answer, str) and answer.lstrip().startswith("{"):
        try:  # the body as JSON text (json.dumps(...)): judged as the object it holds
            answer = json.loads(answer)
        except ValueError:
            return _say("not-json")
    if isinstance(answer, Mapping) and any(_names_a_key(k) for k in answer):
        return _say("api-key")
    if isinstance(answer, str):  # the task asks for the JSON object, not what it holds
        return _say("bare-token" if _looks_like_token(answer.strip()) else "not-json")
    if not isinstance(answer, Mapping):
        return _say("whole-session" if hasattr(answer, "to_wire") else "not-json")
    if set(answer) != {"clientToken"}:
        tokens = [k for k, v in answer.items() if _looks_like_token(v)]
        if not tokens or len(answer) > 3:
            return _say("whole-session")
        if "clientToken" not in answer:
            return _say("renamed", key=tokens[0])
        return _say("extra", keys=", ".join(sorted(str(k) for k in answer if k != "clientToken")))
    token = answer["clientToken"]
    if isinstance(token, str) and "…" in token:
        return _say("short-token")
    return None if _looks_like_token(token) else _say("not-a-token")


def _judge_patch_token(answer: Any, given: Mapping[str, Any]) -> _Say | None:
    if not isinstance(answer, tuple) or len(answer) != 2:
        return _say("not-a-pair")
    token, call = answer
    if token is None:
        return _say("no-token")
    if token != given["session"].client_token:
        return _say("other-token")
    name = re.sub(r"^.*\.|\(\)$", "", str(call).strip().rstrip(";").rstrip())
    if name == "refreshClientSession":
        return None
    known = {"setClientToken": "set-client-token", "reload": "reload"}
    return _wrong(name, known) or _say("method", call=call)


def _patched_session(client: PrimerClient) -> dict[str, object]:
    session = client.create_session(
        {"orderId": "order-ex-702", "currencyCode": "EUR", "amount": 1500}
    )
    client.update_session(session.client_token, {"amount": 1800})
    return {"session": session}


def _session_token(given: Mapping[str, Any]) -> str:
    return str(given["session"].client_token)


def _new_token(client: PrimerClient) -> str:
    return client.create_session({}).client_token


def _front_end(call: str) -> Build:
    """A (token, method) answer to 07-patch-keeps-token with the session's own token."""
    return lambda client, given: (_session_token(given), call)


def _token_json(client: PrimerClient, given: Mapping[str, object]) -> object:
    return {"clientToken": client.create_session({"orderId": "order-ex-701"}).client_token}


def _session_json(client: PrimerClient, given: Mapping[str, object]) -> object:
    return client.create_session({"orderId": "order-ex-701"}).to_wire()


def _token_and_key(client: PrimerClient, given: Mapping[str, object]) -> object:
    return {"clientToken": _new_token(client), "apiKey": "<PRIMER_API_KEY>"}


def _short_token_json(client: PrimerClient, given: Mapping[str, object]) -> object:
    from primer_nb.redaction import short_token

    return {"clientToken": short_token(_new_token(client))}


# --- 08 API versions


def _judge_version_header(answer: Any, given: Mapping[str, Any]) -> _Say | None:
    if not isinstance(answer, Mapping):
        return _say("not-a-dict")
    headers = {str(k).upper(): v for k, v in answer.items()}
    if any(_names_a_key(name) for name in headers):  # X-API-KEY, apiKey, Authorization...
        return _say("api-key")
    if "X-API-VERSION" not in headers:
        meant = [k for k in answer if "VERSION" in str(k).upper()]  # not Content-Type
        return _say("name", name=meant[0] if meant else next(iter(answer), ""))
    value = headers["X-API-VERSION"]
    if isinstance(value, float | int) and not isinstance(value, bool):
        return _say("number", value=value)
    if value == "2.4":
        return None
    known = {"v2.4": "v-prefix", "2021-09-27": "earliest"}
    return _wrong(value, known) or _say("other", value=value)


def _judge_omitted_version(answer: Any, given: Mapping[str, Any]) -> _Say | None:
    if answer == "2021-09-27":
        return None
    known = {"2.4": "latest", "2.1": "numbered", None: "not-refused", 400: "not-refused"}
    found = _wrong(answer, known)
    if found:
        return found
    if not isinstance(answer, str) or len(answer) > 20:  # a pasted header set may hold a key
        return _say("not-a-version")
    return _say("other", answer=answer)


# --- 09 many sessions and warnings


def _session_wires(sessions: Iterable[Any]) -> list[Mapping[str, Any]]:
    """The wire form of each session; a table or a list of anything else is refused (a
    DataFrame iterates over its column names, which would count as no sessions)."""
    wires = [] if hasattr(sessions, "columns") else [_wire(s) for s in sessions]
    if not wires or not all(isinstance(w, Mapping) for w in wires):
        raise TypeError(
            "sessions= takes the sessions create_sessions returned (result.sessions), "
            f"not {type(sessions).__name__}"
        )
    return wires


def _counts(given: Mapping[str, Any]) -> tuple[int, int]:
    """How many sessions there are, and how many of them have a TAXJAR warning."""
    wires = _session_wires(given["sessions"])
    return len(wires), sum(1 for w in wires if "TAXJAR" in _warning_types(w))


def _count(answer: Callable[[int, int], int]) -> Build:
    """An answer to 09-warnings-count: `answer(every, taxjar)` of `_counts(given)`."""
    return lambda client, given: answer(*_counts(given))


def _judge_warning_count(answer: Any, given: Mapping[str, Any]) -> _Say | None:
    every, right = _counts(given)
    if getattr(answer, "ndim", 0) >= 1:  # a DataFrame or Series (a numpy scalar has ndim 0)
        return _say("table")
    if isinstance(answer, bool) or not hasattr(answer, "__index__"):
        return _say("not-a-number")
    count = int(answer)
    if count == right:
        return None
    if count == every:
        return _say("every-session")
    return _say("without") if count == every - right else _say("other", count=count)


def _batch(client: PrimerClient) -> dict[str, object]:
    sessions = []
    for i, (code, amount, postal) in enumerate(
        [
            ("EUR", 1250, ""),
            ("EUR", 990, "1015 CJ"),
            ("GBP", 500, ""),
            ("EUR", 4000, ""),
            ("GBP", 700, "EC1A 1BB"),
            ("EUR", 1999, ""),
        ]
    ):
        address: dict[str, object] = {"countryCode": "NL" if code == "EUR" else "GB"}
        if postal:
            address["postalCode"] = postal
        sessions.append(
            client.create_session(
                {
                    "orderId": f"order-ex-9{i:02d}",
                    "currencyCode": code,
                    "amount": amount,
                    "customer": {"shippingAddress": address},
                }
            )
        )
    return {"sessions": sessions}


def _totals(given: Mapping[str, Any]) -> tuple[int, int]:
    """The EUR sessions' total and every session's, in minor units."""
    wires = _session_wires(given["sessions"])
    eur = sum(int(w.get("amount") or 0) for w in wires if w.get("currencyCode") == "EUR")
    return eur, sum(int(w.get("amount") or 0) for w in wires)


def _judge_eur_total(answer: Any, given: Mapping[str, Any]) -> _Say | None:
    eur, every = _totals(given)
    if isinstance(answer, float):  # numpy.float64 too
        return _say("float")
    if _from_float(answer):
        return _say("from-float", answer=answer)
    if _is_integer(answer):  # an int, or the numpy.int64 a sum of the amount column gives
        answer = operator.index(answer)
    if not isinstance(answer, Decimal | int) or isinstance(answer, bool):
        return _say("not-a-decimal")
    total = Decimal(answer)
    if total == from_minor_units(eur, "EUR"):
        return None
    if total == eur:
        return _say("minor-units")
    return _wrong(total, {Decimal(every) / 100: "every-currency"}) or _say("other", answer=answer)


def _from_float(value: object) -> bool:
    """A Decimal made from a float (Decimal(82.39) is 82.3900000000000005684...): exactly
    a float's value, and not the short decimal that float is written as."""
    if not isinstance(value, Decimal) or not value.is_finite():
        return False
    as_float = float(value)  # a Decimal past the float range is inf: not from a float
    return Decimal(as_float) == value and Decimal(repr(as_float)) != value


def _total(part: int, scale: Callable[[int], object]) -> Build:
    """An answer to 09-eur-total: `scale` of `_totals(given)[part]`."""
    return lambda client, given: scale(_totals(given)[part])


def _warnings_frame(client: PrimerClient, given: Mapping[str, Any]) -> object:
    from primer_nb.tables import warnings_frame

    return warnings_frame(given["sessions"])


# --- 10 the session builder


def _judge_builder(answer: Any, given: Mapping[str, Any]) -> _Say | None:
    if hasattr(answer, "request") and getattr(answer, "request", None) is None:
        problems = list(getattr(answer, "problems", []) or [])
        return _say("invalid-first", problem=problems[0]) if problems else _say("invalid")
    wire = _wire(answer)
    if not isinstance(wire, Mapping):
        return _say("not-a-builder")
    problem = _snake_case(wire) or _not_integers(wire)
    # a dict is read as Primer reads it: an unknown field (apiKey) is named by its path
    problem = problem or _refused(wire)
    problem = problem or _fields(wire, orderId="order-ex-1001", currencyCode="GBP")
    if problem:
        return problem
    items = _line_items(wire) or []
    if len(items) != 1:
        return _say("count", count=len(items))
    customer = wire.get("customer")
    email = customer.get("emailAddress") if isinstance(customer, Mapping) else None
    return (
        _line(
            items[0],
            right=(420, 3),
            pairs={(1260, 1): "line-total", (420, 1): "no-quantity"},
            amounts={42000: "minor-units"},
        )
        or (_say("top-level-amount") if wire.get("amount") is not None else None)
        or _total_of(wire, 1260)
        or (_say("email") if email != "ada@example.com" else None)
    )


def _not_integers(wire: Mapping[str, Any]) -> _Say | None:
    """A line item's amount or quantity that is no integer (4.2, '420', 3.0): "not-minor"
    or "text-quantity" with the value as written."""
    for item in _line_items(wire) or []:
        amount = _raw_amount(item.get("amount"))
        if amount is not None and not _is_integer(amount):
            return _say("not-minor", raw=amount)
        quantity = _raw_amount(item.get("quantity", 1))
        if not _is_integer(quantity):
            return _say("text-quantity", quantity=quantity)
    return None


def _builder_request(
    amount: int = 420,
    quantity: int | None = 3,
    total: int | None = None,
    discount: int | None = None,
    **top: object,
) -> Build:
    item: dict[str, object] = {"name": "Notebook", "amount": amount}
    if quantity is not None:
        item["quantity"] = quantity
    if discount is not None:
        item["discountAmount"] = discount
    request: dict[str, object] = {
        "orderId": "order-ex-1001",
        "currencyCode": "GBP",
        "order": {"lineItems": [item]},
        "customer": {"emailAddress": "ada@example.com"},
    }
    request.update(top)
    if total is not None:  # the top-level amount
        request["amount"] = total
    return _value(ClientSessionRequest.model_validate(request))


#: 10-patch-builder's line items keep their prices (amount per unit).
_PRICES = {"mug": 1200, "tea": 650}


@_on_wire("not-changes", camel=True, read=_changes)
def _judge_patch_builder(wire: Mapping[str, Any], given: Mapping[str, Any]) -> _Say | None:
    # a builder that was sent is judged by what it sent (`_changes`)
    if not wire:  # its .changes after Send: the builder starts again from the answer
        return _say("empty-changes")
    items = _line_items(wire)
    if items is None:
        return _say("no-line-items")
    # the task names the items, not how: itemId, name or description all say "mug"
    by_id = {_item_key(i): i for i in items}
    if "mug" not in by_id:
        return _say("lost-mug")
    tea = by_id.get("tea")
    if tea is None:
        return _say("no-tea")
    quantity = _raw_amount(tea.get("quantity", 1))
    if not _is_integer(quantity):  # '3', 3.0
        return _say("text-quantity", quantity=quantity)
    # what Primer refuses (apiKey, an amount left out or a float) is named by its path
    problem = _refused(wire, ClientSessionUpdateRequest)
    if problem:
        return problem
    if quantity != 3:
        return _say("quantity", quantity=quantity)
    if by_id["mug"].get("quantity", 1) != 2:
        return _say("mug-quantity")
    for name, amount in _PRICES.items():
        if by_id[name].get("amount") != amount:
            return _say("price", name=name, amount=amount, raw=by_id[name].get("amount"))
    # a top-level amount overrides the line items' total, and stays (notebook 04, rule 5)
    return _say("amount", value=wire["amount"]) if wire.get("amount") is not None else None


def _item_key(item: Mapping[str, Any]) -> str:
    """What names a line item for a learner: its itemId, else its name, else its
    description, compared without case or surrounding spaces."""
    for key in ("itemId", "name", "description"):
        value = item.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip().lower()
    return ""


def _tea_patch(tea_quantity: object = 3, keep_mug: bool = True, amount: int | None = None) -> Build:
    items: list[dict[str, object]] = []
    if keep_mug:
        items.append({"itemId": "mug", "description": "Mug", "amount": 1200, "quantity": 2})
    items.append({"itemId": "tea", "description": "Tea", "amount": 650, "quantity": tea_quantity})
    changes: dict[str, object] = {"order": {"lineItems": items}}
    if amount is not None:
        changes["amount"] = amount
    return _value(changes)


# --- the catalogue: each exercise's judge and answers, paired with its texts -----------------


@dataclass(frozen=True)
class _Rules:
    """The Python half of an exercise; its texts are [exercise.ID] in the data file.

    `mistakes` builds the wrong answer of each [exercise.ID.mistakes] entry, by slug."""

    judge: _JudgeFn
    correct: Build
    mistakes: Mapping[str, Build]
    needs: tuple[str, ...] = ()
    given: Callable[[PrimerClient], dict[str, object]] = _nothing_needed
    given_as: Mapping[str, str] = field(default_factory=dict)


_RULES: dict[str, _Rules] = {
    "01-no-taxjar-warning": _Rules(
        _judge_no_warning,
        _create(_book_request(2500, FULL_ADDRESS)),
        {
            "taxjar": _create(_book_request(2500, {"countryCode": "NL"})),
            "major-units": _create(_book_request(25, FULL_ADDRESS)),
            "request": _value(_book_request(2500, FULL_ADDRESS)),
        },
    ),
    "01-minimal-request": _Rules(
        _judge_minimal_request,
        _minimal_model,
        {
            "snake-keys": _value(
                {
                    "order_id": "order-ex-102",
                    "currencyCode": "USD",
                    "order": {"lineItems": [{"amount": 1250, "quantity": 2}]},
                }
            ),
            "not-minor": _tshirts(amount=12.5, quantity=2),
            "line-total": _tshirts(amount=2500),
            "no-quantity": _tshirts(amount=1250),
            "session": _minimal_session,
            "total": _value(
                {
                    "orderId": "order-ex-102",
                    "currencyCode": "USD",
                    "order": {
                        "lineItems": [{"itemId": "tshirt-1", "amount": 1250, "quantity": 2}],
                        "fees": [{"type": "HANDLING", "amount": 200}],
                    },
                }
            ),
        },
    ),
    "02-jpy-amount": _Rules(
        _judge_minor("JPY", "¥1,500", 1500, {150000: "cents", 15: "divided"}),
        _value(1500),
        {
            "cents": _value(150000),
            "divided": _value(15),
            "float": _value(1500.0),
            "string": _value("1500"),
        },
    ),
    "02-kwd-amount": _Rules(
        _judge_minor("KWD", "KWD 1.250", 1250, {125: "two-decimals", 1: "fraction"}),
        _value(1250),
        {"two-decimals": _value(125), "float": _value(1.25), "fraction": _value(1)},
    ),
    "03-read-jsonpath": _Rules(
        _judge_read_path,
        _value("$.orderId"),
        {
            "no-dollar": _value("orderId"),
            "error-id": _value("RequestValidationError"),
            "status": _value(422),
            "other-field": _value("$.currencyCode"),
        },
    ),
    "03-fix-request": _Rules(
        _judge_fix_request,
        _value(_fixed_request()),
        {
            "only-currency": _value({**BROKEN_REQUEST, "currencyCode": "EUR"}),
            "float-amount": _value(
                _fixed_request(
                    order={"lineItems": [{"description": "Mug", "quantity": 2, "amount": 8.0}]}
                )
            ),
            "no-line-item": _value(_fixed_request(order={"lineItems": []})),
            "no-currency": _value(
                {k: v for k, v in _fixed_request().items() if k != "currencyCode"}
            ),
            "no-order-id": _value({k: v for k, v in _fixed_request().items() if k != "orderId"}),
            "euros": _value(_fixed_request(currencyCode="USD")),
            "blank-order-id": _value(_fixed_request(orderId=" ")),
            "extra-lines": _value(
                _fixed_request(
                    order={
                        "lineItems": [
                            {"description": "Mug", "quantity": 2, "amount": 800},
                            {"description": "Teapot", "amount": 3000},
                        ]
                    }
                )
            ),
            "total": _value(
                _fixed_request(
                    order={
                        "lineItems": [
                            {
                                "description": "Mug",
                                "quantity": 2,
                                "amount": 800,
                                "discountAmount": 800,
                            }
                        ]
                    }
                )
            ),
            "top-level-amount": _value(_fixed_request(amount=1600)),
        },
    ),
    "04-add-line-item": _Rules(
        _judge_add_item,
        _value({"order": {"lineItems": _kept(_BISCUITS)}}),
        {
            "only-new": _value({"order": {"lineItems": _kept(_BISCUITS, keep=())}}),
            "forgot": _value({"order": {"lineItems": _kept(_BISCUITS, keep=("mug",))}}),
            "top-level": _value({"lineItems": _kept(_BISCUITS)}),
            "not-minor": _value({"order": {"lineItems": _kept({**_BISCUITS, "amount": 3.5})}}),
            "no-biscuit": _value({"order": {"lineItems": _kept({**_BISCUITS, "quantity": 0})}}),
            "currency": _value({"currencyCode": "EUR", "order": {"lineItems": _kept(_BISCUITS)}}),
            "amount": _value({"amount": 5000, "order": {"lineItems": _kept(_BISCUITS)}}),
            "session-amount": _patched_with_an_amount,
        },
    ),
    "04-clear-shipping": _Rules(
        _judge_clear_shipping,
        _value({"order": {"shipping": None}}),
        {
            "empty": _value({"order": {"shipping": {}}}),
            "top-level": _value({"shipping": None}),
            "free": _value({"order": {"shipping": {"amount": 0}}}),
            "whole-order": _value({"order": None}),
        },
    ),
    "05-expiry-time": _Rules(
        _judge_expiry,
        _value(CREATED_AT + _LIFETIME),
        {
            "naive": _value(datetime(2026, 1, 16, 9, 0)),
            "12-hours": _value(CREATED_AT + timedelta(hours=12)),
            "one-hour": _value(CREATED_AT + timedelta(hours=1)),
            "string": _value("2026-01-16T09:00:00"),
        },
    ),
    "05-patch-after-expiry": _Rules(
        _judge_after_expiry,
        _expired_patch,
        {
            "before-expiry": _live_patch,
            "authentication": _value((401, "Unauthorized")),
            "gone": _value((410, "Gone")),
            "body": _value((400, "RequestValidationError")),
            "status-text": _value(("400", "ClientSessionValidationError")),
        },
    ),
    "06-save-card": _Rules(
        _judge_save_card,
        _value({"paymentType": "FIRST_PAYMENT", "vaultOnSuccess": True}),
        {
            "ecommerce": _value({"paymentType": "ECOMMERCE", "vaultOnSuccess": True}),
            "subscription": _value({"paymentType": "SUBSCRIPTION", "vaultOnSuccess": True}),
            "no-vault": _value({"paymentType": "FIRST_PAYMENT"}),
            "vault-string": _value({"paymentType": "FIRST_PAYMENT", "vaultOnSuccess": "true"}),
            "no-type": _value({"vaultOnSuccess": True}),
        },
    ),
    "06-card-surcharge": _Rules(
        _judge_surcharge,
        _surcharge_request(),
        {
            "top-level-amount": _surcharge_request(amount=2000),
            "not-minor": _surcharge_request(0.5),
            "on-card": _surcharge_request(where="card"),
            "fee": _surcharge_request(where="fees"),
            "currencyCode": _surcharge_request(currency="USD"),
            "total": _surcharge_request(fee=50),
        },
    ),
    "06-order-details": _Rules(
        _judge_order_details,
        _details_request(),
        {
            "fee-not-minor": _details_request(fee="1.50"),
            "tax-per-unit": _details_request(tax=190),
            "metadata-type": _details_request(product=1001.0),
            "fee-type": _details_request(fee_type="SURCHARGE"),
            "api-key": _details_request(apiKey="<PRIMER_API_KEY>"),
            "top-level-amount": _details_request(total=2530),
            "total": _details_request(discount=500),
        },
    ),
    "07-return-token": _Rules(
        _judge_return_token,
        _token_json,
        {
            "whole-session": _session_json,
            "api-key": _token_and_key,
            "short-token": _short_token_json,
            "bare-token": lambda client, given: _new_token(client),
        },
    ),
    "07-patch-keeps-token": _Rules(
        _judge_patch_token,
        _front_end("refreshClientSession"),
        {
            "no-token": _value((None, "refreshClientSession")),
            "other-token": lambda client, given: (_new_token(client), "refreshClientSession"),
            "set-client-token": _front_end("setClientToken"),
            "reload": _front_end("location.reload()"),
        },
        needs=("session",),
        given=_patched_session,
    ),
    "08-version-header": _Rules(
        _judge_version_header,
        _value({"X-API-VERSION": "2.4"}),
        {
            "number": _value({"X-API-VERSION": 2.4}),
            "v-prefix": _value({"X-API-VERSION": "v2.4"}),
            "name": _value({"API-Version": "2.4"}),
            "earliest": _value({"X-API-VERSION": "2021-09-27"}),
        },
    ),
    "08-omitted-version": _Rules(
        _judge_omitted_version,
        _value("2021-09-27"),
        {"latest": _value("2.4"), "numbered": _value("2.1"), "not-refused": _value(None)},
    ),
    "09-warnings-count": _Rules(
        _judge_warning_count,
        _count(lambda every, taxjar: taxjar),
        {
            "every-session": _count(lambda every, taxjar: every),
            "without": _count(lambda every, taxjar: every - taxjar),
            "table": _warnings_frame,
        },
        needs=("sessions",),
        given=_batch,
        given_as={"sessions": "result.sessions"},
    ),
    "09-eur-total": _Rules(
        _judge_eur_total,
        _total(0, lambda cents: from_minor_units(cents, "EUR")),
        {
            "minor-units": _total(0, int),
            "float": _total(0, lambda cents: cents / 100),
            "every-currency": _total(1, lambda cents: Decimal(cents) / 100),
        },
        needs=("sessions",),
        given=_batch,
        given_as={"sessions": "result.sessions"},
    ),
    "10-build-session": _Rules(
        _judge_builder,
        _builder_request(),
        {
            "minor-units": _builder_request(amount=42000),
            "line-total": _builder_request(amount=1260, quantity=None),
            "no-quantity": _builder_request(quantity=None),
            "currencyCode": _builder_request(currencyCode="EUR"),
            "top-level-amount": _builder_request(total=1260),
            "total": _builder_request(discount=100),
        },
    ),
    "10-patch-builder": _Rules(
        _judge_patch_builder,
        _tea_patch(),
        {
            "lost-mug": _tea_patch(keep_mug=False),
            "text-quantity": _tea_patch(tea_quantity="3"),
            "quantity": _tea_patch(tea_quantity=1),
            "amount": _tea_patch(amount=3150),
        },
    ),
}


def _judge(
    exercise_id: str, judge: _JudgeFn, texts: _Texts
) -> Callable[[object, Mapping[str, object]], str | None]:
    """`judge` with its finding worded by the data file."""

    def worded(answer: object, given: Mapping[str, object]) -> str | None:
        said = judge(answer, given)
        return None if said is None else texts.say(exercise_id, said.key, said.values)

    return worded


def _exercises(texts: _Texts, rules: Mapping[str, _Rules]) -> tuple[Exercise, ...]:
    """Each exercise of the data file with its rules, matched one to one by id and slug."""
    for exercise_id in sorted(rules.keys() - texts.exercises.keys())[:1]:
        raise ValueError(f"{texts.source} has no [exercise.{exercise_id}] (exercises.py judges it)")
    built = []
    for exercise_id, text in texts.exercises.items():
        rule = rules.get(exercise_id)
        if rule is None:
            raise ValueError(
                f"{texts.source}: [exercise.{exercise_id}] has no judge in exercises.py"
            )
        where = f"{texts.source}: [exercise.{exercise_id}.mistakes]"
        for slug in sorted(rule.mistakes.keys() - text.mistakes.keys())[:1]:
            raise ValueError(f"{where} has no {slug!r}, a wrong answer exercises.py builds")
        mistakes = []
        for slug, mistake in text.mistakes.items():
            if slug not in rule.mistakes:
                raise ValueError(f"{where} {slug!r} has no wrong answer in exercises.py")
            feedback = texts.say(exercise_id, mistake.says, mistake.values)
            mistakes.append(Mistake(mistake.label, feedback, rule.mistakes[slug]))
        prose = text.prose
        built.append(
            Exercise(
                id=exercise_id,
                notebook=prose["notebook"],
                title=prose["title"],
                task=prose["task"],
                judge=_judge(exercise_id, rule.judge, texts),
                success=prose["success"],
                hint_text=prose["hint"],
                solution_text=prose["solution"],
                solution_code=text.solution_code,
                correct=rule.correct,
                mistakes=tuple(mistakes),
                needs=rule.needs,
                given=rule.given,
                after=prose["after"],
                given_as=rule.given_as,
            )
        )
    return tuple(built)


_TEXTS = _read(_DATA_FILE)

NOT_ATTEMPTED = _TEXTS.message("not-attempted")
#: Where each exercise goes: right after the notebook cell that teaches the skill.
AFTER = {exercise_id: text.prose["after"] for exercise_id, text in _TEXTS.exercises.items()}

_CATALOGUE: tuple[Exercise, ...] | None = None


def catalogue() -> tuple[Exercise, ...]:
    """Every exercise, in the order the tutorials ask them (a test holds the data file to
    it)."""
    global _CATALOGUE
    if _CATALOGUE is None:
        _CATALOGUE = _exercises(_TEXTS, _RULES)
    return _CATALOGUE


def get(exercise_id: str) -> Exercise:
    """The exercise with this id (`KeyError` naming the known ids otherwise)."""
    for exercise in catalogue():
        if exercise.id == exercise_id:
            return exercise
    known = ", ".join(e.id for e in catalogue())
    raise KeyError(f"no exercise {exercise_id!r}; known: {known}")


def check(
    exercise_id: str, answer: object = ..., /, *, record: bool = True, **given: object
) -> Result:
    """`get(exercise_id).check(answer, **given)`: the form the notebooks use."""
    return get(exercise_id).check(answer, record=record, **given)


def __dir__() -> Iterator[str]:
    return iter(__all__)
