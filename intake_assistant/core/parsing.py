"""Text helpers the question types parse with: choices, quantities with units, safe text.

Numbers, money, dates, booleans and phones are read the French way by ``french``; the result is then
checked against the JSON Schema by the caller. Every failure raises ``ParseError`` with a French
message. The question types themselves are declared in ``qtypes``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from intake_assistant.core import french
from intake_assistant.core.french import ParseError

# Bidirectional overrides, embeddings and isolates: they reorder what a terminal shows ("Trojan
# Source"), so a typed name could read differently from what is stored.
_BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
                           "\u2066\u2067\u2068\u2069")
_ALLOWED_CONTROLS = frozenset("\t\n\r")


def check_printable(text: str) -> None:
    """Refuse control characters (ESC, BEL, NUL…) and bidi overrides in a text answer: printed
    back to a terminal they could move the cursor, ring, or hide what the text says."""
    for position, char in enumerate(text, start=1):
        if char in _ALLOWED_CONTROLS:
            continue
        if char in _BIDI_CONTROLS or unicodedata.category(char) in ("Cc", "Cs"):
            raise ParseError(f"La réponse contient un caractère de contrôle invisible "
                             f"(U+{ord(char):04X}, position {position}) : retapez-la sans lui.")


def _words(text: str) -> list[str]:
    return [w for w in re.split(r"[^0-9a-z]+", french.normalize_text(text)) if w]


def match_choice(choices: Sequence[Any], text: str) -> str:
    """A choice typed as its number (1-based), its key, its value or the start of its label."""
    typed = text.strip()
    if not typed:
        raise ParseError("Choisissez une réponse dans la liste.")
    if typed.isdigit() and 1 <= int(typed) <= len(choices):
        return choices[int(typed) - 1].value
    norm = french.normalize_text(typed)
    for c in choices:
        if (c.key and norm == french.normalize_text(c.key)) or norm == french.normalize_text(
            c.value
        ):
            return c.value
    for c in choices:
        if french.normalize_text(c.label) == norm:
            return c.value
    starts = [c for c in choices if french.normalize_text(c.label).startswith(norm)]
    if not starts:
        # "loc soc" finds "Locataire (logement social)": every typed word starts a word of it.
        typed_words = _words(norm)
        starts = [
            c
            for c in choices
            if all(
                any(w.startswith(t) for w in _words(c.label) + _words(c.value)) for t in typed_words
            )
        ]
    if len(starts) == 1:
        return starts[0].value
    listing = " ; ".join(f"{i} = {c.label}" for i, c in enumerate(choices, 1))
    if len(starts) > 1:
        labels = ", ".join(c.label for c in starts)
        raise ParseError(f"« {typed[:40]} » correspond à plusieurs choix ({labels}). Précisez.")
    raise ParseError(f"« {typed[:40]} » ne correspond à aucun choix. Choix : {listing}.")


# ----------------------------------------------------------------------------- units
@dataclass(frozen=True)
class Unit:
    """A unit a whole number may be typed in: « 12 mois », « 2 ans » → 24 for a number of months."""

    name: str  # plural, as declared (``unit: mois``)
    singular: str
    factors: dict[str, Fraction]  # word typed (normalised) -> how many units it is
    example: str
    label: str  # the answer line's « Nombre de mois »


UNITS: dict[str, Unit] = {
    "mois": Unit("mois", "mois", {"mois": Fraction(1), "an": Fraction(12), "ans": Fraction(12),
                                  "annee": Fraction(12), "annees": Fraction(12)},
                 "12 ou 2 ans", "Nombre de mois"),
    "ans": Unit("ans", "an", {"an": Fraction(1), "ans": Fraction(1), "annee": Fraction(1),
                              "annees": Fraction(1)}, "3 ou 3 ans", "Nombre d'années"),
    "jours": Unit("jours", "jour", {"jour": Fraction(1), "jours": Fraction(1),
                                    "semaine": Fraction(7), "semaines": Fraction(7)},
                  "15 ou 2 semaines", "Nombre de jours"),
}

_QUANTITY = re.compile(r"(?:et )?(\d+(?:[,.]5)?|une?) ?([a-z]+)( et demie?)? ?")
_BARE_NUMBER = re.compile(r"[+\-\u2212]?[0-9 .,\u00a0\u202f]+")


def unit_label(unit: str) -> str:
    known = UNITS.get(unit)
    return known.label if known else f"Nombre de {unit}"


def unit_example(unit: str) -> str:
    known = UNITS.get(unit)
    return known.example if known else "3"


def parse_quantity(text: str, unit: str, example: str) -> int:
    """A whole number of ``unit``: « 18 », « 18 mois », « 1 an et demi », « 2 ans 6 mois »."""
    if (_BARE_NUMBER.fullmatch(text.strip()) or unit not in UNITS
            or french.says_none(text)):
        return french.parse_integer(text, example=example)
    known = UNITS[unit]
    key = french.normalize_text(text)
    shown = f"« {' '.join(text.split())[:40]} »"
    total, pos = Fraction(0), 0
    while pos < len(key):
        match = _QUANTITY.match(key, pos)
        if match is None or match.end() == pos:
            raise ParseError(f"{shown} n'est pas un nombre de {unit}. Exemple : {example}")
        number = Fraction(1) if match[1] in ("un", "une") else Fraction(match[1].replace(",", "."))
        factor = known.factors.get(match[2])
        if factor is None:
            raise ParseError(f"{shown} : « {match[2]} » n'est pas une unité pour un nombre de "
                             f"{unit}. Exemple : {example}")
        if match[3]:
            number += Fraction(1, 2)
        total += number * factor
        pos = match.end()
    if total.denominator != 1:
        raise ParseError(f"{shown} ne fait pas un nombre entier de {unit}. Exemple : {example}")
    return int(total)


def format_quantity(value: int, unit: str) -> str:
    known = UNITS.get(unit)
    word = known.singular if known and abs(value) == 1 else unit
    return f"{french.format_number(value, 0)} {word}"
