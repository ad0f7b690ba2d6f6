"""Tests of the safe expression language (intake_assistant.core.expressions)."""

from __future__ import annotations

import operator
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from intake_assistant.core.expressions import (
    FUNCTIONS,
    EvaluationError,
    Expression,
    ExpressionError,
    Missing,
    compile_expression,
    interpolate,
    is_missing,
    template_expressions,
)

TODAY = date(2026, 11, 26)


def ev(source: str, env: dict[str, object] | None = None, today: date = TODAY) -> object:
    return compile_expression(source).evaluate(env or {}, today)


def reject(source: str) -> ExpressionError:
    with pytest.raises(ExpressionError) as info:
        compile_expression(source)
    assert not isinstance(info.value, EvaluationError)
    return info.value


# --- literals and operators -------------------------------------------------------------------

@pytest.mark.parametrize(("source", "expected"), [
    ("1", 1), ("2.5", 2.5), ("'abc'", "abc"), ("True", True), ("None", None),
    ("[1, 'a']", [1, "a"]), ("(1, 2)", [1, 2]),
    ("7 + 2", 9), ("7 - 2", 5), ("7 * 2", 14), ("7 / 2", 3.5), ("7 // 2", 3), ("7 % 2", 1),
    ("-7", -7), ("+7", 7), ("-(2 - 5)", 3), ("'ab' + 'cd'", "abcd"), ("[1] + [2]", [1, 2]),
    ("1 == 1", True), ("1 != 1", False), ("1 < 2", True), ("2 <= 2", True), ("3 > 4", False),
    ("4 >= 5", False), ("1 < 2 < 3", True), ("1 < 3 < 2", False), ("'a' < 'b'", True),
    ("'b' in ['a', 'b']", True), ("'c' not in ['a', 'b']", True), ("'ll' in 'hello'", True),
    ("not True", False), ("not 0", True), ("1 and 2", 2), ("0 or 3", 3), ("0 and 1", 0),
    ("'x' if True else 'y'", "x"), ("'x' if 0 else 'y'", "y"),
    ("[10, 20, 30][1]", 20), ("[10, 20, 30][-1]", 30),
    ("'2026-01-01' < '2026-02-01'", True),
])
def test_operators(source: str, expected: object) -> None:
    result = ev(source)
    assert result == expected
    assert type(result) is type(expected) or isinstance(expected, list)


def test_names_and_subscripts() -> None:
    env = {"loyer": 420, "enfants": [{"age": 4}], "foyer": {"ville": "Reims"}}
    assert ev("loyer * 2", env) == 840
    assert ev("enfants[0]['age']", env) == 4
    assert ev('foyer["ville"]', env) == "Reims"
    assert ev('foyer["absent"]', env) == Missing({"absent"})
    with pytest.raises(EvaluationError, match="hors de la liste"):
        ev("enfants[3]", env)


def test_qualified_names_are_single_keys() -> None:
    expr = compile_expression("montant <= microcredit.montant_max and microcredit.taux_annuel > 0")
    assert expr.names == {"montant", "microcredit.montant_max", "microcredit.taux_annuel"}
    env = {"montant": 850, "microcredit.montant_max": 3000, "microcredit.taux_annuel": 0.04}
    assert expr.evaluate(env) is True
    # A nested parameter dict is followed key by key (still no getattr).
    assert ev("microcredit.montant_max", {"microcredit": {"montant_max": 3000}}) == 3000
    assert ev("a.b.c", {"a": {"b": {}}}) == Missing({"a.b.c"})
    assert ev("microcredit.montant_max", {}) == Missing({"microcredit.montant_max"})
    # A str value never exposes its methods through a dotted name.
    assert ev("x.upper", {"x": "abc"}) == Missing({"x.upper"})


def test_leading_whitespace_and_newlines() -> None:
    assert ev("  1 + 2") == 3
    assert ev(" \n (1 +\n 2)") == 3
    assert reject("1 +\n 2").message.startswith("Syntaxe invalide")


# --- Missing and Kleene logic -----------------------------------------------------------------

def test_missing_is_immutable_and_has_no_truth_value() -> None:
    m = Missing({"a"})
    with pytest.raises(TypeError):
        bool(m)
    with pytest.raises(AttributeError):
        m.names = frozenset()  # type: ignore[misc]
    assert m == Missing(["a"]) and m != Missing({"b"}) and hash(m) == hash(Missing({"a"}))
    assert Missing("abc").names == {"abc"}
    assert is_missing(m) and not is_missing(None) and not is_missing(0)


@pytest.mark.parametrize("source", [
    "a + 1", "1 - a", "a * 2", "a / 2", "a // 2", "a % 2", "-a", "a < 1", "a == 1", "1 in a",
    "abs(a)", "round(a, 2)", "min(a, 1)", "len(a)", "age(a)", "annuity(a, 0.04, 12)",
    "normalize(a)", "a[0]", "[a, 1]", "'x' if a else 'y'", "not a", "a and True", "a or False",
])
def test_missing_propagates(source: str) -> None:
    result = ev(source)
    assert is_missing(result)
    assert result.names == {"a"}


def test_missing_names_union() -> None:
    assert ev("a + b * c", {"b": 2}).names == {"a", "c"}
    assert ev("a < b", {}).names == {"a", "b"}
    assert ev("f(x) if c else 0".replace("f(x)", "abs(x)"), {"c": True}).names == {"x"}


VALUES = [True, False, Missing({"m"})]


def kleene_and(a: object, b: object) -> object:
    if a is False or b is False:
        return False
    if is_missing(a) or is_missing(b):
        return Missing({"m"})
    return True


def kleene_or(a: object, b: object) -> object:
    if a is True or b is True:
        return True
    if is_missing(a) or is_missing(b):
        return Missing({"m"})
    return False


@pytest.mark.parametrize("a", VALUES)
@pytest.mark.parametrize("b", VALUES)
def test_kleene_tables(a: object, b: object) -> None:
    env = {k: v for k, v in (("a", a), ("b", b)) if not is_missing(v)}
    src_a = "a" if not is_missing(a) else "m"
    src_b = "b" if not is_missing(b) else "m"
    assert ev(f"{src_a} and {src_b}", env) == kleene_and(a, b)
    assert ev(f"{src_a} or {src_b}", env) == kleene_or(a, b)


def test_kleene_specials() -> None:
    assert ev("False and m") is False and ev("m and False") is False
    assert ev("True or m") is True and ev("m or True") is True
    assert ev("m and n").names == {"m", "n"}
    assert ev("not m") == Missing({"m"})
    # The decisive operand stops evaluation, so a guard protects a division.
    assert ev("b != 0 and a / b > 1", {"a": 1, "b": 0}) is False
    assert ev("m or 0 or ''") == Missing({"m"})
    assert ev("1 and 'x'") == "x"


def test_missing_env_value_and_chained_comparison() -> None:
    assert ev("x + 1", {"x": Missing({"y"})}) == Missing({"y"})
    assert ev("0 < x < 10") == Missing({"x"})


def test_coalesce_and_answered() -> None:
    assert ev("coalesce(a, b, 3)", {"b": 2}) == 2
    assert ev("coalesce(a, b)") == Missing({"a", "b"})
    assert ev("coalesce(a, 1 / 0)", {"a": 5}) == 5  # lazy
    assert ev("answered(a)") is False
    assert ev("answered(a)", {"a": None}) is True
    assert ev("answered(microcredit.taux)", {"microcredit.taux": 0}) is True


# --- functions --------------------------------------------------------------------------------

NB_UC = ("1 + (0.5 if situation_familiale == \"couple\" else 0) + 0.5 * count(enfants, age >= 14)"
         " + 0.3 * count(enfants, age < 14) + 0.5 * autres_personnes")


def test_nb_uc_formula() -> None:
    expr = compile_expression(NB_UC)
    env = {"situation_familiale": "couple", "enfants": [{"age": 4}, {"age": 15}],
           "autres_personnes": 0, "age": 40}
    assert expr.evaluate(env) == pytest.approx(2.3)
    assert expr.names == {"situation_familiale", "enfants", "age", "autres_personnes"}
    assert expr.item_names == {"age"}
    assert expr.functions == {"count"}
    single = {"situation_familiale": "seul", "enfants": [], "autres_personnes": 0}
    assert expr.evaluate(single) == 1
    assert expr.evaluate({"situation_familiale": "seul", "autres_personnes": 0}).names == {
        "enfants"}


def test_count_and_sum_over() -> None:
    env = {"enfants": [{"age": 4}, {"age": 15}, {"age": 17}], "seuil": 16}
    assert ev("count(enfants)", env) == 3
    assert ev("count(enfants, age >= seuil)", env) == 1
    assert ev("sum_over(enfants, 1)", env) == 3
    assert ev("sum_over(enfants, age)", env) == 36
    assert ev("count([], x > 1)") == 0 and ev("sum_over([], x)") == 0
    assert ev("count(enfants, age > 1)") == Missing({"enfants"})
    assert ev("count(l, item == 'a')", {"l": ["a", "b", "a"]}) == 2
    # A field unknown in one item makes the total unknown (the field falls back to env).
    assert ev("sum_over(l, montant)", {"l": [{"montant": 1}, {}]}) == Missing({"montant"})
    nested = {"foyers": [{"enfants": [{"age": 3}, {"age": 20}]}, {"enfants": [{"age": 9}]}]}
    assert ev("sum_over(foyers, count(enfants, age < 18))", nested) == 2
    with pytest.raises(EvaluationError, match="attend une liste"):
        ev("count(3)")
    with pytest.raises(EvaluationError, match="nombres"):
        ev("sum_over(l, 'x')", {"l": [1]})


def test_annuity() -> None:
    assert round(ev("annuity(850, 0.04, 24)"), 2) == 36.91
    assert ev("round(annuity(850, 0.04, 24), 2)") == 36.91
    assert ev("annuity(1300, 0, 13)") == 100
    assert ev("annuity(3000, 0.04, 36)") == pytest.approx(88.57, abs=0.005)
    with pytest.raises(EvaluationError, match="durée"):
        ev("annuity(100, 0.04, 0)")


def test_round_half_up() -> None:
    assert ev("round(2.675, 2)") == 2.68
    assert ev("round(2.5)") == 3 and ev("round(3.5)") == 4 and ev("round(-2.5)") == -3
    assert ev("round(0.125, 2)") == 0.13
    assert ev("round(1234, -2)") == 1200
    assert isinstance(ev("round(2.4)"), int)
    with pytest.raises(EvaluationError):
        ev("round(1, 'a')")
    with pytest.raises(EvaluationError):
        ev("round('a')")


def test_min_max_abs_len_sum() -> None:
    assert ev("min(3, 1, 2)") == 1 and ev("max([3, 1, 2])") == 3 and ev("min(['b', 'a'])") == "a"
    assert ev("abs(-4.5)") == 4.5 and ev("len('abc')") == 3 and ev("len([1, 2])") == 2
    assert ev("sum([1, 2, 3.5])") == 6.5 and ev("sum([])") == 0
    assert ev("sum(l)", {"l": [1, Missing({"q"})]}) == Missing({"q"})
    for bad in ("min([])", "max(1, 'a')", "abs('a')", "len(3)", "sum(['a'])", "min(3)"):
        with pytest.raises(EvaluationError):
            ev(bad)


def test_dates() -> None:
    assert ev("age(d)", {"d": "1988-03-15"}) == 38
    assert ev("age('2000-11-27')") == 25 and ev("age('2000-11-26')") == 26
    assert ev("age('2000-02-29', '2001-02-28')") == 0
    assert ev("age(d)", {"d": date(1990, 1, 1)}) == 36
    assert ev("today()") == "2026-11-26"
    assert ev("days_between('2026-11-20', today())") == 6
    with pytest.raises(EvaluationError, match="Date invalide"):
        ev("age('15/03/1988')")
    assert compile_expression("age('2000-01-01')").evaluate({}) >= 26  # default today


def test_normalize() -> None:
    assert ev("normalize('  Épernay-la-\u00a0Ville ')") == "epernay-la- ville"
    assert ev("normalize(commune_residence) == normalize(commune_ccas)",
              {"commune_residence": " REIMS ", "commune_ccas": "Reims"}) is True
    assert ev("normalize('Straße Œil')") == "strasse oeil"


# --- run-time errors ------------------------------------------------------------------------------

@pytest.mark.parametrize(("source", "fragment"), [
    ("a / b", "Division par zéro"), ("a // b", "Division par zéro"), ("a % b", "Division par zéro"),
    ("s * 3", "« * »"), ("s < 3", "Comparaison"), ("s + 1", "« + »"), ("1 in 3", "« in »"),
    ("-s", "Signe"), ("s % 2", "« % »"), ("l * 2", "« * »"), ("None + 1", "« + »"),
    ("l < l", "Comparaison"), ("3 in s", "« in »"), ("l in d", "« in »"),
    ("annuity(100, -12, 3)", "taux"), ("big * big", "trop grand"),
])
def test_evaluation_errors(source: str, fragment: str) -> None:
    env = {"a": 1, "b": 0, "s": "abc", "l": [1], "d": {"k": 1}, "big": 10**1000}
    with pytest.raises(EvaluationError) as info:
        ev(source, env)
    assert fragment in info.value.message
    assert f"« {source} »" in info.value.message
    assert info.value.source == source and info.value.offset is not None


def test_size_limits_at_run_time() -> None:
    with pytest.raises(EvaluationError, match="Texte trop long"):
        ev("s + s", {"s": "x" * 6000})
    with pytest.raises(EvaluationError, match="Liste trop longue"):
        ev("l + l", {"l": list(range(6000))})
    assert len(ev("s + s", {"s": "x" * 5000})) == 10_000


def test_error_offset_is_in_characters() -> None:
    with pytest.raises(EvaluationError) as info:
        ev("é + (s < 3)", {"é": 1, "s": "a"})
    assert info.value.offset == 5


# --- compile-time rejection -------------------------------------------------------------------

ATTACKS = [
    "__import__('os')", "().__class__.__bases__", "().__class__", "x.__class__", "_x", "a._b",
    "open('x')", "eval('1')", "exec('1')", "getattr(x, 'y')", "lambda: 1", "[x for x in y]",
    "{x for x in y}", "{k: 1 for k in y}", "(x for x in y)", "9**9**9", "'a'*10**9", "2 ** 3",
    "'a' * 3", "3 * 'a'", "'%s' % x", "x.y()", "x.upper()", "(1).real", "'abc'.upper",
    "f'{x}'", "(y := 1)", "[*x]", "min(*x)", "foo(a=1)", "round(1.5, n=1)", "min(x, key=abs)",
    "x[1:2]", "x[::2]", "x[y]", "x[1 + 1]", "x['a' + 'b']", "x is None", "x is not None",
    "~x", "x & y", "x | y", "x ^ y", "x << 1", "x >> 1", "x @ y", "{}", "{1: 2}", "{1}",
    "b'abc'", "1j", "...", "x = 1", "import os", "yield x", "await x", "count()",
    "annuity(1, 2)", "today(1)", "abs(1, 2)", "len()", "sum_over(x)", "(lambda: 1)()",
    "[].append(1)", "min.__call__(1)", "x if y else z.__dict__", "", "   ", "1 +", "(1",
    "f(1", "'unterminated", "a ) b", "1 2", "\x00", "if x: y",
]


@pytest.mark.parametrize("source", ATTACKS)
def test_attacks_rejected_at_compile_time(source: str) -> None:
    error = reject(source)
    assert error.message and error.source == source
    assert error.offset is None or 0 <= error.offset <= len(source)


@pytest.mark.parametrize(("source", "message", "offset"), [
    ("open('x')", "Fonction inconnue « open »", 0),
    ("1 + (1).real", "L'accès aux attributs est interdit", 4),
    ("min(1, (2", "Syntaxe invalide : parenthèse non fermée", 7),
    ("é + (", "Syntaxe invalide : parenthèse non fermée", 4),
    ("  a + _b", "Les noms commençant par « _ » sont interdits (« _b »)", 6),
    ("x ** 2", "Opérateur non autorisé : « ** »", 0),
    ("logement = 'heberge'", "Syntaxe invalide : « = » n'est pas une comparaison, utilisez « == »",
     9),
    ("count(a, b, c)", "« count » attend 1 ou 2 arguments (3 donné(s))", 0),
])
def test_compile_error_messages(source: str, message: str, offset: int) -> None:
    error = reject(source)
    assert error.message == message
    assert error.offset == offset
    assert str(error) == f"{message} (colonne {offset + 1})"


def test_bounds() -> None:
    assert reject("1" * 2001).message.startswith("Expression trop longue")
    assert ev("+".join(["1"] * 40)) == 40
    assert "imbriquée" in reject("+".join(["1"] * 60)).message
    assert "imbriquée" in reject("-" * 60 + "1").message
    assert ev("-" * 40 + "1") == 1
    assert "imbriquée" in reject("[" * 60 + "]" * 60).message
    assert ev("(" * 60 + "1" + ")" * 60) == 1  # parentheses add no depth


def test_non_string_source() -> None:
    with pytest.raises(ExpressionError):
        compile_expression(123)  # type: ignore[arg-type]


def test_expression_metadata_and_cache() -> None:
    expr = compile_expression("coalesce(a, b.c) + sum_over(l, x * y) + count(m)")
    assert isinstance(expr, Expression)
    assert expr.names == {"a", "b.c", "l", "x", "y", "m"}
    assert expr.item_names == {"x", "y"}
    assert expr.functions == {"coalesce", "sum_over", "count"}
    assert compile_expression("coalesce(a, b.c) + sum_over(l, x * y) + count(m)") is expr
    assert FUNCTIONS >= {"min", "max", "annuity", "coalesce", "answered", "normalize", "today"}


# --- interpolation --------------------------------------------------------------------------------

def test_interpolate() -> None:
    assert interpolate("Combien coûte le permis, {prenom} ?", {"prenom": "Léa"}) == (
        "Combien coûte le permis, Léa ?")
    assert interpolate("{{littéral}} {a + 1}", {"a": 1}) == "{littéral} 2"
    assert interpolate("Bonjour {prenom} !", {}) == "Bonjour … !"
    assert interpolate("{x}", {"x": 2.5}, formatter=lambda v: f"<{v}>") == "<2.5>"
    assert interpolate("{'}' + a}", {"a": "x"}) == "}x"
    assert interpolate("âge : {age(d)} ans", {"d": "1988-03-15"}, today=TODAY) == "âge : 38 ans"
    assert interpolate("sans accolade", {}) == "sans accolade"


def test_template_expressions_and_errors() -> None:
    assert template_expressions("a {x} b {y + 1}}}") == [("x", 3), ("y + 1", 9)]
    for template, offset in (("a {x", 2), ("a } b", 2), ("{ }", 0)):
        with pytest.raises(ExpressionError) as info:
            template_expressions(template)
        assert info.value.offset == offset and info.value.source == template
    with pytest.raises(ExpressionError) as info:
        interpolate("Bonjour {open('x')}", {})
    assert info.value.message == "Fonction inconnue « open »"
    assert info.value.offset == 9 and info.value.source == "Bonjour {open('x')}"
    with pytest.raises(EvaluationError):
        interpolate("{1 / 0}", {})


# --- property-based ---------------------------------------------------------------------------

FUZZ_ALPHABET = "()[]{}.,'\"_ab1+-*/%<=>!: \n\tifelsandornotlambda"


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(), st.text(alphabet=st.characters(codec="ascii"), max_size=40),
                 st.text(alphabet=FUZZ_ALPHABET, max_size=60)))
def test_fuzz_compile_only_raises_expression_error(source: str) -> None:
    try:
        expr = compile_expression(source)
    except ExpressionError:
        return
    try:
        expr.evaluate({"a": 1, "b": "x", "i": [1, 2]}, TODAY)
    except EvaluationError:
        pass


LEAVES = ["a", "b", "s", "l", "e", "d", "m", "1", "0", "2.5", "-3", "'x'", "''", "'2026-01-01'",
          "True", "None", "p.q", "item", "age", "[]"]
ENV = {"a": 3, "b": 0, "s": "abc", "l": [1, 2], "e": [{"age": 4}, {"age": 15}], "p.q": 0.04,
       "d": {"age": 2}}


def _grammar(sub: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    def fmt(template: str) -> st.SearchStrategy[str]:
        return st.tuples(sub, sub, sub).map(lambda parts: template.format(*parts))

    call = st.tuples(st.sampled_from(sorted(FUNCTIONS)), st.lists(sub, max_size=3)).map(
        lambda c: f"{c[0]}({', '.join(c[1])})")
    return st.one_of(
        st.sampled_from(["+", "-", "*", "/", "//", "%", "<", "<=", "==", "!=", ">", ">=", "in",
                         "not in", "and", "or"]).flatmap(lambda op: fmt(f"({{0}} {op} {{1}})")),
        fmt("(not {0})"), fmt("({0} if {1} else {2})"), fmt("[{0}, {1}]"), call,
        st.tuples(sub, st.sampled_from(["0", "-1", "5", "'age'"])).map(lambda t: f"{t[0]}[{t[1]}]"),
    )


@settings(max_examples=1500, deadline=None)
@given(st.recursive(st.sampled_from(LEAVES), _grammar, max_leaves=10))
def test_fuzz_generated_expressions_only_raise_expression_errors(source: str) -> None:
    try:
        expr = compile_expression(source)
    except ExpressionError:
        return
    try:
        result = expr.evaluate(ENV, TODAY)
    except EvaluationError as error:
        assert error.source == source and "dans « " in error.message
        return
    assert result is None or isinstance(result, int | float | str | list | dict | Missing)
    assert interpolate("{{" + source + "}}: {" + source + "}", ENV, TODAY).startswith("{")


OPS = {"+": operator.add, "-": operator.sub, "*": operator.mul}
CMPS = {"==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le,
        ">": operator.gt, ">=": operator.ge}
small_ints = st.integers(min_value=-10**12, max_value=10**12)


def eval_precedence(a: int, b: int, c: int, op1: str, op2: str) -> int:
    """Reference for ``a op1 b op2 c``: ``*`` binds tighter, otherwise left to right."""
    if op2 == "*" and op1 != "*":
        return OPS[op1](a, b * c)
    return OPS[op2](OPS[op1](a, b), c)


@settings(max_examples=300, deadline=None)
@given(small_ints, small_ints, small_ints, st.sampled_from(sorted(OPS)),
       st.sampled_from(sorted(OPS)), st.sampled_from(sorted(CMPS)))
def test_arithmetic_agrees_with_python(a: int, b: int, c: int, op1: str, op2: str,
                                       cmp: str) -> None:
    env = {"a": a, "b": b, "c": c}
    expected = OPS[op2](OPS[op1](a, b), c)
    assert ev(f"(a {op1} b) {op2} c", env) == expected
    assert ev(f"a {op1} b {op2} c", env) == eval_precedence(a, b, c, op1, op2)
    assert ev(f"a {op1} (b {op2} c)", env) == OPS[op1](a, OPS[op2](b, c))
    assert ev(f"a {cmp} b", env) is CMPS[cmp](a, b)
    assert ev(f"{a} {op1} {b}") == OPS[op1](a, b)


truth = st.sampled_from(["T", "F", "M"])


def _kleene(node: object) -> object:
    """Reference three-valued logic over nested ('and'|'or'|'not', ...) tuples; 'M' = unknown."""
    if isinstance(node, str):
        return node
    kind, *args = node
    values = [_kleene(arg) for arg in args]
    if kind == "not":
        return {"T": "F", "F": "T", "M": "M"}[values[0]]
    decisive, neutral = ("F", "T") if kind == "and" else ("T", "F")
    if decisive in values:
        return decisive
    return "M" if "M" in values else neutral


formulas = st.recursive(
    truth,
    lambda sub: st.one_of(st.tuples(st.just("not"), sub),
                          st.tuples(st.sampled_from(["and", "or"]), sub, sub),
                          st.tuples(st.sampled_from(["and", "or"]), sub, sub, sub)),
    max_leaves=12,
)


def _render(node: object) -> str:
    if isinstance(node, str):
        return {"T": "t", "F": "f", "M": "m"}[node]
    kind, *args = node
    if kind == "not":
        return f"(not {_render(args[0])})"
    return "(" + f" {kind} ".join(_render(arg) for arg in args) + ")"


@settings(max_examples=300, deadline=None)
@given(formulas)
def test_random_kleene_formulas(formula: object) -> None:
    result = ev(_render(formula), {"t": True, "f": False})
    expected = _kleene(formula)
    if expected == "M":
        assert result == Missing({"m"})
    else:
        assert result is (expected == "T")


def test_formatting_functions_write_french_figures() -> None:
    from intake_assistant.core.expressions import Missing

    assert compile_expression("money(1234.5)").evaluate({}) == "1 234,50 €"
    assert compile_expression("money(850)").evaluate({}) == "850 €"
    assert compile_expression("percent(0.33)").evaluate({}) == "33 %"
    assert compile_expression("number(16.1)").evaluate({}) == "16,10"
    assert compile_expression('date_fr("2026-03-15")').evaluate({}) == "15/03/2026"
    assert isinstance(compile_expression("money(x)").evaluate({}), Missing)
