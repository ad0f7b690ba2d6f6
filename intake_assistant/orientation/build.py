"""Read the three policy files, check them and build a compiled ``Policy``.

Collects every problem as a ``Finding`` (file:line:col, French message with how to fix) instead of
stopping at the first one: ``load_policy`` refuses errors, ``lint_catalogue`` reports them all.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from intake_assistant.core.expressions import (
    Expression,
    ExpressionError,
    compile_expression,
    template_expressions,
)
from intake_assistant.core.fields import load_fields
from intake_assistant.core.findings import Finding, FindingsError
from intake_assistant.core.loader import schema_findings as core_schema_findings
from intake_assistant.core.loader import schema_message
from intake_assistant.core.yamlsource import Location, LocDict, YamlSyntaxError, load_file
from intake_assistant.orientation.paths import (
    default_aides_path,
    default_calculs_path,
    default_parametres_path,
)
from intake_assistant.orientation.policy import (
    Aid,
    Calcul,
    DatedValue,
    Gate,
    Parameter,
    Policy,
    Template,
)

_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_CALCUL_KEYS = ("label", "expression", "unit")


class _Collector:
    """Findings of one build, plus helpers to place them in the source."""

    def __init__(self) -> None:
        self.findings: list[Finding] = []
        self._lines: dict[str, list[str]] = {}

    def add(self, loc: Location | None, code: str, message: str, path: Path,
            severity: str = "error") -> None:
        self.findings.append(Finding.at(loc, severity, code, message, str(path)))

    def load(self, path: Path) -> Any:
        try:
            doc = load_file(path)
        except FileNotFoundError:
            self.add(None, "E-FILE", "fichier introuvable (vérifiez le chemin)", path)
            return None
        except YamlSyntaxError as exc:
            self.add(exc.location, "E-YAML", exc.message, path)
            return None
        self._lines[str(path)] = path.read_text(encoding="utf-8").splitlines()
        return doc

    def shifted(self, loc: Location | None, offset: int | None) -> Location | None:
        """Location of character ``offset`` inside a one-line scalar starting at ``loc``."""
        if loc is None or offset is None:
            return loc
        lines = self._lines.get(loc.path, [])
        line = lines[loc.line - 1] if 0 < loc.line <= len(lines) else ""
        quoted = loc.col - 1 < len(line) and line[loc.col - 1] in "'\""
        return Location(loc.path, loc.line, loc.col + offset + (1 if quoted else 0))


def _value_loc(node: Any, key: str) -> Location | None:
    if isinstance(node, LocDict):
        return node.value_locs.get(key) or node.loc
    return None


def _key_loc(node: Any, key: str) -> Location | None:
    if isinstance(node, LocDict):
        return node.key_locs.get(key) or node.loc
    return None


# ----------------------------------------------------------------------------- format schemas
def _schema_message(err: Any) -> str:
    if err.validator == "anyOf":  # the only anyOf of parametres.schema.json: a parameter's value
        return f"valeur « {err.instance} » non admise : un montant positif ou une liste de montants"
    if err.validator == "oneOf":  # a parameter: a local value or dated legal values
        return ("indiquez soit « value » et « source » (valeur locale), soit « values » (valeurs "
                "légales datées : from, value, source), pas les deux")
    return schema_message(err)


def schema_findings(doc: Any, name: str, path: str) -> list[Finding]:
    """Each place ``doc`` breaks ``schemas/<name>.schema.json``, in French, at its line."""
    return core_schema_findings(doc, name, path, _schema_message)


# ----------------------------------------------------------------------------- parameters
def _parameters(c: _Collector, path: Path) -> tuple[dict[str, Parameter] | None, set[str] | None]:
    """The parameters (None if the file has errors) and their names (None if unreadable)."""
    doc = c.load(path)
    if doc is None:
        return None, None
    block = doc.get("parametres") if isinstance(doc, Mapping) else None
    names = set(block) if isinstance(block, Mapping) else None
    errors = schema_findings(doc, "parametres", str(path))
    c.findings += errors
    if errors:
        return None, names
    out: dict[str, Parameter] = {}
    for pid, spec in doc["parametres"].items():
        parameter = _parameter(c, path, pid, spec)
        if parameter is None:
            return None, names
        out[pid] = parameter
    return out, names


def _parameter(c: _Collector, path: Path, pid: str, spec: Any) -> Parameter | None:
    """One parameter: a local ``value`` + ``source``, or dated legal ``values``."""
    if "values" not in spec:
        return Parameter(pid, (DatedValue(None, spec["value"], spec["source"]),), spec["label"],
                         spec["unit"], spec.get("revalorisation_mois"))
    values: list[DatedValue] = []
    for index, raw in enumerate(spec["values"]):
        start = raw["from"]
        if not isinstance(start, date):
            try:
                start = date.fromisoformat(str(start))
            except ValueError:
                loc = spec["values"].item_locs[index] if hasattr(spec["values"], "item_locs") \
                    else _key_loc(spec, "values")
                c.add(loc, "E-SCHEMA", f"paramètre « {pid} » : date « {raw['from']} » invalide "
                      "(écrivez AAAA-MM-JJ)", path)
                return None
        values.append(DatedValue(start, raw["value"], raw["source"]))
    starts = [v.start for v in values]
    if starts != sorted(starts) or len(set(starts)) != len(starts):
        c.add(_key_loc(spec, "values"), "E-SCHEMA", f"paramètre « {pid} » : les valeurs datées "
              "doivent être rangées de la plus ancienne à la plus récente, une par date", path)
        return None
    return Parameter(pid, tuple(values), spec["label"], spec["unit"],
                     spec.get("revalorisation_mois"))


# ----------------------------------------------------------------------------- computed values
def _compile(c: _Collector, source: Any, loc: Location | None, path: Path,
             what: str) -> Expression | None:
    try:
        return compile_expression(source)
    except ExpressionError as exc:
        c.add(c.shifted(loc, exc.offset), "E-EXPR",
              f"{what} : {exc.message} (corrigez l'expression)", path)
        return None


def _calculs(c: _Collector, path: Path) -> tuple[dict[str, Calcul], Any]:
    doc = c.load(path)
    if doc is None:
        return {}, None
    if not isinstance(doc, Mapping):
        c.add(getattr(doc, "loc", None), "E-SCHEMA",
              "le fichier doit associer à chaque identifiant {label, expression, unit}", path)
        return {}, None
    out: dict[str, Calcul] = {}
    for cid, spec in doc.items():
        loc = _key_loc(doc, cid)
        if not _ID.match(cid):
            c.add(loc, "E-SCHEMA", f"identifiant « {cid} » invalide (minuscules, chiffres et _ ; "
                  "commence par une lettre)", path)
            continue
        if not isinstance(spec, Mapping) or any(
            not isinstance(spec.get(k), str) or not spec.get(k).strip() for k in _CALCUL_KEYS
        ):
            c.add(loc, "E-SCHEMA", f"« {cid} » : les clés label, expression et unit sont "
                  "obligatoires et doivent être des textes non vides", path)
            continue
        extra = sorted(set(spec) - set(_CALCUL_KEYS))
        if extra:
            c.add(loc, "E-SCHEMA", f"« {cid} » : clé inconnue {', '.join(extra)} "
                  "(clés possibles : label, expression, unit)", path)
        expr = _compile(c, spec["expression"], _value_loc(spec, "expression"), path,
                        f"calcul « {cid} »")
        if expr is not None:
            out[cid] = Calcul(cid, spec["label"], spec["unit"], expr, frozenset())
    deps = {
        cid: frozenset((calc.expression.names - calc.expression.item_names) & set(out))
        for cid, calc in out.items()
    }
    ordered, cycle = _topological(deps)
    if cycle:
        c.add(_key_loc(doc, cycle[0]), "E-CYCLE", "calculs qui dépendent les uns des autres : "
              f"{' → '.join(cycle)} (cassez la boucle)", path)
    return {cid: Calcul(cid, out[cid].label, out[cid].unit, out[cid].expression, deps[cid])
            for cid in ordered}, doc


def _topological(deps: Mapping[str, frozenset[str]]) -> tuple[list[str], list[str]]:
    """Dependencies first; the ids of one cycle if there is one (those are left out)."""
    order: list[str] = []
    state: dict[str, int] = {}  # 1 = visiting, 2 = done
    cycle: list[str] = []

    def visit(node: str, stack: list[str]) -> None:
        if state.get(node) == 2:
            return
        if state.get(node) == 1:
            if not cycle:
                cycle.extend(stack[stack.index(node):] + [node])
            return
        state[node] = 1
        for dep in sorted(deps[node]):
            visit(dep, [*stack, node])
        state[node] = 2
        order.append(node)

    for node in deps:
        visit(node, [])
    return [n for n in order if n not in cycle], cycle


def parameter_closure(names: Iterable[str], calculs: Mapping[str, Calcul],
                      parameters: Mapping[str, Any]) -> tuple[str, ...]:
    """Parameters read by ``names``, directly or through computed values."""
    seen: set[str] = set()
    found: set[str] = set()
    todo = list(names)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        if name in parameters:
            found.add(name)
        elif name in calculs:
            todo.extend(calculs[name].expression.names)
    return tuple(sorted(found))


# ----------------------------------------------------------------------------- names
class _Names:
    """Which names an expression may use: answers, item fields, computed values, parameters."""

    def __init__(self, known_ids: set[str], calculs: Iterable[str],
                 parameters: Iterable[str] | None):
        fields = load_fields()
        self.item_fields = {"item"} | {k for f in fields.values() for k in f.item}
        self.known = set(known_ids) | set(calculs) | set(parameters or ())
        self.checking = parameters is not None  # unreadable parameters: nothing to check against
        self.seen: set[tuple[Location | None, str]] = set()

    def unknown(self, expr: Expression) -> list[str]:
        if not self.checking:
            return []
        bad = [n for n in expr.names if n not in self.known
               and not (n in expr.item_names and n in self.item_fields)]
        return sorted(bad)


def _check_names(c: _Collector, names: _Names, expr: Expression, loc: Location | None,
                 path: Path, what: str) -> None:
    if (loc, expr.source) in names.seen:  # a YAML anchor reused by several aids: report once
        return
    names.seen.add((loc, expr.source))
    for name in names.unknown(expr):
        hint = (" : paramètre absent de parametres.yaml (ajoutez-le ou corrigez le nom)"
                if "." in name else
                " : ni réponse du dictionnaire, ni calcul, ni paramètre (corrigez le nom)")
        c.add(loc, "E-REF", f"{what} : nom inconnu « {name} »{hint}", path)


# ----------------------------------------------------------------------------- aids catalogue
def _template(c: _Collector, names: _Names, text: str, loc: Location | None, path: Path,
              what: str) -> Template | None:
    try:
        parts = template_expressions(text)
    except ExpressionError as exc:
        c.add(c.shifted(loc, exc.offset), "E-EXPR", f"{what} : {exc.message}", path)
        return None
    used: set[str] = set()
    for source, offset in parts:
        try:
            expr = compile_expression(source)
        except ExpressionError as exc:
            shift = offset + (exc.offset or 0)
            c.add(c.shifted(loc, shift), "E-EXPR",
                  f"{what} : {exc.message} dans « {{{source}}} » (corrigez l'expression)", path)
            return None
        _check_names(c, names, expr, c.shifted(loc, offset), path, what)
        used |= expr.names
    return Template(text, frozenset(used))


def _aids(c: _Collector, path: Path, names: _Names, calculs: Mapping[str, Calcul],
          parameters: Mapping[str, Any]) -> tuple[list[Aid], Any]:
    doc = c.load(path)
    if doc is None:
        return [], None
    errors = schema_findings(doc, "aides", str(path))
    c.findings += errors
    if errors:
        return [], doc
    aids: list[Aid] = []
    seen: set[str] = set()
    for index, raw in enumerate(doc["aides"]):
        if raw["id"] in seen:
            c.add(_value_loc(raw, "id"), "E-DUP", f"aide « {raw['id']} » déjà déclarée "
                  "(chaque identifiant d'aide est unique)", path)
            continue
        seen.add(raw["id"])
        aid = _aid(c, path, names, calculs, parameters, raw, doc["aides"].item_locs[index])
        if aid is not None:
            aids.append(aid)
    return aids, doc


def _aid(c: _Collector, path: Path, names: _Names, calculs: Mapping[str, Calcul],
         parameters: Mapping[str, Any], raw: Any, loc: Location) -> Aid | None:
    aid_id = raw["id"]
    gates: list[Gate] = []
    ok = True
    gate_ids: set[str] = set()
    for graw in raw["gates"]:
        what = f"aide « {aid_id} », condition « {graw['id']} »"
        if graw["id"] in gate_ids:
            c.add(_value_loc(graw, "id"), "E-DUP", f"{what} déjà déclarée dans cette aide "
                  "(donnez-lui un autre identifiant)", path)
            ok = False
            continue
        gate_ids.add(graw["id"])
        gate = _gate(c, path, names, calculs, parameters, graw, what)
        ok = ok and gate is not None
        if gate is not None:
            gates.append(gate)
    default = raw["default"]
    reason = None
    if "reason" in default:
        reason = _template(c, names, default["reason"], _value_loc(default, "reason"), path,
                           f"aide « {aid_id} », raison par défaut")
        ok = ok and reason is not None
    orient = raw["orient_to"]
    orient_template = None
    if "{" in orient["name"]:  # the body may depend on the answers (CAF or MSA)
        orient_template = _template(c, names, orient["name"], _value_loc(orient, "name"), path,
                                    f"aide « {aid_id} », organisme")
        ok = ok and orient_template is not None
    if not ok:
        return None
    used = set().union(*(set(g.parameters) for g in gates)) if gates else set()
    if reason is not None:
        used |= set(parameter_closure(reason.names, calculs, parameters))
    return Aid(aid_id, raw["name"], raw["kind"], orient["name"], tuple(orient.get("bring", ())),
               default["status"], reason, tuple(gates), tuple(sorted(used)), orient_template)


def _gate(c: _Collector, path: Path, names: _Names, calculs: Mapping[str, Calcul],
          parameters: Mapping[str, Any], graw: Any, what: str) -> Gate | None:
    loc = _value_loc(graw, "fails_when")
    expr = _compile(c, graw["fails_when"], loc, path, what)
    if expr is not None:
        _check_names(c, names, expr, loc, path, what)
    failed = _template(c, names, graw["failed"], _value_loc(graw, "failed"), path,
                       f"{what}, raison « failed »")
    met = _template(c, names, graw["met"], _value_loc(graw, "met"), path, f"{what}, raison « met »")
    if expr is None or failed is None or met is None:
        return None
    used = parameter_closure(expr.names | failed.names | met.names, calculs, parameters)
    cited = tuple(graw.get("sources") or ())
    for pid in cited:
        if parameters and pid not in parameters:  # unreadable parameters: reported already
            c.add(_value_loc(graw, "sources"), "E-REF", f"{what} : source « {pid} » absente de "
                  "parametres.yaml (corrigez le nom)", path)
            return None
    if not cited:  # the dated parameters the gate names itself
        cited = tuple(sorted(n for n in expr.names | failed.names | met.names
                             if n in parameters and parameters[n].dated))
    return Gate(graw["id"], graw["label"], expr, graw["status"], failed, met, used, cited)


# ----------------------------------------------------------------------------- entry point
def build_policy(parametres_path: Path, aides_path: Path, calculs_path: Path,
                 known_ids: set[str] | None = None) -> tuple[Policy | None, list[Finding]]:
    """The compiled policy (None when a file cannot be used) and every finding."""
    c = _Collector()
    parameters, parameter_names = _parameters(c, parametres_path)
    calculs, calculs_doc = _calculs(c, calculs_path)
    known = set(known_ids) if known_ids is not None else set(load_fields())
    known -= set(calculs)  # a computed value always wins over an answer id of the same name
    names = _Names(known, calculs, parameter_names)
    for cid, calc in calculs.items():
        _check_names(c, names, calc.expression, _value_loc(calculs_doc[cid], "expression"),
                     calculs_path, f"calcul « {cid} »")
    aids, _ = _aids(c, aides_path, names, calculs, parameters or {})
    has_errors = any(f.severity == "error" for f in c.findings)
    policy = None
    if parameters is not None and not has_errors:
        policy = Policy(parameters, calculs, tuple(aids), {
            "parametres": str(parametres_path), "aides": str(aides_path),
            "calculs": str(calculs_path)})
    return policy, sorted(set(c.findings))


def load_policy(
    parametres_path: str | Path | None = None,
    aides_path: str | Path | None = None,
    calculs_path: str | Path | None = None,
) -> Policy:
    """Load and compile the policy; default paths are the shipped ``questionnaires/`` files.

    Raises ``FindingsError`` when a file has errors (syntax, format, unknown names, cycles…).
    """
    policy, findings = build_policy(
        Path(parametres_path) if parametres_path else default_parametres_path(),
        Path(aides_path) if aides_path else default_aides_path(),
        Path(calculs_path) if calculs_path else default_calculs_path(),
    )
    errors = [f for f in findings if f.severity == "error"]
    if errors or policy is None:
        raise FindingsError(errors)
    return policy


@lru_cache(maxsize=4)
def default_policy() -> Policy:
    """The shipped (or configured) policy, loaded once per process."""
    return load_policy()
