"""Progress per user: recorded under the data directory, never for a placeholder."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from primer_nb import exercises


def test_progress_round_trip(progress_dir: Path) -> None:
    before = exercises.progress()
    assert before.passed == []
    assert "0 of" in repr(before)

    exercises.check("02-jpy-amount", 150000)
    exercises.check("02-jpy-amount", 1500)
    exercises.check("02-kwd-amount", 125)
    exercises.check("08-omitted-version", ...)

    stored = json.loads((progress_dir / "progress.json").read_text())
    assert stored["exercises"]["02-jpy-amount"] == {"attempts": 2, "passed": True}
    assert stored["exercises"]["02-kwd-amount"] == {"attempts": 1, "passed": False}
    assert "08-omitted-version" not in stored["exercises"]

    after = exercises.progress()
    assert after.passed == ["02-jpy-amount"]
    rows = {row[0]: row for row in after.rows}
    assert rows["02-kwd-amount"][2:] == ("tried", 1)
    assert rows["08-omitted-version"][2:] == ("not attempted", 0)
    assert len(after.rows) == len(exercises.catalogue())
    # a later wrong answer does not undo a pass
    exercises.check("02-jpy-amount", 15)
    assert exercises.progress().passed == ["02-jpy-amount"]
    assert "✓" in after._repr_html_() and "1 of" in repr(after)
    # header cells name the columns for a screen reader reading a row
    headers = re.findall(r'<th scope="col"[^>]*>([^<]*)</th>', after._repr_html_())
    assert headers == ["", "exercise", "notebook", "status"]


def test_record_false_keeps_a_check_out(progress_dir: Path) -> None:
    exercises.get("02-jpy-amount").check(1500, record=False)
    assert not (progress_dir / "progress.json").exists()


def test_default_location_is_the_user_data_dir(monkeypatch: pytest.MonkeyPatch) -> None:
    import platformdirs

    monkeypatch.delenv(exercises.DATA_DIR_ENV)
    expected = Path(platformdirs.user_data_dir("primer-nb", appauthor=False)) / "progress.json"
    assert exercises.progress_path() == expected
    root = Path(__file__).resolve().parents[2]
    assert root not in expected.parents


def test_a_corrupt_or_unwritable_store_never_breaks_a_check(progress_dir: Path) -> None:
    progress_dir.mkdir(parents=True)
    (progress_dir / "progress.json").write_text("{not json")
    assert exercises.check("02-jpy-amount", 1500).passed
    assert exercises.progress().passed == ["02-jpy-amount"]
    (progress_dir / "progress.json").unlink()
    (progress_dir / "progress.json").mkdir()  # a directory where the file should be
    assert exercises.check("02-jpy-amount", 1500).passed


def test_progress_is_private_and_never_written_through_a_planted_link(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Under umask 000 its folders were 0777, and a link planted at the fixed name
    `progress.tmp` made the next check overwrite the linked file."""
    import os
    import stat

    data = tmp_path / "common" / "primer-nb"
    monkeypatch.setenv("PRIMER_NB_DATA_DIR", str(data))
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    old_umask = os.umask(0)
    try:
        exercises.check("02-jpy-amount", 1500)
        assert stat.S_IMODE(data.stat().st_mode) == 0o700
        assert stat.S_IMODE(data.parent.stat().st_mode) == 0o700
        assert stat.S_IMODE((data / "progress.json").stat().st_mode) == 0o600
        for planted in ("progress.tmp", "progress.json"):
            (data / planted).unlink(missing_ok=True)
            (data / planted).symlink_to(victim)
        exercises.check("02-jpy-amount", 15)
    finally:
        os.umask(old_umask)
    assert victim.read_text() == "keep me"
    written = data / "progress.json"
    assert not written.is_symlink() and stat.S_IMODE(written.stat().st_mode) == 0o600
    assert json.loads(written.read_text())["exercises"]["02-jpy-amount"]["attempts"] == 1
    assert sorted(p.name for p in data.iterdir()) == ["progress.json", "progress.tmp"]


def test_a_data_dir_under_the_home_folder_is_there_not_under_the_working_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """`~/primer-progress` made a folder named `~` in the notebooks folder (the working
    folder of a notebook): in the repository, where progress is never kept."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv(exercises.DATA_DIR_ENV, "~/primer-progress")
    assert exercises.progress_path() == tmp_path / "home" / "primer-progress" / "progress.json"
