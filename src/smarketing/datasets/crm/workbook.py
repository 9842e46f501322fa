"""Reading an Excel workbook safely: its declared sheet size, part sizes and compression ratio checked before
anything is read (a tiny file declaring an enormous sheet, or decompressing to gigabytes, is refused before it
can exhaust memory), then its rows read in openpyxl's read-only mode with their merged cells."""

from __future__ import annotations

import re
import sys
import zipfile
from pathlib import Path
from typing import Any

from smarketing.messages import _
from smarketing.schema import Problem

MAX_COLUMNS = 1_000  # HubSpot's "all properties" export has a few hundred
MAX_ROWS = 1_048_576  # Excel's own limit
MAX_EMPTY_ROW_RUN = 10_000  # consecutive empty rows a sheet may hold between values
MAX_SHEET_BYTES = 2 * 1024**3  # uncompressed sheet XML
MAX_PART_BYTES = 512 * 1024**2  # any other part of a workbook (shared strings, styles) is read whole
MAX_RATIO = 100  # compression ratio beyond which a large part is a zip bomb (sheet XML compresses ~5-20x)
RATIO_FROM_BYTES = 10 * 1024**2
MIN_ROW_BYTES = 16  # '<row r="1"><c r=' is the least XML a filled row takes
_CHUNK = 8 * 1024**2  # bytes of sheet XML scanned at a time for merged cells


class Refused(Exception):
    """A problem found deep in reading, carried out to :func:`read_export`."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"([A-Z]+)?(\d+)?(?::([A-Z]+)(\d+))?\"")
_MERGE = re.compile(rb"<(?:\w+:)?mergeCell\s+ref=\"([A-Z]+)(\d+):([A-Z]+)(\d+)\"")


def _column_number(letters: bytes | str) -> int:
    number = 0
    for letter in letters.decode() if isinstance(letters, bytes) else letters:
        number = number * 26 + ord(letter) - 64
    return number


def _check_workbook(path: Path, archive: zipfile.ZipFile, sheet: str) -> None:
    """Refuse, before anything is decompressed, a workbook whose parts decompress far beyond their size in
    the file (a zip bomb) or whose sheet declares more rows or columns than it can hold."""
    for info in archive.infolist():
        limit = MAX_SHEET_BYTES if info.filename == sheet else MAX_PART_BYTES
        bomb = info.file_size > RATIO_FROM_BYTES and info.file_size > MAX_RATIO * max(info.compress_size, 1)
        if info.file_size > limit or bomb:
            raise Refused(Problem(path.name, "", (), _(
                "the workbook's part {part} would decompress from {packed:,} bytes to {size:,} bytes, more than a "
                "CRM report holds (a damaged or hostile file). Export the report again as CSV UTF-8.",
                part=info.filename, packed=info.compress_size, size=info.file_size)))
    with archive.open(sheet) as stream:
        start = stream.read(64 * 1024)
    match = _DIMENSION.search(start)
    if not match or not match[3]:
        return
    rows, columns = int(match[4]), _column_number(match[3])
    size = archive.getinfo(sheet).file_size
    if columns > MAX_COLUMNS or rows > MAX_ROWS or (rows > MAX_EMPTY_ROW_RUN and rows * MIN_ROW_BYTES > size):
        raise Refused(Problem(path.name, "", (), _(
            "the workbook's first sheet declares {rows:,} rows and {columns:,} columns ({ref}) but holds {size:,} "
            "bytes of cells: a damaged or hostile file, or a sheet formatted to its last row and column. Reading "
            "it would take gigabytes, so it was not read. Open it in Excel, copy the table into a new workbook and "
            "save that, or export the report again as CSV UTF-8 (at most {limit:,} columns).", rows=rows,
            columns=columns, ref=match[0].decode().split('"')[1], size=size, limit=MAX_COLUMNS)))


def _merges(archive: zipfile.ZipFile, sheet: str) -> list[tuple[int, int, int, int]]:
    """The sheet's merged ranges (first column, first row, last column, last row), read from its XML a chunk at
    a time: a read-only workbook does not give them."""
    found, carry = [], b""
    with archive.open(sheet) as stream:
        while chunk := stream.read(_CHUNK):
            text = carry + chunk
            found += [(_column_number(m[1]), int(m[2]), _column_number(m[3]), int(m[4])) for m in _MERGE.finditer(text)]
            carry = text[-300:]  # a merge cut between chunks is matched whole with the next one
    return sorted(set(found))


def _cell_text(value: Any) -> str:
    """A cell as text, the way pandas reads a workbook as text (a whole float without '.0')."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def excel_rows(path: Path, show: bool) -> tuple[list[tuple[int, list[str]]], list[tuple[int, int, int, int]]]:
    """Every row of the first sheet with its Excel row number, and the sheet's merged ranges. The declared
    dimension is checked, then ignored: rows are read as the XML holds them, never padded to it."""
    import openpyxl

    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as error:
        raise Refused(not_a_workbook(path, error)) from None
    with archive:
        try:
            workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as error:  # noqa: BLE001 - any unreadable workbook gets the same advice
            raise Refused(not_a_workbook(path, error)) from None
        try:
            sheet = workbook.worksheets[0]
            xml = getattr(sheet, "_worksheet_path", None) or max(
                (i for i in archive.infolist() if i.filename.startswith("xl/worksheets/")),
                key=lambda i: i.file_size).filename
            _check_workbook(path, archive, xml)
            merges = _merges(archive, xml)
            total = sheet.max_row if sheet.max_row and sheet.max_row <= MAX_ROWS else None
            sheet.reset_dimensions()  # never pad rows to the declared dimension
            records: list[tuple[int, list[str]]] = []
            empty_run = 0
            from tqdm.auto import tqdm

            with tqdm(total=total, unit=" rows", desc=path.name, file=sys.stderr, disable=not show) as bar:
                for number, row in enumerate(sheet.iter_rows(values_only=True), 1):
                    bar.update(1)
                    if len(row) > MAX_COLUMNS:
                        raise Refused(Problem(path.name, "", (number,), _(
                            "row {row} has values in {count:,} columns, more than the {limit:,} a CRM export has. "
                            "Delete what lies right of the table, or export the report again as CSV UTF-8.",
                            row=number, count=len(row), limit=MAX_COLUMNS)))
                    cells = [_cell_text(v) for v in row]
                    if not any(cells):
                        empty_run += 1
                        if empty_run > MAX_EMPTY_ROW_RUN:
                            raise Refused(Problem(path.name, "", (number - empty_run + 1,), _(
                                "more than {count:,} empty rows follow row {row}, and the sheet goes on below them "
                                "(a value far below the table). Delete the rows below the table, or export the "
                                "report again as CSV UTF-8.", count=MAX_EMPTY_ROW_RUN, row=number - empty_run)))
                        continue
                    records += [(line, []) for line in range(number - empty_run, number)]
                    empty_run = 0
                    records.append((number, cells))
        except Refused:
            raise
        except Exception as error:  # noqa: BLE001 - a damaged sheet gets the same advice as a damaged workbook
            raise Refused(not_a_workbook(path, error)) from None
        finally:
            workbook.close()
    return records, merges


def not_a_workbook(path: Path, error: BaseException) -> Problem:
    detail = (str(error).splitlines() or [type(error).__name__])[0][:120]
    return Problem(path.name, "", (), _(
        "the file cannot be read as an Excel workbook ({detail}). Save it again as .xlsx or as CSV UTF-8.",
        detail=detail))
