"""The commission summary as an A4 PDF (fpdf2): real tables, black text on white, grey only for
table headings, so it reads the same printed in black and white. Fonts: see ``fonts.py``."""

from __future__ import annotations

from typing import Any

from fpdf import FPDF
from fpdf.fonts import FontFace

from .fonts import CORE_ENCODING, FontChoice, find_font, to_cp1252
from .layout import Block, heading_pairs, sections

BODY_SIZE = 8.5
LINE = 4.1  # mm per line of body text
HEADING_GREY = 225


class _Document(FPDF):
    def __init__(self, font: FontChoice, footer_text: str) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.footer_text = footer_text
        self.set_margins(15, 14, 15)
        self.set_auto_page_break(True, margin=16)
        self.unicode_font = font.unicode
        if font.regular is not None:
            self.add_font("Texte", "", str(font.regular))
            self.add_font("Texte", "B", str(font.bold or font.regular))
            self.family = "Texte"
        else:
            self.core_fonts_encoding = CORE_ENCODING
            self.family = "Helvetica"
        self.alias_nb_pages()

    def t(self, text: Any) -> str:
        text = "" if text is None else str(text)
        return text if self.unicode_font else to_cp1252(text)

    def use(self, style: str = "", size: float = BODY_SIZE) -> None:
        self.set_font(self.family, style, size)

    def footer(self) -> None:
        self.set_y(-12)
        self.use("", 7.5)
        self.cell(0, 5, self.t(f"{self.footer_text} — page {self.page_no()}/{{nb}}"),
                  align="C")


def _section_title(pdf: _Document, title: str, need: float = 40) -> None:
    if pdf.get_y() > pdf.h - need:  # no heading alone at the bottom of a page
        pdf.add_page()
    pdf.ln(2.5)
    pdf.use("B", 10.5)
    pdf.cell(0, 6, pdf.t(title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_draw_color(0)
    pdf.set_line_width(0.3)
    pdf.line(pdf.l_margin, pdf.get_y(), pdf.w - pdf.r_margin, pdf.get_y())
    pdf.ln(1.2)
    pdf.use()


def _pairs(pdf: _Document, pairs: list[tuple[str, str]], columns: int = 1) -> None:
    width = pdf.epw
    label_w = 52 if columns == 1 else 38
    value_w = width / columns - label_w
    with pdf.table(col_widths=(label_w, value_w) * columns, first_row_as_headings=False,
                   borders_layout="NONE", line_height=LINE, text_align="LEFT",
                   padding=(0.4, 1, 0.4, 0)) as table:
        for start in range(0, len(pairs), columns):
            row = table.row()
            for label, value in pairs[start:start + columns]:
                row.cell(pdf.t(label), style=FontFace(emphasis="BOLD"))
                row.cell(pdf.t(value))


def _table(pdf: _Document, headers: list[str], rows: list[list[str]], aligns: str) -> None:
    if pdf.get_y() > pdf.h - 16 - LINE * 6:  # no table heading alone at the bottom of a page
        pdf.add_page()
    align = tuple("RIGHT" if a == "R" else "LEFT" for a in aligns)
    with pdf.table(col_widths=_widths(pdf, headers, rows, aligns), width=pdf.epw,
                   text_align=align, line_height=LINE,
                   headings_style=FontFace(emphasis="BOLD", fill_color=HEADING_GREY),
                   borders_layout="ALL", padding=(0.5, 1.2)) as table:
        pdf.set_draw_color(0)
        pdf.set_line_width(0.15)
        for values in [headers, *rows]:
            row = table.row()
            for value in values:
                row.cell(pdf.t(value))
    pdf.ln(1.5)


def _widths(pdf: _Document, headers: list[str], rows: list[list[str]],
            aligns: str) -> tuple[float, ...]:
    """Figures (right-aligned, "R") and short codes ("N": left-aligned) keep their natural width
    so they never wrap; text columns first get their longest word (no word cut in two:
    « Demand-eur » was seen in a session agenda), then share what is left in proportion to
    what more their longest text needs."""
    natural, words = [], []
    for i, head in enumerate(headers):
        pdf.use("B")
        width = pdf.get_string_width(pdf.t(head))
        word = max((pdf.get_string_width(pdf.t(w)) for w in head.split()), default=0.0)
        pdf.use()
        cells = [str(row[i]) for row in rows]
        width = max([width] + [pdf.get_string_width(pdf.t(c)) for c in cells])
        word = max([word] + [pdf.get_string_width(pdf.t(w)) for c in cells for w in c.split()])
        natural.append(width + 3.5)
        words.append(word + 3.5)
    fixed = sum(w for w, a in zip(natural, aligns, strict=True) if a in "RN")
    room = max(pdf.epw - fixed, 20)
    text_cols = [i for i, a in enumerate(aligns) if a not in "RN"]
    floor = sum(words[i] for i in text_cols)
    widths = list(natural)
    if floor <= room:
        wanted = sum(natural[i] - words[i] for i in text_cols) or 1
        for i in text_cols:
            widths[i] = words[i] + (natural[i] - words[i]) * (room - floor) / wanted
    else:  # even the words do not fit: share in proportion, as before
        text = sum(natural[i] for i in text_cols) or 1
        for i in text_cols:
            widths[i] = natural[i] * room / text
    return tuple(widths)


def _text(pdf: _Document, text: str) -> None:
    pdf.use()
    pdf.multi_cell(0, LINE, pdf.t(text), align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)


def _items(pdf: _Document, items: list[tuple[str, list[str]]]) -> None:
    for title, details in items:
        pdf.use("B")
        pdf.multi_cell(0, LINE, pdf.t(title), align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.use()
        if details:  # one paragraph per aid: the reasons read as a list, on fewer lines
            pdf.set_x(pdf.l_margin + 4)
            pdf.multi_cell(0, LINE, pdf.t(" · ".join(details)), align="L",
                           new_x="LMARGIN", new_y="NEXT")
        pdf.ln(0.6)


def _block(pdf: _Document, block: Block) -> None:
    kind = block[0]
    if kind == "pairs":
        _pairs(pdf, block[1], block[2] if len(block) > 2 else 1)
    elif kind == "table":
        _table(pdf, block[1], block[2], block[3])
    elif kind == "text":
        _text(pdf, block[1])
    elif kind == "items":
        _items(pdf, block[1])


def _summary_pages(pdf: _Document, summary: dict[str, Any], title: str | None = None) -> None:
    doc = summary["document"]
    pdf.add_page()
    pdf.use("B", 14)
    pdf.cell(0, 7, pdf.t(title or doc["title"]), new_x="LMARGIN", new_y="NEXT")
    pdf.use("", 9)
    pdf.cell(0, 5, pdf.t(doc["service"]), new_x="LMARGIN", new_y="NEXT")
    for line in (doc.get("address") or "").splitlines():  # the CCAS's address (settings)
        pdf.cell(0, 4, pdf.t(line), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    _pairs(pdf, heading_pairs(summary), columns=2)
    for section in sections(summary):
        # a section with a table starts where its table fits too (rows of a short table)
        tables = [b for b in section.blocks if b[0] == "table"]
        pairs = [b for b in section.blocks if b[0] == "pairs"]
        need = 40 + sum(min(len(b[2]) + 1, 5) * LINE * 2.5 for b in tables) + \
            sum(len(b[1]) * LINE for b in pairs)
        _section_title(pdf, section.title, need)
        for block in section.blocks:
            _block(pdf, block)


def summary_pdf(summary: dict[str, Any], font: FontChoice | None = None) -> bytes:
    """The PDF bytes; ``font`` forces a font choice (tests check the built-in fallback)."""
    doc, dossier = summary["document"], summary["dossier"]
    pdf = _Document(font or find_font(),
                    f"Dossier {dossier['id']} — document confidentiel, réservé à la commission")
    pdf.set_title(f"{doc['title']} — {dossier['id']}")
    pdf.set_author(pdf.t(doc["service"]))
    pdf.set_creator("intake-assistant")
    _summary_pages(pdf, summary)
    return bytes(pdf.output())


def session_pdf(title: str, service: str, agenda_pairs: list[tuple[str, str]],
                agenda_rows: list[list[str]], summaries: list[dict[str, Any]],
                font: FontChoice | None = None) -> bytes:
    """One document for a commission session: the agenda, then each dossier's summary on its
    own pages (``n/N`` in its title)."""
    pdf = _Document(font or find_font(),
                    f"{title} — document confidentiel, réservé à la commission")
    pdf.set_title(title)
    pdf.set_author(pdf.t(service))
    pdf.set_creator("intake-assistant")
    pdf.add_page()
    pdf.use("B", 14)
    pdf.cell(0, 7, pdf.t(title), new_x="LMARGIN", new_y="NEXT")
    pdf.use("", 9)
    pdf.cell(0, 5, pdf.t(service), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    _pairs(pdf, agenda_pairs, columns=2)
    _section_title(pdf, "Ordre du jour")
    if agenda_rows:
        _table(pdf, ["N°", "Dossier", "Demandeur", "Projet", "Demandé", "Pièces",
                     "Décision"], agenda_rows, "RNLLRNL")
    else:
        _text(pdf, "Aucun dossier inscrit.")
    total = len(summaries)
    for i, summary in enumerate(summaries, 1):
        _summary_pages(pdf, summary, f"Dossier {i}/{total} — {summary['dossier']['id']}")
    return bytes(pdf.output())
