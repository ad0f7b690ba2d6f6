"""Which font the PDF uses, so that French text always prints correctly.

fpdf2's built-in fonts (Helvetica) only know one byte per character. With the Windows-1252
encoding they still cover all of French: accents, « », ’ “ ”, – —, …, œ, and '€' (checked by the
tests through text extraction). So:

1. a Unicode TrueType font is embedded when one is found: ``$INTAKE_ASSISTANT_PDF_FONT`` (a
   regular .ttf, its bold as ``$INTAKE_ASSISTANT_PDF_FONT_BOLD``), else DejaVu Sans (Debian's
   fonts-dejavu-core and other Linux layouts) or Arial (Windows, macOS). Any name prints as typed.
2. otherwise (a fresh machine with only the pip packages): Helvetica in Windows-1252, and the rare
   characters outside it are transliterated (narrow no-break space -> no-break space, → -> "->",
   "ş" -> "s"…), never dropped silently and never an exception.
"""

from __future__ import annotations

import os
import unicodedata
from dataclasses import dataclass
from pathlib import Path

ENV_FONT = "INTAKE_ASSISTANT_PDF_FONT"
ENV_FONT_BOLD = "INTAKE_ASSISTANT_PDF_FONT_BOLD"
CORE_ENCODING = "cp1252"
_CANDIDATES = (
    ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
     "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"),
    ("/usr/share/fonts/dejavu/DejaVuSans.ttf", "/usr/share/fonts/dejavu/DejaVuSans-Bold.ttf"),
    ("/usr/share/fonts/TTF/DejaVuSans.ttf", "/usr/share/fonts/TTF/DejaVuSans-Bold.ttf"),
    ("C:/Windows/Fonts/arial.ttf", "C:/Windows/Fonts/arialbd.ttf"),
    ("/System/Library/Fonts/Supplemental/Arial.ttf",
     "/System/Library/Fonts/Supplemental/Arial Bold.ttf"),
)
_REPLACEMENTS = str.maketrans({
    "\u202f": "\u00a0", "\u2007": "\u00a0", "\u2009": " ", "\u200b": "",
    "\u2192": "->", "\u2190": "<-", "\u2264": "<=", "\u2265": ">=", "\u2212": "-",
    "\u2010": "-", "\u2011": "-", "\u2032": "'", "\u2033": '"', "\u2713": "oui", "\u2717": "non",
    "\u0142": "l", "\u0141": "L", "\u0111": "d", "\u0110": "D", "\u00f8": "o",
})


@dataclass(frozen=True)
class FontChoice:
    regular: Path | None  # None: the built-in Helvetica in Windows-1252
    bold: Path | None

    @property
    def unicode(self) -> bool:
        return self.regular is not None


CORE = FontChoice(None, None)


def find_font() -> FontChoice:
    wanted = os.environ.get(ENV_FONT)
    if wanted and Path(wanted).is_file():
        bold = os.environ.get(ENV_FONT_BOLD)
        return FontChoice(Path(wanted), Path(bold) if bold and Path(bold).is_file() else None)
    for regular, bold in _CANDIDATES:
        if Path(regular).is_file():
            return FontChoice(Path(regular), Path(bold) if Path(bold).is_file() else None)
    return CORE


def to_cp1252(text: str) -> str:
    """Text the built-in fonts can print: kept as is when Windows-1252 has it, else the closest
    letters (accents dropped), else '?'."""
    text = text.translate(_REPLACEMENTS)
    try:
        text.encode(CORE_ENCODING)
        return text
    except UnicodeEncodeError:
        pass
    out = []
    for ch in text:
        try:
            ch.encode(CORE_ENCODING)
            out.append(ch)
        except UnicodeEncodeError:
            base = "".join(c for c in unicodedata.normalize("NFKD", ch)
                           if not unicodedata.combining(c))
            try:
                base.encode(CORE_ENCODING)
                out.append(base or "?")
            except UnicodeEncodeError:
                out.append("?")
    return "".join(out)
