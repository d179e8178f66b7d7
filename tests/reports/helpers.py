"""Parsing exports back: CSV, JSON, XLSX and the PDF's text per section."""

import csv
import io
import json
import re

from openpyxl import load_workbook
from pypdf import PdfReader


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def parse_csv(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))


def parse_json(data: bytes) -> dict:
    return json.loads(data)


def parse_xlsx(data: bytes) -> list[dict[str, str]]:
    sheet = load_workbook(io.BytesIO(data), read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    head = rows[0]
    return [
        {h: ("" if v is None else str(v)) for h, v in zip(head, row, strict=True)}
        for row in rows[1:]
    ]


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def pdf_pages(data: bytes) -> list[str]:
    return [
        squash(page.extract_text() or "") for page in PdfReader(io.BytesIO(data)).pages
    ]


def pdf_sections(data: bytes, names: list[str]) -> dict[str, str]:
    """The text of each numbered section ("1. Name"), which may span pages."""
    pages = pdf_pages(data)
    starts = {}
    for number, name in enumerate(names, start=1):
        heading = f"{number}. {name}"
        # The contents pages list the heading too: the section comes last.
        starts[name] = max(n for n, text in enumerate(pages) if heading in text)
    order = sorted(starts.items(), key=lambda item: item[1])
    sections = {}
    for n, (name, first) in enumerate(order):
        last = order[n + 1][1] if n + 1 < len(order) else len(pages)
        sections[name] = " ".join(pages[first:last])
    return sections
