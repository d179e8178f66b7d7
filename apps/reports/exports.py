"""Tables written as CSV, JSON and XLSX, streamed into a binary file.

Rows are consumed one at a time, so a request-record export of any size
keeps memory flat: csv writes line by line, JSON array items are written as
they come, and openpyxl's write-only workbook streams its sheet to a
temporary file.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from typing import Any, BinaryIO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
# Excel's own limit per cell; longer text would make the file unreadable.
XLSX_CELL_LIMIT = 32767


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def write_csv(
    out: BinaryIO, *, headings: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    """Write a header line and `rows`; returns the number of rows."""
    text = io.TextIOWrapper(out, encoding="utf-8", newline="", write_through=True)
    writer = csv.writer(text)
    writer.writerow([_text(h) for h in headings])
    count = 0
    for row in rows:
        writer.writerow(row)
        count += 1
    text.flush()
    text.detach()  # Leave `out` open for the caller.
    return count


def write_json(
    out: BinaryIO,
    *,
    meta: dict[str, Any],
    items_key: str,
    keys: Sequence[str],
    rows: Iterable[Sequence[Any]],
) -> int:
    """Write {**meta, items_key: [{key: value, ...}, ...]}; returns the count."""
    out.write(b"{\n")
    for key, value in meta.items():
        text = json.dumps(value, ensure_ascii=False, default=str)
        out.write(f"  {json.dumps(key)}: {text},\n".encode())
    out.write(f"  {json.dumps(items_key)}: [\n".encode())
    count = 0
    for row in rows:
        item = dict(zip(keys, row, strict=True))
        prefix = ",\n" if count else ""
        text = json.dumps(item, ensure_ascii=False, default=str)
        out.write(f"{prefix}    {text}".encode())
        count += 1
    out.write(b"\n  ]\n}\n")
    return count


def write_xlsx(
    out: BinaryIO,
    *,
    sheet: str,
    headings: Sequence[str],
    rows: Iterable[Sequence[Any]],
    widths: Sequence[int] | None = None,
) -> int:
    """One sheet, bold frozen header; returns the number of rows."""
    book = Workbook(write_only=True)
    ws = book.create_sheet(title=sheet[:31])
    ws.freeze_panes = "A2"
    for n, width in enumerate(widths or [], start=1):
        ws.column_dimensions[_column_letter(n)].width = width
    bold = Font(bold=True)
    header = []
    for heading in headings:
        cell = WriteOnlyCell(ws, value=_text(heading))
        cell.font = bold
        header.append(cell)
    ws.append(header)
    wrap = Alignment(wrap_text=True, vertical="top")
    count = 0
    for row in rows:
        cells = []
        for value in row:
            if isinstance(value, str):
                cell = WriteOnlyCell(ws, value=value[:XLSX_CELL_LIMIT])
                if widths:
                    cell.alignment = wrap
            else:
                cell = WriteOnlyCell(ws, value=value)
            cells.append(cell)
        ws.append(cells)
        count += 1
    book.save(out)
    return count


def _column_letter(n: int) -> str:
    letters = ""
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
