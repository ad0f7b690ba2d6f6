"""Letters and the printable documents list, as A4 PDFs with the CCAS header (ccas.yaml).

The letter body is the template's Markdown, already filled and escaped by
``core.casework.letters``; markdown-it-py (already installed with Textual) parses it and only
paragraphs, bulleted lists, headings, bold and italics are laid out, so a template cannot
inject anything else (raw HTML is off).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from markdown_it import MarkdownIt

from intake_assistant.core.casework.settings import CcasSettings
from intake_assistant.core.french import format_date, format_date_long

from .fonts import FontChoice, find_font
from .pdf import LINE, _Document

_MD = MarkdownIt("commonmark", {"html": False})
LETTER_SIZE = 10.5
LETTER_LINE = 5.2


def _header(pdf: _Document, ccas: CcasSettings, recipient: list[str], day: date,
            reference: str) -> None:
    pdf.add_page()
    pdf.use("B", 12)
    pdf.multi_cell(100, 6, pdf.t(ccas.name), align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.use("", 9.5)
    for line in [ccas.service, *ccas.address, ccas.phone and f"Tél. {ccas.phone}", ccas.email]:
        if line:
            pdf.cell(100, 4.6, pdf.t(line), new_x="LMARGIN", new_y="NEXT")
    top = 52
    pdf.set_xy(115, top)
    pdf.use("", LETTER_SIZE)
    for line in recipient:
        pdf.set_x(115)
        pdf.multi_cell(80, LETTER_LINE, pdf.t(line), new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(max(pdf.get_y(), top + 22) + 6)
    pdf.set_x(115)
    pdf.cell(80, LETTER_LINE, pdf.t(f"{ccas.city}, le {format_date_long(day)}"),
             new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.use("", 9)
    pdf.cell(0, 4.6, pdf.t(f"Réf. : dossier {reference}"), new_x="LMARGIN", new_y="NEXT")


def _inline(tokens: list[Any]) -> str:
    """Inline tokens as fpdf2 markdown (**bold**, __italics__), other text literal."""
    out = []
    for tok in tokens:
        if tok.type == "text":
            # fpdf2's own markers would be read as markup: keep them literal
            out.append(tok.content.replace("**", "*\u200b*").replace("__", "_\u200b_")
                       .replace("--", "-\u200b-"))
        elif tok.type in ("strong_open", "strong_close"):
            out.append("**")
        elif tok.type in ("em_open", "em_close"):
            out.append("__")
        elif tok.type in ("softbreak", "hardbreak"):
            out.append(" " if tok.type == "softbreak" else "\n")
        elif tok.type == "code_inline":
            out.append(tok.content)
    return "".join(out)


def _body(pdf: _Document, markdown: str) -> None:
    tokens = _MD.parse(markdown)
    bullet = False
    heading = 0
    for tok in tokens:
        if tok.type == "bullet_list_open":
            bullet = True
        elif tok.type == "bullet_list_close":
            bullet = False
            pdf.ln(2.5)
        elif tok.type == "heading_open":
            heading = int(tok.tag[1])
        elif tok.type == "heading_close":
            heading = 0
        elif tok.type == "inline":
            text = pdf.t(_inline(tok.children or []))
            if heading:
                pdf.use("B", 12 if heading == 1 else LETTER_SIZE + 0.5)
                pdf.multi_cell(0, 6, text, markdown=True, new_x="LMARGIN", new_y="NEXT")
                pdf.use("", LETTER_SIZE)
                pdf.ln(1)
            elif bullet:
                pdf.set_x(pdf.l_margin + 4)
                pdf.cell(4, LETTER_LINE, pdf.t("•"))
                pdf.multi_cell(0, LETTER_LINE, text, markdown=True, new_x="LMARGIN",
                               new_y="NEXT")
            else:
                pdf.multi_cell(0, LETTER_LINE, text, markdown=True, align="J",
                               new_x="LMARGIN", new_y="NEXT")
                pdf.ln(2.5)


def _signature(pdf: _Document, ccas: CcasSettings) -> None:
    if pdf.get_y() > pdf.h - 50:
        pdf.add_page()
    pdf.ln(6)
    pdf.set_x(115)
    pdf.use("", LETTER_SIZE)
    pdf.multi_cell(80, LETTER_LINE, pdf.t(ccas.signatory_title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_x(115)
    pdf.use("B", LETTER_SIZE)
    pdf.multi_cell(80, LETTER_LINE, pdf.t(ccas.signatory), new_x="LMARGIN", new_y="NEXT")


def letter_pdf(ccas: CcasSettings, *, recipient: list[str], subject: str, body: str, day: date,
               reference: str, font: FontChoice | None = None) -> bytes:
    pdf = _Document(font or find_font(), f"{ccas.name} — dossier {reference}")
    pdf.set_title(subject)
    pdf.set_author(pdf.t(ccas.name))
    pdf.set_creator("intake-assistant")
    _header(pdf, ccas, recipient, day, reference)
    pdf.use("B", LETTER_SIZE)
    pdf.multi_cell(0, LETTER_LINE, pdf.t(f"Objet : {subject}"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(5)
    pdf.use("", LETTER_SIZE)
    _body(pdf, body)
    _signature(pdf, ccas)
    return bytes(pdf.output())


STATE_MARKS = {"recue": "[x] reçue", "demandee": "[ ] à fournir", "sans_objet": "—  sans objet"}


def checklist_pdf(ccas: CcasSettings, *, person: str, dossier_id: str, referent: str,
                  items: list[tuple[str, str, str | None]], day: date,
                  font: FontChoice | None = None) -> bytes:
    """The list of documents to bring, for the person: what is still to bring, what was
    received (and when)."""
    from fpdf.fonts import FontFace

    pdf = _Document(font or find_font(), f"{ccas.name} — dossier {dossier_id}")
    pdf.set_title(f"Pièces à fournir — dossier {dossier_id}")
    pdf.set_creator("intake-assistant")
    _header(pdf, ccas, [person] if person else [], day, dossier_id)
    pdf.use("B", 13)
    pdf.cell(0, 8, pdf.t("Pièces justificatives à fournir"), new_x="LMARGIN", new_y="NEXT")
    pdf.use("", LETTER_SIZE)
    pdf.multi_cell(0, LETTER_LINE, pdf.t(
        f"Votre dossier sera présenté à la commission du CCAS quand toutes les pièces "
        f"« à fournir » nous seront parvenues. Votre interlocuteur : {referent}."),
        new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    with pdf.table(col_widths=(120, 60), width=pdf.epw, line_height=LINE + 1.5,
                   headings_style=FontFace(emphasis="BOLD", fill_color=225),
                   borders_layout="ALL", padding=(1, 1.5)) as table:
        head = table.row()
        head.cell(pdf.t("Pièce"))
        head.cell(pdf.t("Où en est-elle ?"))
        for label, state, received in items:
            row = table.row()
            row.cell(pdf.t(label))
            mark = STATE_MARKS.get(state, state)
            if state == "recue" and received:
                mark += f" le {format_date(received)}"
            row.cell(pdf.t(mark))
    pdf.ln(4)
    pdf.use("", 9)
    pdf.cell(0, 5, pdf.t(f"Liste établie le {format_date(day)}."), new_x="LMARGIN",
             new_y="NEXT")
    return bytes(pdf.output())
