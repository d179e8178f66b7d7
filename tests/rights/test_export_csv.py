"""The CSV of a bulk export made from msgspec's JSON arrays
(exports._csv_lines) against the csv module, which writes it otherwise.

No database: blocks of rows as the SQL connector hands them over on
PostgreSQL (text, integers, booleans and None only)."""

from __future__ import annotations

import csv
import io
import re

from hypothesis import example, given, settings
from hypothesis import strategies as st

from apps.rights.services.exports import _csv_lines, _csv_rows, _encode_blocks
from apps.stores.base import RecordBlock
from tests.rights.parts import CapturedPart, IdleHeartbeat

COLUMNS = ["id", "device_serial", "captured_at", "typed_text", "active"]
# Every character, the ones CSV and JSON treat specially most often.
TEXT = st.text(
    st.one_of(
        st.sampled_from(',"[]\\\n\r\t nul'),
        st.characters(exclude_categories=("Cs",)),
    ),
    max_size=12,
)
ROW = st.tuples(
    st.integers(-(2**63), 2**63 - 1),
    TEXT,
    st.one_of(st.none(), st.just("2026-11-01T09:00:00+00:00")),
    st.one_of(st.none(), TEXT),
    st.one_of(st.none(), st.booleans()),
)
# What the fast path must take: nothing JSON escapes, no bracket.
PLAIN = re.compile(r'^[^"\\\x00-\x1f\[\]]*$')


def _block(rows: list[tuple]) -> RecordBlock:
    return RecordBlock(
        columns=COLUMNS,
        rows=rows,
        key_position=0,
        timestamp_position=2,
        simple_values=True,
    )


def _keys_and_stamps(rows: list[tuple]) -> tuple[list, list]:
    return [str(row[0]) for row in rows], [row[2] for row in rows]


def _by_the_csv_module(rows: list[tuple]) -> bytes:
    buffer = io.StringIO()
    keys, stamps = _keys_and_stamps(rows)
    csv.writer(buffer, lineterminator="\n").writerows(_csv_rows(keys, stamps, rows))
    return buffer.getvalue().encode()


def _parsed(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode(), newline="")))


def _texts(rows: list[tuple]) -> list[str]:
    return [value for row in rows for value in row if isinstance(value, str)]


@settings(max_examples=300, deadline=None)
@given(st.lists(ROW, min_size=1, max_size=8))
@example([(1, "a[b", None, None, None)])
@example([(1, "a]b", None, "c, d", None)])
@example([(1, "x", None, "null,null", None)])
def test_the_lines_read_back_as_the_csv_modules_do(rows):
    lines = _csv_lines(*_keys_and_stamps(rows), _block(rows))
    texts = _texts(rows)

    if all(PLAIN.match(text) for text in texts):
        assert lines is not None  # The fast path was taken.
    if lines is None:
        return  # The csv module writes this block instead.
    assert _parsed(lines) == _parsed(_by_the_csv_module(rows))
    if not any("," in text for text in texts):
        assert lines == _by_the_csv_module(rows)  # Byte for byte.


def test_none_is_an_empty_field_and_the_word_null_stays():
    rows = [(1, "null", None, "a null, here", None), (2, "x", None, None, True)]

    lines = _csv_lines(*_keys_and_stamps(rows), _block(rows))

    # A comma in a text: every text keeps its quotes, in the whole block.
    assert lines == b'"1",,1,"null",,"a null, here",\n"2",,2,"x",,,true\n'


def test_without_a_comma_in_any_text_the_quotes_go():
    rows = [(7, "SN-1", "2026-11-01T09:00:00+00:00", "typed abc", False)]

    lines = _csv_lines(*_keys_and_stamps(rows), _block(rows))

    stamp = b"2026-11-01T09:00:00+00:00"
    assert lines == b"7,%s,7,SN-1,%s,typed abc,false\n" % (stamp, stamp)


def test_a_block_json_would_escape_falls_back_to_the_csv_module():
    rows = [
        (1, 'say "hi"', None, "back\\slash", None),
        (2, "two\nlines", None, "", None),
    ]
    jsonl, csv_part = CapturedPart(), CapturedPart()

    assert _csv_lines(*_keys_and_stamps(rows), _block(rows)) is None
    _encode_blocks(iter([_block(rows)]), jsonl, csv_part, IdleHeartbeat())

    header = b"key,timestamp," + ",".join(COLUMNS).encode() + b"\n"
    assert csv_part.data == header + _by_the_csv_module(rows)
    assert _parsed(csv_part.data)[1][3] == 'say "hi"'


@given(st.lists(st.lists(ROW, min_size=1, max_size=4), min_size=1, max_size=4))
@settings(max_examples=100, deadline=None)
def test_a_file_of_fast_and_fallen_back_blocks_reads_as_one(blocks):
    jsonl, csv_part = CapturedPart(), CapturedPart()

    records, columns = _encode_blocks(
        iter([_block(rows) for rows in blocks]), jsonl, csv_part, IdleHeartbeat()
    )

    every = [row for rows in blocks for row in rows]
    assert (records, columns) == (len(every), COLUMNS)
    header, *body = _parsed(csv_part.data)
    assert header == ["key", "timestamp", *COLUMNS]
    assert body == _parsed(_by_the_csv_module(every))
