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

**Progress.** Every checked answer (never a placeholder) is recorded per user in
`progress.json` under the user's data directory (`platformdirs.user_data_dir("primer-nb")`,
or the directory named by `PRIMER_NB_DATA_DIR`), never in the repository;
`progress()` shows which exercises passed. Pass `record=False` to `check` to keep a
check out of it.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from primer_nb import display
from primer_nb.config import env_var
from primer_nb.currency import format_amount, from_minor_units
from primer_nb.errors import PrimerAPIError
from primer_nb.models import ClientSessionRequest, ClientSessionUpdateRequest, check_request

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

NOT_ATTEMPTED = "Not attempted yet: replace `...` with your answer and run the cell again."

Status = Literal["passed", "failed", "not attempted"]
#: What an exercise's builders receive: a client on the notebook's backend, and what the
#: notebook holds at that point (`Exercise.given`).
Build = Callable[[Any, Mapping[str, Any]], Any]


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


def _nothing_needed(client: Any) -> dict[str, Any]:
    return {}


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
    judge: Callable[[Any, Mapping[str, Any]], str | None]
    success: str
    hint_text: str
    solution_text: str
    solution_code: str
    correct: Build
    mistakes: tuple[Mistake, ...]
    needs: tuple[str, ...] = ()
    given: Callable[[Any], dict[str, Any]] = field(default=_nothing_needed)
    #: Where the exercise goes in its notebook: right after the cell that teaches this.
    after: str = ""

    def check(self, answer: Any = ..., /, *, record: bool = True, **given: Any) -> Result:
        """Check `answer`; `...` (the placeholder) gives "not attempted yet"."""
        if answer is Ellipsis:
            return Result(self.id, "not attempted", NOT_ATTEMPTED)
        missing = [name for name in self.needs if name not in given]
        if missing:
            names = ", ".join(f"{name}=..." for name in missing)
            raise TypeError(f"check({self.id!r}, answer, {names}) needs {', '.join(missing)}")
        try:
            problem = self.judge(answer, given)
        except Exception as exc:  # an answer of a shape nobody foresaw: say so, never crash
            problem = (
                f"Could not read this answer ({type(exc).__name__}: {exc}). "
                f"Look at the task again: {self.task}"
            )
        result = (
            Result(self.id, "passed", self.success)
            if problem is None
            else Result(self.id, "failed", problem)
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
        return display.exercise_html(self.id, self.title, self.task, self.needs)


# --- progress --------------------------------------------------------------------------------


def progress_path() -> Path:
    """Where progress is kept: `$PRIMER_NB_DATA_DIR/progress.json`, else the user data dir."""
    base = env_var(DATA_DIR_ENV)
    if base is None:
        import platformdirs

        base = platformdirs.user_data_dir("primer-nb", appauthor=False)
    return Path(base) / "progress.json"


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
    path = progress_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"exercises": state}, indent=2, sort_keys=True), "utf-8")
        tmp.replace(path)
    except OSError:  # a read-only home never breaks a notebook; progress is a nicety
        pass


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


# --- reading answers -------------------------------------------------------------------------


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


def _plain(value: Any) -> Any:
    """Plain JSON data; a float or Decimal becomes a marker that no schema accepts."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, float | Decimal):
        return {"__not_an_integer__": str(value)}
    return value


def _is_integer(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _snake_keys(data: Any, path: str = "$") -> list[str]:
    found: list[str] = []
    if isinstance(data, Mapping):
        for key, value in data.items():
            if isinstance(key, str) and "_" in key.strip("_") and key != "__not_an_integer__":
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


def _snake_message(data: Any) -> str | None:
    snake = _snake_keys(data)
    if not snake:
        return None
    key = snake[0].rsplit(".", 1)[-1]
    return (
        f"Wire data uses Primer's camelCase names: {_camel(key)}, not {key} "
        "(snake_case is for the Python models' arguments only)."
    )


def _camel_request(answer: Any, not_a_mapping: str) -> tuple[Mapping[str, Any] | None, str | None]:
    """The answer's wire data, or why it cannot be read as a request in camelCase."""
    wire = _wire(answer)
    if not isinstance(wire, Mapping):
        return None, not_a_mapping
    snake = _snake_message(wire)
    return (None, snake) if snake else (wire, None)


def _first_error(data: Any, model: type[Any]) -> tuple[str, str] | None:
    _, errors = check_request(data, model)
    return (errors[0].path, errors[0].description) if errors else None


def _line_items(wire: Any) -> list[dict[str, Any]] | None:
    order = wire.get("order") if isinstance(wire, Mapping) else None
    items = order.get("lineItems") if isinstance(order, Mapping) else None
    return [i for i in items if isinstance(i, dict)] if isinstance(items, list) else None


def _raw_amount(value: Any) -> Any:
    """The original value of an amount that `_wire` marked as not an integer."""
    if isinstance(value, Mapping) and "__not_an_integer__" in value:
        return value["__not_an_integer__"]
    return value


def _shown(value: Any) -> str:
    """How a learner wrote a value: 1001.0 for a float (marked by `_plain`), else its repr."""
    raw = _raw_amount(value)
    return str(raw) if raw is not value else repr(value)


def _is_session(answer: Any) -> bool:
    wire = _wire(answer)
    return isinstance(wire, Mapping) and "clientToken" in wire


def _warning_types(wire: Mapping[str, Any]) -> list[str]:
    raw = wire.get("warnings")
    items = [raw] if isinstance(raw, Mapping) else (raw or [])
    return [str(w.get("type")) for w in items if isinstance(w, Mapping)]


def _money_kind(value: Any) -> str | None:
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


def _value(value: Any) -> Build:
    return lambda client, given: value


# --- 01 create a client session --------------------------------------------------------------


def _judge_no_warning(answer: Any, given: Mapping[str, Any]) -> str | None:
    wire = _wire(answer)
    if not isinstance(wire, Mapping):
        return "Pass the session that client.create_session(...) returned."
    if "clientToken" not in wire:
        return (
            "That is the request: send it with client.create_session(...) "
            "and pass the session it returns."
        )
    if wire.get("orderId") != "order-ex-101":
        return f"The session is for order {wire.get('orderId')!r}: create one for 'order-ex-101'."
    if wire.get("currencyCode") != "EUR":
        return "The book is priced in euros: currencyCode 'EUR'."
    amount = wire.get("amount")
    if amount == 25:
        return "amount is in minor units: €25.00 is 2500, not 25."
    if amount != 2500:
        return f"The session's amount is {amount}: one €25.00 book is 2500 (minor units)."
    if "TAXJAR" in _warning_types(wire):
        return (
            "The session has a TAXJAR MISSING_DATA warning: give customer.shippingAddress "
            "a countryCode and a postalCode (and a state in the US or Canada)."
        )
    return None


def _judge_minimal_request(answer: Any, given: Mapping[str, Any]) -> str | None:
    wire, problem = _camel_request(
        answer, "Give a ClientSessionRequest(...) or a dict in Primer's camelCase."
    )
    if wire is None:
        return problem
    items = _line_items(wire) or []
    for item in items:
        raw = _raw_amount(item.get("amount"))
        if raw is not item.get("amount") or isinstance(raw, str):
            return f"Amounts are integers in minor units: $12.50 is 1250, not {raw}."
    error = _first_error(wire, ClientSessionRequest)
    if error:
        return f"Primer would refuse it at {error[0]}: {error[1]}"
    if wire.get("orderId") != "order-ex-102":
        return f"The order id is 'order-ex-102', not {wire.get('orderId')!r}."
    if wire.get("currencyCode") != "USD":
        return "The T-shirts are priced in dollars: currencyCode 'USD'."
    if "amount" in wire:
        return (
            "Leave out the top-level amount: Primer computes 2500 from the line items "
            "(an amount you give overrides them)."
        )
    if len(items) != 1:
        return f"Give exactly one line item (the T-shirt), not {len(items)}."
    amount, quantity = items[0].get("amount"), items[0].get("quantity", 1)
    if amount == 2500 and quantity == 1:
        return "amount is the price of one unit: amount 1250 with quantity 2."
    if amount == 1250 and quantity == 1:
        return "Two T-shirts: add quantity 2 (it defaults to 1)."
    if amount == 12 or amount == 13:
        return "Amounts are integers in minor units: $12.50 is 1250."
    if (amount, quantity) != (1250, 2):
        return f"The line item says {quantity} × {amount}: it should be 2 × 1250 ($12.50)."
    return None


def _tshirts(**changes: Any) -> Build:
    item: dict[str, Any] = {"itemId": "tshirt-1", "description": "T-shirt"}
    item.update(changes)
    return _value(
        {"orderId": "order-ex-102", "currencyCode": "USD", "order": {"lineItems": [item]}}
    )


def _minimal_model(client: Any, given: Mapping[str, Any]) -> Any:
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


# --- 02 currency and minor units -------------------------------------------------------------


def _judge_minor(
    code: str, shown: str, right: int, known: Mapping[int, str]
) -> Callable[[Any, Mapping[str, Any]], str | None]:
    def judge(answer: Any, given: Mapping[str, Any]) -> str | None:
        kind = _money_kind(answer)
        if kind:
            return f"An amount is an integer in minor units, never {kind}: {shown} is {right}."
        if not _is_integer(answer):
            return f"Give a whole number (int): {shown} in minor units."
        if answer == right:
            return None
        if answer in known:
            return known[answer]
        return (
            f"{answer} in {code} is {format_amount(answer, code)}, not {shown}: "
            "see minor_units(code)."
        )

    return judge


def _minor_units_exercise(
    *,
    id: str,
    notebook: str,
    code: str,
    shown: str,
    right: int,
    texts: tuple[str, str, str, str, str],
    wrong: Sequence[tuple[str, str, object]],
) -> Exercise:
    """An exercise "give `shown` in minor units": the judge knows every wrong integer of
    `wrong` (label, feedback, answer), so each feedback is written once.

    `texts` are the title, task, success, hint and solution text; the solution code is
    `to_minor_units(...)` of `shown`'s figure."""
    title, task, success, hint_text, solution_text = texts
    figure = shown.split()[-1].lstrip("¥$€£").replace(",", "")
    return Exercise(
        id=id,
        notebook=notebook,
        title=title,
        task=task,
        judge=_judge_minor(code, shown, right, {v: f for _, f, v in wrong if type(v) is int}),
        success=success,
        hint_text=hint_text,
        solution_text=solution_text,
        solution_code=f'answer = to_minor_units("{figure}", "{code}")  # {right}',
        correct=_value(right),
        mistakes=tuple(Mistake(label, feedback, _value(v)) for label, feedback, v in wrong),
    )


# --- 03 errors -------------------------------------------------------------------------------

BROKEN_REQUEST: dict[str, Any] = {
    "orderId": "",
    "currencyCode": "EURO",
    "order": {"lineItems": [{"description": "Mug", "quantity": 2}]},
    "customer": {"emailAddress": "ada@"},
}

_FIX_ADVICE = {
    "$.orderId": "orderId must not be empty: give the order an id, e.g. 'order-7005'.",
    "$.currencyCode": "'EURO' is not a currency code: the euro is 'EUR' (ISO 4217).",
    "$.order.lineItems[0].amount": "a line item needs an amount in minor units: 800.",
    "$.customer.emailAddress": "'ada@' is not an email address: use 'ada@example.com'.",
}


def _judge_read_path(answer: Any, given: Mapping[str, Any]) -> str | None:
    if isinstance(answer, int):
        return "That is the HTTP status; the JSONPath is in exc.validation_errors[0].path."
    if not isinstance(answer, str):
        return "Give the JSONPath as a string, e.g. '$.something'."
    text = answer.strip()
    if text == "$.orderId":
        return None
    if text == "orderId":
        return "Give the whole JSONPath as the error shows it: '$.orderId' ($ is the body)."
    if text == "$.order_id":
        return "Paths use the wire's camelCase names: '$.orderId'."
    if text == "RequestValidationError":
        return (
            "That is the errorId (the kind of error); the JSONPath is in "
            "exc.validation_errors[0].path."
        )
    if text == "$.currencyCode":
        return "'EUR' is a valid currency; the refused field is the one holding the number 5."
    return f"{text!r} is not the path the error names: print exc.validation_errors."


def _judge_fix_request(answer: Any, given: Mapping[str, Any]) -> str | None:
    wire = _wire(answer)
    if not isinstance(wire, Mapping):
        return "Give the fixed request as a dict (or a ClientSessionRequest)."
    if "currencyCode" not in wire:
        return "Keep the currency: fix 'EURO' to 'EUR' rather than leaving currencyCode out."
    items = _line_items(wire)
    if not items:
        return (
            "Keep the mug line item and give it an amount: deleting the line hides the "
            "error but loses the order."
        )
    customer = wire.get("customer")
    if not isinstance(customer, Mapping) or "emailAddress" not in customer:
        return "Keep the customer's email address: fix it to 'ada@example.com'."
    error = _first_error(wire, ClientSessionRequest)
    if error:
        advice = _FIX_ADVICE.get(error[0], error[1])
        return f"Still refused at {error[0]}: {advice}"
    mug = items[0]
    if (mug.get("amount"), mug.get("quantity", 1)) != (800, 2):
        return "The order is 2 mugs at €8.00 each: amount 800, quantity 2."
    return None


def _fixed_request(**overrides: Any) -> dict[str, Any]:
    request: dict[str, Any] = {
        "orderId": "order-7005",
        "currencyCode": "EUR",
        "order": {"lineItems": [{"description": "Mug", "quantity": 2, "amount": 800}]},
        "customer": {"emailAddress": "ada@example.com"},
    }
    request.update(overrides)
    return request


# --- 04 update a client session --------------------------------------------------------------

_KEEP = {"mug": (1200, 2), "tea": (650, 1)}


def _judge_add_item(answer: Any, given: Mapping[str, Any]) -> str | None:
    wire = _wire(answer)
    if not isinstance(wire, Mapping):
        return "Give the PATCH changes as a dict, or the session the PATCH answered."
    if "lineItems" in wire:
        return "lineItems belongs inside order: {'order': {'lineItems': [...]}}."
    snake = _snake_message(wire)
    if snake:
        return snake
    items = _line_items(wire)
    if items is None:
        return "The changes must carry order.lineItems: the whole list of line items."
    by_id = {str(i.get("itemId")): i for i in items}
    biscuits = by_id.get("biscuits")
    if biscuits is None:
        return "Add a line item with itemId 'biscuits' (amount 350)."
    missing = [name for name in _KEEP if name not in by_id]
    if len(missing) == len(_KEEP):
        return (
            "Arrays are replaced whole: this PATCH leaves only the biscuits. Send mug and "
            "tea again along with the new item."
        )
    if missing:
        return (
            f"Arrays are replaced whole: {missing[0]} would be deleted. Send every line "
            "item you want to keep."
        )
    raw = _raw_amount(biscuits.get("amount"))
    if not _is_integer(raw):
        return f"Amounts are integers in minor units: £3.50 is 350, not {raw}."
    if raw != 350:
        return f"The biscuits cost £3.50: amount 350, not {raw}."
    for name, (amount, quantity) in _KEEP.items():
        item = by_id[name]
        if (item.get("amount"), item.get("quantity", 1)) != (amount, quantity):
            return f"Keep {name} as it was: amount {amount}, quantity {quantity}."
    error = _first_error({k: v for k, v in wire.items() if k == "order"}, _PatchModel)
    if error:
        return f"Primer would refuse it at {error[0]}: {error[1]}"
    return None


_PatchModel = ClientSessionUpdateRequest


def _keep_items(*extra: dict[str, Any], keep: Sequence[str] = ("mug", "tea")) -> dict[str, Any]:
    items = [
        {"itemId": "mug", "description": "Mug", "amount": 1200, "quantity": 2},
        {"itemId": "tea", "description": "Tea", "amount": 650},
    ]
    kept = [i for i in items if i["itemId"] in keep]
    return {"order": {"lineItems": [*kept, *extra]}}


_BISCUITS = {"itemId": "biscuits", "description": "Biscuits", "amount": 350}


def _judge_clear_shipping(answer: Any, given: Mapping[str, Any]) -> str | None:
    wire = _wire(answer)
    if not isinstance(wire, Mapping):
        return "Give the PATCH changes as a dict."
    if "shipping" in wire:
        return "shipping lives inside order: {'order': {'shipping': None}}."
    if "order" not in wire:
        return "The changes must name order.shipping: {'order': {'shipping': None}}."
    order = wire["order"]
    if order is None:
        return "That clears the whole order, line items included: clear only order.shipping."
    if not isinstance(order, Mapping) or "shipping" not in order:
        return "Name the field to clear: {'order': {'shipping': None}}."
    shipping = order["shipping"]
    if shipping == {}:
        return "An empty object does not remove shipping: send None (null on the wire)."
    if isinstance(shipping, Mapping) and shipping.get("amount") == 0:
        return "Free shipping is still shipping: send None (null on the wire) to remove it."
    if shipping is not None:
        return "To remove a field, send None (null on the wire) as its value."
    if set(order) != {"shipping"} or set(wire) != {"order"}:
        return "Send only what changes: {'order': {'shipping': None}}."
    return None


# --- 05 client token expiry ------------------------------------------------------------------

CREATED_AT = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)


def _judge_expiry(answer: Any, given: Mapping[str, Any]) -> str | None:
    right = CREATED_AT + timedelta(hours=24)
    if isinstance(answer, str):
        return "Give a datetime, not a string: datetime(2026, 1, 16, 9, 0, tzinfo=UTC)."
    if not isinstance(answer, datetime):
        return "Give a datetime, e.g. datetime(2026, 1, 16, 9, 0, tzinfo=UTC)."
    if answer.tzinfo is None:
        if answer == right.replace(tzinfo=None):
            return (
                "Right time, but give an aware datetime (tzinfo=UTC): Primer's wire value "
                "is naive but means UTC, and a naive datetime in Python means local time."
            )
        answer = answer.replace(tzinfo=UTC)
    delta = answer - CREATED_AT
    if delta == right - CREATED_AT:
        return None
    if delta == timedelta(hours=12):
        return "Client tokens last 24 hours, not 12."
    if delta == timedelta(hours=1):
        return "Client tokens last 24 hours, not one."
    if delta == timedelta(days=7):
        return "Client tokens last 24 hours, not a week."
    return (
        f"That is {delta} after creation: a client token expires 24 hours after the "
        "session is created."
    )


def _judge_after_expiry(answer: Any, given: Mapping[str, Any]) -> str | None:
    if _is_session(answer) or hasattr(answer, "order_id"):
        return (
            "The PATCH succeeded, so the token had not expired yet: advance the clock past "
            "24 hours first (client.emulator.clock.advance(hours=25))."
        )
    if isinstance(answer, PrimerAPIError):
        status, error_id = answer.status_code, answer.error_id
    elif isinstance(answer, tuple) and len(answer) == 2:
        status, error_id = answer
    elif isinstance(answer, int):
        status, error_id = answer, None
    else:
        return "Pass the error you caught (except PrimerAPIError as exc), or (status, errorId)."
    if status == 401 or status == 403:
        return (
            "An expired token is not an authentication failure (your API key is fine): "
            "the API answers 400 ClientSessionValidationError."
        )
    if status == 410:
        return "410 Gone is for retired API versions; an expired token gets 400."
    if status == 200:
        return "A PATCH with an expired token is refused: it does not answer 200."
    if status != 400:
        return f"Not {status}: an expired token is a bad request, 400."
    if error_id is None:
        return "Right status; now give the errorId too: (400, 'ClientSessionValidationError')."
    if error_id == "RequestValidationError":
        return (
            "It is a 400, but the errorId is ClientSessionValidationError: the token is "
            "refused, not the body."
        )
    if error_id != "ClientSessionValidationError":
        return f"The errorId is ClientSessionValidationError, not {error_id!r}."
    return None


def _expired_patch(client: Any, given: Mapping[str, Any]) -> Any:
    session = client.create_session({"orderId": "order-ex-502", "currencyCode": "EUR"})
    if client.emulator is None:
        raise RuntimeError("this builder needs the in-process emulator's clock")
    client.emulator.clock.advance(hours=25)
    try:
        client.update_session(session.client_token, {"amount": 3000})
    except PrimerAPIError as exc:
        return exc
    raise AssertionError("a PATCH after expiry was accepted")


def _live_patch(client: Any, given: Mapping[str, Any]) -> Any:
    session = client.create_session({"orderId": "order-ex-502", "currencyCode": "EUR"})
    return client.update_session(session.client_token, {"amount": 3000})


# --- 06 payment methods and order details ----------------------------------------------------


def _payment_method(wire: Any) -> Any:
    if isinstance(wire, Mapping) and "paymentMethod" in wire:
        return wire["paymentMethod"]
    return wire


def _judge_save_card(answer: Any, given: Mapping[str, Any]) -> str | None:
    method = _payment_method(_wire(answer))
    if not isinstance(method, Mapping):
        return "Give the paymentMethod object as a dict."
    payment_type = method.get("paymentType")
    wrong_type = {
        "ECOMMERCE": (
            "ECOMMERCE is a later payment with details already stored; the first payment, "
            "the one that stores the card, is FIRST_PAYMENT."
        ),
        "SUBSCRIPTION": (
            "SUBSCRIPTION is a merchant-initiated payment on a fixed schedule; here the "
            "customer pays now and stores the card: FIRST_PAYMENT."
        ),
        "UNSCHEDULED": (
            "UNSCHEDULED is a merchant-initiated payment without the customer; here the "
            "customer pays now and stores the card: FIRST_PAYMENT."
        ),
    }
    if payment_type is None:
        return (
            "Say what kind of payment this is: paymentType 'FIRST_PAYMENT' "
            "(since API 2.4 it is no longer filled in for you)."
        )
    if isinstance(payment_type, str) and payment_type in wrong_type:
        return wrong_type[payment_type]
    if (
        isinstance(payment_type, str)
        and payment_type.upper() == "FIRST_PAYMENT"
        and payment_type != "FIRST_PAYMENT"
    ):
        return f"paymentType values are upper case: 'FIRST_PAYMENT', not {payment_type!r}."
    vault = method.get("vaultOnSuccess")
    if isinstance(vault, str):
        return f"vaultOnSuccess is a boolean: True, not the string {vault!r}."
    if vault is not True:
        return "Without vaultOnSuccess: True the card is not stored after the payment."
    error = _first_error({"paymentMethod": dict(method)}, ClientSessionRequest)
    if error:
        return f"Primer would refuse it at {error[0]}: {error[1]}"
    return None


def _judge_surcharge(answer: Any, given: Mapping[str, Any]) -> str | None:
    wire = _wire(answer)
    if not isinstance(wire, Mapping):
        return "Give the request as a dict (or a ClientSessionRequest)."
    method = wire.get("paymentMethod")
    options = method.get("options") if isinstance(method, Mapping) else None
    card = options.get("PAYMENT_CARD") if isinstance(options, Mapping) else None
    networks = card.get("networks") if isinstance(card, Mapping) else None
    visa = networks.get("VISA") if isinstance(networks, Mapping) else None
    fees = (wire.get("order") or {}).get("fees") if isinstance(wire.get("order"), dict) else None
    if visa is None:
        if isinstance(method, Mapping) and "surcharge" in method:
            return (
                "Card surcharges go per network: "
                "paymentMethod.options.PAYMENT_CARD.networks.VISA.surcharge.amount."
            )
        if isinstance(card, Mapping) and "surcharge" in card:
            return (
                "For cards the surcharge goes per network: "
                "paymentMethod.options.PAYMENT_CARD.networks.VISA.surcharge.amount."
            )
        if fees:
            return (
                "A fee is always charged; a surcharge depends on how the customer pays: put it "
                "under paymentMethod.options.PAYMENT_CARD.networks.VISA.surcharge."
            )
        return "Put the surcharge at paymentMethod.options.PAYMENT_CARD.networks.VISA.surcharge."
    raw = _raw_amount((visa.get("surcharge") or {}).get("amount"))
    if not _is_integer(raw):
        return f"Surcharges are minor units too: €0.50 is 50, not {raw}."
    if raw != 50:
        return f"The VISA surcharge is €0.50: amount 50, not {raw}."
    if "amount" in wire:
        return (
            "With a top-level amount Primer calculates no surcharge: leave amount out and "
            "let the line items make the total."
        )
    items = _line_items(wire) or []
    if [(i.get("amount"), i.get("quantity", 1)) for i in items] != [(2000, 1)]:
        return "Give the order its one €20.00 line item (amount 2000)."
    error = _first_error(wire, ClientSessionRequest)
    if error:
        return f"Primer would refuse it at {error[0]}: {error[1]}"
    return None


def _surcharge_request(
    surcharge: Any = 50, *, amount: int | None = None, where: str = "VISA"
) -> dict[str, Any]:
    request: dict[str, Any] = {
        "orderId": "order-ex-602",
        "currencyCode": "EUR",
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
    return request


def _judge_order_details(answer: Any, given: Mapping[str, Any]) -> str | None:
    wire, problem = _camel_request(
        answer, "Give the request as a dict (or a ClientSessionRequest)."
    )
    if wire is None:
        return problem
    order = wire.get("order")
    fees = order.get("fees") if isinstance(order, Mapping) else None
    if not isinstance(fees, list) or len(fees) != 1 or not isinstance(fees[0], Mapping):
        return "Give order.fees one fee: {'type': 'SERVICE', 'amount': 150}."
    fee = _raw_amount(fees[0].get("amount"))
    if not _is_integer(fee):
        return f"fees[].amount is an integer in minor units: €1.50 is 150, not {fee!r}."
    if fee != 150:
        return f"The service fee is €1.50: amount 150, not {fee}."
    items = _line_items(wire) or []
    if len(items) != 1:
        return "Give the order its one line item: 2 × €10.00."
    item = items[0]
    tax = _raw_amount(item.get("taxAmount"))
    if tax == 190:
        return "taxAmount is for the whole line, not per unit: 2 × €1.90 is 380."
    if not _is_integer(tax):
        return f"taxAmount is an integer in minor units: €3.80 is 380, not {tax!r}."
    if (item.get("amount"), item.get("quantity", 1), tax) != (1000, 2, 380):
        return "The line is 2 × €10.00 (amount 1000, quantity 2) with taxAmount 380."
    metadata = wire.get("metadata")
    if not isinstance(metadata, Mapping) or "productId" not in metadata:
        return "Add metadata {'productId': 1001}."
    product = metadata["productId"]
    if product not in (1001, "1001") or isinstance(product, bool):
        return (
            "metadata values are strings or integers: productId 1001 (or '1001'), "
            f"not {_shown(product)}."
        )
    error = _first_error(wire, ClientSessionRequest)
    if error:
        return f"Primer would refuse it at {error[0]}: {error[1]}"
    return None


def _details_request(fee: Any = 150, tax: Any = 380, product: Any = 1001) -> dict[str, Any]:
    return {
        "orderId": "order-ex-603",
        "currencyCode": "EUR",
        "order": {
            "lineItems": [
                {
                    "itemId": "plate",
                    "description": "Plate",
                    "amount": 1000,
                    "quantity": 2,
                    "taxAmount": tax,
                }
            ],
            "fees": [{"type": "SERVICE", "amount": fee}],
        },
        "metadata": {"productId": product},
    }


# --- 07 the token to the front end -----------------------------------------------------------

_JWT = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$")
_KEYISH = re.compile(r"api.?key", re.IGNORECASE)


def _looks_like_token(value: Any) -> bool:
    if not isinstance(value, str) or not _JWT.match(value):
        return False
    payload = value.split(".")[1]
    try:
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except ValueError:
        return False
    return isinstance(claims, dict) and "exp" in claims


def _judge_return_token(answer: Any, given: Mapping[str, Any]) -> str | None:
    if isinstance(answer, Mapping) and any(_KEYISH.search(str(k)) for k in answer):
        return "Never send the API key to the browser: return only the client token."
    if not isinstance(answer, Mapping | str):
        if not hasattr(answer, "to_wire"):
            return "Return a JSON object with the token: {'clientToken': session.client_token}."
        return (
            "Return only the client token ({'clientToken': session.client_token}), not the "
            "session: order and customer data stay on your server."
        )
    if isinstance(answer, Mapping) and set(answer) != {"clientToken"}:
        return (
            "Return only the client token ({'clientToken': session.client_token}), not the "
            "session: order and customer data stay on your server."
        )
    token = answer["clientToken"] if isinstance(answer, Mapping) else answer
    if isinstance(token, str) and "…" in token:
        return "That is the shortened token for display: return the full session.client_token."
    if not _looks_like_token(token):
        return "That is not a client token: return session.client_token as it came back."
    return None


def _judge_patch_token(answer: Any, given: Mapping[str, Any]) -> str | None:
    if not isinstance(answer, tuple) or len(answer) != 2:
        return "Answer with a pair: (the client token the checkout uses, the method it calls)."
    token, call = answer
    session = given["session"]
    if token is None:
        return (
            "A PATCH answer has no clientToken, and you need none: the token the checkout "
            "already has stays valid. Give session.client_token."
        )
    if token != session.client_token:
        return "A PATCH keeps the same client token: give session.client_token."
    name = re.sub(r"^.*\.|\(\)$", "", str(call).strip())
    if name == "refreshClientSession":
        return None
    if name == "setClientToken":
        return "setClientToken is deprecated (Web SDK 2.11): call refreshClientSession()."
    if name == "reload":
        return (
            "No need to reload the page (the customer would lose what they typed): call "
            "refreshClientSession()."
        )
    return f"Not {call!r}: the Web SDK method that picks up a PATCH is refreshClientSession()."


def _patched_session(client: Any) -> dict[str, Any]:
    session = client.create_session(
        {"orderId": "order-ex-702", "currencyCode": "EUR", "amount": 1500}
    )
    client.update_session(session.client_token, {"amount": 1800})
    return {"session": session}


# --- 08 API versions -------------------------------------------------------------------------


def _judge_version_header(answer: Any, given: Mapping[str, Any]) -> str | None:
    if not isinstance(answer, Mapping):
        return "Give the headers as a dict: {'X-API-VERSION': ...}."
    headers = {str(k).upper(): v for k, v in answer.items()}
    if "X-API-KEY" in headers:
        return (
            "Keep the API key out of code you share: the client adds X-API-KEY from "
            "PRIMER_API_KEY. Give only the version header."
        )
    if "X-API-VERSION" not in headers:
        name = next(iter(answer), "")
        return f"The header is X-API-VERSION, not {name!r}."
    value = headers["X-API-VERSION"]
    if isinstance(value, float | int) and not isinstance(value, bool):
        return f"Header values are strings: '2.4', not {value!r}."
    if value == "v2.4":
        return "The value is the bare version: '2.4' (no 'v')."
    if value == "2021-09-27":
        return "That is the earliest version; ask for the current one, '2.4'."
    if value != "2.4":
        return f"Ask for '2.4', not {value!r}."
    return None


def _judge_omitted_version(answer: Any, given: Mapping[str, Any]) -> str | None:
    if answer == "2021-09-27":
        return None
    if answer == "2.4":
        return (
            "An omitted header means the earliest version, not the latest: always send "
            "X-API-VERSION."
        )
    if answer == "2.1":
        return "2.1 is the earliest numbered version, but an older one is dated: find it."
    if answer is None or answer == 400:
        return (
            "Primer does not refuse a request without the header: it serves it with the "
            "earliest version."
        )
    return f"{answer!r} is not the version Primer uses when the header is missing."


# --- 09 many sessions and warnings -----------------------------------------------------------


def _session_wires(sessions: Iterable[Any]) -> list[Mapping[str, Any]]:
    return [w for w in (_wire(s) for s in sessions) if isinstance(w, Mapping)]


def _judge_warning_count(answer: Any, given: Mapping[str, Any]) -> str | None:
    wires = _session_wires(given["sessions"])
    right = sum(1 for w in wires if "TAXJAR" in _warning_types(w))
    if getattr(answer, "ndim", 0) >= 1:  # a DataFrame or Series (a numpy scalar has ndim 0)
        return "Give the number, e.g. warnings['order_id'].nunique(), not the table."
    if isinstance(answer, bool) or not hasattr(answer, "__index__"):
        return "Give the count as a whole number."
    count = int(answer)
    if count == right:
        return None
    if count == len(wires):
        return (
            "That counts every created session; count only those with a TAXJAR warning, "
            "e.g. warnings['order_id'].nunique()."
        )
    if count == len(wires) - right:
        return "That counts the sessions without a warning: count those with one."
    return (
        f"Not {count}: count the sessions in warnings_frame(result.sessions) whose type is TAXJAR."
    )


def _batch(client: Any) -> dict[str, Any]:
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
        address: dict[str, Any] = {"countryCode": "NL" if code == "EUR" else "GB"}
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


def _taxjar_sessions(client: Any, given: Mapping[str, Any]) -> int:
    return sum(1 for w in _session_wires(given["sessions"]) if "TAXJAR" in _warning_types(w))


def _eur_total(given: Mapping[str, Any]) -> tuple[int, int]:
    wires = _session_wires(given["sessions"])
    eur = sum(int(w.get("amount") or 0) for w in wires if w.get("currencyCode") == "EUR")
    every = sum(int(w.get("amount") or 0) for w in wires)
    return eur, every


def _judge_eur_total(answer: Any, given: Mapping[str, Any]) -> str | None:
    eur, every = _eur_total(given)
    right = from_minor_units(eur, "EUR")
    if isinstance(answer, float):
        return "Money is never a float: give a Decimal (the amount_major column holds them)."
    if _is_integer(answer) and answer == eur:
        return (
            "That is the total in minor units (cents): give it in euros as a Decimal, e.g. "
            "from the amount_major column."
        )
    if not isinstance(answer, Decimal | int) or isinstance(answer, bool):
        return "Give the total in euros as a Decimal."
    if Decimal(answer) == right:
        return None
    if Decimal(answer) == Decimal(every) / 100:
        return "That adds every currency together: keep only the rows whose currency is EUR."
    return f"Not {answer}: add amount_major over the EUR sessions only."


# --- 10 the session builder ------------------------------------------------------------------


def _judge_builder(answer: Any, given: Mapping[str, Any]) -> str | None:
    if hasattr(answer, "request") and getattr(answer, "request", None) is None:
        problems = list(getattr(answer, "problems", []) or [])
        first = f" First: {problems[0]}" if problems else ""
        return f"The builder has no valid request yet: fix what builder.problems lists.{first}"
    wire = _wire(answer)
    if not isinstance(wire, Mapping):
        return "Pass the builder (or builder.request)."
    if wire.get("orderId") != "order-ex-1001":
        return f"Type the order id 'order-ex-1001', not {wire.get('orderId')!r}."
    if wire.get("currencyCode") != "GBP":
        return "Choose GBP in the currency dropdown."
    items = _line_items(wire) or []
    if len(items) != 1:
        return f"Add exactly one line item (the notebooks), not {len(items)}."
    amount, quantity = items[0].get("amount"), items[0].get("quantity", 1)
    if amount == 42000:
        return "The builder takes money in major units: type 4.20 (it sends 420), not 420."
    if amount == 1260 and quantity == 1:
        return "The amount is per unit: type 4.20 and set the quantity to 3."
    if amount == 420 and quantity == 1:
        return "Set the quantity to 3 (it defaults to 1)."
    if (amount, quantity) != (420, 3):
        return f"The line item says {quantity} × {amount}: it should be 3 × 420 (£4.20)."
    customer = wire.get("customer")
    email = customer.get("emailAddress") if isinstance(customer, Mapping) else None
    if email != "ada@example.com":
        return "Fill the customer's email address: ada@example.com."
    return None


def _builder_request(amount: int = 420, quantity: int | None = 3, **top: Any) -> Build:
    item: dict[str, Any] = {"name": "Notebook", "amount": amount}
    if quantity is not None:
        item["quantity"] = quantity
    request: dict[str, Any] = {
        "orderId": "order-ex-1001",
        "currencyCode": "GBP",
        "order": {"lineItems": [item]},
        "customer": {"emailAddress": "ada@example.com"},
    }
    request.update(top)
    return _value(ClientSessionRequest.model_validate(request))


def _judge_patch_builder(answer: Any, given: Mapping[str, Any]) -> str | None:
    wire = _wire(answer)
    if not isinstance(wire, Mapping):
        return "Pass the PatchBuilder (or its .changes)."
    items = _line_items(wire)
    if items is None:
        return "Change the quantity in the builder's line items: the changes have no lineItems."
    by_id = {str(i.get("itemId")): i for i in items}
    if "mug" not in by_id:
        return "Arrays are replaced whole: these changes would delete the mug. Keep it."
    tea = by_id.get("tea")
    if tea is None:
        return "Keep the tea line item and change its quantity to 3."
    quantity = tea.get("quantity")
    if isinstance(quantity, str):
        return f"quantity is an integer: 3, not {quantity!r}."
    if quantity != 3:
        return f"Set tea's quantity to 3, not {quantity}."
    if by_id["mug"].get("quantity", 1) != 2:
        return "Leave the mug's quantity at 2."
    return None


def _tea_patch(tea_quantity: Any = 3, keep_mug: bool = True) -> Build:
    items: list[dict[str, Any]] = []
    if keep_mug:
        items.append({"itemId": "mug", "description": "Mug", "amount": 1200, "quantity": 2})
    items.append({"itemId": "tea", "description": "Tea", "amount": 650, "quantity": tea_quantity})
    return _value({"order": {"lineItems": items}})


# --- the catalogue ---------------------------------------------------------------------------


def _catalogue() -> tuple[Exercise, ...]:
    nb01 = "01-create-a-client-session.ipynb"
    nb02 = "02-currency-minor-units.ipynb"
    nb03 = "03-errors-and-troubleshooting.ipynb"
    nb04 = "04-update-a-client-session.ipynb"
    nb05 = "05-client-token-expiry.ipynb"
    nb06 = "06-payment-methods-and-order-details.ipynb"
    nb07 = "07-token-to-the-front-end.ipynb"
    nb08 = "08-api-versions-and-going-live.ipynb"
    nb09 = "09-many-sessions-and-warnings.ipynb"
    nb10 = "10-session-builder.ipynb"
    no_address = {"countryCode": "NL"}
    return (
        Exercise(
            id="01-no-taxjar-warning",
            notebook=nb01,
            title="A session with no TAXJAR warning",
            task=(
                "Create a client session for order 'order-ex-101' in EUR with one line item, "
                "a €25.00 book, whose customer's shipping address is complete enough that "
                "the session gets no TAXJAR warning. Pass the session create_session returned."
            ),
            judge=_judge_no_warning,
            success="order-ex-101 in EUR 25.00, and no TAXJAR warning.",
            hint_text=(
                "TaxJar needs to know where the order ships: look at which fields of "
                "customer.shippingAddress the warning's message asks for."
            ),
            solution_text=(
                "A shipping address with a countryCode and a postalCode removes the warning; "
                "the amount is in minor units (2500)."
            ),
            solution_code=(
                "answer = client.create_session({\n"
                '    "orderId": "order-ex-101", "currencyCode": "EUR",\n'
                '    "order": {"lineItems": [{"itemId": "book-1", "amount": 2500}]},\n'
                '    "customer": {"shippingAddress": {"countryCode": "NL", '
                '"postalCode": "1015 CJ"}},\n'
                "})"
            ),
            correct=_create(_book_request(2500, FULL_ADDRESS)),
            mistakes=(
                Mistake(
                    "shipping address with only a country code",
                    "The session has a TAXJAR MISSING_DATA warning: give "
                    "customer.shippingAddress a countryCode and a postalCode (and a state "
                    "in the US or Canada).",
                    _create(_book_request(2500, no_address)),
                ),
                Mistake(
                    "amount in major units",
                    "amount is in minor units: €25.00 is 2500, not 25.",
                    _create(_book_request(25, FULL_ADDRESS)),
                ),
                Mistake(
                    "the request instead of the session",
                    "That is the request: send it with client.create_session(...) and pass "
                    "the session it returns.",
                    _value(_book_request(2500, FULL_ADDRESS)),
                ),
            ),
        ),
        Exercise(
            id="01-minimal-request",
            notebook=nb01,
            title="Write a request for two T-shirts",
            task=(
                "Write the request (a ClientSessionRequest, or a dict in camelCase) for order "
                "'order-ex-102' in USD with one line item: 2 × a $12.50 T-shirt."
            ),
            judge=_judge_minimal_request,
            success="One line item, amount 1250 per unit, quantity 2 ($25.00).",
            hint_text=(
                "A line item's amount is the price of one unit, in minor units; "
                "quantity says how many."
            ),
            solution_text="amount 1250 (cents) with quantity 2; no top-level amount.",
            solution_code=(
                "answer = ClientSessionRequest(\n"
                '    order_id="order-ex-102", currency_code="USD",\n'
                '    order=Order(line_items=[LineItem(item_id="tshirt-1", amount=1250, '
                "quantity=2)]),\n"
                ")"
            ),
            correct=_minimal_model,
            mistakes=(
                Mistake(
                    "snake_case keys in a dict",
                    "Wire data uses Primer's camelCase names: orderId, not order_id "
                    "(snake_case is for the Python models' arguments only).",
                    _value(
                        {
                            "order_id": "order-ex-102",
                            "currencyCode": "USD",
                            "order": {"lineItems": [{"amount": 1250, "quantity": 2}]},
                        }
                    ),
                ),
                Mistake(
                    "amount as a float in major units",
                    "Amounts are integers in minor units: $12.50 is 1250, not 12.5.",
                    _tshirts(amount=12.5, quantity=2),
                ),
                Mistake(
                    "the line total as the amount",
                    "amount is the price of one unit: amount 1250 with quantity 2.",
                    _tshirts(amount=2500),
                ),
                Mistake(
                    "quantity left out",
                    "Two T-shirts: add quantity 2 (it defaults to 1).",
                    _tshirts(amount=1250),
                ),
            ),
        ),
        _minor_units_exercise(
            id="02-jpy-amount",
            notebook=nb02,
            code="JPY",
            shown="¥1,500",
            right=1500,
            texts=(
                "¥1,500 in minor units",
                "An order costs ¥1,500. Give its amount in minor units (an int).",
                "JPY has no minor unit, so ¥1,500 is 1500.",
                "How many minor units does the yen have? minor_units('JPY').",
                "The yen has 0 minor units: to_minor_units('1500', 'JPY') == 1500.",
            ),
            wrong=(
                ("as if JPY had cents", "JPY has no minor unit: ¥1,500 is 1500", 150000),
                (
                    "divided by 100",
                    "JPY has no minor unit, so there is nothing to divide: ¥1,500 is 1500.",
                    15,
                ),
                (
                    "a float",
                    "An amount is an integer in minor units, never a float: ¥1,500 is 1500.",
                    1500.0,
                ),
                (
                    "a string",
                    "An amount is an integer in minor units, never a string: ¥1,500 is 1500.",
                    "1500",
                ),
            ),
        ),
        _minor_units_exercise(
            id="02-kwd-amount",
            notebook=nb02,
            code="KWD",
            shown="KWD 1.250",
            right=1250,
            texts=(
                "KWD 1.250 in minor units",
                "An order costs KWD 1.250 (Kuwaiti dinar). Give its amount in minor units.",
                "KWD has three minor units, so KWD 1.250 is 1250 fils.",
                "The dinar has more minor units than the dollar: minor_units('KWD').",
                "KWD has 3 minor units: to_minor_units('1.250', 'KWD') == 1250.",
            ),
            wrong=(
                (
                    "two decimals, as for USD",
                    "KWD has three minor units (fils): KWD 1.250 is 1250, not 125.",
                    125,
                ),
                (
                    "a float in major units",
                    "An amount is an integer in minor units, never a float: KWD 1.250 is 1250.",
                    1.25,
                ),
                (
                    "the fraction dropped",
                    "Minor units keep the fraction: KWD 1.250 is 1250 fils.",
                    1,
                ),
            ),
        ),
        Exercise(
            id="03-read-jsonpath",
            notebook=nb03,
            title="Read the JSONPath of an error",
            task=(
                "client.create_session({'orderId': 5, 'currencyCode': 'EUR'}, validate=False) "
                "raised a PrimerValidationError. Which field did the API refuse? Give the "
                "JSONPath the error names."
            ),
            judge=_judge_read_path,
            success="$.orderId, the field that holds the number 5.",
            hint_text="Each entry of exc.validation_errors has a path; $ is the request body.",
            solution_text="exc.validation_errors[0].path is '$.orderId': orderId must be a string.",
            solution_code="answer = exc.validation_errors[0].path  # '$.orderId'",
            correct=_value("$.orderId"),
            mistakes=(
                Mistake(
                    "the field name without the path",
                    "Give the whole JSONPath as the error shows it: '$.orderId' ($ is the body).",
                    _value("orderId"),
                ),
                Mistake(
                    "the errorId",
                    "That is the errorId (the kind of error); the JSONPath is in "
                    "exc.validation_errors[0].path.",
                    _value("RequestValidationError"),
                ),
                Mistake(
                    "the status",
                    "That is the HTTP status; the JSONPath is in exc.validation_errors[0].path.",
                    _value(422),
                ),
                Mistake(
                    "the other field",
                    "'EUR' is a valid currency; the refused field is the one holding the number 5.",
                    _value("$.currencyCode"),
                ),
            ),
        ),
        Exercise(
            id="03-fix-request",
            notebook=nb03,
            title="Fix a refused request",
            task=(
                "Fix bad_request (orderId '', currencyCode 'EURO', a Mug line item without "
                "an amount, email 'ada@') so that it passes: 2 mugs at €8.00 each, for "
                "ada@example.com, any non-empty orderId. Keep every field; fix the values."
            ),
            judge=_judge_fix_request,
            success="Every JSONPath the error named is fixed, and the order is intact.",
            hint_text=(
                "Print each (path, description) of the error and fix one path at a time; "
                "deleting a field hides an error but changes the order."
            ),
            solution_text="A non-empty orderId, 'EUR', amount 800, and a full email address.",
            solution_code=(
                "answer = {\n"
                '    "orderId": "order-7005", "currencyCode": "EUR",\n'
                '    "order": {"lineItems": [{"description": "Mug", "quantity": 2, '
                '"amount": 800}]},\n'
                '    "customer": {"emailAddress": "ada@example.com"},\n'
                "}"
            ),
            correct=_value(_fixed_request()),
            mistakes=(
                Mistake(
                    "only the currency fixed",
                    "Still refused at $.orderId: orderId must not be empty: give the order "
                    "an id, e.g. 'order-7005'.",
                    _value({**BROKEN_REQUEST, "currencyCode": "EUR"}),
                ),
                Mistake(
                    "amount as a float",
                    "Still refused at $.order.lineItems[0].amount: a line item needs an "
                    "amount in minor units: 800.",
                    _value(
                        _fixed_request(
                            order={
                                "lineItems": [{"description": "Mug", "quantity": 2, "amount": 8.0}]
                            }
                        )
                    ),
                ),
                Mistake(
                    "the line item deleted",
                    "Keep the mug line item and give it an amount: deleting the line hides "
                    "the error but loses the order.",
                    _value(_fixed_request(order={"lineItems": []})),
                ),
                Mistake(
                    "the currency left out",
                    "Keep the currency: fix 'EURO' to 'EUR' rather than leaving currencyCode out.",
                    _value({k: v for k, v in _fixed_request().items() if k != "currencyCode"}),
                ),
            ),
        ),
        Exercise(
            id="04-add-line-item",
            notebook=nb04,
            title="Add a line item without losing the others",
            task=(
                "The session holds two line items: mug (1200 × 2) and tea (650). Write the "
                "changes for a PATCH that adds biscuits (itemId 'biscuits', £3.50) and keeps "
                "the others, or pass the session that PATCH answered."
            ),
            judge=_judge_add_item,
            success="Mug, tea and biscuits, since a PATCH replaces arrays whole.",
            hint_text="A PATCH replaces an array whole: what happens to items you leave out?",
            solution_text="Send the complete list: mug and tea as they are, plus biscuits.",
            solution_code=(
                'answer = {"order": {"lineItems": [\n'
                '    {"itemId": "mug", "amount": 1200, "quantity": 2},\n'
                '    {"itemId": "tea", "amount": 650},\n'
                '    {"itemId": "biscuits", "amount": 350},\n'
                "]}}"
            ),
            correct=_value(_keep_items(_BISCUITS)),
            mistakes=(
                Mistake(
                    "only the new item",
                    "Arrays are replaced whole: this PATCH leaves only the biscuits. Send mug "
                    "and tea again along with the new item.",
                    _value(_keep_items(_BISCUITS, keep=())),
                ),
                Mistake(
                    "one item forgotten",
                    "Arrays are replaced whole: tea would be deleted. Send every line item "
                    "you want to keep.",
                    _value(_keep_items(_BISCUITS, keep=("mug",))),
                ),
                Mistake(
                    "lineItems at the top level",
                    "lineItems belongs inside order: {'order': {'lineItems': [...]}}.",
                    _value({"lineItems": _keep_items(_BISCUITS)["order"]["lineItems"]}),
                ),
                Mistake(
                    "amount in major units",
                    "Amounts are integers in minor units: £3.50 is 350, not 3.5.",
                    _value(_keep_items({**_BISCUITS, "amount": 3.5})),
                ),
            ),
        ),
        Exercise(
            id="04-clear-shipping",
            notebook=nb04,
            title="Remove a field with a PATCH",
            task="Write the PATCH changes that remove the order's shipping.",
            judge=_judge_clear_shipping,
            success="None (null on the wire) clears a field.",
            hint_text="Which JSON value means 'no value'? And where does shipping live?",
            solution_text="null clears a field; shipping is inside order.",
            solution_code='answer = {"order": {"shipping": None}}',
            correct=_value({"order": {"shipping": None}}),
            mistakes=(
                Mistake(
                    "an empty object",
                    "An empty object does not remove shipping: send None (null on the wire).",
                    _value({"order": {"shipping": {}}}),
                ),
                Mistake(
                    "shipping at the top level",
                    "shipping lives inside order: {'order': {'shipping': None}}.",
                    _value({"shipping": None}),
                ),
                Mistake(
                    "free shipping",
                    "Free shipping is still shipping: send None (null on the wire) to remove it.",
                    _value({"order": {"shipping": {"amount": 0}}}),
                ),
                Mistake(
                    "the whole order cleared",
                    "That clears the whole order, line items included: clear only order.shipping.",
                    _value({"order": None}),
                ),
            ),
        ),
        Exercise(
            id="05-expiry-time",
            notebook=nb05,
            title="When does a client token expire?",
            task=(
                "A session was created at 2026-01-15 09:00:00 UTC on the backend's clock. "
                "When does its client token expire? Give an aware datetime."
            ),
            judge=_judge_expiry,
            success="24 hours after creation, 2026-01-16 09:00:00 UTC.",
            hint_text="Client tokens live a fixed time; clientTokenExpirationDate is UTC.",
            solution_text="Creation + 24 hours, in UTC.",
            solution_code="answer = datetime(2026, 1, 16, 9, 0, tzinfo=UTC)",
            correct=_value(CREATED_AT + timedelta(hours=24)),
            mistakes=(
                Mistake(
                    "a naive datetime",
                    "Right time, but give an aware datetime (tzinfo=UTC): Primer's wire "
                    "value is naive but means UTC, and a naive datetime in Python means "
                    "local time.",
                    _value(datetime(2026, 1, 16, 9, 0)),
                ),
                Mistake(
                    "12 hours",
                    "Client tokens last 24 hours, not 12.",
                    _value(CREATED_AT + timedelta(hours=12)),
                ),
                Mistake(
                    "one hour",
                    "Client tokens last 24 hours, not one.",
                    _value(CREATED_AT + timedelta(hours=1)),
                ),
                Mistake(
                    "a string",
                    "Give a datetime, not a string: datetime(2026, 1, 16, 9, 0, tzinfo=UTC).",
                    _value("2026-01-16T09:00:00"),
                ),
            ),
        ),
        Exercise(
            id="05-patch-after-expiry",
            notebook=nb05,
            title="What a PATCH after expiry answers",
            task=(
                "Advance the emulator's clock past the token's expiry, then PATCH the session. "
                "Pass the error you caught, or its (status, errorId) pair."
            ),
            judge=_judge_after_expiry,
            success=(
                "400 ClientSessionValidationError. An expired session cannot be "
                "revived: create a new one (POST) for a new client token."
            ),
            hint_text=(
                "Catch PrimerAPIError around client.update_session(...) and look at "
                "exc.status_code and exc.error_id."
            ),
            solution_text=(
                "The API answers 400 ClientSessionValidationError, 'The client token is "
                "invalid.' (the same as for a token it never issued)."
            ),
            solution_code=(
                "client.emulator.clock.advance(hours=25)\n"
                "try:\n"
                '    client.update_session(token, {"amount": 3000})\n'
                "except PrimerAPIError as exc:\n"
                "    answer = exc"
            ),
            correct=_expired_patch,
            mistakes=(
                Mistake(
                    "the PATCH before expiry",
                    "The PATCH succeeded, so the token had not expired yet: advance the clock "
                    "past 24 hours first (client.emulator.clock.advance(hours=25)).",
                    _live_patch,
                ),
                Mistake(
                    "an authentication failure",
                    "An expired token is not an authentication failure (your API key is "
                    "fine): the API answers 400 ClientSessionValidationError.",
                    _value((401, "Unauthorized")),
                ),
                Mistake(
                    "410 Gone",
                    "410 Gone is for retired API versions; an expired token gets 400.",
                    _value((410, "Gone")),
                ),
                Mistake(
                    "a body validation error",
                    "It is a 400, but the errorId is ClientSessionValidationError: the token "
                    "is refused, not the body.",
                    _value((400, "RequestValidationError")),
                ),
            ),
        ),
        Exercise(
            id="06-save-card",
            notebook=nb06,
            title="paymentType and vaulting for a first purchase",
            task=(
                "A customer pays now and ticks 'save my card' to pay with it next time. "
                "Write the paymentMethod object: its paymentType and the vault flag."
            ),
            judge=_judge_save_card,
            success="FIRST_PAYMENT, and vaultOnSuccess stores the card after it succeeds.",
            hint_text=(
                "Which paymentType is the first customer-initiated payment of a series? "
                "Which vaultOn... flag stores the card after a successful payment?"
            ),
            solution_text="paymentType FIRST_PAYMENT with vaultOnSuccess True.",
            solution_code='answer = {"paymentType": "FIRST_PAYMENT", "vaultOnSuccess": True}',
            correct=_value({"paymentType": "FIRST_PAYMENT", "vaultOnSuccess": True}),
            mistakes=(
                Mistake(
                    "ECOMMERCE",
                    "ECOMMERCE is a later payment with details already stored; the first "
                    "payment, the one that stores the card, is FIRST_PAYMENT.",
                    _value({"paymentType": "ECOMMERCE", "vaultOnSuccess": True}),
                ),
                Mistake(
                    "SUBSCRIPTION",
                    "SUBSCRIPTION is a merchant-initiated payment on a fixed schedule; here "
                    "the customer pays now and stores the card: FIRST_PAYMENT.",
                    _value({"paymentType": "SUBSCRIPTION", "vaultOnSuccess": True}),
                ),
                Mistake(
                    "no vault flag",
                    "Without vaultOnSuccess: True the card is not stored after the payment.",
                    _value({"paymentType": "FIRST_PAYMENT"}),
                ),
                Mistake(
                    "the flag as a string",
                    "vaultOnSuccess is a boolean: True, not the string 'true'.",
                    _value({"paymentType": "FIRST_PAYMENT", "vaultOnSuccess": "true"}),
                ),
                Mistake(
                    "no paymentType",
                    "Say what kind of payment this is: paymentType 'FIRST_PAYMENT' (since "
                    "API 2.4 it is no longer filled in for you).",
                    _value({"vaultOnSuccess": True}),
                ),
            ),
        ),
        Exercise(
            id="06-card-surcharge",
            notebook=nb06,
            title="A VISA surcharge that applies",
            task=(
                "Write a request for order 'order-ex-602' in EUR with one €20.00 line item "
                "and a €0.50 surcharge for VISA cards that Primer will actually apply."
            ),
            judge=_judge_surcharge,
            success="A per-network surcharge, and the total comes from the line items.",
            hint_text=(
                "Surcharges live in paymentMethod.options, per payment method (and for cards "
                "per network); and Primer computes none when you fix the total yourself."
            ),
            solution_text=(
                "paymentMethod.options.PAYMENT_CARD.networks.VISA.surcharge.amount = 50, "
                "with line items and no top-level amount."
            ),
            solution_code=(
                "answer = {\n"
                '    "orderId": "order-ex-602", "currencyCode": "EUR",\n'
                '    "order": {"lineItems": [{"itemId": "lamp", "amount": 2000}]},\n'
                '    "paymentMethod": {"options": {"PAYMENT_CARD": {"networks": '
                '{"VISA": {"surcharge": {"amount": 50}}}}}},\n'
                "}"
            ),
            correct=_value(_surcharge_request()),
            mistakes=(
                Mistake(
                    "a top-level amount",
                    "With a top-level amount Primer calculates no surcharge: leave amount out "
                    "and let the line items make the total.",
                    _value(_surcharge_request(amount=2000)),
                ),
                Mistake(
                    "surcharge in major units",
                    "Surcharges are minor units too: €0.50 is 50, not 0.5.",
                    _value(_surcharge_request(0.5)),
                ),
                Mistake(
                    "surcharge on the card, not the network",
                    "For cards the surcharge goes per network: "
                    "paymentMethod.options.PAYMENT_CARD.networks.VISA.surcharge.amount.",
                    _value(_surcharge_request(where="card")),
                ),
                Mistake(
                    "a fee instead of a surcharge",
                    "A fee is always charged; a surcharge depends on how the customer pays: "
                    "put it under paymentMethod.options.PAYMENT_CARD.networks.VISA.surcharge.",
                    _value(_surcharge_request(where="fees")),
                ),
            ),
        ),
        Exercise(
            id="06-order-details",
            notebook=nb06,
            title="Fees, tax and metadata with the right types",
            task=(
                "Write a request for order 'order-ex-603' in EUR: one line item 2 × €10.00 "
                "with €3.80 tax on the line, a €1.50 fee of type 'SERVICE', and metadata "
                "productId 1001."
            ),
            judge=_judge_order_details,
            success="Integers in minor units, tax for the whole line, metadata typed.",
            hint_text=(
                "Every amount (fees too) is an integer in minor units; taxAmount covers the "
                "whole line; metadata values are strings or integers."
            ),
            solution_text=(
                "fees [{'type': 'SERVICE', 'amount': 150}], taxAmount 380, productId 1001."
            ),
            solution_code=(
                'answer = {"orderId": "order-ex-603", "currencyCode": "EUR",\n'
                '    "order": {"lineItems": [{"itemId": "plate", "amount": 1000, "quantity": 2, '
                '"taxAmount": 380}],\n'
                '              "fees": [{"type": "SERVICE", "amount": 150}]},\n'
                '    "metadata": {"productId": 1001}}'
            ),
            correct=_value(_details_request()),
            mistakes=(
                Mistake(
                    "fee amount as a string",
                    "fees[].amount is an integer in minor units: €1.50 is 150, not '1.50'.",
                    _value(_details_request(fee="1.50")),
                ),
                Mistake(
                    "tax per unit",
                    "taxAmount is for the whole line, not per unit: 2 × €1.90 is 380.",
                    _value(_details_request(tax=190)),
                ),
                Mistake(
                    "metadata as a float",
                    "metadata values are strings or integers: productId 1001 (or '1001'), "
                    "not 1001.0.",
                    _value(_details_request(product=1001.0)),
                ),
            ),
        ),
        Exercise(
            id="07-return-token",
            notebook=nb07,
            title="What your server hands to the browser",
            task=(
                "Your server created `session`. Write the JSON object your endpoint returns "
                "to the browser, which starts the checkout with it."
            ),
            judge=_judge_return_token,
            success="Only the client token leaves your server.",
            hint_text=(
                "The browser needs one thing to start the checkout; everything else (and "
                "your API key above all) stays on the server."
            ),
            solution_text="{'clientToken': session.client_token}: the full token, nothing else.",
            solution_code='answer = {"clientToken": session.client_token}',
            correct=lambda client, given: {
                "clientToken": client.create_session({"orderId": "order-ex-701"}).client_token
            },
            mistakes=(
                Mistake(
                    "the whole session",
                    "Return only the client token ({'clientToken': session.client_token}), "
                    "not the session: order and customer data stay on your server.",
                    lambda client, given: client.create_session(
                        {"orderId": "order-ex-701"}
                    ).to_wire(),
                ),
                Mistake(
                    "the API key too",
                    "Never send the API key to the browser: return only the client token.",
                    lambda client, given: {
                        "clientToken": client.create_session({}).client_token,
                        "apiKey": "<PRIMER_API_KEY>",
                    },
                ),
                Mistake(
                    "the shortened token",
                    "That is the shortened token for display: return the full "
                    "session.client_token.",
                    lambda client, given: {
                        "clientToken": _short(client.create_session({}).client_token)
                    },
                ),
            ),
        ),
        Exercise(
            id="07-patch-keeps-token",
            notebook=nb07,
            title="After a server-side PATCH",
            task=(
                "Your server PATCHed `session` (a new amount) while the checkout is open. "
                "Give (the client token the checkout uses now, the Web SDK method the "
                "front end calls to show the change)."
            ),
            judge=_judge_patch_token,
            success="Same token; refreshClientSession() fetches the updated session.",
            hint_text=(
                "Does a PATCH answer carry a clientToken? What does the Web SDK's "
                "refresh method do?"
            ),
            solution_text=(
                "A PATCH keeps the token (its answer has none): the checkout calls "
                "refreshClientSession()."
            ),
            solution_code='answer = (session.client_token, "refreshClientSession")',
            correct=lambda client, given: (given["session"].client_token, "refreshClientSession"),
            mistakes=(
                Mistake(
                    "a token from the PATCH answer",
                    "A PATCH answer has no clientToken, and you need none: the token the "
                    "checkout already has stays valid. Give session.client_token.",
                    _value((None, "refreshClientSession")),
                ),
                Mistake(
                    "a new session's token",
                    "A PATCH keeps the same client token: give session.client_token.",
                    lambda client, given: (
                        client.create_session({}).client_token,
                        "refreshClientSession",
                    ),
                ),
                Mistake(
                    "setClientToken",
                    "setClientToken is deprecated (Web SDK 2.11): call refreshClientSession().",
                    lambda client, given: (given["session"].client_token, "setClientToken"),
                ),
                Mistake(
                    "reload the page",
                    "No need to reload the page (the customer would lose what they typed): "
                    "call refreshClientSession().",
                    lambda client, given: (given["session"].client_token, "location.reload()"),
                ),
            ),
            needs=("session",),
            given=_patched_session,
        ),
        Exercise(
            id="08-version-header",
            notebook=nb08,
            title="Ask for API version 2.4",
            task="Give the HTTP header (as a dict) that asks Primer for API version 2.4.",
            judge=_judge_version_header,
            success="X-API-VERSION: 2.4 (header names are case-insensitive).",
            hint_text="The header's name starts with X-API-; its value is a string.",
            solution_text="{'X-API-VERSION': '2.4'}",
            solution_code='answer = {"X-API-VERSION": "2.4"}',
            correct=_value({"X-API-VERSION": "2.4"}),
            mistakes=(
                Mistake(
                    "a float",
                    "Header values are strings: '2.4', not 2.4.",
                    _value({"X-API-VERSION": 2.4}),
                ),
                Mistake(
                    "a v prefix",
                    "The value is the bare version: '2.4' (no 'v').",
                    _value({"X-API-VERSION": "v2.4"}),
                ),
                Mistake(
                    "another header name",
                    "The header is X-API-VERSION, not 'API-Version'.",
                    _value({"API-Version": "2.4"}),
                ),
                Mistake(
                    "the earliest version",
                    "That is the earliest version; ask for the current one, '2.4'.",
                    _value({"X-API-VERSION": "2021-09-27"}),
                ),
            ),
        ),
        Exercise(
            id="08-omitted-version",
            notebook=nb08,
            title="A request without X-API-VERSION",
            task="Which API version serves a request that sends no X-API-VERSION header?",
            judge=_judge_omitted_version,
            success=(
                "The earliest, 2021-09-27, not the latest. Always send "
                "X-API-VERSION (primer-nb sends 2.4)."
            ),
            hint_text="Primer picks the oldest supported version, not the newest.",
            solution_text="The earliest supported version: '2021-09-27'.",
            solution_code='answer = "2021-09-27"',
            correct=_value("2021-09-27"),
            mistakes=(
                Mistake(
                    "the latest",
                    "An omitted header means the earliest version, not the latest: always "
                    "send X-API-VERSION.",
                    _value("2.4"),
                ),
                Mistake(
                    "the earliest numbered one",
                    "2.1 is the earliest numbered version, but an older one is dated: find it.",
                    _value("2.1"),
                ),
                Mistake(
                    "refused",
                    "Primer does not refuse a request without the header: it serves it with "
                    "the earliest version.",
                    _value(None),
                ),
            ),
        ),
        Exercise(
            id="09-warnings-count",
            notebook=nb09,
            title="Count the sessions with a warning",
            task=(
                "How many of the created sessions have a TAXJAR warning? Count them from "
                "warnings_frame(result.sessions); check with sessions=result.sessions."
            ),
            judge=_judge_warning_count,
            success="The sessions whose shipping address lacks a postal code.",
            hint_text="warnings_frame has one row per warning, with the session's order_id.",
            solution_text="The number of distinct sessions in the warnings table.",
            solution_code=(
                "warnings = warnings_frame(result.sessions)\n"
                'answer = warnings.loc[warnings["type"] == "TAXJAR", "order_id"].nunique()'
            ),
            correct=_taxjar_sessions,
            mistakes=(
                Mistake(
                    "every session",
                    "That counts every created session; count only those with a TAXJAR "
                    "warning, e.g. warnings['order_id'].nunique().",
                    lambda client, given: len(given["sessions"]),
                ),
                Mistake(
                    "the sessions without a warning",
                    "That counts the sessions without a warning: count those with one.",
                    lambda client, given: len(given["sessions"]) - _taxjar_sessions(client, given),
                ),
                Mistake(
                    "the table itself",
                    "Give the number, e.g. warnings['order_id'].nunique(), not the table.",
                    lambda client, given: _frame(given["sessions"]),
                ),
            ),
            needs=("sessions",),
            given=_batch,
        ),
        Exercise(
            id="09-eur-total",
            notebook=nb09,
            title="Total of the EUR sessions",
            task=(
                "What do the EUR sessions add up to, in euros (a Decimal)? Use the sessions "
                "table; check with sessions=result.sessions."
            ),
            judge=_judge_eur_total,
            success="A Decimal in euros, over the EUR sessions only.",
            hint_text=(
                "sessions_frame(...) has currency_code and amount_major (Decimal, major units)."
            ),
            solution_text="Filter currency_code == 'EUR' and sum amount_major.",
            solution_code=(
                "table = sessions_frame(result.sessions)\n"
                'answer = table.loc[table["currency_code"] == "EUR", "amount_major"].sum()'
            ),
            correct=lambda client, given: from_minor_units(_eur_total(given)[0], "EUR"),
            mistakes=(
                Mistake(
                    "minor units",
                    "That is the total in minor units (cents): give it in euros as a Decimal, "
                    "e.g. from the amount_major column.",
                    lambda client, given: _eur_total(given)[0],
                ),
                Mistake(
                    "a float",
                    "Money is never a float: give a Decimal (the amount_major column holds them).",
                    lambda client, given: _eur_total(given)[0] / 100,
                ),
                Mistake(
                    "every currency added up",
                    "That adds every currency together: keep only the rows whose currency is EUR.",
                    lambda client, given: Decimal(_eur_total(given)[1]) / 100,
                ),
            ),
            needs=("sessions",),
            given=_batch,
        ),
        Exercise(
            id="10-build-session",
            notebook=nb10,
            title="Build a given session with the builder",
            task=(
                "With a SessionBuilder, build the request for order 'order-ex-1001' in GBP: "
                "3 × 'Notebook' at £4.20 each, customer email ada@example.com. Pass the "
                "builder (or builder.request)."
            ),
            judge=_judge_builder,
            success="The builder sends 3 × 420 (£12.60) for order-ex-1001.",
            hint_text=(
                "The builder's money fields take major units (4.20) and show the minor "
                "units it will send in the preview."
            ),
            solution_text="Fill orderId, GBP, one line item 4.20 × 3 and the email.",
            solution_code=(
                "builder = SessionBuilder(client)\n"
                'builder.fill({"orderId": "order-ex-1001", "currencyCode": "GBP",\n'
                '              "customer": {"emailAddress": "ada@example.com"}})\n'
                'builder.add_line_item({"name": "Notebook", "amount": "4.20", "quantity": "3"})\n'
                "answer = builder"
            ),
            correct=_builder_request(),
            mistakes=(
                Mistake(
                    "minor units typed into a major-unit field",
                    "The builder takes money in major units: type 4.20 (it sends 420), not 420.",
                    _builder_request(amount=42000),
                ),
                Mistake(
                    "the line total as the price",
                    "The amount is per unit: type 4.20 and set the quantity to 3.",
                    _builder_request(amount=1260, quantity=None),
                ),
                Mistake(
                    "quantity left out",
                    "Set the quantity to 3 (it defaults to 1).",
                    _builder_request(quantity=None),
                ),
                Mistake(
                    "currency not chosen",
                    "Choose GBP in the currency dropdown.",
                    _builder_request(currencyCode="EUR"),
                ),
            ),
        ),
        Exercise(
            id="10-patch-builder",
            notebook=nb10,
            title="Change a quantity with the PatchBuilder",
            task=(
                "A session holds mug (1200 × 2) and tea (650 × 1). With a PatchBuilder, "
                "change tea's quantity to 3. Pass the PatchBuilder (or its .changes)."
            ),
            judge=_judge_patch_builder,
            success="The whole lineItems array, tea now × 3, mug kept.",
            hint_text="patcher.form.node('$.order.lineItems[1]').fill({'quantity': '3'})",
            solution_text=(
                "The PatchBuilder sends the whole lineItems array, since a PATCH replaces "
                "arrays whole."
            ),
            solution_code=(
                "patcher = PatchBuilder(client, session.client_token)\n"
                'patcher.form.node("$.order.lineItems[1]").fill({"quantity": "3"})\n'
                "answer = patcher"
            ),
            correct=_tea_patch(),
            mistakes=(
                Mistake(
                    "only the changed item",
                    "Arrays are replaced whole: these changes would delete the mug. Keep it.",
                    _tea_patch(keep_mug=False),
                ),
                Mistake(
                    "quantity as text",
                    "quantity is an integer: 3, not '3'.",
                    _tea_patch(tea_quantity="3"),
                ),
                Mistake(
                    "quantity unchanged",
                    "Set tea's quantity to 3, not 1.",
                    _tea_patch(tea_quantity=1),
                ),
            ),
        ),
    )


def _short(token: str) -> str:
    from primer_nb.models import short_token

    return short_token(token)


def _frame(sessions: Sequence[Any]) -> Any:
    from primer_nb.tables import warnings_frame

    return warnings_frame(sessions)


#: Where each exercise goes: right after the notebook cell that teaches the skill.
AFTER = {
    "01-no-taxjar-warning": "the cell that removes the TAXJAR warning with a full address",
    "01-minimal-request": "the minimal ClientSessionRequest built with the models",
    "02-jpy-amount": "the table of minor units for USD, JPY and KWD",
    "02-kwd-amount": "to_minor_units / from_minor_units for USD, JPY and KWD",
    "03-read-jsonpath": "the PrimerAPIError fields (status_code, error_id, validation_errors)",
    "03-fix-request": "the table of every JSONPath of bad_request",
    "04-add-line-item": "the PATCH that replaced lineItems and lost the tea",
    "04-clear-shipping": "the PATCH that clears order.shipping with None",
    "05-expiry-time": "clientTokenExpirationDate on the wire and in Python",
    "05-patch-after-expiry": "the PATCH after the clock passed the expiry",
    "06-save-card": "the paymentType and vaulting flags",
    "06-card-surcharge": "the surcharge section (none with a top-level amount)",
    "06-order-details": "fees, taxAmount and metadata",
    "07-return-token": "the server endpoint that hands the token to the browser",
    "07-patch-keeps-token": "the server-side PATCH and refreshClientSession()",
    "08-version-header": "the X-API-VERSION header",
    "08-omitted-version": "what an omitted X-API-VERSION means",
    "09-warnings-count": "warnings_frame(result.sessions)",
    "09-eur-total": "the sessions table grouped by currency",
    "10-build-session": "the SessionBuilder filled and previewed",
    "10-patch-builder": "the PatchBuilder that edits a line item",
}

_CATALOGUE: tuple[Exercise, ...] | None = None


def catalogue() -> tuple[Exercise, ...]:
    """Every exercise, in tutorial order."""
    global _CATALOGUE
    if _CATALOGUE is None:
        _CATALOGUE = tuple(replace(e, after=AFTER[e.id]) for e in _catalogue())
    return _CATALOGUE


def get(exercise_id: str) -> Exercise:
    """The exercise with this id (`KeyError` naming the known ids otherwise)."""
    for exercise in catalogue():
        if exercise.id == exercise_id:
            return exercise
    known = ", ".join(e.id for e in catalogue())
    raise KeyError(f"no exercise {exercise_id!r}; known: {known}")


def check(exercise_id: str, answer: Any = ..., /, **given: Any) -> Result:
    """`get(exercise_id).check(answer, **given)`: the form the notebooks use."""
    return get(exercise_id).check(answer, **given)


def __dir__() -> Iterator[str]:
    return iter(__all__)
