"""The safe expression language of questionnaires (show_if, warn_if, computed values, text
interpolation) and of the aids catalogue (gates).

Sources are parsed with ``ast.parse(mode="eval")`` and checked against a strict whitelist at
compile time, then compiled once into closures (one per node of the checked tree); evaluating runs
them. Nothing is ever eval'ed or exec'ed, and no tree is walked per evaluation.

Language summary (see docs/ARCHITECTURE.md for the contract):
- literals: int, float, str, True/False/None, lists and tuples (both evaluate to lists);
- names: answer/computed ids; ``a.b.c`` is ONE qualified key looked up in env (never getattr);
  if the key is absent and ``a`` is a nested dict, its keys are followed instead. Names starting
  with "_" are rejected;
- operators: ``+ - * / // %``, unary ``+ - not``, comparisons (chained), ``in``/``not in``,
  ``and``/``or``, ``a if c else b``, ``x[0]`` / ``x["key"]`` (literal index only, no slices).
  ``**`` is rejected entirely: no formula needs it (``annuity`` covers loans) and it is the easiest
  way to build huge numbers;
- functions: see ``FUNCTIONS``; keyword arguments are never accepted. ``round`` rounds half up
  (as typed: ``round(2.675, 2) == 2.68``) and returns an int when ``n <= 0``; ``today()`` is the
  ISO string of the evaluation day; ``age``/``days_between`` take ISO strings or dates;
  ``x["key"]`` on a dict without that key is ``Missing({"key"})``.

Missing answers follow Kleene logic: an absent name is ``Missing({name})``; arithmetic, comparisons
and functions propagate Missing (union of names); ``and``/``or`` stop at the first decisive operand
(falsy for ``and``, truthy for ``or``) like Python but never at a Missing, so ``Missing and False``
is False; ``coalesce`` returns its first non-Missing argument; ``answered(x)`` is never Missing;
a list literal holding a Missing is Missing; ``c`` Missing in ``a if c else b`` gives Missing.

In ``count(list, predicate)`` and ``sum_over(list, expr)`` the second argument is evaluated once per
item; the item's dict fields take precedence over env names and ``item`` names the item itself
(useful for lists of strings). Statically we cannot know which names are item fields, so
``Expression.names`` holds every name and ``Expression.item_names`` the names used inside such item
scopes (a linter should treat those as possibly item fields).
"""

from __future__ import annotations

import ast
import functools
import operator
import re
import threading
import warnings
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation, localcontext
from typing import Any, NoReturn

MAX_SOURCE_LENGTH = 2000
MAX_DEPTH = 50
MAX_LIST_ITEMS = 10_000
MAX_STRING_LENGTH = 10_000

# name -> (min args, max args or None for unbounded)
_ARITY: dict[str, tuple[int, int | None]] = {
    "min": (1, None), "max": (1, None), "abs": (1, 1), "round": (1, 2), "len": (1, 1),
    "sum": (1, 1), "count": (1, 2), "sum_over": (2, 2), "age": (1, 2), "annuity": (3, 3),
    "coalesce": (1, None), "answered": (1, 1), "normalize": (1, 1), "days_between": (2, 2),
    "today": (0, 0),
    # French formatting for reason and question texts (they return text).
    "money": (1, 2), "percent": (1, 2), "number": (1, 2), "date_fr": (1, 1),
}
FUNCTIONS = frozenset(_ARITY)
_ITEM_SCOPED = frozenset({"count", "sum_over"})
_FORMATTERS = frozenset({"money", "percent", "number", "date_fr"})

_BINOPS: dict[type, tuple[str, Callable[[object, object], object]]] = {
    ast.Add: ("+", operator.add), ast.Sub: ("-", operator.sub), ast.Mult: ("*", operator.mul),
    ast.Div: ("/", operator.truediv), ast.FloorDiv: ("//", operator.floordiv),
    ast.Mod: ("%", operator.mod),
}
_CMPOPS: dict[type, str] = {
    ast.Eq: "==", ast.NotEq: "!=", ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=",
    ast.In: "in", ast.NotIn: "not in",
}
_ORDERING = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}
_FORBIDDEN_OPS = {
    ast.Pow: "**", ast.MatMult: "@", ast.BitAnd: "&", ast.BitOr: "|", ast.BitXor: "^",
    ast.LShift: "<<", ast.RShift: ">>", ast.Invert: "~", ast.Is: "is", ast.IsNot: "is not",
}
_FORBIDDEN_NODES = {
    ast.Lambda: "Les fonctions anonymes (lambda) sont interdites",
    ast.ListComp: "Les compréhensions sont interdites",
    ast.SetComp: "Les compréhensions sont interdites",
    ast.DictComp: "Les compréhensions sont interdites",
    ast.GeneratorExp: "Les compréhensions sont interdites",
    ast.JoinedStr: "Les f-strings sont interdites",
    ast.NamedExpr: "L'affectation (:=) est interdite",
    ast.Starred: "Le dépaquetage avec « * » est interdit",
    ast.Dict: "Les dictionnaires ne sont pas acceptés",
    ast.Set: "Les ensembles ne sont pas acceptés",
}


class ExpressionError(Exception):
    """A French message, the 0-based column in ``source`` (or None) and the source."""

    def __init__(self, message: str, offset: int | None = None, source: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset
        self.source = source

    def __str__(self) -> str:
        if self.offset is None:
            return self.message
        return f"{self.message} (colonne {self.offset + 1})"


class EvaluationError(ExpressionError):
    """Run-time failure: type error, division by zero, bad date…; ``kind`` as in ``_Fail``."""

    kind: str = "type"


class Missing:
    """An unknown value; ``names`` are the ids that were needed. Has no truth value on purpose."""

    __slots__ = ("names",)
    names: frozenset[str]

    def __init__(self, names: Iterable[str] | str = ()) -> None:
        object.__setattr__(self, "names", frozenset((names,) if isinstance(names, str) else names))

    def __setattr__(self, name: str, value: object) -> NoReturn:
        raise AttributeError("Missing is immutable")

    def __delattr__(self, name: str) -> NoReturn:
        raise AttributeError("Missing is immutable")

    def __bool__(self) -> NoReturn:
        raise TypeError("Missing has no truth value: test it with is_missing()")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Missing) and other.names == self.names

    def __hash__(self) -> int:
        return hash(("Missing", self.names))

    def __repr__(self) -> str:
        return f"Missing({sorted(self.names)!r})"


def is_missing(value: object) -> bool:
    return isinstance(value, Missing)


class LazyEnv(dict[str, object]):
    """An env whose absent names may be supplied on first use: when a name is found in no
    scope, ``supply(name)`` is asked; it stores the value in this env and returns True, or
    returns False (the name is then absent: ``Missing``). Lets a caller compute only the values
    an evaluation reads (orientation/compute.py); a plain dict is the usual env."""

    __slots__ = ("supply",)

    def __init__(self, values: Mapping[str, object], supply: Callable[[str], bool]) -> None:
        super().__init__(values)
        self.supply = supply


def _missing(values: Iterable[object]) -> Missing | None:
    names = [v.names for v in values if isinstance(v, Missing)]
    if not names:
        return None
    return Missing(names[0] if len(names) == 1 else frozenset().union(*names))


class _Fail(Exception):
    """Internal run-time failure; turned into EvaluationError at the node that raised it.

    ``kind`` is "type" when the operands can never work together (text times a number, the age
    of a name): the linter finds those before any interview; "value" when only some values fail
    (division by zero, an index past the end)."""

    def __init__(self, message: str, kind: str = "type") -> None:
        super().__init__(message)
        self.kind = kind


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float))  # noqa: UP038 - the tuple form is faster here


def _describe(value: object) -> str:
    if value is None:
        return "rien (None)"
    if isinstance(value, bool):
        return f"le booléen {value}"
    if _is_number(value):
        return f"le nombre {value}"
    if isinstance(value, str):
        shown = value if len(value) <= 30 else value[:30] + "…"
        return f"le texte « {shown} »"
    if isinstance(value, list | tuple):
        return "une liste"
    if isinstance(value, dict):
        return "un dictionnaire"
    if isinstance(value, date):
        return f"la date {value.isoformat()}"
    return "une valeur"


def _to_date(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            try:
                return datetime.fromisoformat(value).date()
            except ValueError:
                pass
    raise _Fail(f"Date invalide : {_describe(value)} (attendu AAAA-MM-JJ)")


def _numbers(name: str, values: Iterable[object]) -> list[float | int]:
    values = list(values)
    if not all(_is_number(v) for v in values):
        bad = next(v for v in values if not _is_number(v))
        raise _Fail(f"« {name} » attend des nombres, pas {_describe(bad)}")
    return values  # type: ignore[return-value]


@functools.lru_cache(maxsize=4096)
def normalize_text(text: str) -> str:
    """Casefold, strip accents and collapse whitespace: the same rule as typed answers use.
    Kept for the texts seen again (the CCAS's commune, read for every dossier's orientation)."""
    from intake_assistant.core.french import normalize_text as french_normalize

    return french_normalize(text)


def _qualified(node: ast.AST) -> str | None:
    """``a.b.c`` as one key, or None if the node is not a plain chain of names."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        head = _qualified(node.value)
        return None if head is None else f"{head}.{node.attr}"
    return None


def _literal_key(node: ast.AST) -> int | str | None:
    if isinstance(node, ast.Constant) and type(node.value) in (int, str):
        return node.value  # type: ignore[return-value]
    if (isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub)
            and isinstance(node.operand, ast.Constant) and type(node.operand.value) is int):
        return -node.operand.value
    return None


def _node_offset(source: str, base: int, node: ast.AST) -> int | None:
    """Character offset of a node; ast columns are UTF-8 byte offsets within a line."""
    lineno, col = getattr(node, "lineno", None), getattr(node, "col_offset", None)
    if lineno is None or col is None:
        return None
    lines = source[base:].split("\n")
    start = sum(len(line) + 1 for line in lines[: lineno - 1])
    line = lines[lineno - 1] if lineno - 1 < len(lines) else ""
    return base + start + len(line.encode()[:col].decode(errors="ignore"))


_LONE_EQUAL = re.compile(r"(?<![=!<>])=(?!=)")


def _syntax_message(exc: SyntaxError) -> str:
    msg = exc.msg or ""
    if "was never closed" in msg:
        detail = "crochet non fermé" if "'['" in msg else "parenthèse non fermée"
    elif "does not match" in msg:
        detail = "parenthèses ou crochets mal appariés"
    elif "unmatched" in msg:
        detail = "parenthèse ou crochet fermant sans ouverture"
    elif "unterminated" in msg:
        detail = "guillemet non fermé"
    elif "'=='" in msg or "cannot assign" in msg:
        detail = "« = » n'est pas une comparaison, utilisez « == »"
    elif "forgot a comma" in msg:
        detail = "virgule ou opérateur manquant"
    elif "too many nested" in msg:
        detail = "trop de parenthèses imbriquées"
    elif _LONE_EQUAL.search(exc.text or ""):
        detail = "« = » n'est pas une comparaison, utilisez « == »"
    else:
        return "Syntaxe invalide"
    return f"Syntaxe invalide : {detail}"


class _Checker:
    """Compile-time whitelist walk; collects names, item-scope names and functions."""

    def __init__(self, source: str, base: int) -> None:
        self.source, self.base = source, base
        self.names: set[str] = set()
        self.item_names: set[str] = set()
        self.functions: set[str] = set()

    def fail(self, node: ast.AST, message: str) -> NoReturn:
        raise ExpressionError(message, _node_offset(self.source, self.base, node), self.source)

    def add_name(self, node: ast.AST, name: str, in_item: bool) -> None:
        for part in name.split("."):
            if part.startswith("_"):
                self.fail(node, f"Les noms commençant par « _ » sont interdits (« {name} »)")
        self.names.add(name)
        if in_item:
            self.item_names.add(name)

    def visit(self, node: ast.AST, depth: int, in_item: bool) -> None:
        if depth > MAX_DEPTH:
            self.fail(node, f"Expression trop imbriquée (plus de {MAX_DEPTH} niveaux)")
        op = getattr(node, "op", None)
        if op is not None and type(op) in _FORBIDDEN_OPS:
            self.fail(node, f"Opérateur non autorisé : « {_FORBIDDEN_OPS[type(op)]} »")
        sub = depth + 1
        match node:
            case ast.Constant(value=value):
                if value is not None and type(value) not in (bool, int, float, str):
                    self.fail(node, "Valeur littérale non autorisée")
            case ast.Name(id=name):
                self.add_name(node, name, in_item)
            case ast.Attribute():
                qualified = _qualified(node)
                if qualified is None:
                    self.fail(node, "L'accès aux attributs est interdit")
                self.add_name(node, qualified, in_item)
            case ast.List(elts=elts) | ast.Tuple(elts=elts):
                for elt in elts:
                    self.visit(elt, sub, in_item)
            case ast.BinOp(left=left, op=op, right=right):
                text = (isinstance(n, ast.Constant) and isinstance(n.value, str)
                        for n in (left, right))
                if not isinstance(op, ast.Add) and any(text):
                    self.fail(node, f"Opération « {_BINOPS[type(op)][0]} » impossible sur un texte")
                self.visit(left, sub, in_item)
                self.visit(right, sub, in_item)
            case ast.UnaryOp(operand=operand):
                self.visit(operand, sub, in_item)
            case ast.BoolOp(values=values):
                for value in values:
                    self.visit(value, sub, in_item)
            case ast.Compare(left=left, ops=ops, comparators=comparators):
                for cmp in ops:
                    if type(cmp) not in _CMPOPS:
                        shown = _FORBIDDEN_OPS.get(type(cmp), type(cmp).__name__)
                        self.fail(node, f"Opérateur non autorisé : « {shown} » (utilisez ==)")
                for operand in (left, *comparators):
                    self.visit(operand, sub, in_item)
            case ast.IfExp(test=test, body=body, orelse=orelse):
                for part in (test, body, orelse):
                    self.visit(part, sub, in_item)
            case ast.Subscript(value=value, slice=index):
                if isinstance(index, ast.Slice):
                    self.fail(node, "Les tranches (x[a:b]) sont interdites")
                if _literal_key(index) is None:
                    self.fail(node, "L'indice doit être un entier ou un texte écrit en clair")
                self.visit(value, sub, in_item)
            case ast.Call(func=func, args=args, keywords=keywords):
                self.check_call(node, func, args, keywords, sub, in_item)
            case _:
                message = _FORBIDDEN_NODES.get(type(node))
                self.fail(node, message or f"Construction non autorisée ({type(node).__name__})")

    def check_call(self, node: ast.Call, func: ast.AST, args: list[ast.expr],
                   keywords: list[ast.keyword], depth: int, in_item: bool) -> None:
        if not isinstance(func, ast.Name):
            name = _qualified(func)
            self.fail(node, f"Fonction inconnue « {name} »" if name
                      else "Seules les fonctions prédéfinies peuvent être appelées")
        if func.id not in _ARITY:
            self.fail(node, f"Fonction inconnue « {func.id} »")
        if keywords:
            self.fail(node, f"Les arguments nommés ne sont pas acceptés dans « {func.id} »")
        low, high = _ARITY[func.id]
        if len(args) < low or (high is not None and len(args) > high):
            if high == 0:
                expected = "n'attend aucun argument"
            elif high is None:
                expected = f"attend au moins {low} argument{'s' if low > 1 else ''}"
            elif low == high:
                expected = f"attend {low} argument{'s' if low > 1 else ''}"
            else:
                expected = f"attend {low} ou {high} arguments"
            self.fail(node, f"« {func.id} » {expected} ({len(args)} donné(s))")
        self.functions.add(func.id)
        for position, arg in enumerate(args):
            scoped = func.id in _ITEM_SCOPED and position == 1
            self.visit(arg, depth, in_item or scoped)


class Expression:
    """A checked expression, compiled once to closures; immutable and shared through the compile
    cache. ``evaluate`` runs the closures: no tree is walked per evaluation."""

    __slots__ = ("source", "names", "item_names", "functions", "_tree", "_base", "_run")

    def __init__(self, source: str, tree: ast.Expression, base: int, checker: _Checker) -> None:
        self.source = source
        self.names = frozenset(checker.names)
        self.item_names = frozenset(checker.item_names)
        self.functions = frozenset(checker.functions)
        self._tree = tree
        self._base = base
        self._run = _Compiler(source, base).compile(tree.body)

    def evaluate(self, env: Mapping[str, object], today: date | None = None) -> object:
        return self._run(_Ctx(env, today))

    def __repr__(self) -> str:
        return f"Expression({self.source!r})"


def evaluator(env: Mapping[str, object], today: date | None = None
              ) -> Callable[[Expression], object]:
    """``run(expression)``: what ``expression.evaluate(env, today)`` gives, every expression
    run in one context (the dozens a dossier's orientation evaluates cost no context each).
    Re-entrant, as a LazyEnv's computed value is evaluated while another reads it: that inner
    evaluation starts without the item scopes of the outer one."""
    ctx = _Ctx(env, today)

    def run(expression: Expression) -> object:
        outer = ctx.items
        if not outer:  # an evaluation leaves the scopes as it found them, even on an error
            return expression._run(ctx)
        ctx.items = []
        try:
            return expression._run(ctx)
        finally:
            ctx.items = outer

    return run


# CPython keeps the AST constructor's recursion depth per interpreter, not per thread: two
# threads parsing at once (the home list's intake check beside the questionnaires loaded ahead
# of need) can fail with « SystemError: AST constructor recursion depth mismatch »
# (python/cpython#106905). Parsing is rare (results are cached) and fast: one at a time.
_PARSE_LOCK = threading.Lock()


def parse_eval(source: str) -> ast.Expression:
    """``ast.parse(source, mode="eval")``, one thread at a time, warnings (e.g. invalid escape
    sequences) silenced. SyntaxError, ValueError, RecursionError and MemoryError pass through."""
    with _PARSE_LOCK, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ast.parse(source, mode="eval")


def compile_expression(source: str) -> Expression:
    if not isinstance(source, str):
        raise ExpressionError("L'expression doit être un texte", None, None)
    return _compile_cached(source)


@functools.lru_cache(maxsize=4096)
def _compile_cached(source: str) -> Expression:
    if len(source) > MAX_SOURCE_LENGTH:
        raise ExpressionError(f"Expression trop longue (plus de {MAX_SOURCE_LENGTH} caractères)",
                              MAX_SOURCE_LENGTH, source)
    # eval mode refuses leading indentation: parse without it and shift offsets back.
    stripped = source.lstrip()
    if not stripped.strip():
        raise ExpressionError("Expression vide", 0, source)
    base = len(source) - len(stripped)
    try:
        tree = parse_eval(stripped)
    except SyntaxError as exc:
        offset = None
        if exc.lineno is not None and exc.offset is not None:
            lines = stripped.split("\n")
            offset = base + sum(len(line) + 1 for line in lines[: exc.lineno - 1])
            offset = min(max(offset + exc.offset - 1, 0), len(source))
        raise ExpressionError(_syntax_message(exc), offset, source) from None
    except (ValueError, RecursionError, MemoryError):
        raise ExpressionError("Syntaxe invalide", None, source) from None
    checker = _Checker(source, base)
    checker.visit(tree.body, 1, False)
    return Expression(source, tree, base, checker)


# ----------------------------------------------------------------------------- evaluation
# Each checked node becomes a closure ``run(ctx) -> value``; the operations below are shared by
# all of them. A failure raises ``_Fail`` in the operation and is turned into ``EvaluationError``
# by the closure of the innermost node that failed, with that node's offset.

Run = Callable[["_Ctx"], object]


class _Ctx:
    """One evaluation: the env, the scopes of the items above it inside count/sum_over
    (innermost last), and the day."""

    __slots__ = ("env", "items", "_today")

    def __init__(self, env: Mapping[str, object], today: date | None) -> None:
        self.env = env
        self.items: list[Mapping[str, object]] = []
        self._today = today

    @property
    def today(self) -> date:
        if self._today is None:
            self._today = date.today()
        return self._today


class _Compiler:
    def __init__(self, source: str, base: int) -> None:
        self.source, self.base = source, base

    def failure(self, node: ast.AST) -> Callable[[_Fail], EvaluationError]:
        """What a closure raises when its own operation fails: the French message, the offset."""
        source, offset = self.source, _node_offset(self.source, self.base, node)

        def error(exc: _Fail) -> EvaluationError:
            out = EvaluationError(f"{exc} dans « {source} »", offset, source)
            out.kind = exc.kind
            return out

        return error

    def compile(self, node: ast.AST) -> Run:
        match node:
            case ast.Constant(value=value):
                return lambda ctx: value
            case ast.Name() | ast.Attribute():
                return _lookup(_qualified(node) or "")
            case ast.List(elts=elts) | ast.Tuple(elts=elts):
                return self.sequence(tuple(self.compile(e) for e in elts))
            case ast.BinOp(left=ast.BinOp(op=ast.Add() | ast.Sub()), op=ast.Add() | ast.Sub()):
                return self.chain(node)
            case ast.BinOp(left=left, op=op, right=right):
                return self.binop(node, op, (_plain_name(left), self.compile(left)),
                                  (_plain_name(right), self.compile(right)))
            case ast.UnaryOp(op=op, operand=operand):
                return self.unary(node, op, self.compile(operand))
            case ast.BoolOp(op=op, values=operands):
                return _boolean(isinstance(op, ast.And), tuple(self.compile(v) for v in operands))
            case ast.Compare(left=left, ops=ops, comparators=comparators):
                return self.compare(node, tuple(_CMPOPS[type(c)] for c in ops),
                                    tuple(self.compile(n) for n in (left, *comparators)))
            case ast.IfExp(test=test, body=body, orelse=orelse):
                return _if(self.compile(test), self.compile(body), self.compile(orelse),
                           (_constant(body), _constant(orelse)))
            case ast.Subscript(value=value, slice=index):
                return self.subscript(node, self.compile(value), _literal_key(index))
            case ast.Call(func=ast.Name(id=name), args=args):
                return self.call(node, name, tuple(self.compile(a) for a in args))
        error = self.failure(node)

        def refused(ctx: _Ctx) -> object:  # unreachable: the checker rejected it
            raise error(_Fail("Construction non autorisée"))

        return refused

    @staticmethod
    def sequence(items: tuple[Run, ...]) -> Run:
        def run(ctx: _Ctx) -> object:
            values = [item(ctx) for item in items]
            missing = _missing(values)
            return values if missing is None else missing

        return run

    def binop(self, node: ast.AST, op: ast.operator, left_operand: tuple[Any, Run],
              right_operand: tuple[Any, Run]) -> Run:
        symbol, func = _BINOPS[type(op)]
        is_add, error = isinstance(op, ast.Add), self.failure(node)
        plain = _PLAIN_NUMBERS
        (ka, left), (kb, right) = left_operand, right_operand
        assert isinstance(node, ast.BinOp)
        ca, cb = _constant(node.left), _constant(node.right)
        if type(ca) in plain or type(cb) in plain:  # ``0.5 * x``, ``x / 30``: no call for it
            literal_left = type(ca) in plain
            literal, key, operand = (ca, kb, right) if literal_left else (cb, ka, left)

            def with_literal(ctx: _Ctx) -> object:
                env = ctx.env
                x = env[key] if not ctx.items and key in env else operand(ctx)
                a, b = (literal, x) if literal_left else (x, literal)
                if type(x) in plain:
                    try:
                        result = func(a, b)
                    except (ZeroDivisionError, OverflowError):
                        pass  # _arith says which
                    else:
                        if type(result) is not int or result.bit_length() <= 4096:
                            return result
                elif type(x) is Missing:
                    return x
                try:
                    return _arith(symbol, func, is_add, a, b)
                except _Fail as exc:
                    raise error(exc) from None

            return with_literal

        def run(ctx: _Ctx) -> object:
            env, flat = ctx.env, not ctx.items
            a = env[ka] if flat and ka in env else left(ctx)
            b = env[kb] if flat and kb in env else right(ctx)
            if type(a) in plain and type(b) in plain:  # the usual case, as _arith's first
                try:
                    result = func(a, b)
                except (ZeroDivisionError, OverflowError):
                    pass  # _arith says which
                else:
                    if type(result) is not int or result.bit_length() <= 4096:
                        return result
            elif isinstance(a, Missing) or isinstance(b, Missing):
                return _missing((a, b))
            try:
                return _arith(symbol, func, is_add, a, b)
            except _Fail as exc:
                raise error(exc) from None

        return run

    def chain(self, node: ast.expr) -> Run:
        """``a + b - c + …`` (budget totals): one closure folding left to right, each step
        exactly the binop of its node (same order, Missing union, failure and offset); a plain
        name is read from the env without a call of its own."""
        steps = []
        while isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Sub):
            symbol, func = _BINOPS[type(node.op)]
            steps.append((symbol, func, isinstance(node.op, ast.Add), self.failure(node),
                          _plain_name(node.right), self.compile(node.right)))
            node = node.left
        steps.reverse()
        first_key, first = _plain_name(node), self.compile(node)
        plain, folded = _PLAIN_NUMBERS, tuple(steps)
        keys = (first_key, *(step[4] for step in folded))
        adds = tuple(step[2] for step in folded)
        # Every term a name: reading one (a lookup, never an error) does not depend on the
        # sum so far, so all are read first, in order, then added.
        names_only = _NO_KEY not in keys and len(keys) <= 64
        reads = ((first_key, first), *((step[4], step[5]) for step in folded))

        def step(symbol: str, func: Callable[[object, object], object], is_add: bool,
                 error: Callable[[_Fail], EvaluationError], acc: object, b: object) -> object:
            """One step: exactly the binop of its node."""
            if type(acc) in plain and type(b) in plain:
                try:
                    result = func(acc, b)
                except (ZeroDivisionError, OverflowError):
                    pass  # _arith says which
                else:
                    if type(result) is not int or result.bit_length() <= 4096:
                        return result
            elif isinstance(acc, Missing) or isinstance(b, Missing):
                return _missing((acc, b))
            try:
                return _arith(symbol, func, is_add, acc, b)
            except _Fail as exc:
                raise error(exc) from None

        def fold(acc: object, terms: Iterable[object]) -> object:
            """Each step exactly the binop of its node, on the terms read."""
            for (symbol, func, is_add, error, _, _), b in zip(folded, terms, strict=True):
                acc = step(symbol, func, is_add, error, acc, b)
            return acc

        def run(ctx: _Ctx) -> object:
            env, flat = ctx.env, not ctx.items
            if names_only and flat:
                terms: list[Any] = [env[key] if key in env else read(ctx) for key, read in reads]
                total = terms[0]
                if type(total) in plain and -_SMALL < total < _SMALL:  # a plain sum: no step fails
                    for is_add, b in zip(adds, terms[1:], strict=True):
                        if type(b) not in plain or not -_SMALL < b < _SMALL:
                            break
                        total = total + b if is_add else total - b
                    else:
                        return total
                return fold(terms[0], terms[1:])
            # A term read only once the sum before it is done (its reading may fail, or read
            # an item): each step a plain addition of small plain numbers, else the binop's.
            acc = env[first_key] if flat and first_key in env else first(ctx)
            for symbol, func, is_add, error, key, operand in folded:
                b = env[key] if flat and key in env else operand(ctx)
                if (type(acc) in plain and type(b) in plain and -_SMALL < acc < _SMALL  # type: ignore[operator]
                        and -_SMALL < b < _SMALL):  # type: ignore[operator]
                    acc = acc + b if is_add else acc - b  # type: ignore[operator]
                else:
                    acc = step(symbol, func, is_add, error, acc, b)
            return acc

        return run

    def unary(self, node: ast.AST, op: ast.unaryop, operand: Run) -> Run:
        error = self.failure(node)
        if isinstance(op, ast.Not):
            assert isinstance(node, ast.UnaryOp)
            key = _plain_name(node.operand)

            def negation(ctx: _Ctx) -> object:
                env = ctx.env
                value = env[key] if not ctx.items and key in env else operand(ctx)
                return value if isinstance(value, Missing) else not value

            return negation
        minus = isinstance(op, ast.USub)

        def sign(ctx: _Ctx) -> object:
            value = operand(ctx)
            if isinstance(value, Missing):
                return value
            if not _is_number(value):
                raise error(_Fail(f"Signe « {'-' if minus else '+'} » impossible devant "
                                  f"{_describe(value)}"))
            return -value if minus else +value  # type: ignore[operator]

        return sign

    def compare(self, node: ast.AST, symbols: tuple[str, ...], operands: tuple[Run, ...]) -> Run:
        error = self.failure(node)
        if len(symbols) == 1:  # the usual ``a < b``: no list, no zip
            symbol, (left, right) = symbols[0], operands
            assert isinstance(node, ast.Compare)
            ka, kb = _plain_name(node.left), _plain_name(node.comparators[0])
            kc = _constant(node.comparators[0])
            if symbol in ("==", "!=") and kc is not _VARIABLE and ka is not _NO_KEY:
                equal = symbol == "=="  # ``type_projet == 'permis_b'``: the literal as it is

                def equal_literal(ctx: _Ctx) -> object:
                    env = ctx.env
                    a = env[ka] if not ctx.items and ka in env else left(ctx)
                    if type(a) is Missing:
                        return a
                    return (a == kc) if equal else (a != kc)

                return equal_literal
            if symbol in ("==", "!="):
                equal = symbol == "=="

                def equality(ctx: _Ctx) -> object:
                    env, flat = ctx.env, not ctx.items
                    a = env[ka] if flat and ka in env else left(ctx)
                    b = env[kb] if flat and kb in env else right(ctx)
                    if isinstance(a, Missing) or isinstance(b, Missing):
                        return _missing((a, b))
                    return (a == b) if equal else (a != b)

                return equality
            if symbol in _ORDERING and type(kc) in _PLAIN_NUMBERS:
                order, plain = _ORDERING[symbol], _PLAIN_NUMBERS  # ``x > 0``, ``age < 25``

                def ordering_literal(ctx: _Ctx) -> object:
                    env = ctx.env
                    a = env[ka] if not ctx.items and ka in env else left(ctx)
                    if type(a) in plain:
                        return bool(order(a, kc))  # type: ignore[arg-type]
                    if type(a) is Missing:
                        return a
                    try:
                        return _compare(symbol, a, kc)
                    except _Fail as exc:
                        raise error(exc) from None

                return ordering_literal
            if symbol in _ORDERING:
                order, plain = _ORDERING[symbol], _PLAIN_NUMBERS

                def ordering(ctx: _Ctx) -> object:
                    env, flat = ctx.env, not ctx.items
                    a = env[ka] if flat and ka in env else left(ctx)
                    b = env[kb] if flat and kb in env else right(ctx)
                    if type(a) in plain and type(b) in plain:  # as _compare does for numbers
                        return bool(order(a, b))  # type: ignore[arg-type]
                    if isinstance(a, Missing) or isinstance(b, Missing):
                        return _missing((a, b))
                    try:
                        return _compare(symbol, a, b)
                    except _Fail as exc:
                        raise error(exc) from None

                return ordering

            def single(ctx: _Ctx) -> object:
                a, b = left(ctx), right(ctx)
                if isinstance(a, Missing) or isinstance(b, Missing):
                    return _missing((a, b))
                try:
                    return _compare(symbol, a, b)
                except _Fail as exc:
                    raise error(exc) from None

            return single

        def run(ctx: _Ctx) -> object:
            values = [operand(ctx) for operand in operands]
            if (missing := _missing(values)) is not None:
                return missing
            try:
                for symbol, a, b in zip(symbols, values, values[1:], strict=False):
                    if not _compare(symbol, a, b):
                        return False
            except _Fail as exc:
                raise error(exc) from None
            return True

        return run

    def subscript(self, node: ast.AST, inner: Run, key: int | str | None) -> Run:
        error = self.failure(node)
        assert isinstance(node, ast.Subscript)
        name = _plain_name(node.value)  # ``rsa.forfait_logement[0]``: the list read inline
        at = key if type(key) is int else None

        def run(ctx: _Ctx) -> object:
            env = ctx.env
            value = env[name] if not ctx.items and name in env else inner(ctx)
            if at is not None and isinstance(value, list) and -len(value) <= at < len(value):
                return value[at]  # what _subscript returns for it
            try:
                return _subscript(value, key)
            except _Fail as exc:
                raise error(exc) from None

        return run

    def call(self, node: ast.AST, name: str, args: tuple[Run, ...]) -> Run:
        error = self.failure(node)
        if name == "coalesce":
            def coalesce(ctx: _Ctx) -> object:
                missing = []
                for arg in args:  # lazy: the first known value wins
                    value = arg(ctx)
                    if not isinstance(value, Missing):
                        return value
                    missing.append(value)
                return _missing(missing)

            return coalesce
        if name == "answered":
            only = args[0]
            return lambda ctx: not isinstance(only(ctx), Missing)
        if name in _ITEM_SCOPED:
            return _over_items(name, args, error)
        function = _FUNCTIONS[name]
        assert isinstance(node, ast.Call)
        keys = tuple(_plain_name(arg) for arg in node.args)
        if len(args) == 1:
            only, key = args[0], keys[0]

            def one(ctx: _Ctx) -> object:
                env = ctx.env
                value = env[key] if not ctx.items and key in env else only(ctx)
                if isinstance(value, Missing):
                    return value
                try:
                    return function(ctx, value)
                except _Fail as exc:
                    raise error(exc) from None
                except _RAISED as exc:
                    raise error(_function_failure(name, exc, value)) from None

            return one
        if len(args) == 2:
            (first, second), (ka, kb) = args, keys

            def two(ctx: _Ctx) -> object:
                env, flat = ctx.env, not ctx.items
                a = env[ka] if flat and ka in env else first(ctx)
                b = env[kb] if flat and kb in env else second(ctx)
                if isinstance(a, Missing) or isinstance(b, Missing):
                    return _missing((a, b))
                try:
                    return function(ctx, a, b)
                except _Fail as exc:
                    raise error(exc) from None
                except _RAISED as exc:
                    raise error(_function_failure(name, exc, a)) from None

            return two

        def run(ctx: _Ctx) -> object:
            values = [arg(ctx) for arg in args]
            if (missing := _missing(values)) is not None:
                return missing
            try:
                return _apply_function(name, function, ctx, values)
            except _Fail as exc:
                raise error(exc) from None

        return run


class _NoKey:
    """A key no env holds (compared by identity)."""

    __slots__ = ()


_NO_KEY = _NoKey()


def _plain_name(node: ast.AST) -> Any:  # a str, or _NO_KEY
    """The key of a name, dotted or not (read straight from the env when no item is in scope
    and the env holds it: what its lookup closure returns first), else a key no env holds."""
    if isinstance(node, ast.Name | ast.Attribute):
        key = _qualified(node)
        if key is not None:
            return key
    return _NO_KEY


class _NotConstant:
    """What ``_constant`` gives for a node that is not a literal (compared by identity)."""

    __slots__ = ()


_VARIABLE = _NotConstant()


def _constant(node: ast.AST) -> Any:
    """The value of a literal operand (used as it is, without a closure call), else
    ``_VARIABLE``."""
    return node.value if isinstance(node, ast.Constant) else _VARIABLE


def _lookup(key: str) -> Run:
    """An answer id: ``a.b.c`` is one key; if absent and ``a`` is a dict, its keys are followed."""
    head, _, rest = key.partition(".")
    parts = tuple(rest.split(".")) if rest else ()
    missing = Missing({key})  # immutable: one instance serves every evaluation

    def run(ctx: _Ctx) -> object:
        items = ctx.items
        if items:
            for scope in reversed(items):
                if key in scope:
                    return scope[key]
        env = ctx.env
        if key in env:
            return env[key]
        if parts:
            for scope in (*reversed(items), env):
                if head in scope:
                    value = scope[head]
                    for part in parts:
                        if not isinstance(value, Mapping) or part not in value:
                            return missing
                        value = value[part]
                    return value
        elif type(env) is LazyEnv and env.supply(key):
            return env[key]
        return missing

    return run


def _boolean(is_and: bool, operands: tuple[Run, ...]) -> Run:
    if len(operands) == 2:  # ``a and b``, ``a or b``: the usual case, without a loop
        first, second = operands

        def pair(ctx: _Ctx) -> object:
            a = first(ctx)
            if type(a) is Missing:
                b = second(ctx)
                if type(b) is Missing:
                    return _missing((a, b))
                return b if bool(b) != is_and else a
            if bool(a) != is_and:
                return a
            return second(ctx)  # decisive or not, Missing or not: it is the result

        return pair

    def run(ctx: _Ctx) -> object:
        # Stop at a decisive operand like Python, but never at a Missing (Kleene logic).
        value: object = None
        missing: list[object] = []
        for operand in operands:
            value = operand(ctx)
            if isinstance(value, Missing):
                missing.append(value)
            elif bool(value) != is_and:
                return value
        unknown = _missing(missing)
        return value if unknown is None else unknown

    return run


def _if(test: Run, body: Run, orelse: Run, constants: tuple[Any, Any]) -> Run:
    yes, no = constants
    if yes is not _VARIABLE and no is not _VARIABLE:  # ``1 if couple else 0``: no call
        def chosen(ctx: _Ctx) -> object:
            cond = test(ctx)
            if isinstance(cond, Missing):
                return cond
            return yes if cond else no

        return chosen

    def run(ctx: _Ctx) -> object:
        cond = test(ctx)
        if isinstance(cond, Missing):
            return cond
        return body(ctx) if cond else orelse(ctx)

    return run


def _over_items(name: str, args: tuple[Run, ...],
                error: Callable[[_Fail], EvaluationError]) -> Run:
    """``count(list[, predicate])`` and ``sum_over(list, expr)``: the second argument once per
    item, with the item's fields (and ``item``) in scope."""
    items_of, per_item = args[0], (args[1] if len(args) > 1 else None)

    def run(ctx: _Ctx) -> object:
        items = items_of(ctx)
        if isinstance(items, Missing):
            return items
        if not isinstance(items, list | tuple):
            raise error(_Fail(f"« {name} » attend une liste, pas {_describe(items)}"))
        if per_item is None:
            return len(items)
        total: int | float = 0
        missing = []
        scopes = ctx.items
        depth = len(scopes)
        for item in items:
            scopes.append({"item": item})
            if isinstance(item, Mapping):
                scopes.append(item)  # item fields win over env names
            try:
                value = per_item(ctx)
            finally:
                del scopes[depth:]
            if isinstance(value, Missing):
                missing.append(value)
            elif name == "count":
                total += 1 if value else 0
            else:
                try:
                    total += _numbers(name, [value])[0]
                except _Fail as exc:
                    raise error(exc) from None
        unknown = _missing(missing)
        return total if unknown is None else unknown

    return run


_PLAIN_NUMBERS = (int, float)
# Sums of at most 64 numbers this small never fail as _arith fails them: no int past 4096 bits,
# no int too large for a float (NaN and infinities are not between the bounds).
_SMALL = 2 ** 1000


def _arith(symbol: str, func: Callable[[object, object], object], is_add: bool,
           a: object, b: object) -> object:
    if type(a) in _PLAIN_NUMBERS and type(b) in _PLAIN_NUMBERS:  # the usual case, first
        try:
            result = func(a, b)
        except ZeroDivisionError:
            raise _Fail("Division par zéro", "value") from None
        except OverflowError:
            raise _Fail("Nombre trop grand", "value") from None
        if type(result) is int and result.bit_length() > 4096:  # keeps later str() possible
            raise _Fail("Nombre trop grand", "value")
        return result
    if is_add and isinstance(a, str) and isinstance(b, str):
        if len(a) + len(b) > MAX_STRING_LENGTH:
            raise _Fail(f"Texte trop long (plus de {MAX_STRING_LENGTH} caractères)", "value")
        return a + b
    if is_add and isinstance(a, list | tuple) and isinstance(b, list | tuple):
        if len(a) + len(b) > MAX_LIST_ITEMS:
            raise _Fail(f"Liste trop longue (plus de {MAX_LIST_ITEMS} éléments)", "value")
        return [*a, *b]
    if not (_is_number(a) and _is_number(b)):
        raise _Fail(f"Opération « {symbol} » impossible entre {_describe(a)} et {_describe(b)}")
    try:
        result = func(a, b)
    except ZeroDivisionError:
        raise _Fail("Division par zéro", "value") from None
    except OverflowError:
        raise _Fail("Nombre trop grand", "value") from None
    if isinstance(result, int) and result.bit_length() > 4096:  # keeps later str() possible
        raise _Fail("Nombre trop grand", "value")
    return result


def _compare(symbol: str, a: object, b: object) -> bool:
    if symbol == "==":
        return a == b
    if symbol == "!=":
        return a != b
    try:  # TypeError: unhashable key in a dict, datetime against date…
        if symbol in ("in", "not in"):
            if isinstance(b, str) and isinstance(a, str) or isinstance(b, list | tuple | dict):
                return (a in b) == (symbol == "in")
        elif ((_is_number(a) and _is_number(b)) or type(a) is type(b) is str
              or (isinstance(a, date) and isinstance(b, date))):
            return bool(_ORDERING[symbol](a, b))  # type: ignore[arg-type]
    except TypeError:
        pass
    raise _Fail(f"Comparaison « {symbol} » impossible entre {_describe(a)} et {_describe(b)}")


def _subscript(value: object, key: int | str | None) -> object:
    if isinstance(value, Missing):
        return value
    if isinstance(value, list | tuple) and isinstance(key, int):
        if -len(value) <= key < len(value):
            return value[key]
        raise _Fail(f"Indice {key} hors de la liste ({len(value)} éléments)", "value")
    if isinstance(value, Mapping) and isinstance(key, str):
        return value[key] if key in value else Missing({key})
    raise _Fail(f"Indice « {key} » impossible sur {_describe(value)}")


def _apply_function(name: str, function: Callable[..., object], ctx: _Ctx,
                    values: list[object]) -> object:
    try:
        return function(ctx, *values)
    except _RAISED as exc:
        raise _function_failure(name, exc, values[0] if values else None) from None


_RAISED = (ZeroDivisionError, OverflowError, TypeError, ValueError)


def _function_failure(name: str, exc: Exception, first: object) -> _Fail:
    """The failure of a function that raised ``exc`` (one of ``_RAISED``); a type or value
    error raised elsewhere than in a French formatter is a bug, raised as it is."""
    if isinstance(exc, ZeroDivisionError):
        return _Fail(f"Division par zéro dans « {name} »", "value")
    if isinstance(exc, OverflowError):
        return _Fail(f"Nombre trop grand dans « {name} »", "value")
    if name not in _FORMATTERS:
        raise exc
    return _Fail(f"« {name} » impossible sur {_describe(first)}")


# ----------------------------------------------------------------------------- functions
def _series(name: str, values: tuple[object, ...]) -> list[object]:
    if len(values) == 1:
        if not isinstance(values[0], list | tuple):
            raise _Fail(f"« {name} » attend une liste ou plusieurs valeurs")
        return list(values[0])
    return list(values)


def _extremum(name: str, values: tuple[object, ...]) -> object:
    series = _series(name, values) if len(values) == 1 else values
    numbers = texts = True
    missing = None
    for value in series:  # one pass: Missing first, then the type rule
        if type(value) in _PLAIN_NUMBERS:
            texts = False
        elif isinstance(value, Missing):
            missing = value.names if missing is None else missing | value.names
        elif type(value) is str:
            numbers = False
        else:
            texts = False
            numbers = numbers and _is_number(value)
    if missing is not None:
        return Missing(missing)
    if not series:
        raise _Fail(f"« {name} » d'une liste vide", "value")
    if not (numbers or texts):
        raise _Fail(f"« {name} » attend des nombres (ou uniquement des textes)")
    return min(series) if name == "min" else max(series)  # type: ignore[type-var]


def _fn_min(ctx: _Ctx, *values: object) -> object:
    return _extremum("min", values)


def _fn_max(ctx: _Ctx, *values: object) -> object:
    return _extremum("max", values)


def _fn_abs(ctx: _Ctx, x: object) -> object:
    return abs(_numbers("abs", [x])[0])


def _fn_round(ctx: _Ctx, x: object, digits: object = 0) -> object:
    if type(digits) is not int or not -10 <= digits <= 10:
        raise _Fail("« round » attend un nombre de décimales entier entre -10 et 10")
    value = _numbers("round", [x])[0]
    try:  # Decimal(str(x)) rounds the number as typed: round(2.675, 2) == 2.68
        with localcontext(Context(prec=400)):
            result = Decimal(str(value)).quantize(Decimal(1).scaleb(-digits), ROUND_HALF_UP)
    except InvalidOperation:
        raise _Fail(f"Arrondi impossible de {_describe(value)}", "value") from None
    return float(result) if digits > 0 else int(result)


def _fn_len(ctx: _Ctx, x: object) -> object:
    if not isinstance(x, str | list | tuple | Mapping):
        raise _Fail(f"« len » impossible sur {_describe(x)}")
    return len(x)


def _fn_sum(ctx: _Ctx, values: object) -> object:
    series = _series("sum", (values,))
    missing = _missing(series)
    return sum(_numbers("sum", series)) if missing is None else missing


def _fn_age(ctx: _Ctx, birth: object, at: object = None) -> object:
    born, when = _to_date(birth), ctx.today if at is None else _to_date(at)
    return when.year - born.year - ((when.month, when.day) < (born.month, born.day))


def _fn_annuity(ctx: _Ctx, principal: object, annual_rate: object, months: object) -> object:
    p, rate, n = _numbers("annuity", [principal, annual_rate, months])
    if n <= 0:
        raise _Fail("« annuity » : durée nulle ou négative", "value")
    r = rate / 12
    if r <= -1:  # (1 + r) ** -n would be complex or infinite
        raise _Fail("« annuity » : taux annuel invalide", "value")
    return p / n if r == 0 else p * r / (1 - (1 + r) ** -n)


def _fn_normalize(ctx: _Ctx, text: object) -> object:
    if not isinstance(text, str):
        raise _Fail(f"« normalize » attend un texte, pas {_describe(text)}")
    return normalize_text(text)


def _fn_days_between(ctx: _Ctx, first: object, second: object) -> object:
    return (_to_date(second) - _to_date(first)).days


def _fn_today(ctx: _Ctx) -> object:
    return ctx.today.isoformat()


# Formatting lives in core.french (babel); imported lazily to keep this module standalone.
def _fn_money(ctx: _Ctx, x: object, decimals: object = None) -> object:
    from intake_assistant.core.french import format_money

    value = _numbers("money", [x])[0]
    if decimals is not None and type(decimals) is not int:
        raise _Fail("« money » attend un nombre de décimales entier")
    return format_money(value, decimals)


def _fn_percent(ctx: _Ctx, x: object, decimals: object = 0) -> object:
    from intake_assistant.core.french import format_percent

    if type(decimals) is not int:
        raise _Fail("« percent » attend un nombre de décimales entier")
    return format_percent(_numbers("percent", [x])[0], decimals)


def _fn_number(ctx: _Ctx, x: object, decimals: object = 2) -> object:
    from intake_assistant.core.french import format_number

    if type(decimals) is not int or not 0 <= decimals <= 10:
        raise _Fail("« number » attend un nombre de décimales entier entre 0 et 10")
    return format_number(_numbers("number", [x])[0], decimals)


def _fn_date_fr(ctx: _Ctx, x: object) -> object:
    from intake_assistant.core.french import format_date

    return format_date(_to_date(x))


_FUNCTIONS: dict[str, Callable[..., object]] = {
    name: globals()[f"_fn_{name}"] for name in FUNCTIONS - _ITEM_SCOPED - {"coalesce", "answered"}
}


@functools.lru_cache(maxsize=1024)
def _scan_template(template: str) -> tuple[tuple[str, str | None, int], ...]:
    """Split a template into (text, None, offset) and ("", expr_source, offset) parts."""
    parts: list[tuple[str, str | None, int]] = []
    text: list[str] = []
    i, n = 0, len(template)
    while i < n:
        char = template[i]
        if template.startswith("{{", i) or template.startswith("}}", i):
            text.append(char)
            i += 2
        elif char == "}":
            raise ExpressionError("Accolade « } » isolée : écrivez « }} » pour l'afficher",
                                  i, template)
        elif char == "{":
            j, quote = i + 1, None
            while j < n and (quote or template[j] != "}"):
                if quote and template[j] == "\\":
                    j += 1  # an escaped character inside a string literal
                elif template[j] == quote:
                    quote = None
                elif not quote and template[j] in "'\"":
                    quote = template[j]
                j += 1
            if j >= n:
                raise ExpressionError("Accolade « { » non fermée", i, template)
            if not template[i + 1 : j].strip():
                raise ExpressionError("Expression vide entre accolades", i, template)
            if text:
                parts.append(("".join(text), None, i - len(text)))
                text = []
            parts.append(("", template[i + 1 : j], i + 1))
            i = j + 1
        else:
            text.append(char)
            i += 1
    if text:
        parts.append(("".join(text), None, n - len(text)))
    return tuple(parts)


def template_expressions(template: str) -> list[tuple[str, int]]:
    """Expression sources of a template and their offsets in it (for the linter)."""
    parts = _scan_template(template)
    return [(source, offset) for _, source, offset in parts if source is not None]


class Template:
    """A text with ``{expr}`` placeholders, compiled once (questionnaire texts are compiled when
    the questionnaire is loaded: a bad placeholder is refused then, never met mid-interview)."""

    __slots__ = ("source", "parts", "names")

    def __init__(self, source: str) -> None:
        parts: list[str | Expression] = []
        names: set[str] = set()
        for text, expr_source, offset in _scan_template(source):
            if expr_source is None:
                parts.append(text)
                continue
            try:
                expression = compile_expression(expr_source)
            except ExpressionError as exc:  # report the position in the template
                shifted = None if exc.offset is None else offset + exc.offset
                raise ExpressionError(exc.message, shifted, source) from None
            parts.append(expression)
            names |= expression.names
        self.source = source
        self.parts = tuple(parts)
        self.names = frozenset(names)

    @property
    def expressions(self) -> tuple[Expression, ...]:
        return tuple(p for p in self.parts if isinstance(p, Expression))

    def render(self, env: Mapping[str, object], today: date | None = None,
               formatter: Callable[[object], str] | None = None) -> str:
        """Missing renders as "…"; an evaluation error is raised (EvaluationError)."""
        render = formatter or str
        out: list[str] = []
        for part in self.parts:
            if isinstance(part, str):
                out.append(part)
                continue
            value = part.evaluate(env, today)
            out.append("…" if is_missing(value) else render(value))
        return "".join(out)

    def __repr__(self) -> str:
        return f"Template({self.source!r})"


@functools.lru_cache(maxsize=2048)
def compile_template(source: str) -> Template:
    return Template(source)


def interpolate(template: str, env: Mapping[str, object], today: date | None = None,
                formatter: Callable[[object], str] | None = None) -> str:
    """Replace ``{expr}`` placeholders; ``{{``/``}}`` are literal braces; Missing renders as "…"."""
    if not isinstance(template, str):
        raise ExpressionError("Le texte doit être une chaîne", None, None)
    return compile_template(template).render(env, today, formatter)
