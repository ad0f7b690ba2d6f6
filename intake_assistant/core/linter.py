"""Authoring linter for questionnaires: finds what would break an interview before anyone runs it.

Codes (one line per finding, ``path:line:col: error|warning CODE: message (how to fix)``):
E-YAML syntax · E-SCHEMA format · E-EXPR unsafe/unparsable expression · E-DUP duplicate id ·
E-REF unknown id · E-CYCLE dependency cycle · E-ORDER condition on a later question ·
E-UNREACHABLE question never shown · E-CHOICE bad choices · E-JSONSCHEMA invalid schema fragment ·
E-TYPE type contradicting the data dictionary · W-MESSAGE message for an unknown keyword.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from intake_assistant.core.expressions import Expression, is_missing
from intake_assistant.core.expressions import template_expressions as _template_exprs
from intake_assistant.core.fields import FieldDef
from intake_assistant.core.findings import Finding
from intake_assistant.core.loader import parse_questionnaire
from intake_assistant.core.model import Question, Questionnaire
from intake_assistant.core.validation import check_schema
from intake_assistant.core.yamlsource import Location

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


@dataclass
class LintContext:
    """Names an expression may use besides the questionnaire's own ids."""

    fields: Mapping[str, FieldDef] = field(default_factory=dict)
    computed: set[str] = field(default_factory=set)
    parameters: set[str] = field(default_factory=set)


def lint_questionnaire(
    path: str | Path, context: LintContext, text: str | None = None
) -> list[Finding]:
    questionnaire, findings = parse_questionnaire(path, text=text, fields=context.fields)
    if questionnaire is not None:
        findings += _Checker(questionnaire, context).run()
    return sorted(set(findings))


class _Checker:
    def __init__(self, q: Questionnaire, ctx: LintContext) -> None:
        self.q = q
        self.ctx = ctx
        self.out: list[Finding] = []
        self.order: dict[str, int] = {}

    def add(self, loc: Location | None, code: str, message: str, severity: str = "error") -> None:
        self.out.append(Finding.at(loc, severity, code, message, self.q.path))

    def run(self) -> list[Finding]:
        self.check_ids()
        known = set(self.order) | set(self.q.computed) | set(self.ctx.fields) | self.ctx.computed
        known |= self.ctx.parameters
        for section in self.q.sections:
            if section.show_if is not None:
                at = section.locs.get("show_if", section.loc)
                self.check_expr(section.show_if, at, known, "show_if", None)
                self.check_unreachable(section.show_if, at, f"la section « {section.id} »")
        for question in self.q.all_questions():
            self.check_question(question, known)
        for cid, expr in self.q.computed.items():
            self.check_expr(
                expr, self.q.computed_locs.get(cid, self.q.loc), known, f"computed.{cid}", None
            )
        self.check_cycles()
        return self.out

    def check_ids(self) -> None:
        seen: dict[str, Location | None] = {}
        for i, question in enumerate(self.q.all_questions()):
            key = question.id if question.parent is None else f"{question.parent.id}.{question.id}"
            if key in seen:
                first = seen[key]
                self.add(
                    question.loc,
                    "E-DUP",
                    f"identifiant « {question.id} » déjà utilisé "
                    f"ligne {first.line if first else '?'} (renommez l'une des deux questions)",
                )
            seen[key] = question.loc
            self.order.setdefault(key if question.parent is None else question.parent.id, i)
        sections = [s.id for s in self.q.sections]
        for s in self.q.sections:
            if sections.count(s.id) > 1 and s is not next(
                x for x in self.q.sections if x.id == s.id
            ):
                self.add(s.loc, "E-DUP", f"section « {s.id} » en double (renommez-la)")
        for cid in self.q.computed:
            if cid in self.order:
                self.add(
                    self.q.loc,
                    "E-DUP",
                    f"la valeur calculée « {cid} » porte l'identifiant "
                    "d'une question (renommez-la)",
                )

    def check_question(self, question: Question, known: set[str]) -> None:
        loc = question.loc
        scope = known | (
            {c.id for c in question.parent.questions} | _ITEM_SCOPE if question.parent else set()
        )
        if question.type == "repeat":
            scope = scope | _ITEM_SCOPE
        fdef = question.field
        if (
            fdef is not None
            and question.type != fdef.type
            and not ({question.type, fdef.type} <= {"money", "number"})
        ):
            self.add(
                loc,
                "E-TYPE",
                f"« {question.id} » est de type {fdef.type} dans le "
                f"dictionnaire des données, pas {question.type} "
                "(retirez « type: » ou changez l'identifiant)",
            )
        if question.type in ("choice", "multi_choice"):
            self.check_choices(question)
        if question.extra_schema:
            reason = check_schema(dict(question.extra_schema))
            if reason:
                self.add(
                    question.where("schema"),
                    "E-JSONSCHEMA",
                    f"schéma de « {question.id} » invalide : {reason}",
                )
        for keyword in question.messages:
            if keyword not in _SCHEMA_KEYWORDS:
                self.add(
                    loc,
                    "W-MESSAGE",
                    f"message pour « {keyword} », qui n'est pas un mot-clé "
                    "JSON Schema vérifié (corrigez la clé)",
                    "warning",
                )
        if question.show_if is not None:
            at = question.where("show_if")
            self.check_expr(question.show_if, at, scope, "show_if", question)
            self.check_unreachable(question.show_if, at, f"la question « {question.id} »")
        if question.default_expression is not None:
            at = question.where("default_expression")
            self.check_expr(question.default_expression, at, scope, "default_expression", question)
        for check in (*question.warn_if, *question.valid_if):
            self.check_expr(
                check.expression, check.loc or loc, scope | {question.id}, "condition", None
            )
            self.check_template(check.message, check.loc or loc, scope | {question.id})
        self.check_template(question.text, question.where("text"), scope)
        if question.add_another_text:
            self.check_template(
                question.add_another_text, question.where("add_another_text"), scope
            )

    def check_choices(self, question: Question) -> None:
        if not question.choices:
            self.add(
                question.loc, "E-CHOICE", f"« {question.id} » n'a aucun choix (ajoutez choices:)"
            )
        values = [c.value for c in question.choices]
        keys = [c.key for c in question.choices if c.key]
        for dup in {v for v in values if values.count(v) > 1} | {
            k for k in keys if keys.count(k) > 1
        }:
            self.add(question.loc, "E-CHOICE", f"choix « {dup} » en double dans « {question.id} »")
        for c in question.choices:
            if not c.label.strip():
                self.add(
                    question.loc, "E-CHOICE", f"choix « {c.value} » sans libellé (ajoutez label:)"
                )

    def check_expr(
        self,
        expr: Expression,
        loc: Location | None,
        scope: set[str],
        what: str,
        owner: Question | None,
    ) -> None:
        item_names = getattr(expr, "item_names", frozenset())
        for name in sorted(expr.names):
            if name in scope or name in item_names:
                continue
            self.add(
                loc,
                "E-REF",
                f"{what} : « {name} » n'est ni une question, ni une valeur "
                "calculée, ni un paramètre (vérifiez l'orthographe)",
            )
        if owner is not None and what == "show_if":
            mine = self.order.get(owner.id if owner.parent is None else owner.parent.id, 0)
            for name in sorted(expr.names & set(self.order)):
                if owner.parent is not None and name in {c.id for c in owner.parent.questions}:
                    continue
                if self.order[name] >= mine:
                    self.add(
                        loc,
                        "E-ORDER",
                        f"show_if de « {owner.id} » dépend de « {name} », "
                        "posée après ou en même temps (déplacez la question ou la condition)",
                    )

    def check_template(self, text: str, loc: Location | None, scope: set[str]) -> None:
        from intake_assistant.core.expressions import ExpressionError, compile_expression

        try:
            parts = _template_exprs(text)
        except ExpressionError as exc:
            self.add(loc, "E-EXPR", f"texte « {text} » : {exc.message}")
            return
        for source, _offset in parts:
            try:
                expr = compile_expression(source)
            except ExpressionError as exc:
                self.add(loc, "E-EXPR", f"« {{{source}}} » dans le texte : {exc.message}")
                continue
            self.check_expr(expr, loc, scope, "texte", None)

    def check_unreachable(self, expr: Expression, loc: Location | None, what: str) -> None:
        """A condition that is false whatever the answers, or compares a choice to a non-value."""
        if not expr.names:
            try:
                value = expr.evaluate({})
            except Exception:  # noqa: BLE001 - evaluation errors are reported as E-EXPR elsewhere
                return
            if not is_missing(value) and not value:
                self.add(
                    loc,
                    "E-UNREACHABLE",
                    f"{what} n'est jamais posée : sa condition est "
                    "toujours fausse (corrigez show_if)",
                )
            return
        for name, literal in _compared_literals(expr.source):
            choices = self._choices_of(name)
            if choices and literal not in choices:
                self.add(
                    loc,
                    "E-UNREACHABLE",
                    f"{what} : « {name} » ne vaut jamais « {literal} » "
                    f"(valeurs possibles : {', '.join(sorted(choices))})",
                )

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
            self.add(
                locs.get(cycle[0]),
                "E-CYCLE",
                "dépendance circulaire : " + " → ".join([*cycle, cycle[0]]) + " (cassez le cycle)",
            )


def _compared_literals(source: str) -> Iterable[tuple[str, str]]:
    """(name, string) pairs from ``name == "x"`` and ``name in ["x", …]`` in an expression."""
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError:
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
