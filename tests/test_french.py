"""Tests for intake_assistant.core.french: examples of every accepted form, messages, properties."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from intake_assistant.core.french import (
    ParseError,
    format_date,
    format_date_long,
    format_datetime,
    format_money,
    format_number,
    format_percent,
    normalize_phone,
    normalize_text,
    parse_boolean,
    parse_date,
    parse_integer,
    parse_money,
    parse_number,
)

TODAY = date(2026, 5, 10)
SPACES = [" ", "\u00a0", "\u202f"]


# --- numbers -----------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1 200,50 €", 1200.5),
        ("1200.5", 1200.5),
        ("1 200", 1200),
        ("1200", 1200),
        ("-3", -3),
        ("\u22123", -3),
        ("+12", 12),
        ("1 200 €", 1200),
        ("1200€", 1200),
        ("1.200,50", 1200.5),
        ("1.200.000", 1200000),
        ("1.200.000,25", 1200000.25),
        ("1 200,5", 1200.5),
        ("1 200 000", 1200000),
        ("€ 12", 12),
        ("€-12,5", -12.5),
        ("12 euros", 12),
        ("1 euro", 1),
        ("12 EUR", 12),
        ("12 eur", 12),
        ("1\u00a0200", 1200),
        ("1\u202f200,5", 1200.5),
        ("  7  ", 7),
        (",5", 0.5),
        ("0.500", 0.5),
        ("1 200.5", 1200.5),
        ("1200.500", 1200.5),
        ("0,1", 0.1),
    ],
)
def test_parse_number_accepted_forms(text: str, expected: float) -> None:
    value = parse_number(text)
    assert value == expected
    assert type(value) is type(expected)


def test_zero_fraction_gives_int() -> None:
    assert parse_number("1200,00") == 1200
    assert isinstance(parse_number("1200,00"), int)
    assert parse_number("-0,0") == 0


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "Aucun nombre saisi"),
        ("   ", "Aucun nombre saisi"),
        ("12,3,4", "« 12,3,4 » n'est pas un nombre. Exemple : 1 200,50"),
        ("abc", "« abc » n'est pas un nombre"),
        ("12a", "n'est pas un nombre"),
        ("--3", "n'est pas un nombre"),
        ("+-3", "n'est pas un nombre"),
        ("3-", "n'est pas un nombre"),
        ("€ 12 €", "n'est pas un nombre"),
        ("€", "n'est pas un nombre"),
        ("1,200.50", "la virgule sépare les décimales"),
        ("1.200", "ambigu"),
        ("-12.345", "ambigu"),
        ("12 3", "mal groupés"),
        ("1 20 0", "mal groupés"),
        ("1234 567", "mal groupés"),
        ("1.20.000", "mal groupés"),
        ("1.200 000,5", "mélange points et espaces"),
        ("5,", "chiffres sont attendus après la virgule"),
        ("1 200,5 0", "sans espace"),
        ("1" * 30, "trop long"),
    ],
)
def test_parse_number_rejections(text: str, fragment: str) -> None:
    with pytest.raises(ParseError) as info:
        parse_number(text)
    assert fragment in info.value.message
    assert str(info.value) == info.value.message


def test_parse_error_is_value_error() -> None:
    with pytest.raises(ValueError):
        parse_number("x")


def test_parse_integer() -> None:
    assert parse_integer("1 200") == 1200
    assert parse_integer("12,00") == 12
    assert isinstance(parse_integer("-4"), int)
    with pytest.raises(ParseError) as info:
        parse_integer("2,5")
    assert info.value.message.startswith("Un nombre entier est attendu (sans virgule)")


def test_parse_money() -> None:
    assert parse_money("36,91 €") == 36.91
    assert parse_money("850") == 850
    assert parse_money("12,500") == 12.5  # trailing zeros change nothing
    with pytest.raises(ParseError) as info:
        parse_money("12,345")
    assert "au plus deux décimales" in info.value.message


# --- booleans ----------------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["oui", "o", "vrai", "1", "yes", "y", " Oui ", "OUÏ", "Vrài"])
def test_parse_boolean_true(text: str) -> None:
    assert parse_boolean(text) is True


@pytest.mark.parametrize("text", ["non", "n", "faux", "0", "no", "NON", " N "])
def test_parse_boolean_false(text: str) -> None:
    assert parse_boolean(text) is False


@pytest.mark.parametrize("text", ["", "peut-être", "ouii", "2", "x"])
def test_parse_boolean_rejects(text: str) -> None:
    with pytest.raises(ParseError) as info:
        parse_boolean(text)
    assert "répondez oui ou non" in info.value.message


WORDS = ["oui", "o", "non", "n", "vrai", "faux", "yes", "y", "no"]


@given(st.sampled_from(WORDS), st.lists(st.booleans(), min_size=5, max_size=5))
def test_parse_boolean_case_insensitive(word: str, upper: list[bool]) -> None:
    variant = "".join(c.upper() if up else c for c, up in zip(word, upper, strict=False))
    assert parse_boolean(f"  {variant} ") == parse_boolean(word)
    assert parse_boolean(word) is (word in {"oui", "o", "vrai", "yes", "y"})


# --- dates -------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "text",
    ["15/03/1988", "15-03-1988", "15.03.1988", "15/3/1988", "15 03 1988", "15 / 03 / 1988",
     "15 mars 1988", "15 MARS 1988", "15 Mars 1988", "le 15 mars 1988", "15 mar. 1988",
     "1988-03-15", "15/03/88", "15 mars 88", "15\u00a0mars\u00a01988"],
)
def test_parse_date_march_15(text: str) -> None:
    assert parse_date(text, today=TODAY) == date(1988, 3, 15)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1er mars 1988", date(1988, 3, 1)),
        ("15 fév. 1988", date(1988, 2, 15)),
        ("15 févr. 1988", date(1988, 2, 15)),
        ("15 fevrier 1988", date(1988, 2, 15)),
        ("15 FÉVRIER 1988", date(1988, 2, 15)),
        ("3 janv. 2020", date(2020, 1, 3)),
        ("3 avr. 2020", date(2020, 4, 3)),
        ("3 juil. 2020", date(2020, 7, 3)),
        ("3 aout 2020", date(2020, 8, 3)),
        ("3 août 2020", date(2020, 8, 3)),
        ("3 sept. 2020", date(2020, 9, 3)),
        ("3 oct. 2020", date(2020, 10, 3)),
        ("3 nov. 2020", date(2020, 11, 3)),
        ("3 déc. 2020", date(2020, 12, 3)),
        ("3 decembre 2020", date(2020, 12, 3)),
        ("29/02/2024", date(2024, 2, 29)),
        ("aujourd'hui", TODAY),
        ("Aujourd\u2019hui", TODAY),
        ("hier", TODAY - timedelta(days=1)),
        ("avant-hier", TODAY - timedelta(days=2)),
        ("demain", TODAY + timedelta(days=1)),
    ],
)
def test_parse_date_forms(text: str, expected: date) -> None:
    assert parse_date(text, today=TODAY) == expected


@pytest.mark.parametrize(
    ("text", "year"),
    [("01/01/00", 2000), ("01/01/26", 2026), ("01/01/36", 2036), ("01/01/37", 1937),
     ("01/01/88", 1988), ("01/01/99", 1999)],
)
def test_two_digit_year_pivot(text: str, year: int) -> None:
    assert parse_date(text, today=TODAY).year == year


def test_two_digit_year_follows_today() -> None:
    assert parse_date("01/01/40", today=date(2031, 1, 1)).year == 2040
    assert parse_date("01/01/40", today=date(2029, 1, 1)).year == 1940


def test_today_defaults_to_real_date() -> None:
    assert parse_date("aujourd'hui") == date.today()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("31/02/2020", "Le 31 février 2020 n'existe pas."),
        ("29/02/2023", "Le 29 février 2023 n'existe pas."),
        ("31 avril 2020", "Le 31 avril 2020 n'existe pas."),
        ("0/01/2020", "Le 0 janvier 2020 n'existe pas."),
    ],
)
def test_parse_date_impossible_days(text: str, message: str) -> None:
    with pytest.raises(ParseError) as info:
        parse_date(text, today=TODAY)
    assert info.value.message == message


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("15/13/2020", "Le mois 13 n'existe pas"),
        ("2020-00-10", "Le mois 0 n'existe pas"),
        ("01/01/0000", "L'année 0 n'est pas valide"),
        ("", "n'est pas une date"),
        ("bla", "« bla » n'est pas une date. Exemple : 15/03/1988"),
        ("2er mars 2020", "n'est pas une date"),
        ("15 marsss 2020", "n'est pas une date"),
        ("15/03/198", "n'est pas une date"),
        ("15/03-1988", "n'est pas une date"),
        ("15 mars", "n'est pas une date"),
    ],
)
def test_parse_date_rejections(text: str, fragment: str) -> None:
    with pytest.raises(ParseError) as info:
        parse_date(text, today=TODAY)
    assert fragment in info.value.message


@given(st.dates())
def test_format_date_round_trip(d: date) -> None:
    assert parse_date(format_date(d), today=TODAY) == d


@given(st.dates(min_value=date(1000, 1, 1)))
def test_format_date_long_round_trip(d: date) -> None:
    assert parse_date(format_date_long(d), today=TODAY) == d


# --- phones ------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "text",
    ["0612345678", "06.12.34.56.78", "06-12-34-56-78", "06 12 34 56 78", "+33 6 12 34 56 78",
     "+33612345678", "0033612345678", "+33 (0)6 12 34 56 78", "+33 06 12 34 56 78",
     "06\u00a012\u00a034\u00a056\u00a078", " 06/12/34/56/78 "],
)
def test_french_phones(text: str) -> None:
    assert normalize_phone(text) == "06 12 34 56 78"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("+44 20 7946 0958", "+44 20 7946 0958"),
        ("+44  20.7946-0958", "+44 20 7946 0958"),
        ("0044 20 7946 0958", "+44 20 7946 0958"),
        ("00 44 20 7946 0958", "+44 20 7946 0958"),
        ("+1 (555) 123-4567", "+1 555 123 4567"),
        ("+44 (0)20 7946 0958", "+44 20 7946 0958"),
    ],
)
def test_international_phones(text: str, expected: str) -> None:
    assert normalize_phone(text) == expected


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("061234567", "Un numéro français compte 10 chiffres (« 061234567 » en a 9)"),
        ("06123456789", "en a 11"),
        ("+33 6 12 34 56", "10 chiffres"),
        ("+44 1", "de 8 à 15 chiffres"),
        ("+44 1234 5678 9012 3456", "de 8 à 15 chiffres"),
        ("612345678", "commence par 0"),
        ("06 12 ab", "n'est pas un numéro de téléphone"),
        ("06+12", "n'est pas un numéro de téléphone"),
        ("", "Aucun numéro saisi"),
    ],
)
def test_phone_rejections(text: str, fragment: str) -> None:
    with pytest.raises(ParseError) as info:
        normalize_phone(text)
    assert fragment in info.value.message


@given(st.sampled_from("123456789"), st.text("0123456789", min_size=8, max_size=8),
       st.sampled_from(["", " ", ".", "-"]))
def test_french_phone_property(first: str, rest: str, sep: str) -> None:
    digits = "0" + first + rest
    typed = sep.join(digits[i:i + 2] for i in range(0, 10, 2))
    expected = " ".join(digits[i:i + 2] for i in range(0, 10, 2))
    assert normalize_phone(typed) == expected
    assert normalize_phone("+33 " + digits[1:]) == expected


# --- text --------------------------------------------------------------------------------------

def test_normalize_text() -> None:
    assert normalize_text("Reims") == normalize_text("reims") == normalize_text("REÏMS") == "reims"
    assert normalize_text("  Épernay \t la  Ville ") == "epernay la ville"
    assert normalize_text("Cœuvres") == "coeuvres"
    assert normalize_text("L\u2019Île") == "l'ile"
    assert normalize_text("Straße") == "strasse"


@given(st.text())
def test_normalize_text_is_idempotent(text: str) -> None:
    once = normalize_text(text)
    assert normalize_text(once) == once
    assert once == once.strip()
    assert "  " not in once


# --- formatting --------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (850, None, "850 €"),
        (36.91, None, "36,91 €"),
        (-160, None, "-160 €"),
        (1234.5, None, "1 234,50 €"),
        (1234567, None, "1 234 567 €"),
        (850.0, None, "850 €"),
        (850, 2, "850,00 €"),
        (1234.567, 0, "1 235 €"),
        (2.675, None, "2,68 €"),  # half up on the typed value, not on the binary float
        (0.125, None, "0,13 €"),
        (-0.001, None, "0 €"),
        (Decimal("12.30"), None, "12,30 €"),
    ],
)
def test_format_money(value: float, decimals: int | None, expected: str) -> None:
    assert format_money(value, decimals) == expected


def test_format_number_and_percent() -> None:
    assert format_number(16.1) == "16,10"
    assert format_number(16.1, 2) == "16,10"
    assert format_number(1234.5, 0) == "1 235"
    assert format_number(-1234567.891, 1) == "-1 234 567,9"
    assert format_number(-0.0001) == "0,00"
    assert format_percent(0.33) == "33 %"
    assert format_percent(0.359, decimals=1) == "35,9 %"
    assert format_percent(1.5) == "150 %"


def test_format_rejects_bad_values() -> None:
    with pytest.raises(ValueError):
        format_money(float("nan"))
    with pytest.raises(ValueError):
        format_number(float("inf"))
    with pytest.raises(TypeError):
        format_money(True)
    with pytest.raises(TypeError):
        format_number("12")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        format_number(1, -1)


def test_format_dates() -> None:
    assert format_date(date(2026, 3, 15)) == "15/03/2026"
    assert format_date("2026-03-15") == "15/03/2026"
    assert format_date("2026-11-26T10:12:00+01:00") == "26/11/2026"
    assert format_date_long(date(2026, 3, 15)) == "15 mars 2026"
    assert format_date_long("2026-08-01") == "1er août 2026"
    assert format_date_long(date(2026, 12, 9)) == "9 décembre 2026"
    assert format_datetime(datetime(2026, 3, 15, 14, 5)) == "15/03/2026 14:05"
    assert format_datetime("2026-11-26T10:12:00+01:00") == "26/11/2026 10:12"
    aware = datetime(2026, 3, 15, 9, 7, tzinfo=timezone(timedelta(hours=1)))
    assert format_datetime(aware) == "15/03/2026 09:07"


def test_formatting_uses_plain_spaces_only() -> None:
    for text in (format_money(1234567.5), format_number(9876543.21), format_percent(123.45)):
        assert "\u00a0" not in text and "\u202f" not in text


# --- properties: round trips and robustness ----------------------------------------------------

cents = st.decimals(min_value=Decimal("-1e12"), max_value=Decimal("1e12"), places=2,
                    allow_nan=False, allow_infinity=False)


@given(cents)
@example(Decimal("0.01"))
@example(Decimal("-999.99"))
@example(Decimal("1000000.00"))
def test_money_round_trip(value: Decimal) -> None:
    assert parse_number(format_money(value)) == float(value)
    assert parse_money(format_money(value)) == float(value)
    assert parse_number(format_number(value, 2)) == float(value)


@given(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False, allow_infinity=False))
def test_formatted_floats_parse_back_to_their_rounding(value: float) -> None:
    expected = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    assert parse_number(format_number(value, 2)) == float(expected)


@given(st.integers(min_value=-(10**18), max_value=10**18), st.sampled_from(SPACES))
def test_grouped_integers_parse_back(value: int, space: str) -> None:
    grouped = f"{value:,}".replace(",", space)
    assert parse_number(grouped) == value
    assert parse_integer(grouped) == value
    if abs(value) >= 10**6:  # two dots or more: unambiguous thousands (one dot is refused)
        assert parse_number(f"{value:,}".replace(",", ".")) == value
    assert parse_number(str(value)) == value


@given(st.integers(min_value=1000, max_value=10**15))
def test_dot_grouped_with_cents(value: int) -> None:
    typed = f"{value:,}".replace(",", ".") + ",25"
    assert parse_money(typed) == value + 0.25


JUNK = st.one_of(st.text(), st.text("0123456789 ,.-+€eEuro/()hier'"))


@given(JUNK)
def test_junk_raises_only_parse_error(text: str) -> None:
    for parse in (parse_number, parse_integer, parse_money, parse_boolean, normalize_phone):
        try:
            parse(text)
        except ParseError as error:
            assert error.message
    try:
        parse_date(text, today=TODAY)
    except ParseError as error:
        assert error.message
