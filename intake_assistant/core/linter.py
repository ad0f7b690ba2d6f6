"""Authoring linter for questionnaires: finds what would break an interview before anyone runs it.

One line per finding, ``path:line:col: error|warning CODE: message (how to fix)``; the codes and
their French texts are the catalogue in ``findings``. The loader runs these same checks (load =
lint): what ``check`` rejects, the app refuses to load, with the same message.

Besides syntax and format (the loader's), the checks are: duplicate ids (questions, sections, a
question named like a section, computed values), references to unknown names (with « did you
mean »), conditions on later questions, dependency cycles, questions never shown, each question
type's own rules (registry), keys that do not fit the type, invalid JSON Schema fragments, and
expressions that would fail during the interview: each is evaluated on sample answers of the
right types, and an operation that can never work (``len(nom * 100000000000)``: text times a
number) is refused here instead of hiding a question at run time.
"""

from __future__ import annotations

import ast
import difflib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from intake_assistant.core import qtypes
from intake_assistant.core.datadir import data_dir
from intake_assistant.core.expressions import (
    EvaluationError,
    Expression,
    Missing,
    Template,
    is_missing,
    parse_eval,
)
from intake_assistant.core.fields import FieldDef, load_fields
from intake_assistant.core.findings import Finding, FindingsError, errors_of, finding
from intake_assistant.core.loader import parse_questionnaire
from intake_assistant.core.model import Question, Questionnaire
from intake_assistant.core.validation import check_schema
from intake_assistant.core.yamlsource import Location, YamlSyntaxError, load_file

_SCHEMA_KEYWORDS = {
    "type",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "pattern",
    "enum",
    "const",
    "format",
    "minItems",
    "maxItems",
    "uniqueItems",
    "required",
    "multipleOf",
}
_ITEM_SCOPE = {"numero"}
MAX_COUNT_ITEMS = 50  # a count_from question may ask at most this many items


@dataclass
class LintContext:
    """Names an expression may use besides the questionnaire's own ids."""

    fields: Mapping[str, FieldDef] = field(default_factory=dict)
    computed: set[str] = field(default_factory=set)
    parameters: set[str] = field(default_factory=set)


def _names_in(path: Path, key: str | None) -> set[str]:
    try:
        doc = load_file(path)
    except (OSError, YamlSyntaxError):
        return set()  # reported when that file is itself checked
    doc = doc.get(key) if key and isinstance(doc, Mapping) else doc
    return set(doc) if isinstance(doc, Mapping) else set()


def context_for(folder: str | Path) -> LintContext:
    """The names a questionnaire in ``folder`` may use: the folder's own dictionary, computed
    values (``calculs.yaml``) and parameters (``parametres.yaml``) when it has them, else the
    shipped data folder's (a questionnaire copied elsewhere is checked against the real data)."""
    folder = Path(folder)

    def pick(name: str) -> Path:
        own = folder / name
        return own if own.exists() else data_dir() / name

    paths = [pick(n) for n in ("champs.yaml", "calculs.yaml", "parametres.yaml")]
    stamps = tuple(_stamp(p) for p in paths)
    return _context(*map(str, paths), stamps)


def _stamp(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return 0


@lru_cache(maxsize=8)
def _context(fields: str, computed: str, parameters: str, stamps: tuple[int, ...]) -> LintContext:
    return LintContext(fields=load_fields(fields),
                       computed=_names_in(Path(computed), None),
                       parameters=_names_in(Path(parameters), "parametres"))


def load_questionnaire(source: str | Path, context: LintContext | None = None) -> Questionnaire:
    """Load a questionnaire for use, or raise FindingsError listing every error ``check`` reports
    in it (load = lint: the same checks, the same messages).

    ``context`` names what expressions may use besides the questionnaire's ids; by default the
    data folder's dictionary, computed values and parameters (the questionnaire's own folder
    first, then the shipped data)."""
    ctx = context if context is not None else context_for(Path(source).parent)
    questionnaire, findings = parse_questionnaire(source, fields=ctx.fields)
    if questionnaire is not None:
        findings += run_checks(questionnaire, ctx)
    errors = sorted(set(errors_of(findings)))
    if errors or questionnaire is None:
        raise FindingsError(errors)
    return questionnaire


def lint_questionnaire(
    path: str | Path, context: LintContext, text: str | None = None
) -> list[Finding]:
    questionnaire, findings = parse_questionnaire(path, text=text, fields=context.fields)
    if questionnaire is not None:
        findings += run_checks(questionnaire, context)
    return sorted(set(findings))


def run_checks(questionnaire: Questionnaire, context: LintContext) -> list[Finding]:
    """Every check beyond syntax and format, on a built questionnaire."""
    return _Checker(questionnaire, context).run()


class _Checker:
    def __init__(self, q: Questionnaire, ctx: LintContext) -> None:
        self.q = q
        self.ctx = ctx
        self.out: list[Finding] = []
        self.order: dict[str, int] = {}
        self.samples: dict[str, Any] = {}

    def add(self, loc: Location | None, message: str, **params: Any) -> None:
        self.out.append(finding(loc, message, self.q.path, **params))

    def run(self) -> list[Finding]:
        self.check_ids()
        self.samples = _samples(self.q, self.ctx.fields)
        known = set(self.order) | set(self.q.computed) | set(self.ctx.fields) | self.ctx.computed
        known |= self.ctx.parameters
        for section in self.q.sections:
            if section.show_if is not None:
                at = section.locs.get("show_if", section.loc)
                self.check_expr(section.show_if, at, known, "show_if", None)
                self.check_unreachable(section.show_if, at, f"la section « {section.id} »")
                self.check_runtime(section.show_if, at, "show_if", self.samples)
        for question in self.q.all_questions():
            self.check_question(question, known)
        for cid, expr in self.q.computed.items():
            at = self.q.computed_locs.get(cid, self.q.loc)
            self.check_expr(expr, at, known, f"computed.{cid}", None)
            self.check_runtime(expr, at, f"computed.{cid}", self.samples)
        self.check_cycles()
        return self.out

    def check_ids(self) -> None:
        seen: dict[str, Location | None] = {}
        for i, question in enumerate(self.q.all_questions()):
            key = question.id if question.parent is None else f"{question.parent.id}.{question.id}"
            if key in seen:
                first = seen[key]
                self.add(question.loc, "dup.question", id=question.id,
                         line=first.line if first else "?")
            seen[key] = question.loc
            self.order.setdefault(key if question.parent is None else question.parent.id, i)
        section_ids = [s.id for s in self.q.sections]
        for s in self.q.sections:
            if section_ids.count(s.id) > 1 and s is not next(
                x for x in self.q.sections if x.id == s.id
            ):
                self.add(s.loc, "dup.section", id=s.id)
        for question in self.q.questions():
            if question.id in section_ids:
                self.add(question.loc, "dup.section_question", id=question.id)
        for cid in self.q.computed:
            if cid in self.order:
                self.add(self.q.computed_locs.get(cid, self.q.loc), "dup.computed", id=cid)

    def scope_of(self, question: Question, known: set[str]) -> set[str]:
        scope = set(known)
        if question.parent is not None:
            scope |= {c.id for c in question.parent.questions} | _ITEM_SCOPE
        if question.type == "repeat":
            scope |= _ITEM_SCOPE
        return scope

    def env_of(self, question: Question) -> dict[str, Any]:
        if question.parent is None:
            return self.samples
        items = self.samples.get(question.parent.id) or [{}]
        return {**self.samples, **items[0], "numero": 1}

    def check_question(self, question: Question, known: set[str]) -> None:
        loc = question.loc
        scope = self.scope_of(question, known)
        env = self.env_of(question)
        qtype = qtypes.QUESTION_TYPES.get(question.type)
        if qtype is None:  # the format schema lists the registry's types: not reached
            self.add(question.where("type"), "type.unknown", type=question.type,
                     types=", ".join(qtypes.type_names()))
            return
        fdef = question.field
        if (
            fdef is not None
            and question.type != fdef.type
            and not ({question.type, fdef.type} <= {"money", "number"})
        ):
            self.add(loc, "type.dictionary", id=question.id, expected=fdef.type,
                     type=question.type)
        for key in sorted(qtypes.TYPE_KEYS - qtype.keys):
            if key in question.locs:
                self.add(question.where(key), "type.key", name=key, type=question.type)
        for issue in qtype.lint(question):
            self.add(question.where(issue.key), issue.message, **issue.params)
        if question.type == "repeat" and question.count_from:
            self.check_count_from(question)
        if question.extra_schema:
            reason = check_schema(dict(question.extra_schema))
            if reason:
                self.add(question.where("schema"), "jsonschema.invalid", id=question.id,
                         reason=reason)
        for keyword in question.messages:
            if keyword not in _SCHEMA_KEYWORDS:
                self.add(loc, "message.keyword", keyword=keyword)
        if question.show_if is not None:
            at = question.where("show_if")
            self.check_expr(question.show_if, at, scope, "show_if", question)
            self.check_unreachable(question.show_if, at, f"la question « {question.id} »")
            self.check_runtime(question.show_if, at, "show_if", env)
        if question.default_expression is not None:
            at = question.where("default_expression")
            self.check_expr(question.default_expression, at, scope, "default_expression",
                            question)
            self.check_runtime(question.default_expression, at, "default_expression", env)
        own = {**env, question.id: self.samples.get(question.id, env.get(question.id))}
        for check in (*question.warn_if, *question.valid_if):
            at = check.loc or loc
            self.check_expr(check.expression, at, scope | {question.id}, "condition", None)
            self.check_runtime(check.expression, at, "condition", own)
            if check.template is not None:
                self.check_template(check.template, at, scope | {question.id}, own)
        for key in ("text", "add_another_text"):
            if key in question.templates:
                self.check_template(question.templates[key], question.where(key), scope, env)

    def check_count_from(self, question: Question) -> None:
        name = question.count_from or ""
        at = question.where("count_from")
        try:
            counter = self.q.question(name)
        except KeyError:
            counter = None
        if counter is None or counter.type != "integer" or counter.parent is not None:
            self.add(at, "repeat.count_unknown", id=question.id, name=name)
            return
        if self.order.get(name, 0) >= self.order.get(question.id, 0):
            self.add(at, "repeat.count_later", id=question.id, name=name)
        bound = _maximum(counter.schema)
        if bound is None or bound > question.max_items:
            self.add(at, "repeat.count_bound", id=question.id, name=name,
                     max=question.max_items)

    def check_expr(
        self,
        expr: Expression,
        loc: Location | None,
        scope: set[str],
        what: str,
        owner: Question | None,
    ) -> None:
        item_names: frozenset[str] = getattr(expr, "item_names", frozenset())
        for name in sorted(expr.names):
            if name in scope or name in item_names:
                continue
            close = difflib.get_close_matches(name, sorted(scope), n=1, cutoff=0.75)
            hint = (f" (vouliez-vous dire « {close[0]} » ?)" if close
                    else " (vérifiez l'orthographe)")
            self.add(loc, "ref.unknown", what=what, name=name, hint=hint)
        if owner is not None and what == "show_if":
            mine = self.order.get(owner.id if owner.parent is None else owner.parent.id, 0)
            for name in sorted(expr.names & set(self.order)):
                if owner.parent is not None and name in {c.id for c in owner.parent.questions}:
                    continue
                if self.order[name] >= mine:
                    self.add(loc, "order.later", id=owner.id, name=name)

    def check_runtime(self, expr: Expression, loc: Location | None, what: str,
                      env: Mapping[str, Any]) -> None:
        """Evaluate on sample answers of the right types: an operation that can never work is
        refused now rather than hiding a question during an interview."""
        try:
            expr.evaluate(env, today=None)
        except EvaluationError as exc:
            if exc.kind == "type":
                self.add(loc, "expr.runtime", what=what, source=expr.source,
                         reason=exc.message.split(" dans « ")[0])

    def check_template(self, template: Template, loc: Location | None, scope: set[str],
                       env: Mapping[str, Any]) -> None:
        for expr in template.expressions:
            self.check_expr(expr, loc, scope, "texte", None)
            self.check_runtime(expr, loc, "texte", env)

    def check_unreachable(self, expr: Expression, loc: Location | None, what: str) -> None:
        """A condition that is false whatever the answers, or compares a choice to a non-value."""
        if not expr.names:
            try:
                value = expr.evaluate({})
            except Exception:  # noqa: BLE001 - evaluation errors are reported as E-EXPR elsewhere
                return
            if not is_missing(value) and not value:
                self.add(loc, "unreachable.false", what=what)
            return
        for name, literal in _compared_literals(expr.source):
            choices = self._choices_of(name)
            if choices and literal not in choices:
                self.add(loc, "unreachable.value", what=what, name=name, literal=literal,
                         values=", ".join(sorted(choices)))

    def _choices_of(self, name: str) -> set[str]:
        try:
            question = self.q.question(name)
            return {c.value for c in question.choices}
        except KeyError:
            fdef = self.ctx.fields.get(name)
            return {c.value for c in fdef.choices} if fdef else set()

    def check_cycles(self) -> None:
        graph: dict[str, set[str]] = {cid: set(e.names) for cid, e in self.q.computed.items()}
        locs: dict[str, Location | None] = {
            cid: self.q.computed_locs.get(cid, self.q.loc) for cid in self.q.computed
        }
        for question in self.q.questions():
            deps: set[str] = set()
            for expr in (question.show_if, question.default_expression):
                if expr is not None:
                    deps |= set(expr.names)
            graph[question.id] = deps
            locs[question.id] = question.loc
        for cycle in _cycles(graph):
            self.add(locs.get(cycle[0]), "cycle", path=" → ".join([*cycle, cycle[0]]))


def _maximum(schema: Mapping[str, Any]) -> float | None:
    """The tightest ``maximum`` of a (possibly ``allOf``) schema."""
    values = [schema["maximum"]] if isinstance(schema.get("maximum"), int | float) else []
    for part in schema.get("allOf") or ():
        inner = _maximum(part)
        if inner is not None:
            values.append(inner)
    return min(values) if values else None


# Sample answers by type, to evaluate expressions before any interview (never zero: a division
# by a sample must not look like an error).
_SAMPLES: dict[str, Any] = {
    "text": "Julie", "phone": "06 12 34 56 78", "integer": 2, "money": 850, "number": 1.5,
    "date": "1990-03-15", "boolean": True,
}


def _sample(spec: Any) -> Any:
    if spec.type in _SAMPLES:
        return _SAMPLES[spec.type]
    if spec.type == "choice":
        return spec.choices[0].value if spec.choices else Missing({spec.id})
    if spec.type == "multi_choice":
        return [spec.choices[0].value] if spec.choices else []
    if spec.type == "repeat":
        children = getattr(spec, "questions", ()) or ()
        if children:
            return [{c.id: _sample(c) for c in children}]
        return [{k: _sample(f) for k, f in (getattr(spec, "item", {}) or {}).items()}]
    return Missing({spec.id})  # a type registered later: unknown to the samples


def _samples(q: Questionnaire, fields: Mapping[str, FieldDef]) -> dict[str, Any]:
    env = {fid: _sample(fdef) for fid, fdef in fields.items()}
    env.update({question.id: _sample(question) for question in q.questions()})
    return {k: v for k, v in env.items() if not is_missing(v)}


def _compared_literals(source: str) -> Iterable[tuple[str, str]]:
    """(name, string) pairs from ``name == "x"`` and ``name in ["x", …]`` in an expression."""
    try:
        tree = parse_eval(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []
    pairs = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Compare) or not isinstance(node.left, ast.Name):
            continue
        for op, right in zip(node.ops, node.comparators, strict=False):
            if (
                isinstance(op, ast.Eq)
                and isinstance(right, ast.Constant)
                and isinstance(right.value, str)
            ):
                pairs.append((node.left.id, right.value))
            elif isinstance(op, ast.In) and isinstance(right, ast.List | ast.Tuple):
                pairs += [
                    (node.left.id, e.value)
                    for e in right.elts
                    if isinstance(e, ast.Constant) and isinstance(e.value, str)
                ]
    return pairs


def _cycles(graph: Mapping[str, set[str]]) -> list[list[str]]:
    """Each elementary cycle once (as found by depth-first search), for reporting."""
    state: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []
    seen_sets: set[frozenset[str]] = set()

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for dep in sorted(graph.get(node, ())):
            if dep not in graph:
                continue
            if state.get(dep) == 1:
                cycle = stack[stack.index(dep) :]
                if frozenset(cycle) not in seen_sets:
                    seen_sets.add(frozenset(cycle))
                    found.append(list(cycle))
            elif dep not in state:
                visit(dep)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node)
    return found
