"""What spreadsheet programs (Excel) write into a CSV: read as meant, or refused once, clearly."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from primer_nb.batch import BatchResult, create_sessions
from primer_nb.batch import Rows as BatchRows
from primer_nb.client import PrimerClient
from primer_nb.emulator import Emulator


def send(rows: BatchRows) -> tuple[BatchResult, int]:
    """The batch's result and how many sessions the emulator made."""
    emulator = Emulator(seed=11, start="2024-06-01T12:00:00", frozen=True)
    result = create_sessions(rows, client=PrimerClient(emulator=emulator), progress=False)
    return result, emulator.session_count


def refused(path: Path) -> str:
    """The file is refused as a whole, before anything is sent; the message names it."""
    emulator = Emulator(seed=11, start="2024-06-01T12:00:00", frozen=True)
    with pytest.raises(ValueError) as caught:
        create_sessions(path, client=PrimerClient(emulator=emulator), progress=False)
    assert emulator.session_count == 0
    message = str(caught.value)
    assert message.startswith(f"{path}: ")
    return message


# --- 1. rows of empty cells -----------------------------------------------------------

# Excel writes `,,` for rows once formatted; a row of spaces is as empty. The row between
# the two orders and the trailing ones carry nothing; a blank line is not a row at all.
EMPTY_ROWS = (
    "order_id,currency_code,amount_major\r\n"
    "o1,EUR,12.99\r\n"
    ",,\r\n"
    " , ,  \r\n"
    "\r\n"
    "o2,EUR,x\r\n"
    ",,\r\n"
    ",,\r\n"
)


def test_rows_of_empty_cells_in_a_csv_file_create_no_session(tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    path.write_text(EMPTY_ROWS, encoding="utf-8")
    result, made = send(path)
    assert made == 1
    assert [(r.row, r.order_id, r.ok) for r in result] == [(0, "o1", True), (3, "o2", False)]
    # the row counts as pandas.read_csv counts it, the line is the file's
    assert (
        str(result.errors[0])
        == "row 3 (line 6, o2): column amount_major: not a decimal amount: 'x'; write the "
        "number alone, without a currency sign or code, e.g. '12.99' ($.amount)"
    )
    assert result.frame()["row"].tolist() == [0, 3]


@pytest.mark.parametrize("as_text", [True, False], ids=["as-text", "defaults"])
def test_rows_of_empty_cells_in_a_dataframe_create_no_session(
    tmp_path: Path, as_text: bool
) -> None:
    path = tmp_path / "orders.csv"
    path.write_text(EMPTY_ROWS, encoding="utf-8")
    frame = pd.read_csv(path, dtype=str, keep_default_na=False) if as_text else pd.read_csv(path)
    assert len(frame) == 6  # pandas keeps the empty rows: "", or NaN and " "
    result, made = send(frame)
    assert made == 1
    # `row` stays the DataFrame position: frame.iloc[3] is the row at fault
    assert [(r.row, r.order_id, r.ok) for r in result] == [(0, "o1", True), (3, "o2", False)]
    assert frame.iloc[result.errors[0].row]["order_id"] == "o2"


def test_a_row_with_one_filled_cell_is_not_taken_for_an_empty_one(tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    path.write_text("order_id,currency_code,amount_major\n,,\n,EUR,\n", encoding="utf-8")
    result, made = send(path)
    assert made == 1 and [(r.row, r.ok) for r in result] == [(1, True)]
    none = pd.DataFrame({"order_id": [None, None], "currency_code": [None, "EUR"]})
    result, made = send(none)
    assert made == 1 and [(r.row, r.ok) for r in result] == [(1, True)]


# --- 2. encodings ---------------------------------------------------------------------


def test_a_cp1252_file_gets_advice_that_keeps_its_text(tmp_path: Path) -> None:
    # Excel on Windows, "CSV (Comma delimited)": cp1252, where ’ is byte 0x92
    text = "order_id,currency_code,amount_major,last_name\r\no1,EUR,12.99,O’Brien\r\n"
    path = tmp_path / "orders.csv"
    path.write_bytes(text.encode("cp1252"))
    message = refused(path)
    assert message.startswith(f"{path}: line 2, byte 15: not UTF-8")
    assert "`iconv -f cp1252 -t utf-8 in.csv > out.csv`" in message
    assert "-f latin1" not in message
    # following the advice keeps the apostrophe (latin1 would make it '\x92')
    fixed = tmp_path / "fixed.csv"
    fixed.write_text(path.read_bytes().decode("cp1252"), encoding="utf-8", newline="")
    result, _ = send(fixed)
    assert result.sessions[0].customer is not None
    assert result.sessions[0].customer.last_name == "O’Brien"


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_a_utf16_file_is_named_utf16_with_how_to_convert_it(tmp_path: Path, encoding: str) -> None:
    # Excel's "Unicode Text": UTF-16 with a byte-order mark, tab-separated
    text = "order_id\tcurrency_code\r\no1\tEUR\r\n"
    bom = "\ufeff" if encoding != "utf-16" else ""
    path = tmp_path / "orders.txt"
    path.write_bytes((bom + text).encode(encoding))
    message = refused(path)
    assert message.startswith(f"{path}: line 1, byte 1: not UTF-8: the file is UTF-16")
    assert "`iconv -f utf-16 -t utf-8 in.txt > out.csv`" in message
    assert "latin1 -t" not in message and "cp1252 -t" not in message


@pytest.mark.parametrize("encoding", ["utf-32", "utf-32-le", "utf-32-be"])
def test_a_utf32_file_is_named_utf32_not_utf16(tmp_path: Path, encoding: str) -> None:
    # little-endian UTF-32's byte-order mark begins with UTF-16's: it was called UTF-16,
    # and `iconv -f utf-16` would have turned it into text full of NUL characters
    bom = "\ufeff" if encoding != "utf-32" else ""
    path = tmp_path / "orders.txt"
    path.write_bytes((bom + "order_id,currency_code\r\no1,EUR\r\n").encode(encoding))
    message = refused(path)
    assert message.startswith(f"{path}: line 1, byte 1: not UTF-8: the file is UTF-32")
    assert "`iconv -f utf-32 -t utf-8 in.txt > out.csv`" in message
    assert "utf-16" not in message.lower().replace("'unicode text' is utf-16", "")


def test_a_workbook_passed_as_the_csv_path_says_what_it_is(tmp_path: Path) -> None:
    """An .xlsx is a zip file: it got the advice to convert it from cp1252."""
    import zipfile

    path = tmp_path / "orders.xlsx"
    with zipfile.ZipFile(path, "w") as workbook:
        workbook.writestr("[Content_Types].xml", "<Types/>")
    message = refused(path)
    assert message.startswith(f"{path}: not a CSV file: it is a spreadsheet workbook")
    assert "pandas.read_excel(path, dtype=str)" in message and "cp1252" not in message


# --- 5. minor units read as floats ----------------------------------------------------


def test_an_amount_column_pandas_read_as_floats_says_so_and_how_to_read_it(
    tmp_path: Path,
) -> None:
    path = tmp_path / "orders.csv"
    path.write_text("order_id,currency_code,amount\no1,EUR,1299\no2,EUR,\n", encoding="utf-8")
    floats = pd.read_csv(path)  # the gap makes the column float64: 1299.0
    result, made = send(floats)
    assert made == 1  # o2 has no amount: Primer computes it
    message = str(result.errors[0])
    assert message.startswith("row 0 (o1): column amount: got the float 1299.0;")
    assert "pandas reads a column of numbers that has an empty cell as floats" in message
    assert 'dtype={"amount": "Int64"}' in message and "dtype=str" in message
    assert "whole number of minor units, not 1299.0" not in message
    # the advice works
    for frame in (
        pd.read_csv(path, dtype={"amount": "Int64"}),
        pd.read_csv(path, dtype=str, keep_default_na=False),
    ):
        result, made = send(frame)
        assert made == 2 and result.sessions[0].amount == 1299


def test_a_float_with_a_fraction_in_minor_units_is_still_not_a_whole_number() -> None:
    result, made = send([{"order_id": "o1", "currency_code": "EUR", "amount": 1299.5}])
    assert made == 0
    assert str(result.errors[0]).endswith(
        "column amount: must be a whole number of minor units, not 1299.5 ($.amount)"
    )


# --- 6. header columns without a name -------------------------------------------------


def test_empty_header_columns_with_empty_cells_are_ignored(tmp_path: Path) -> None:
    # Excel's trailing `,,` (cells to the right once formatted), and one in the middle
    path = tmp_path / "orders.csv"
    path.write_text(
        "order_id,,currency_code,amount_major,,\r\no1, ,EUR,12.99,,\r\no2,,EUR,1.00,,\r\n",
        encoding="utf-8",
    )
    result, made = send(path)
    assert result.errors == [] and made == 2
    assert [s.amount for s in result.sessions] == [1299, 100]


def test_an_empty_header_column_holding_data_is_refused_once_by_position(
    tmp_path: Path,
) -> None:
    path = tmp_path / "orders.csv"
    path.write_text(
        "order_id,currency_code,amount_major,,\r\no1,EUR,12.99,,\r\no2,EUR,1.00,,gift\r\n",
        encoding="utf-8",
    )
    message = refused(path)
    assert message.startswith(
        f"{path}: line 1: column 5 has no name in the header, but line 3 has a value in it;"
    )
    assert "name the column" in message and "order_id, customer_id" in message


def test_empty_unnamed_columns_of_a_dataframe_read_from_such_a_file_are_ignored(
    tmp_path: Path,
) -> None:
    path = tmp_path / "orders.csv"
    path.write_text(
        "order_id,currency_code,amount_major,,\r\no1,EUR,12.99,,\r\no2,EUR,1.00,,\r\n",
        encoding="utf-8",
    )
    for frame in (
        pd.read_csv(path, dtype=str, keep_default_na=False),
        pd.read_csv(path, dtype=str),
    ):
        assert list(frame.columns)[3:] == ["Unnamed: 3", "Unnamed: 4"]
        result, made = send(frame)
        assert result.errors == [] and made == 2
    # one that holds data is refused once, by position, before anything is sent
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.loc[1, "Unnamed: 4"] = "gift"
    emulator = Emulator(seed=11, start="2024-06-01T12:00:00", frozen=True)
    with pytest.raises(ValueError) as caught:
        create_sessions(frame, client=PrimerClient(emulator=emulator), progress=False)
    assert emulator.session_count == 0
    assert str(caught.value).startswith(
        "column 5 ('Unnamed: 4', pandas' name for a CSV header column without a name) has a "
        "value in row 1; name the column"
    )


# --- 7. other separators --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "named", "sep"),
    [
        (
            "order_id;currency_code;amount_major\no1;EUR;12,99\no2;EUR;1,00\n",
            "semicolons (';')",
            "';'",
        ),
        ('"order_id";"currency_code"\n"o1";"EUR"\n', "semicolons (';')", "';'"),
        ("order_id\tcurrency_code\tamount_major\no1\tEUR\t12.99\n", "tabs", "'\\t'"),
        ("order_id;currency_cod;amount_major\no1;EUR;12,99\n", "semicolons (';')", "';'"),  # a typo
    ],
)
def test_a_semicolon_or_tab_separated_file_is_refused_once_naming_the_separator(
    tmp_path: Path, text: str, named: str, sep: str
) -> None:
    path = tmp_path / "orders.csv"
    path.write_text(text, encoding="utf-8")
    message = refused(path)
    assert message.startswith(f"{path}: line 1: the columns are separated by {named}, not commas")
    assert "save it as 'CSV UTF-8 (Comma delimited)'" in message
    assert f"pandas.read_csv(path, sep={sep}, dtype=str, keep_default_na=False)" in message


def test_semicolons_in_a_comma_separated_file_are_just_text(tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    path.write_text('order_id,currency_code,last_name\no1,EUR,"Smith; Jones"\n', encoding="utf-8")
    result, made = send(path)
    assert made == 1 and result.sessions[0].customer is not None
    assert result.sessions[0].customer.last_name == "Smith; Jones"
    single = tmp_path / "single.csv"
    single.write_text("order_id\no1\n", encoding="utf-8")  # one column, no separator at all
    assert send(single)[1] == 1


# --- 10. empty files and header lines ----------------------------------------------


@pytest.mark.parametrize(
    "content", [b"", b"\xef\xbb\xbf", b"\r\n\r\n"], ids=["0-byte", "bom", "blank"]
)
def test_an_empty_file_is_refused_not_taken_as_zero_rows(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "orders.csv"
    path.write_bytes(content)
    assert refused(path) == (
        f"{path}: the file is empty: no header line; a CSV file starts with a header line "
        "naming its columns (data/README.md)"
    )


def test_a_header_only_file_is_zero_rows(tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    path.write_text("order_id,currency_code,amount_major\r\n", encoding="utf-8")
    result, made = send(path)
    assert len(result) == 0 and made == 0


@pytest.mark.parametrize("header", ["\r\n", ",,\r\n", " , \r\n"])
def test_a_header_line_without_column_names_is_refused(tmp_path: Path, header: str) -> None:
    path = tmp_path / "orders.csv"
    path.write_text(header + "order_id,currency_code\r\no1,EUR\r\n", encoding="utf-8")
    assert "line 1: the header line has no column names" in refused(path)
