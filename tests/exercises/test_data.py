"""The exercises' texts live in primer_nb/data/exercises.toml, the judges in exercises.py.

An author edits the data file by hand, so a missing, mistyped or garbled entry must fail
loudly with the exercise and the key it is about, never show a learner a half-filled text
or turn into "Could not read this answer". The tests edit a copy of the shipped file and
read it with the module's own reader (`_read`) and pairing (`_exercises`).
"""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

from primer_nb import exercises

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "primer_nb" / "data" / "exercises.toml"
SHIPPED = DATA.read_text(encoding="utf-8")


def _edited(tmp_path: Path, old: str, new: str) -> Path:
    """A copy of the shipped data file with `old` (which must occur once) replaced."""
    assert SHIPPED.count(old) == 1, old
    path = tmp_path / "exercises.toml"
    path.write_text(SHIPPED.replace(old, new), encoding="utf-8")
    return path


def _catalogue_from(path: Path) -> tuple[exercises.Exercise, ...]:
    return exercises._exercises(exercises._read(path), exercises._RULES)


def test_the_data_file_ships_inside_the_package() -> None:
    """Under primer_nb/data, so the wheel carries it (tests/test_wheel.py reads it back)."""
    assert exercises._DATA_FILE == DATA
    assert [e.id for e in _catalogue_from(DATA)] == [e.id for e in exercises.catalogue()]
    assert list(exercises.AFTER) == [e.id for e in exercises.catalogue()]


def test_the_catalogue_is_in_the_order_the_tutorials_ask_the_exercises() -> None:
    """`catalogue()` (and `progress()`) said "tutorial order" but listed tutorial 09's
    two exercises the other way round from the notebook."""
    asked: list[str] = []
    for notebook in sorted((ROOT / "notebooks").glob("[0-9]*.ipynb")):
        for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] == "code":
                asked += re.findall(r'^check\("([\w-]+)"', "".join(cell["source"]), re.M)
    assert asked == [e.id for e in exercises.catalogue()]


def test_a_missing_text_names_the_exercise_and_the_key(tmp_path: Path) -> None:
    path = _edited(tmp_path, 'title = "¥1,500 in minor units"\n', "")
    with pytest.raises(ValueError, match=r"\[exercise\.02-jpy-amount\] has no 'title'"):
        exercises._read(path)


def test_a_text_that_is_not_a_string_names_the_exercise_and_the_key(tmp_path: Path) -> None:
    path = _edited(tmp_path, 'hint = "Primer picks the oldest', 'hint = 5 # "')
    with pytest.raises(
        ValueError, match=r"\[exercise\.08-omitted-version\]: 'hint' must be a string, not int"
    ):
        exercises._read(path)


def test_a_misspelt_key_is_refused_not_ignored(tmp_path: Path) -> None:
    path = _edited(tmp_path, 'hint = "Client tokens live', 'hnit = "Client tokens live')
    with pytest.raises(ValueError, match=r"\[exercise\.05-expiry-time\] has unknown key 'hnit'"):
        exercises._read(path)


def test_a_garbled_file_names_the_file_and_the_line(tmp_path: Path) -> None:
    path = _edited(tmp_path, 'success = "Only the client token leaves', 'success = "Only the')
    path.write_text(path.read_text(encoding="utf-8").replace('"Only the', '"Only the\n'))
    with pytest.raises(ValueError, match=r"primer_nb/data/exercises\.toml: .*line \d+"):
        exercises._read(path)


def test_a_mistake_without_its_feedback_text_names_the_exercise_and_the_key(
    tmp_path: Path,
) -> None:
    path = _edited(tmp_path, 'cents = "JPY has no minor unit: ¥1,500 is 1500"\n', "")
    with pytest.raises(
        ValueError, match=r"\[exercise\.02-jpy-amount\.feedback\] 'cents' is missing"
    ):
        _catalogue_from(path)


def test_a_mistake_slug_must_match_a_wrong_answer_of_the_judges(tmp_path: Path) -> None:
    path = _edited(tmp_path, 'gone = { label = "410 Gone" }', 'went = { label = "410 Gone" }')
    with pytest.raises(ValueError, match=r"05-patch-after-expiry\.mistakes\] has no 'gone'"):
        _catalogue_from(path)


def test_every_exercise_has_both_halves(tmp_path: Path) -> None:
    path = _edited(tmp_path, "[exercise.10-patch-builder]", "[exercise.10-patch-builders]")
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "[exercise.10-patch-builder.", "[exercise.10-patch-builders."
        )
    )
    with pytest.raises(ValueError, match=r"has no \[exercise\.10-patch-builder\]"):
        _catalogue_from(path)


def test_a_text_the_judge_needs_at_check_time_is_an_authors_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not "Could not read this answer": the learner's answer is fine, the data is not."""
    shared = (
        'other-amount = "{answer} in {code} is {formatted}, not {shown}: see minor_units(code)."'
    )
    texts = exercises._read(_edited(tmp_path, shared + "\n", ""))
    monkeypatch.setattr(exercises, "_TEXTS", texts)
    kwd = {e.id: e for e in exercises._exercises(texts, exercises._RULES)}["02-kwd-amount"]
    assert kwd.check(125, record=False).message.startswith("KWD has three minor units")
    with pytest.raises(ValueError, match=r"\[exercise\.02-kwd-amount\.feedback\] 'other-amount'"):
        kwd.check(999, record=False)


def test_a_placeholder_the_judge_does_not_fill_is_named(tmp_path: Path) -> None:
    old = 'price = "The biscuits cost £3.50: amount 350, not {raw}."'
    texts = exercises._read(_edited(tmp_path, old, old.replace("{raw}", "{amount}")))
    add = {e.id: e for e in exercises._exercises(texts, exercises._RULES)}["04-add-line-item"]
    items = [
        {"itemId": "mug", "amount": 1200, "quantity": 2},
        {"itemId": "tea", "amount": 650},
        {"itemId": "biscuits", "amount": 300},
    ]
    with pytest.raises(ValueError, match=r"'price' names \{amount\}, but its judge gives raw"):
        add.check({"order": {"lineItems": items}}, record=False)


def test_every_text_shown_is_filled_and_on_one_line() -> None:
    """Prose is folded (a wrapped line is one space) and no placeholder is left unfilled."""
    for e in exercises.catalogue():
        shown = [e.title, e.task, e.success, e.hint_text, e.solution_text, e.after]
        shown += [m.feedback for m in e.mistakes] + [m.label for m in e.mistakes]
        for text in shown:
            assert text and "\n" not in text and "  " not in text, (e.id, text)
            assert not re.search(r"\{\w+(!r)?\}", text), (e.id, text)
        assert not e.solution_code.startswith("\n") and not e.solution_code.endswith("\n")


def _names_in_source() -> set[str]:
    """Every string constant and keyword-argument name in exercises.py."""
    tree = ast.parse((ROOT / "primer_nb" / "exercises.py").read_text(encoding="utf-8"))
    names = {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant)}
    names |= {k.arg for n in ast.walk(tree) if isinstance(n, ast.Call) for k in n.keywords}
    return {name for name in names if isinstance(name, str)}


def test_every_feedback_text_is_one_a_judge_can_say() -> None:
    """No dead text: each feedback key is named in exercises.py (a `_say` key, a table of
    known wrong values, a field `_fields` checks) or by a mistake's `says`."""
    texts = exercises._read(DATA)
    in_source = _names_in_source()
    said = {m.says for t in texts.exercises.values() for m in t.mistakes.values()}
    for exercise_id, text in texts.exercises.items():
        for key in text.feedback:
            assert key in in_source | said, f"[exercise.{exercise_id}.feedback] {key!r}"
    for key in texts.feedback:
        assert key in in_source, f"[feedback] {key!r}"
