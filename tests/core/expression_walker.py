"""The reference evaluator of the expression language: the tree walk the engine used before
expressions were compiled to closures, kept verbatim so that a property test can check that the
closures compute exactly what the walk computes (values, Missing names, errors and their offsets).
Used by tests only.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from datetime import date
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation, localcontext

from intake_assistant.core.expressions import (
    _BINOPS,
    _CMPOPS,
    _FORMATTERS,
    _ITEM_SCOPED,
    _ORDERING,
    MAX_LIST_ITEMS,
    MAX_STRING_LENGTH,
    EvaluationError,
    Expression,
    Missing,
    _describe,
    _Fail,
    _is_number,
    _literal_key,
    _missing,
    _node_offset,
    _numbers,
    _qualified,
    _to_date,
    is_missing,
    normalize_text,
)


def walk(expr: Expression, env: Mapping[str, object], today: date | None = None) -> object:
    """Evaluate ``expr`` by walking its checked tree (the former ``Expression.evaluate``)."""
    return _Evaluator(expr, env, today or date.today()).ev(expr._tree.body)


class _Evaluator:
    def __init__(self, expr: Expression, env: Mapping[str, object], today: date) -> None:
        self.expr = expr
        self.scopes: list[Mapping[str, object]] = [env]
        self.today = today

    def ev(self, node: ast.AST) -> object:
        try:
            return self.eval_node(node)
        except _Fail as exc:  # innermost node that failed gives the offset
            source = self.expr.source
            error = EvaluationError(f"{exc} dans « {source} »",
                                    _node_offset(source, self.expr._base, node), source)
            error.kind = exc.kind
            raise error from None

    def lookup(self, key: str) -> object:
        for scope in reversed(self.scopes):
            if key in scope:
                return scope[key]
        head, *rest = key.split(".")
        for scope in reversed(self.scopes):
            if rest and head in scope:
                value = scope[head]
                for part in rest:
                    if not isinstance(value, Mapping) or part not in value:
                        return Missing({key})
                    value = value[part]
                return value
        return Missing({key})

    def eval_node(self, node: ast.AST) -> object:
        match node:
            case ast.Constant(value=value):
                return value
            case ast.Name() | ast.Attribute():
                return self.lookup(_qualified(node) or "")
            case ast.List(elts=elts) | ast.Tuple(elts=elts):
                values = [self.ev(elt) for elt in elts]
                missing = _missing(values)
                return values if missing is None else missing
            case ast.BinOp(left=left, op=op, right=right):
                a, b = self.ev(left), self.ev(right)
                missing = _missing((a, b))
                return self.arith(op, a, b) if missing is None else missing
            case ast.UnaryOp(op=op, operand=operand):
                value = self.ev(operand)
                if is_missing(value):
                    return value
                if isinstance(op, ast.Not):
                    return not value
                if not _is_number(value):
                    raise _Fail(f"Signe « {'-' if isinstance(op, ast.USub) else '+'} » "
                                f"impossible devant {_describe(value)}")
                return -value if isinstance(op, ast.USub) else +value
            case ast.BoolOp(op=op, values=operands):
                return self.boolean(isinstance(op, ast.And), operands)
            case ast.Compare(left=left, ops=ops, comparators=comparators):
                values = [self.ev(n) for n in (left, *comparators)]
                if (missing := _missing(values)) is not None:
                    return missing
                for cmp, a, b in zip(ops, values, values[1:], strict=False):
                    if not self.compare(_CMPOPS[type(cmp)], a, b):
                        return False
                return True
            case ast.IfExp(test=test, body=body, orelse=orelse):
                cond = self.ev(test)
                if is_missing(cond):
                    return cond
                return self.ev(body) if cond else self.ev(orelse)
            case ast.Subscript(value=value, slice=index):
                return self.subscript(self.ev(value), _literal_key(index))
            case ast.Call(func=ast.Name(id=name), args=args):
                return self.call(name, args)
        raise _Fail("Construction non autorisée")  # unreachable: the checker rejected it

    def arith(self, op: ast.operator, a: object, b: object) -> object:
        symbol, func = _BINOPS[type(op)]
        if isinstance(op, ast.Add) and isinstance(a, str) and isinstance(b, str):
            if len(a) + len(b) > MAX_STRING_LENGTH:
                raise _Fail(f"Texte trop long (plus de {MAX_STRING_LENGTH} caractères)", "value")
            return a + b
        if isinstance(op, ast.Add) and isinstance(a, list | tuple) and isinstance(b, list | tuple):
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

    def boolean(self, is_and: bool, operands: list[ast.expr]) -> object:
        # Stop at a decisive operand like Python, but never at a Missing (Kleene logic).
        value: object = None
        missing: list[object] = []
        for operand in operands:
            value = self.ev(operand)
            if is_missing(value):
                missing.append(value)
            elif bool(value) != is_and:
                return value
        unknown = _missing(missing)
        return value if unknown is None else unknown

    def compare(self, symbol: str, a: object, b: object) -> bool:
        if symbol == "==":
            return a == b
        if symbol == "!=":
            return a != b
        try:  # TypeError: unhashable key in a dict, datetime against date…
            if symbol in ("in", "not in"):
                if isinstance(b, str) and isinstance(a, str) or isinstance(b, list | tuple | dict):
                    return (a in b) == (symbol == "in")  # type: ignore[operator]
            elif ((_is_number(a) and _is_number(b)) or type(a) is type(b) is str
                  or (isinstance(a, date) and isinstance(b, date))):
                return _ORDERING[symbol](a, b)
        except TypeError:
            pass
        raise _Fail(f"Comparaison « {symbol} » impossible entre {_describe(a)} et {_describe(b)}")

    def subscript(self, value: object, key: int | str | None) -> object:
        if is_missing(value):
            return value
        if isinstance(value, list | tuple) and isinstance(key, int):
            if -len(value) <= key < len(value):
                return value[key]
            raise _Fail(f"Indice {key} hors de la liste ({len(value)} éléments)", "value")
        if isinstance(value, Mapping) and isinstance(key, str):
            return value[key] if key in value else Missing({key})
        raise _Fail(f"Indice « {key} » impossible sur {_describe(value)}")

    def call(self, name: str, args: list[ast.expr]) -> object:
        if name == "coalesce":
            missing = []
            for arg in args:  # lazy: the first known value wins
                value = self.ev(arg)
                if not is_missing(value):
                    return value
                missing.append(value)
            return _missing(missing)
        if name == "answered":
            return not is_missing(self.ev(args[0]))
        if name in _ITEM_SCOPED:
            return self.over_items(name, args)
        values = [self.ev(arg) for arg in args]
        if (missing := _missing(values)) is not None:
            return missing
        try:
            return getattr(self, f"fn_{name}")(*values)
        except ZeroDivisionError:
            raise _Fail(f"Division par zéro dans « {name} »", "value") from None
        except OverflowError:
            raise _Fail(f"Nombre trop grand dans « {name} »", "value") from None
        except (TypeError, ValueError) as exc:  # from the French formatters: bool, NaN…
            if name not in _FORMATTERS:
                raise
            raise _Fail(f"« {name} » impossible sur {_describe(values[0])}") from exc

    def over_items(self, name: str, args: list[ast.expr]) -> object:
        items = self.ev(args[0])
        if is_missing(items):
            return items
        if not isinstance(items, list | tuple):
            raise _Fail(f"« {name} » attend une liste, pas {_describe(items)}")
        if len(args) == 1:
            return len(items)
        total: int | float = 0
        missing = []
        depth = len(self.scopes)
        for item in items:
            self.scopes.append({"item": item})
            if isinstance(item, Mapping):
                self.scopes.append(item)  # item fields win over env names
            try:
                value = self.ev(args[1])
            finally:
                del self.scopes[depth:]
            if is_missing(value):
                missing.append(value)
            elif name == "count":
                total += 1 if value else 0
            else:
                total += _numbers(name, [value])[0]
        unknown = _missing(missing)
        return total if unknown is None else unknown

    @staticmethod
    def _series(name: str, values: tuple[object, ...]) -> list[object]:
        if len(values) == 1:
            if not isinstance(values[0], list | tuple):
                raise _Fail(f"« {name} » attend une liste ou plusieurs valeurs")
            return list(values[0])
        return list(values)

    def _extremum(self, name: str, values: tuple[object, ...]) -> object:
        series = self._series(name, values)
        if (missing := _missing(series)) is not None:
            return missing
        if not series:
            raise _Fail(f"« {name} » d'une liste vide", "value")
        if not (all(_is_number(v) for v in series) or all(type(v) is str for v in series)):
            raise _Fail(f"« {name} » attend des nombres (ou uniquement des textes)")
        return min(series) if name == "min" else max(series)  # type: ignore[type-var]

    def fn_min(self, *values: object) -> object:
        return self._extremum("min", values)

    def fn_max(self, *values: object) -> object:
        return self._extremum("max", values)

    def fn_abs(self, x: object) -> object:
        return abs(_numbers("abs", [x])[0])

    def fn_round(self, x: object, digits: object = 0) -> object:
        if type(digits) is not int or not -10 <= digits <= 10:
            raise _Fail("« round » attend un nombre de décimales entier entre -10 et 10")
        value = _numbers("round", [x])[0]
        try:  # Decimal(str(x)) rounds the number as typed: round(2.675, 2) == 2.68
            with localcontext(Context(prec=400)):
                result = Decimal(str(value)).quantize(Decimal(1).scaleb(-digits), ROUND_HALF_UP)
        except InvalidOperation:
            raise _Fail(f"Arrondi impossible de {_describe(value)}", "value") from None
        return float(result) if digits > 0 else int(result)

    def fn_len(self, x: object) -> object:
        if not isinstance(x, str | list | tuple | Mapping):
            raise _Fail(f"« len » impossible sur {_describe(x)}")
        return len(x)

    def fn_sum(self, values: object) -> object:
        series = self._series("sum", (values,))
        missing = _missing(series)
        return sum(_numbers("sum", series)) if missing is None else missing

    def fn_age(self, birth: object, at: object = None) -> object:
        born, when = _to_date(birth), self.today if at is None else _to_date(at)
        return when.year - born.year - ((when.month, when.day) < (born.month, born.day))

    def fn_annuity(self, principal: object, annual_rate: object, months: object) -> object:
        p, rate, n = _numbers("annuity", [principal, annual_rate, months])
        if n <= 0:
            raise _Fail("« annuity » : durée nulle ou négative", "value")
        r = rate / 12
        if r <= -1:  # (1 + r) ** -n would be complex or infinite
            raise _Fail("« annuity » : taux annuel invalide", "value")
        return p / n if r == 0 else p * r / (1 - (1 + r) ** -n)

    def fn_normalize(self, text: object) -> object:
        if not isinstance(text, str):
            raise _Fail(f"« normalize » attend un texte, pas {_describe(text)}")
        return normalize_text(text)

    def fn_days_between(self, first: object, second: object) -> object:
        return (_to_date(second) - _to_date(first)).days

    def fn_today(self) -> object:
        return self.today.isoformat()

    # Formatting lives in core.french (babel); imported lazily to keep this module standalone.
    def fn_money(self, x: object, decimals: object = None) -> object:
        from intake_assistant.core.french import format_money

        value = _numbers("money", [x])[0]
        if decimals is not None and type(decimals) is not int:
            raise _Fail("« money » attend un nombre de décimales entier")
        return format_money(value, decimals)  # type: ignore[arg-type]

    def fn_percent(self, x: object, decimals: object = 0) -> object:
        from intake_assistant.core.french import format_percent

        if type(decimals) is not int:
            raise _Fail("« percent » attend un nombre de décimales entier")
        return format_percent(_numbers("percent", [x])[0], decimals)

    def fn_number(self, x: object, decimals: object = 2) -> object:
        from intake_assistant.core.french import format_number

        if type(decimals) is not int or not 0 <= decimals <= 10:
            raise _Fail("« number » attend un nombre de décimales entier entre 0 et 10")
        return format_number(_numbers("number", [x])[0], decimals)

    def fn_date_fr(self, x: object) -> object:
        from intake_assistant.core.french import format_date

        return format_date(_to_date(x))

