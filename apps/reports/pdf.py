"""The records of processing as a PDF a person reads: a title page, a table
of contents, then one section per processing activity.

Drawn with reportlab's platypus; the table of contents needs two passes
(multiBuild), so the section headings carry their page numbers.
"""

from __future__ import annotations

import datetime as dt
from typing import BinaryIO
from xml.sax.saxutils import escape

from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import (
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
)
from reportlab.platypus.tableofcontents import TableOfContents

from apps.reports.ropa import COLUMNS, INCOMPLETE, Ropa

INK = colors.HexColor("#1c2430")
MUTED = colors.HexColor("#5a6677")
BAD = colors.HexColor("#b3261e")
# Shown in each section's table; the key and name head the section instead.
SECTION_COLUMNS = [c for c in COLUMNS if c.key not in ("program_key", "program_name")]


class _Document(SimpleDocTemplate):
    """Registers each section heading with the table of contents."""

    def afterFlowable(self, flowable) -> None:  # noqa: N802 (reportlab's name)
        if isinstance(flowable, Paragraph) and flowable.style.name == "Section":
            self.notify("TOCEntry", (0, flowable.getPlainText(), self.page))


def _styles() -> dict[str, ParagraphStyle]:
    base = getSampleStyleSheet()
    return {
        "title": ParagraphStyle(
            "Title", parent=base["Title"], fontSize=26, leading=32, textColor=INK
        ),
        "subtitle": ParagraphStyle(
            "Subtitle",
            parent=base["Normal"],
            fontSize=12,
            leading=16,
            textColor=MUTED,
        ),  # fmt: skip
        "h1": ParagraphStyle(
            "Heading", parent=base["Heading1"], fontSize=16, textColor=INK
        ),
        "section": ParagraphStyle(
            "Section",
            parent=base["Heading1"],
            fontSize=15,
            leading=19,
            textColor=INK,
            spaceAfter=6,
        ),  # fmt: skip
        "label": ParagraphStyle(
            "Label", parent=base["Normal"], fontSize=8, leading=10, textColor=MUTED
        ),
        "value": ParagraphStyle(
            "Value", parent=base["Normal"], fontSize=9, leading=12, textColor=INK
        ),
        "field": ParagraphStyle(
            "Field",
            parent=base["Normal"],
            fontSize=9,
            leading=11,
            textColor=INK,
            spaceAfter=3,
        ),  # fmt: skip
        "bad": ParagraphStyle(
            "Bad", parent=base["Normal"], fontSize=9, leading=12, textColor=BAD
        ),
    }


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text).replace("\n", "<br/>"), style)


def _footer(canvas, doc) -> None:
    canvas.saveState()
    canvas.setFont("Helvetica", 8)
    canvas.setFillColor(MUTED)
    canvas.drawString(18 * mm, 10 * mm, _("Records of processing activities"))
    canvas.drawRightString(A4[0] - 18 * mm, 10 * mm, str(doc.page))
    canvas.restoreState()


def write_ropa_pdf(out: BinaryIO, *, ropa: Ropa, generated_at: dt.datetime) -> None:
    """Render `ropa` into `out`."""
    s = _styles()
    org = ropa.organisation
    story: list = [
        Spacer(1, 50 * mm),
        _p(_("Records of processing activities"), s["title"]),
        _p(_("GDPR Article 30(1), with the ICO controller template"), s["subtitle"]),
        Spacer(1, 12 * mm),
        _p(_("Controller: %(c)s") % {"c": org.controller or INCOMPLETE}, s["value"]),
        _p(_("Data protection officer: %(d)s") % {"d": org.dpo or "-"}, s["value"]),
        _p(
            _("Generated %(when)s, %(n)s processing activities, %(i)s incomplete.")
            % {
                "when": generated_at.strftime("%Y-%m-%d %H:%M %Z"),
                "n": len(ropa.rows),
                "i": len(ropa.incomplete),
            },
            s["value"],
        ),
        PageBreak(),
        _p(_("Contents"), s["h1"]),
    ]
    toc = TableOfContents()
    toc.levelStyles = [
        ParagraphStyle("TOC", fontSize=10, leading=14, leftIndent=0, textColor=INK)
    ]
    # Entries of the right number from the start: the first pass lays the
    # contents out at their final length, so two passes suffice, not three.
    toc.addEntries(
        [
            (0, f"{n}. {row.values['program_name']}", 0)
            for n, row in enumerate(ropa.rows, start=1)
        ]
    )
    story.append(toc)
    if not ropa.rows:
        story += [PageBreak(), _p(_("The catalog holds no program."), s["value"])]
    for number, row in enumerate(ropa.rows, start=1):
        story.append(PageBreak())
        story.append(_p(f"{number}. {row.values['program_name']}", s["section"]))
        story.append(
            _p(
                _("Program key: %(key)s") % {"key": row.values["program_key"]},
                s["label"],
            )
        )
        if row.missing:
            story.append(
                _p(
                    _("Incomplete: %(fields)s") % {"fields": ", ".join(row.missing)},
                    s["bad"],
                )
            )
        story.append(Spacer(1, 4 * mm))
        # One paragraph per field (label above value): a table of the same
        # cells costs twice the layout work for the same page.
        for column in SECTION_COLUMNS:
            value = row.values[column.key]
            article = "" if column.article == "-" else f" [{column.article}]"
            label = escape(f"{column.label}{article}")
            text = escape(value).replace("\n", "<br/>")
            if value == INCOMPLETE:
                text = f'<font color="#b3261e"><b>{text}</b></font>'
            story.append(
                Paragraph(
                    f'<font size="7" color="#5a6677">{label}</font><br/>{text}',
                    s["field"],
                )
            )
    doc = _Document(
        out,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=_("Records of processing activities"),
        author=org.controller,
    )
    doc.multiBuild(story, onLaterPages=_footer)
