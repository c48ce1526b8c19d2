"""Bad CSV files and rows: a clear error naming the file, line, column and rule; no row lost."""

from __future__ import annotations

from pathlib import Path

import pytest

from primer_nb.batch import create_sessions
from primer_nb.client import PrimerClient
from primer_nb.emulator import Emulator

HEADER = "order_id,currency_code,amount_major,first_name\n"


def emulated() -> tuple[PrimerClient, Emulator]:
    emulator = Emulator(seed=11, start="2024-06-01T12:00:00", frozen=True)
    return PrimerClient(emulator=emulator), emulator


def refused(path: Path) -> str:
    """The file is refused as a whole, before anything is sent."""
    client, emulator = emulated()
    with pytest.raises(ValueError) as caught:
        create_sessions(path, client=client, progress=False)
    assert emulator.session_count == 0
    message = str(caught.value)
    assert message.startswith(f"{path}: line ")
    return message


def test_an_unclosed_quote_is_an_error_not_rows_swallowed_into_one_cell(tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    path.write_text(
        HEADER + 'o1,EUR,1.00,Ann\no2,EUR,2.00,"Bob\no3,EUR,3.00,Cy\no4,EUR,4.00,Di\n',
        encoding="utf-8",
    )
    message = refused(path)
    assert "line 3: unclosed quote" in message and "begins on line 3" in message


def test_a_stray_quote_after_a_quoted_cell_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    path.write_text(HEADER + 'o1,EUR,1.00,Ann\no2,EUR,"2.00"x,Bob\n', encoding="utf-8")
    assert "line 3: malformed CSV" in refused(path)


@pytest.mark.parametrize(
    ("encoding", "where"), [("latin-1", "line 3, byte 14"), ("utf-16", "line 1, byte 1")]
)
def test_a_file_that_is_not_utf8_names_the_line_and_the_rule(
    tmp_path: Path, encoding: str, where: str
) -> None:
    path = tmp_path / "orders.csv"
    path.write_bytes((HEADER + "o1,EUR,1.00,Ann\no2,EUR,2.00,Jörg\n").encode(encoding))
    message = refused(path)
    assert message.startswith(f"{path}: {where}: not UTF-8") and "must be UTF-8" in message


def test_a_cell_over_the_csv_field_limit_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    path.write_text(
        HEADER + "o1,EUR,1.00,Ann\n" + f"o2,EUR,2.00,{'x' * 200_000}\n", encoding="utf-8"
    )
    assert "line 3: a cell is longer than the CSV field limit" in refused(path)


def test_a_repeated_header_column_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    path.write_text(
        "order_id,currency_code,amount_major,amount_major\no1,EUR,1.00,2.00\n", encoding="utf-8"
    )
    assert "column amount_major appears twice in the header (columns 3 and 4)" in refused(path)
