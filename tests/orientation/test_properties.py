"""Properties of the evaluation over generated households (hypothesis)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from intake_assistant.orientation.evaluate import evaluate
from intake_assistant.orientation.lint import POLICY_AIDS

from .conftest import PERSONAS, TODAY

RESOURCES = ("revenus_activite", "allocations_chomage", "rsa_percu", "prime_activite_percue",
             "aides_logement_percues", "prestations_familiales", "pensions_retraite_invalidite",
             "pension_alimentaire_recue", "autres_ressources")
STATUSES = {"eligible", "to_check", "not_eligible"}
SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])

money = st.integers(min_value=0, max_value=4000) | st.floats(min_value=0, max_value=4000)
households = st.fixed_dictionaries({
    "situation_familiale": st.sampled_from(["seul", "couple"]),
    "enfants": st.lists(st.fixed_dictionaries({"age": st.integers(0, 25)}), max_size=6),
    "autres_personnes": st.integers(0, 3),
    "date_naissance": st.sampled_from(["2008-01-15", "2003-05-14", "1994-02-11", "1959-03-30"]),
    "grossesse": st.booleans(),
    "logement": st.sampled_from(["locataire_prive", "locataire_social", "proprietaire",
                                 "heberge", "sans_logement"]),
    "loyer": money, "energie": money, "credits_mensualites": money,
    **{r: money for r in RESOURCES},
})


def statuses(answers, policy, unknown=()):
    return {s.aid: s.status for s in evaluate(answers, policy, TODAY, unknown).suggestions}


@SETTINGS
@given(st.sampled_from(PERSONAS), households, st.sampled_from(RESOURCES),
       st.integers(min_value=1, max_value=5000))
def test_more_resources_never_reopen_rsa_or_css(policy, case, household, field, extra):
    answers = {**case["answers"], **household}
    richer = {**answers, field: answers[field] + extra}
    before, after = statuses(answers, policy), statuses(richer, policy)
    for aid in ("rsa", "css"):
        if aid == "css" and field == "rsa_percu":
            continue  # receiving the RSA opens the free CSS whatever the income (CSS L861-2)
        if before[aid] == "not_eligible":
            assert after[aid] == "not_eligible", (aid, field)


@SETTINGS
@given(st.sampled_from(PERSONAS), households, st.sets(st.sampled_from(sorted(
    {k for p in PERSONAS for k in p["answers"]})), max_size=8), st.booleans())
def test_one_valid_status_per_aid_and_no_silent_verdict(policy, case, household, dropped,
                                                       as_unknown):
    answers = {**case["answers"], **household}
    if as_unknown:
        result = evaluate(answers, policy, TODAY, unknown=dropped)
    else:
        result = evaluate({k: v for k, v in answers.items() if k not in dropped}, policy, TODAY)
    aids = [s.aid for s in result.suggestions]
    assert sorted(aids) == sorted(POLICY_AIDS)
    for s in result.suggestions:
        assert s.status in STATUSES
        if any(g.state == "missing" for g in s.gates):
            assert s.status != "eligible", s.aid
        if s.status == "to_check" and not any(g.state == "failed" for g in s.gates):
            # to_check only from missing answers or the aid's own default
            assert s.needs or policy.aid(s.aid).default_status == "to_check"
        assert set(s.needs) <= set(result.missing)
