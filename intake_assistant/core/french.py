"""Parse what French staff type (numbers, money, dates, oui/non, phones) and format values.

Number rules (strict where a wrong guess would silently corrupt an amount):
- the comma is the decimal separator; a dot is accepted as decimal too ("1200.5", numeric keypad);
- spaces (U+0020, U+00A0, U+202F, U+2009) group thousands and must form regular groups of three
  ("1 200 000"); "12 3" is rejected, not read as 123;
- dots group thousands when there are several ("1.200.000") or a decimal comma follows ("1.200,50");
- a single dot followed by exactly three digits ("1.200") is rejected as ambiguous (1 200 or 1,2?);
- a comma before a dot ("1,200.50", English style) is rejected: French reads that comma as decimal;
- "€", "EUR", "euro(s)" may come before or after; one leading sign ("+", "-", "−").
Two-digit years: the century of `today` is used, unless that lands more than ten years after
`today`, then the previous century (in 2026: "36" -> 2036, "37" -> 1937).
"""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, localcontext
from functools import lru_cache

__all__ = [
    "ParseError", "parse_number", "parse_integer", "parse_money", "parse_boolean", "parse_date",
    "normalize_phone", "normalize_text", "format_money", "format_number", "format_percent",
    "format_date", "format_date_long", "format_datetime",
]

LOCALE = "fr_FR"
MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
          "octobre", "novembre", "décembre")
_MAX_DIGITS = 20  # far beyond any intake amount; keeps int()/float() conversions safe
_SPACES = {"\u00a0": " ", "\u202f": " ", "\u2009": " ", "\t": " "}
_NUMBER_EXAMPLE = "1 200,50"
_DATE_EXAMPLE = "Exemple : 15/03/1988 ou 15 mars 1988"
_PHONE_EXAMPLE = "Exemple : 06 12 34 56 78"


class ParseError(ValueError):
    """Typed text that cannot be read; `message` is a French sentence shown to the agent."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _show(text: str) -> str:
    """Quote the typed text, shortened so a pasted paragraph does not flood the message."""
    text = " ".join(text.split())
    return f"« {text[:40]}… »" if len(text) > 40 else f"« {text} »"


def _unify_spaces(text: str) -> str:
    return "".join(_SPACES.get(ch, ch) for ch in text)


def normalize_text(text: str) -> str:
    """Casefold, drop accents, unify apostrophes and collapse whitespace, for comparisons."""
    text = text.replace("œ", "oe").replace("Œ", "oe").replace("æ", "ae").replace("Æ", "ae")
    text = text.replace("\u2019", "'").replace("\u02bc", "'")
    # Decompose before and after casefolding: compatibility forms (𝓐) fold only once decomposed.
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold())
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.split())


# --- numbers -----------------------------------------------------------------------------------

_CURRENCY = r"(?:€|eur(?:os?)?)"
_NUMBER_RE = re.compile(
    rf"(?P<pre>{_CURRENCY})?\s*(?P<sign>[+\-\u2212])?\s*"
    rf"(?P<body>[0-9 .,]*?)\s*(?P<post>{_CURRENCY})?",
    re.IGNORECASE,
)


def _grouped(groups: list[str], shown: str) -> str:
    """Join thousands groups, requiring 1-3 digits then exactly 3 digits per group."""
    ok = all(g.isascii() and g.isdigit() for g in groups) and 1 <= len(groups[0]) <= 3
    if not ok or any(len(g) != 3 for g in groups[1:]):
        raise ParseError(f"{shown} : les chiffres sont mal groupés. Exemple : 1 200 000 ou 1200000")
    return "".join(groups)


def _integer_digits(part: str, shown: str, example: str) -> str:
    part = part.strip()
    if "." in part:
        if " " in part:
            raise ParseError(f"{shown} mélange points et espaces. Exemple : {example}")
        return _grouped(part.split("."), shown)
    if " " in part:
        return _grouped(re.split(r" +", part), shown)
    return part


# Words that say « nothing » for an amount or a count: « aucun », « rien », « pas de loyer ».
# Money that drives the budget has no default, so « 0 » or one of these must be typed.
_NONE_WORDS = frozenset({"aucun", "aucune", "rien", "neant", "zero", "nul", "nulle", "nada"})
_NONE_PHRASE = re.compile(r"(?:pas (?:de |d'|d )|aucune? |rien du tout$)", re.ASCII)
# « aucune idée », « je ne sais pas »: not a zero. Said in words, it would be read as 0 above.
_DONT_KNOW = re.compile(r"\b(?:idee|sais pas|sait pas|connais pas|inconnu)\b", re.ASCII)


def says_none(text: str) -> bool:
    """True when the typed text means zero in words (« aucun », « rien du tout », « pas de
    loyer »): read as 0 by the number parsers. « Aucune idée » raises: it is not a zero."""
    key = normalize_text(text).rstrip(" .!")
    if _DONT_KNOW.search(key):
        raise ParseError(f"{_show(text)} : si la personne ne sait pas, touche F3 "
                         "(« je ne sais pas ») ; s'il n'y en a pas, tapez 0.")
    return key in _NONE_WORDS or bool(_NONE_PHRASE.match(key))


def _parse_decimal(text: str, example: str = _NUMBER_EXAMPLE) -> Decimal:
    """``example`` is shown in the messages: one that fits the question (« 3 », « 850 »)."""
    shown = _show(text)
    example_text = f"Exemple : {example}"
    cleaned = _unify_spaces(text).strip()
    if not cleaned:
        raise ParseError(f"Aucun nombre saisi. {example_text}")
    if says_none(cleaned):
        return Decimal(0)
    match = _NUMBER_RE.fullmatch(cleaned)
    body = match["body"].strip() if match else ""
    if not match or (match["pre"] and match["post"]) or not any(c.isdigit() for c in body):
        raise ParseError(f"{shown} n'est pas un nombre. {example_text}")
    commas, dots = body.count(","), body.count(".")
    if commas > 1:
        raise ParseError(f"{shown} n'est pas un nombre. {example_text}")
    if commas == 1:
        int_part, frac = body.split(",")
        if "." in frac:
            raise ParseError(f"{shown} : en français la virgule sépare les décimales. "
                             f"{example_text}")
    elif dots == 1:
        int_part, frac = body.split(".")
        bare = int_part.strip()
        if len(frac) == 3 and bare.isdigit() and len(bare) <= 3 and bare[0] != "0":
            raise ParseError(f"{shown} est ambigu : écrivez {bare} {frac} (sans point) pour un "
                             f"nombre entier ou {bare},{frac} pour des décimales.")
    else:
        int_part, frac = body, ""
    if (commas or dots == 1) and not frac:
        raise ParseError(f"{shown} : des chiffres sont attendus après la virgule. "
                         f"{example_text}")
    if frac and not (frac.isascii() and frac.isdigit()):
        raise ParseError(f"{shown} : les décimales doivent suivre la virgule sans espace. "
                         f"{example_text}")
    digits = _integer_digits(int_part, shown, example) if int_part.strip() else "0"
    if len(digits.lstrip("0")) + len(frac) > _MAX_DIGITS:
        raise ParseError(f"{shown} est un nombre trop long.")
    sign = "-" if match["sign"] in ("-", "\u2212") else ""
    return Decimal(f"{sign}{digits}.{frac or '0'}")


def _to_python(value: Decimal) -> int | float:
    if value == value.to_integral_value():
        return int(value)
    return float(value)


def parse_number(text: str, example: str = _NUMBER_EXAMPLE) -> int | float:
    """Read a typed number; int when no non-zero decimals were typed ("1200,00" -> 1200)."""
    return _to_python(_parse_decimal(text, example))


def parse_integer(text: str, example: str = "3") -> int:
    """Read a whole number; "12,00" is accepted as 12, "2,5" is refused."""
    value = _parse_decimal(text, example)
    if value != value.to_integral_value():
        raise ParseError(f"Un nombre entier est attendu (sans virgule) : {_show(text)}. "
                         f"Exemple : {example}")
    return int(value)


def parse_money(text: str, example: str = _NUMBER_EXAMPLE) -> int | float:
    """Read an amount in euros with at most two significant decimals ("12,500" is 12,5)."""
    value = _parse_decimal(text, example)
    if value != value.quantize(Decimal("0.01")):
        raise ParseError(f"{_show(text)} : un montant a au plus deux décimales (les centimes). "
                         "Exemple : 12,35")
    return _to_python(value)


# --- booleans ----------------------------------------------------------------------------------

_BOOLEANS = {"oui": True, "o": True, "vrai": True, "1": True, "yes": True, "y": True,
             "non": False, "n": False, "faux": False, "0": False, "no": False}


def parse_boolean(text: str) -> bool:
    key = normalize_text(text)
    if key not in _BOOLEANS:
        raise ParseError(f"{_show(text)} : répondez oui ou non (o / n).")
    return _BOOLEANS[key]


# --- dates -------------------------------------------------------------------------------------

_MONTH_WORDS = {normalize_text(name): i for i, name in enumerate(MONTHS, start=1)}
_MONTH_WORDS.update({"janv": 1, "jan": 1, "fevr": 2, "fev": 2, "mar": 3, "avr": 4, "juil": 7,
                     "aou": 8, "sept": 9, "sep": 9, "oct": 10, "nov": 11, "dec": 12})
_RELATIVE = {"aujourd'hui": 0, "aujourdhui": 0, "hier": -1, "avant-hier": -2, "demain": 1}
_NUMERIC_DATE_RE = re.compile(r"(\d{1,2}) *([/.\- ]) *(\d{1,2}) *\2 *(\d{4}|\d{2})", re.ASCII)
_ISO_DATE_RE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})", re.ASCII)
_TEXT_DATE_RE = re.compile(r"(?:le )?(\d{1,2})(er)? ?([a-z]+)\.? ?(\d{4}|\d{2})", re.ASCII)


def _full_year(year_text: str, today: date) -> int:
    year = int(year_text)
    if len(year_text) != 2:
        return year
    year += today.year // 100 * 100
    return year - 100 if year > today.year + 10 else year


def _build_date(year: int, month: int, day: int) -> date:
    if not 1 <= month <= 12:
        raise ParseError(f"Le mois {month} n'existe pas (de 1 à 12). {_DATE_EXAMPLE}")
    if year < 1:
        raise ParseError(f"L'année {year} n'est pas valide. {_DATE_EXAMPLE}")
    try:
        return date(year, month, day)
    except ValueError:
        raise ParseError(f"Le {day} {MONTHS[month - 1]} {year} n'existe pas.") from None


def parse_date(text: str, today: date | None = None) -> date:
    """Read a French date: 15/03/1988, 15 mars 1988, 1er mars 88, 1988-03-15, hier..."""
    today = today or date.today()
    key = normalize_text(_unify_spaces(text))
    if key in _RELATIVE:
        return today + timedelta(days=_RELATIVE[key])
    if match := _ISO_DATE_RE.fullmatch(key):
        return _build_date(int(match[1]), int(match[2]), int(match[3]))
    if match := _NUMERIC_DATE_RE.fullmatch(key):
        return _build_date(_full_year(match[4], today), int(match[3]), int(match[1]))
    match = _TEXT_DATE_RE.fullmatch(key)
    if match and match[3] in _MONTH_WORDS and (not match[2] or match[1] == "1"):
        return _build_date(_full_year(match[4], today), _MONTH_WORDS[match[3]], int(match[1]))
    raise ParseError(f"{_show(text)} n'est pas une date. {_DATE_EXAMPLE}")


# --- phones ------------------------------------------------------------------------------------

_PHONE_CHARS_RE = re.compile(r"\+?[0-9 .\-/()]+", re.ASCII)


def _french_phone(national: str, shown: str) -> str:
    if len(national) != 10:
        raise ParseError(f"Un numéro français compte 10 chiffres ({shown} en a {len(national)}). "
                         f"{_PHONE_EXAMPLE}")
    return " ".join(national[i:i + 2] for i in range(0, 10, 2))


def normalize_phone(text: str) -> str:
    """French numbers become "06 12 34 56 78"; others "+CC ..." with the typed grouping kept."""
    shown = _show(text)
    cleaned = _unify_spaces(text).strip().replace("(0)", " ")  # "+33 (0)6": the 0 is not dialled
    if not cleaned:
        raise ParseError(f"Aucun numéro saisi. {_PHONE_EXAMPLE}")
    if not _PHONE_CHARS_RE.fullmatch(cleaned):
        raise ParseError(f"{shown} n'est pas un numéro de téléphone. {_PHONE_EXAMPLE}")
    digits = re.sub(r"[^0-9]", "", cleaned)
    if cleaned.startswith("+") or digits.startswith("00"):
        dialled = digits[2:] if not cleaned.startswith("+") else digits
        if dialled.startswith("33"):
            national = dialled[2:]
            return _french_phone("0" + national.removeprefix("0"), shown)
        if not 8 <= len(dialled) <= 15 or dialled.startswith("0"):
            raise ParseError(f"Un numéro étranger compte de 8 à 15 chiffres après le +, indicatif "
                             f"compris ({shown}). Exemple : +44 20 7946 0958")
        if not cleaned.startswith("+"):
            cleaned = re.sub(r"^[^0-9]*0[^0-9]*0", "", cleaned)  # "00" is the "+" of old
        return "+" + " ".join(re.findall(r"[0-9]+", cleaned))
    if not digits.startswith("0"):
        raise ParseError(f"{shown} : un numéro français commence par 0, un numéro étranger par + "
                         f"et l'indicatif. {_PHONE_EXAMPLE}")
    return _french_phone(digits, shown)


# --- formatting --------------------------------------------------------------------------------

def _to_decimal(value: int | float | Decimal) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise TypeError(f"number expected, got {type(value).__name__}")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"cannot format non-finite number {value!r}")
    # str() keeps the shortest repr, so 2.675 rounds to 2.68 as a person would expect
    result = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    if not result.is_finite():
        raise ValueError(f"cannot format non-finite number {value!r}")
    return result


@lru_cache(maxsize=4096)  # babel is slow and reasons print the same figures again and again
def _format_fixed(value: Decimal, decimals: int) -> str:
    if decimals < 0:
        raise ValueError("decimals must be >= 0")
    with localcontext() as ctx:
        ctx.prec = 1000  # quantize must not fail on large values
        rounded = value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
        if rounded.is_zero():
            rounded = abs(rounded)  # never print "-0"
        pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
        # Imported here: dates and parsing need no babel, and the home list's first paint
        # formats dates (~4 ms of imports off the launch).
        from babel.numbers import format_decimal

        text = format_decimal(rounded, format=pattern, locale=LOCALE)
    return _unify_spaces(text)


def format_number(value: int | float | Decimal, decimals: int = 2) -> str:
    """Fixed decimals, French separators: format_number(16.1) -> "16,10"."""
    return _format_fixed(_to_decimal(value), decimals)


def format_money(value: int | float | Decimal, decimals: int | None = None) -> str:
    """"1 234,50 €"; by default cents are shown only when the amount has some ("850 €")."""
    amount = _to_decimal(value)
    if decimals is None:
        with localcontext() as ctx:
            ctx.prec = 1000
            cents = amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        decimals = 0 if cents == cents.to_integral_value() else 2
    return f"{_format_fixed(amount, decimals)} €"


def format_percent(ratio: int | float | Decimal, decimals: int = 0) -> str:
    """A ratio as a percentage: 0.359 with one decimal -> "35,9 %"."""
    return f"{_format_fixed(_to_decimal(ratio) * 100, decimals)} %"


def _as_date(value: date | str) -> date:
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return datetime.fromisoformat(value).date()
    return value


def format_date(value: date | str) -> str:
    """A date or ISO string as "15/03/2026"."""
    d = _as_date(value)
    return f"{d.day:02d}/{d.month:02d}/{d.year:04d}"


def format_date_long(value: date | str) -> str:
    """"15 mars 2026"; the first of the month is written "1er mars 2026" as in French usage."""
    d = _as_date(value)
    day = "1er" if d.day == 1 else str(d.day)
    return f"{day} {MONTHS[d.month - 1]} {d.year}"


def format_datetime(value: datetime | str) -> str:
    """A datetime or ISO string as "15/03/2026 14:05", in the time zone it carries."""
    dt = datetime.fromisoformat(value) if isinstance(value, str) else value
    return f"{format_date(dt)} {dt.hour:02d}:{dt.minute:02d}"
