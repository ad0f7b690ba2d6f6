"""Lint the aids catalogue, the parameters and the computed values (called by ``check``).

Codes: E-YAML syntax · E-FILE missing file · E-SCHEMA format · E-EXPR unparsable expression or
template · E-REF unknown answer id, computed value or parameter · E-DUP duplicate aid or gate ·
E-CYCLE computed values depending on each other · W-UNREACHABLE a gate whose condition does not
depend on any answer (always or never true) or that an always-failing gate hides ·
W-UNUSED parameter used nowhere · W-REVALORISATION a legal value older than its
revaluation period · W-AIDE an aid of the data dictionary absent from the catalogue.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import Any

from intake_assistant.core.expressions import EvaluationError, is_missing
from intake_assistant.core.findings import Finding
from intake_assistant.core.yamlsource import Location, LocDict, YamlSyntaxError, load_file
from intake_assistant.orientation.build import build_policy
from intake_assistant.orientation.paths import default_calculs_path
from intake_assistant.orientation.policy import Calcul, Gate, Policy

# The orientation's vocabulary in the data dictionary.
POLICY_AIDS = (
    "microcredit_personnel", "aide_au_projet", "avance_remboursable", "rsa", "prime_activite",
    "aide_logement", "css", "fsl", "aide_permis_france_travail", "surendettement",
    "point_conseil_budget", "envie", "autos_du_coeur",
    # the aids issue 12 added (legal aids a CCAS desk sees every week)
    "asf", "cpf_permis", "permis_un_euro", "aide_permis_apprenti", "domiciliation",
    "action_logement", "mission_locale",
)


def lint_catalogue(path_catalogue: str | Path, path_parameters: str | Path,
                   known_ids: set[str], path_calculs: str | Path | None = None,
                   today: date | None = None) -> list[Finding]:
    """Every problem of the policy files; ``calculs.yaml`` is taken next to the catalogue."""
    catalogue, parameters = Path(path_catalogue), Path(path_parameters)
    if path_calculs is None:
        sibling = catalogue.parent / "calculs.yaml"
        path_calculs = sibling if sibling.exists() else default_calculs_path()
    policy, findings = build_policy(parameters, catalogue, Path(path_calculs), set(known_ids))
    if policy is not None:
        findings += _unused_parameters(policy, parameters)
        findings += _absent_aids(policy, catalogue)
        findings += _unreachable_gates(policy, catalogue)
        findings += _overdue_revaluations(policy, parameters, today or date.today())
    return sorted(set(findings))


def _months_between(start: date, end: date) -> int:
    return (end.year - start.year) * 12 + end.month - start.month - (end.day < start.day)


def _overdue_revaluations(policy: Policy, path: Path, today: date) -> list[Finding]:
    """A legal value older than its revaluation period: a revaluation was probably missed."""
    from intake_assistant.core.french import format_date

    block = _load(path)
    block = block.get("parametres") if isinstance(block, Mapping) else None
    out = []
    for pid, p in policy.parameters.items():
        last = p.values[-1]
        if not p.revaluation_months or last.start is None:
            continue
        if _months_between(last.start, today) >= p.revaluation_months:
            out.append(Finding.at(
                _key_loc(block, pid), "warning", "W-REVALORISATION",
                f"paramètre « {pid} » : dernière valeur en vigueur depuis le "
                f"{format_date(last.start)}, plus ancienne que sa période de revalorisation "
                f"({p.revaluation_months} mois) : ajoutez la nouvelle valeur datée et sa source",
                str(path)))
    return out


def _load(path: Path) -> Any:
    try:
        return load_file(path)
    except (OSError, YamlSyntaxError):
        return None


def _key_loc(node: Any, key: str) -> Location | None:
    return node.key_locs.get(key) if isinstance(node, LocDict) else None


def _unused_parameters(policy: Policy, path: Path) -> list[Finding]:
    from intake_assistant.core.followup import PARAMETERS as FOLLOWUP_PARAMETERS

    used = set().union(*(c.expression.names for c in policy.calculs.values()))
    used |= set(FOLLOWUP_PARAMETERS)  # read by the follow-up, not by an expression
    for aid in policy.aids:
        used |= set(aid.parameters)
    doc = _load(path)
    block = doc.get("parametres") if isinstance(doc, Mapping) else None
    out = []
    for pid in policy.parameters:
        if pid not in used:
            out.append(Finding.at(_key_loc(block, pid), "warning", "W-UNUSED",
                                  f"paramètre « {pid} » utilisé par aucun calcul ni aucune "
                                  "condition (supprimez-le ou utilisez-le)", str(path)))
    return out


def _absent_aids(policy: Policy, path: Path) -> list[Finding]:
    present = {aid.id for aid in policy.aids}
    doc = _load(path)
    loc = getattr(doc, "loc", None) if doc is not None else None
    return [Finding.at(loc, "warning", "W-AIDE",
                       f"aide « {aid} » du dictionnaire de données absente du catalogue "
                       "(ajoutez-la si le CCAS y oriente)", str(path))
            for aid in POLICY_AIDS if aid not in present]


def answer_inputs(names: Iterable[str], calculs: Mapping[str, Calcul],
                  parameters: Mapping[str, Any]) -> set[str]:
    """The answer ids an expression depends on, directly or through computed values."""
    seen: set[str] = set()
    found: set[str] = set()
    todo = list(names)
    while todo:
        name = todo.pop()
        if name in seen or name in parameters:
            continue
        seen.add(name)
        if name in calculs:
            todo.extend(calculs[name].expression.names - calculs[name].expression.item_names)
        else:
            found.add(name)
    return found


def _constant(gate: Gate, policy: Policy) -> bool | None:
    """The gate's value when it depends on no answer (None when it does or cannot be computed)."""
    if answer_inputs(gate.fails_when.names, policy.calculs, policy.parameters):
        return None
    env: dict[str, Any] = policy.parameter_env()
    try:
        for cid, calc in policy.calculs.items():
            env[cid] = calc.expression.evaluate(env)
        value = gate.fails_when.evaluate(env)
    except EvaluationError:
        return None
    return None if is_missing(value) else bool(value)


def _gate_locs(doc: Any) -> dict[tuple[str, str], Location | None]:
    out: dict[tuple[str, str], Location | None] = {}
    for raw in (doc.get("aides") or []) if isinstance(doc, Mapping) else []:
        for graw in raw.get("gates") or []:
            if isinstance(graw, LocDict):
                out[(raw.get("id"), graw.get("id"))] = graw.value_locs.get("fails_when")
    return out


def _unreachable_gates(policy: Policy, path: Path) -> list[Finding]:
    locs = _gate_locs(_load(path))
    out = []
    for aid in policy.aids:
        barred_by = None
        for gate in aid.gates:
            value = _constant(gate, policy)
            where = f"aide « {aid.id} », condition « {gate.id} »"
            if value is False:
                out.append(Finding.at(locs.get((aid.id, gate.id)), "warning", "W-UNREACHABLE",
                                      f"{where} : ne dépend d'aucune réponse et n'est jamais "
                                      "remplie, elle ne joue jamais (corrigez-la ou supprimez-la)",
                                      str(path)))
            elif value is True:
                effect = ("n'est jamais proposée" if gate.status == "not_eligible"
                          else "est toujours à vérifier")
                out.append(Finding.at(locs.get((aid.id, gate.id)), "warning", "W-UNREACHABLE",
                                      f"{where} : ne dépend d'aucune réponse et est toujours "
                                      f"vraie, l'aide {effect} (corrigez la condition)", str(path)))
                if gate.status == "not_eligible":
                    barred_by = barred_by or gate.id
        if barred_by:
            for gate in aid.gates:
                if gate.id != barred_by and _constant(gate, policy) is None:
                    out.append(Finding.at(
                        locs.get((aid.id, gate.id)), "warning", "W-UNREACHABLE",
                        f"aide « {aid.id} », condition « {gate.id} » : inaccessible, la condition "
                        f"« {barred_by} » écarte toujours l'aide (corrigez-la)", str(path)))
    return out
