"""Every exercise of the catalogue: a right answer passes, each known mistake gets exactly
its feedback, the placeholder says "not attempted yet", and hints and solutions exist."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from primer_nb import exercises
from primer_nb.exercises import NOT_ATTEMPTED, Exercise, Mistake, catalogue

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = catalogue()
MISTAKES = [(e, m) for e in CATALOGUE for m in e.mistakes]
TUTORIALS = [
    "01-create-a-client-session.ipynb",
    "02-currency-minor-units.ipynb",
    "03-errors-and-troubleshooting.ipynb",
    "04-update-a-client-session.ipynb",
    "05-client-token-expiry.ipynb",
    "06-payment-methods-and-order-details.ipynb",
    "07-token-to-the-front-end.ipynb",
    "08-api-versions-and-going-live.ipynb",
    "09-many-sessions-and-warnings.ipynb",
    "10-session-builder.ipynb",
]


def test_at_least_two_exercises_per_tutorial_and_unique_ids() -> None:
    ids = [e.id for e in CATALOGUE]
    assert len(ids) == len(set(ids))
    for notebook in TUTORIALS:
        here = [e for e in CATALOGUE if e.notebook == notebook]
        assert len(here) >= 2, notebook
        assert all(e.id.startswith(notebook[:3]) for e in here)
    assert {e.notebook for e in CATALOGUE} == set(TUTORIALS)
    assert len(CATALOGUE) >= 20


@pytest.mark.parametrize("exercise", CATALOGUE, ids=lambda e: e.id)
def test_a_correct_answer_passes(exercise: Exercise, client: Any) -> None:
    given = exercise.given(client)
    result = exercise.check(exercise.correct(client, given), **given)
    assert result.passed, result
    assert result.message == exercise.success
    assert repr(result) == f"✓ {exercise.id}: {exercise.success}"
    assert "Passed" in result._repr_html_()


@pytest.mark.parametrize(
    ("exercise", "mistake"), MISTAKES, ids=[f"{e.id}:{m.label}" for e, m in MISTAKES]
)
def test_each_known_mistake_gets_its_feedback(
    exercise: Exercise, mistake: Mistake, client: Any
) -> None:
    given = exercise.given(client)
    result = exercise.check(mistake.answer(client, given), **given)
    assert result.status == "failed"
    assert result.message == mistake.feedback
    assert repr(result) == f"✗ {exercise.id}: {mistake.feedback}"


@pytest.mark.parametrize("exercise", CATALOGUE, ids=lambda e: e.id)
def test_the_placeholder_is_not_attempted(exercise: Exercise, progress_dir: Path) -> None:
    result = exercises.check(exercise.id, ...)
    assert result.status == "not attempted"
    assert result.message == NOT_ATTEMPTED
    assert repr(result) == f"… {exercise.id}: {NOT_ATTEMPTED}"
    # deterministic HTML (nbval compares it), and nothing recorded for a placeholder
    assert result._repr_html_() == exercises.check(exercise.id, ...)._repr_html_()
    assert not re.search(r"\bid=", result._repr_html_())
    assert not (progress_dir / "progress.json").exists()


@pytest.mark.parametrize("exercise", CATALOGUE, ids=lambda e: e.id)
def test_hint_and_solution_exist(exercise: Exercise) -> None:
    hint, solution = exercise.hint(), exercise.solution()
    assert hint.text and solution.text and solution.code
    assert repr(hint).startswith(f"Hint for {exercise.id}: ")
    assert solution.code in repr(solution)
    assert "answer" in solution.code
    assert exercise.task and exercise.title
    assert exercise.id in hint._repr_html_()


def test_mistakes_are_distinct_per_exercise() -> None:
    for exercise in CATALOGUE:
        feedback = [m.feedback for m in exercise.mistakes]
        assert len(exercise.mistakes) >= 3, exercise.id
        assert len(feedback) == len(set(feedback)), exercise.id
        assert exercise.success not in feedback


def test_the_jpy_example_from_the_issue() -> None:
    result = exercises.check("02-jpy-amount", 150000)
    assert result.message == "JPY has no minor unit: ¥1,500 is 1500"
    assert exercises.check("02-jpy-amount", 1500).passed


def test_an_unforeseen_answer_gets_feedback_not_a_traceback() -> None:
    result = exercises.check("04-add-line-item", {"order": {"lineItems": "biscuits"}})
    assert result.status == "failed"
    assert exercises.check("02-kwd-amount", 999).message == (
        "999 in KWD is KWD 0.999, not KWD 1.250: see minor_units(code)."
    )


def test_context_is_required_where_the_exercise_needs_it() -> None:
    with pytest.raises(TypeError, match="sessions"):
        exercises.check("09-warnings-count", 3)


def test_unknown_exercise_names_the_known_ones() -> None:
    with pytest.raises(KeyError, match="02-jpy-amount"):
        exercises.get("02-jpy")


def test_checks_never_touch_the_network(client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Answers are built with the client first; checking them sends nothing."""
    import httpx

    built = []
    for exercise in CATALOGUE:
        given = exercise.given(client)
        built.append((exercise, exercise.correct(client, given), given))

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a check sent a request")

    monkeypatch.setattr(httpx.Client, "send", refuse)
    monkeypatch.setattr(httpx.AsyncClient, "send", refuse)
    for exercise, answer, given in built:
        assert exercise.check(answer, **given).passed


def test_a_real_session_builder_passes(client: Any) -> None:
    from primer_nb.widgets import SessionBuilder

    builder = SessionBuilder(client)
    builder.fill(
        {
            "orderId": "order-ex-1001",
            "currencyCode": "GBP",
            "customer": {"emailAddress": "ada@example.com"},
        }
    )
    builder.add_line_item({"name": "Notebook", "amount": "4.20", "quantity": "3"})
    assert exercises.check("10-build-session", builder).passed
    empty = SessionBuilder(client)
    empty.fill({"orderId": ""})
    assert not exercises.check("10-build-session", empty).passed


def test_the_catalogue_counts_are_reported_in_the_docs() -> None:
    """The module docstring documents the cell form the notebooks use."""
    doc = exercises.__doc__ or ""
    assert "answer = ..." in doc
    assert 'check("02-jpy-amount", answer)' in doc


def test_a_real_patch_builder_passes(client: Any) -> None:
    from primer_nb.widgets import PatchBuilder

    session = client.create_session(
        {
            "orderId": "order-ex-1002",
            "currencyCode": "GBP",
            "order": {
                "lineItems": [
                    {"itemId": "mug", "description": "Mug", "amount": 1200, "quantity": 2},
                    {"itemId": "tea", "description": "Tea", "amount": 650},
                ]
            },
        }
    )
    patcher = PatchBuilder(client, session.client_token)
    assert exercises.check("10-patch-builder", patcher).message == (
        "Change the quantity in the builder's line items: the changes have no lineItems."
    )
    patcher.form.node("$.order.lineItems[1]").fill({"quantity": "3"})
    assert exercises.check("10-patch-builder", patcher).passed, patcher.changes


@pytest.mark.parametrize("key", ["itemId", "name", "description"])
def test_the_patch_builder_exercise_knows_the_items_by_any_name(client: Any, key: str) -> None:
    """The task says "mug" and "tea", not how to name them: notebook 10 names its items
    with `name`, so a learner who does the same and sets tea to 3 passes."""
    from primer_nb.widgets import PatchBuilder

    session = client.create_session(
        {
            "orderId": "order-ex-1002",
            "currencyCode": "GBP",
            "order": {
                "lineItems": [
                    {key: "Mug", "amount": 1200, "quantity": 2},
                    {key: "tea ", "amount": 650, "quantity": 1},
                ]
            },
        }
    )
    patcher = PatchBuilder(client, session.client_token)
    patcher.form.node("$.order.lineItems[1]").fill({"quantity": "3"})
    assert exercises.check("10-patch-builder", patcher).passed, patcher.changes
    patcher.form.node("$.order.lineItems[1]").fill({"quantity": "4"})
    assert exercises.check("10-patch-builder", patcher).message == (
        "Set tea's quantity to 3, not 4."
    )


def test_the_session_a_patch_answered_also_passes(client: Any) -> None:
    """04-add-line-item takes the changes or what the PATCH answered, on any backend."""
    items = [
        {"itemId": "mug", "description": "Mug", "amount": 1200, "quantity": 2},
        {"itemId": "tea", "description": "Tea", "amount": 650},
    ]
    session = client.create_session(
        {"orderId": "order-2001", "currencyCode": "GBP", "order": {"lineItems": items}}
    )
    biscuits = {"itemId": "biscuits", "description": "Biscuits", "amount": 350}
    after = client.update_session(
        session.client_token, {"order": {"lineItems": [*items, biscuits]}}
    )
    assert exercises.check("04-add-line-item", after).passed
    lost = client.update_session(session.client_token, {"order": {"lineItems": [biscuits]}})
    assert exercises.check("04-add-line-item", lost).message.startswith(
        "Arrays are replaced whole: this PATCH leaves only the biscuits."
    )


def test_an_exercise_shows_its_task_and_the_cell_to_run() -> None:
    html = exercises.get("09-warnings-count")._repr_html_()
    assert "How many of the created sessions have a TAXJAR warning?" in html
    # the call the notebook makes, with what it passes (its batch's result.sessions)
    assert 'check("09-warnings-count", answer, sessions=result.sessions)' in html
    assert repr(exercises.get("02-jpy-amount")) == (
        "Exercise('02-jpy-amount', notebook='02-currency-minor-units.ipynb', mistakes=4)"
    )


def _notebook_names(client: Any, given: dict[str, Any]) -> dict[str, Any]:
    """What a notebook has in scope where the exercise sits."""
    from datetime import UTC, datetime
    from types import SimpleNamespace

    from primer_nb.currency import to_minor_units
    from primer_nb.errors import PrimerAPIError
    from primer_nb.models import ClientSessionRequest, LineItem, Order
    from primer_nb.tables import sessions_frame, warnings_frame
    from primer_nb.widgets import PatchBuilder, SessionBuilder

    names: dict[str, Any] = {
        "client": client,
        "datetime": datetime,
        "UTC": UTC,
        "to_minor_units": to_minor_units,
        "ClientSessionRequest": ClientSessionRequest,
        "Order": Order,
        "LineItem": LineItem,
        "PrimerAPIError": PrimerAPIError,
        "SessionBuilder": SessionBuilder,
        "PatchBuilder": PatchBuilder,
        "sessions_frame": sessions_frame,
        "warnings_frame": warnings_frame,
        **given,
    }
    if "sessions" in given:
        names["result"] = SimpleNamespace(sessions=given["sessions"])
    if "session" not in given:
        items = [
            {"itemId": "mug", "description": "Mug", "amount": 1200, "quantity": 2},
            {"itemId": "tea", "description": "Tea", "amount": 650},
        ]
        names["session"] = client.create_session(
            {"orderId": "order-2001", "currencyCode": "GBP", "order": {"lineItems": items}}
        )
    names["token"] = names["session"].client_token
    try:
        client.create_session({"orderId": 5, "currencyCode": "EUR"}, validate=False)
    except PrimerAPIError as exc:
        names["error"] = exc  # notebook 03 keeps it: `exc` ends with its except block
    return names


@pytest.mark.parametrize("exercise", CATALOGUE, ids=lambda e: e.id)
def test_the_solution_code_runs_and_passes(exercise: Exercise, client: Any) -> None:
    """The code `solution()` shows is real: run in the notebook's scope, it passes."""
    given = exercise.given(client)
    names = _notebook_names(client, given)
    if exercise.id == "05-patch-after-expiry":
        client.emulator.clock.advance(hours=25)  # notebook 05 moved its clock past the expiry
    exec(exercise.solution().code, names)
    result = exercise.check(names["answer"], **given)
    assert result.passed, (result, names["answer"])


def test_numpy_and_pandas_numbers_are_numbers(client: Any) -> None:
    import numpy as np

    given = exercises.get("09-warnings-count").given(client)
    right = exercises.get("09-warnings-count").correct(client, given)
    assert exercises.check("09-warnings-count", np.int64(right), **given).passed


def test_every_exercise_says_where_it_goes() -> None:
    assert all(e.after for e in CATALOGUE)
    assert set(exercises.AFTER) == {e.id for e in CATALOGUE}
