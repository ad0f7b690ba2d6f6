"""Realistic synthetic dossiers for demos and benchmarks (seeded, reproducible, fictitious people).

Answers use the data-dictionary ids and choice values; histories follow the life-cycle with
plausible delays; decided dossiers carry a commission decision. Nobody here is a real person.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

from intake_assistant.core.statuses import Status
from intake_assistant.core.timeutil import iso, local_now

from .audit import answer_changes
from .demo_followup import followup_tables

NOMS = (
    "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy",
    "Moreau", "Simon", "Laurent", "Lefèvre", "Michel", "Garcia", "David", "Bertrand", "Roux",
    "Vincent", "Fournier", "Morel", "Girard", "André", "Lefebvre", "Mercier", "Dupont", "Lambert",
    "Bonnet", "François", "Martinez", "Legrand", "Garnier", "Faure", "Rousseau", "Blanc", "Guérin",
    "Muller", "Henry", "Roussel", "Nicolas", "Perrin", "Morin", "Mathieu", "Clément", "Gauthier",
    "Dumont", "Lopez", "Fontaine", "Chevalier", "Robin", "Masson", "Sanchez", "Gérard", "Nguyen",
    "Boyer", "Denis", "Lemaire", "Duval", "Joly", "Gautier", "Roger", "Roche", "Roy", "Noël",
    "Meyer", "Lucas", "Meunier", "Jean", "Perez", "Marchand", "Dufour", "Blanchard", "Marie",
    "Barbier", "Brun", "Dumas", "Brunet", "Schmitt", "Leroux", "Colin", "Fernandez", "Pierre",
    "Renard", "Arnaud", "Rolland", "Caron", "Aubert", "Giraud", "Leclerc", "Vidal", "Bourgeois",
    "Renaud", "Lemoine", "Picard", "Gaillard", "Philippe", "Leclercq", "Lacroix", "Fabre", "Dupuis",
    "Olivier", "Rodriguez", "Da Silva", "Hubert", "Louis", "Charles", "Guillot", "Rivière",
    "Le Gall", "Benali", "Haddad", "Diallo", "Traoré", "Ferreira", "Kaya", "Cousin", "Huet",
    "Hénon", "Collet",
)
PRENOMS_F = (
    "Julie", "Sophie", "Nathalie", "Isabelle", "Sandrine", "Céline", "Aurélie", "Émilie", "Laura",
    "Camille", "Manon", "Léa", "Chloé", "Sarah", "Marine", "Audrey", "Virginie", "Stéphanie",
    "Karine", "Valérie", "Nadia", "Fatima", "Samira", "Hélène", "Mélanie", "Jessica", "Amandine",
    "Élodie", "Océane", "Anaïs", "Inès", "Yasmine", "Christelle", "Delphine", "Josiane", "Monique",
)
PRENOMS_H = (
    "Marc", "Thomas", "Nicolas", "Julien", "Sébastien", "Kévin", "Maxime", "Anthony", "Jérôme",
    "David", "Christophe", "Frédéric", "Mickaël", "Romain", "Alexandre", "Benoît", "Cédric", "Loïc",
    "Mehdi", "Karim", "Yassine", "Mamadou", "Jordan", "Dylan", "Théo", "Hugo", "Lucas", "Bruno",
    "Patrick", "Didier", "Gérard", "Thierry", "François", "Jean-Luc", "Grégory", "Ahmed",
)
COMMUNES = (
    ("Reims", 60), ("Tinqueux", 5), ("Bétheny", 5), ("Cormontreuil", 4),
    ("Saint-Brice-Courcelles", 4), ("Bezannes", 2), ("Witry-lès-Reims", 3), ("Saint-Léonard", 1),
    ("Taissy", 2), ("Champigny", 2), ("Sillery", 2), ("Muizon", 1), ("Puisieulx", 1),
    ("Cernay-lès-Reims", 2), ("Gueux", 1), ("Jonchery-sur-Vesle", 1), ("Fismes", 2),
    ("Berru", 1), ("Prunay", 1),
)
AGENTS_ACCUEIL = ("Sophie Lambert", "Karim Haddad", "Isabelle Roussel")
TRAVAILLEURS_SOCIAUX = ("Nadia Benali", "Thomas Girard")
PARTENAIRES = (
    "Parcours Confiance", "ENVIE", "Les Autos du Cœur", "CAF de la Marne", "France Travail",
    "Mission locale", "Point conseil budget", "Service social départemental",
)
# (project, weight, cost range €, tied to employment?)
PROJETS = (
    ("permis_b", 30, (900, 1800), True), ("achat_vehicule", 18, (1500, 5000), True),
    ("reparation_vehicule", 10, (400, 2000), True), ("electromenager", 16, (250, 900), False),
    ("mobilier", 6, (300, 1500), False), ("formation", 5, (500, 3000), True),
    ("sante", 4, (300, 2500), False), ("installation_logement", 6, (500, 2500), False),
    ("evenement_familial", 2, (400, 2000), False), ("rachat_dettes", 2, (1000, 6000), False),
    ("autre", 1, (300, 1500), False),
)
DESCRIPTIONS = {
    "permis_b": "Permis B pour un emploi en horaires décalés",
    "achat_vehicule": "Véhicule d'occasion pour se rendre au travail",
    "reparation_vehicule": "Réparation de la voiture (embrayage) indispensable au travail",
    "electromenager": "Remplacement du lave-linge et du réfrigérateur",
    "mobilier": "Lits et mobilier pour les enfants",
    "formation": "Formation qualifiante d'aide-soignante",
    "sante": "Appareillage dentaire non remboursé",
    "installation_logement": "Dépôt de garantie et premier équipement du logement",
    "evenement_familial": "Frais d'obsèques d'un proche",
    "rachat_dettes": "Regrouper les crédits renouvelables",
    "autre": "Matériel informatique pour la recherche d'emploi",
}
# Final status wanted (the actual one is cut at "now" when the dossier is too recent).
FINAL_STATUS = (
    ("premier_contact", 12), ("en_evaluation", 10), ("en_instruction", 8), ("en_commission", 5),
    ("accorde", 22), ("refuse", 8), ("ajourne", 4), ("abandonne", 21), ("clos", 10),
)
_LINE = tuple(Status)[:4]  # the main line up to the commission
CONDITIONS = (
    "Accompagnement budgétaire pendant la durée du prêt",
    "Versement direct à l'auto-école",
    "Présentation de la facture avant déblocage",
    "Ouverture d'un compte sans découvert",
)
EVALUATIONS = (
    "Projet cohérent avec le retour à l'emploi ; budget tendu mais remboursement possible.",
    "Situation stable, charges maîtrisées ; le projet répond à un besoin essentiel du foyer.",
    "Reste à vivre faible : orientation prioritaire vers les droits non ouverts avant le prêt.",
    "Ménage fragilisé par une séparation récente ; accompagnement social à poursuivre.",
)


def _pick(rng: random.Random, weighted: tuple[tuple[Any, ...], ...]) -> tuple[Any, ...]:
    return rng.choices(weighted, weights=[row[1] for row in weighted])[0]


def _phone(rng: random.Random) -> str:
    prefix = rng.choice(("06", "06", "07", "03 26"))
    groups = 4 if len(prefix) == 2 else 3
    return " ".join([prefix, *(f"{rng.randrange(100):02d}" for _ in range(groups))])


def _identity(rng: random.Random, today: date) -> dict[str, Any]:
    female = rng.random() < 0.62  # most applicants met by the unit are women
    age = rng.randint(19, 67)
    born = today - timedelta(days=age * 365 + rng.randrange(365))
    return {
        "nom": rng.choice(NOMS),
        "prenom": rng.choice(PRENOMS_F if female else PRENOMS_H),
        "date_naissance": born.isoformat(),
        "telephone": _phone(rng),
        "commune_residence": _pick(rng, COMMUNES)[0],
    }


def _household(rng: random.Random) -> dict[str, Any]:
    couple = rng.random() < 0.35
    children = rng.choices((0, 1, 2, 3, 4), weights=(35, 28, 22, 10, 5))[0]
    job = rng.choices(
        ("salarie_cdi", "salarie_precaire", "independant", "demandeur_emploi", "formation",
         "retraite", "etudiant", "sans_activite"), weights=(18, 26, 4, 24, 5, 8, 3, 12))[0]
    return {
        "situation_familiale": "couple" if couple else "seul",
        "enfants": [{"age": rng.randint(0, 19)} for _ in range(children)],
        "autres_personnes": rng.choices((0, 1), weights=(92, 8))[0],
        "grossesse": rng.random() < 0.04,
        "logement": rng.choices(("locataire_social", "locataire_prive", "proprietaire", "heberge",
                                 "sans_logement"), weights=(48, 30, 6, 14, 2))[0],
        "situation_professionnelle": job,
        "inscrit_france_travail_mois": rng.randint(1, 30) if job == "demandeur_emploi" else 0,
    }


def _budget(rng: random.Random, household: dict[str, Any]) -> dict[str, Any]:
    job = household["situation_professionnelle"]
    n_children = len(household["enfants"])
    budget: dict[str, Any] = {
        "revenus_activite": rng.randrange(700, 1700, 10) if job.startswith("salarie") else 0,
        "allocations_chomage": rng.randrange(500, 1100, 10) if job == "demandeur_emploi" else 0,
        "rsa_percu": rng.randrange(300, 700, 5) if job == "sans_activite" else 0,
        "prime_activite_percue": rng.randrange(0, 250, 5) if job == "salarie_precaire" else 0,
        "aides_logement_percues": rng.randrange(0, 350, 5),
        "prestations_familiales": 140 * n_children if n_children >= 2 else 0,
        "pensions_retraite_invalidite": rng.randrange(800, 1400, 10) if job == "retraite" else 0,
        "loyer": rng.randrange(150, 650, 5) if household["logement"] != "heberge" else 0,
        "energie": rng.randrange(40, 160, 5), "eau": rng.randrange(10, 45, 5),
        "assurances": rng.randrange(15, 70, 5), "mutuelle": rng.randrange(0, 80, 5),
        "telephone_internet": rng.randrange(20, 70, 5), "transport": rng.randrange(0, 120, 5),
        "impots": 0, "frais_garde": rng.randrange(0, 150, 10) if n_children else 0,
        "credits_mensualites": rng.choice((0, 0, 0, 45, 90, 150)),
        "compte_bancaire": rng.random() < 0.95, "refus_credit_bancaire": rng.random() < 0.8,
        "ficp": rng.random() < 0.12,
        "surendettement": rng.choices(("aucun", "procedure_en_cours", "plan_en_cours"),
                                      weights=(88, 5, 7))[0],
        "impayes_loyer": rng.random() < 0.15, "impayes_energie": rng.random() < 0.12,
    }
    budget["montant_dettes"] = rng.randrange(200, 5000, 50) if budget["impayes_loyer"] else 0
    return budget


def _project(rng: random.Random) -> dict[str, Any]:
    kind, _, (low, high), job_related = _pick(rng, PROJETS)
    cost = rng.randrange(low, high, 10)
    deposit = rng.choice((0, 0, 50, 100, 150, 200, 300)) if cost > 400 else 0
    return {
        "type_projet": kind, "description_projet": DESCRIPTIONS[kind],
        "lien_emploi_insertion": job_related or rng.random() < 0.2,
        "cout_projet": cost, "apport_personnel": deposit, "montant_demande": cost - deposit,
        "duree_souhaitee_mois": rng.choice((12, 18, 24, 24, 30, 36, 36)),
        "urgence": rng.random() < 0.2,
    }


def _stamp(rng: random.Random, day: date) -> datetime:
    """A working-hours moment of `day`, local time."""
    hour, minute = rng.randint(8, 17), rng.randrange(60)
    return datetime(day.year, day.month, day.day, hour, minute).astimezone()


def _steps(rng: random.Random, start: date, today: date) -> list[tuple[str, date]]:
    """Status changes after the first contact, cut at `today`."""
    final = _pick(rng, FINAL_STATUS)[0]
    gaps = {"en_evaluation": (2, 21), "en_instruction": (7, 35), "en_commission": (10, 45),
            "decision": (7, 30)}
    steps: list[tuple[str, date]] = []
    day = start
    if final in ("abandonne", "clos"):
        target = rng.choice(_LINE[1:] + ("decision",)) if final == "clos" else rng.choice(_LINE)
    else:
        target = final
    for status in _LINE[1:]:
        if target == _LINE[_LINE.index(status) - 1]:
            break
        day += timedelta(days=rng.randint(*gaps[status]))
        steps.append((status, day))
    if final in ("accorde", "refuse", "ajourne") or target == "decision":
        decision = final if final in ("accorde", "refuse", "ajourne") else rng.choice(
            ("accorde", "accorde", "refuse"))
        day += timedelta(days=rng.randint(*gaps["decision"]))
        steps.append((decision, day))
    if final in ("abandonne", "clos"):
        day += timedelta(days=rng.randint(10, 150))
        steps.append((final, day))
    return [(status, when) for status, when in steps if when <= today]


def _events(
    answers: dict[str, Any], moment: datetime, agent: str, questionnaire: str, first_seq: int
) -> list[dict[str, Any]]:
    at = iso(moment)
    return [{"seq": first_seq + i, "at": at, "agent": agent, "questionnaire": questionnaire,
             "type": "answer", "id": key, "raw": _raw(value), "value": value}
            for i, (key, value) in enumerate(answers.items())]


def _raw(value: Any) -> str | None:
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, int | float | str):
        return str(value).replace(".", ",")
    return None


def generate_dossier(rng: random.Random, created: datetime, today: date) -> dict[str, Any]:
    """One complete dossier document (without id: the store gives it)."""
    reception, worker = rng.choice(AGENTS_ACCUEIL), rng.choice(TRAVAILLEURS_SOCIAUX)
    steps = _steps(rng, created.date(), today)
    created_at = iso(created)
    history = [{"status": "premier_contact", "at": created_at, "agent": reception}]
    first = {**_identity(rng, created.date()), **_project(rng)}
    unknown = rng.sample(["montant_dettes", "ficp", "apport_personnel"], k=rng.randint(0, 2))
    for key in unknown:
        first.pop(key, None)
    events = _events(first, created, reception, "accueil_telephonique", 1)
    audit = answer_changes({}, [], first, unknown, agent=reception, at=created_at)
    answers = dict(first)
    meetings: list[dict[str, Any]] = []
    commission = None
    evaluation = None
    for status, day in steps:
        moment = _stamp(rng, day)
        if moment < created:
            moment = created + timedelta(hours=1)
        history.append({"status": status, "at": iso(moment), "agent": worker})
        if status == "en_evaluation":
            household = _household(rng)
            more = {**household, **_budget(rng, household)}
            if rng.random() < 0.3:
                more["montant_demande"] = max(100, answers.get("montant_demande", 800) - 100)
            events += _events(more, moment, worker, "entretien_social", len(events) + 1)
            audit += answer_changes(answers, unknown, {**answers, **more},
                                    [u for u in unknown if u not in more],
                                    agent=worker, at=iso(moment))
            answers.update(more)
            unknown = [u for u in unknown if u not in more]
            meetings.append(_meeting(rng, day, worker, "demandeur"))
        elif status == "en_instruction":
            evaluation = rng.choice(EVALUATIONS)
            for _ in range(rng.randint(0, 2)):
                meetings.append(_meeting(rng, day - timedelta(days=rng.randint(0, 5)), worker,
                                         "partenaire"))
            meetings.append(_meeting(rng, day, worker, "demandeur"))
        elif status in ("accorde", "refuse", "ajourne"):
            asked = answers.get("montant_demande") or 800
            commission = {
                "date": day.isoformat(), "decision": status,
                "montant_accorde": (asked if rng.random() < 0.8 else int(round(asked * 0.8, -1)))
                if status == "accorde" else None,
                "conditions": rng.choice(CONDITIONS) if status == "accorde" else
                ("Dossier à représenter avec le devis définitif" if status == "ajourne" else
                 "Capacité de remboursement insuffisante ; orientation vers le FSL"),
                "agent": worker, "at": iso(moment),
            }
    last = history[-1]["at"]
    doc = {
        "id": "", "rev": len(history) + 1, "created_at": created_at, "updated_at": last,
        "created_by": reception, "agent": worker if len(history) > 1 else reception,
        "status": history[-1]["status"], "status_history": history,
        "questionnaires": list(dict.fromkeys(e["questionnaire"] for e in events)),
        "answers": answers, "unknown": unknown, "events": events, "audit": audit,
        "rencontres": sorted(meetings, key=lambda m: m["date"]), "commission": commission,
        "notes": [{"at": created_at, "agent": reception,
                   "text": "Rappeler en fin de matinée, joignable après 11 h."}]
        if rng.random() < 0.25 else [],
        "evaluation_sociale": evaluation,
    }
    doc["tables"] = followup_tables(doc, today)  # requests, appointments, repayments
    return doc


def _meeting(rng: random.Random, day: date, agent: str, avec: str) -> dict[str, Any]:
    partner = rng.choice(PARTENAIRES) if avec == "partenaire" else None
    note = (f"Point sur le dossier avec {partner}" if partner else
            rng.choice(("Entretien budgétaire complet", "Remise des justificatifs",
                        "Présentation du projet et du devis", "Signature des pièces")))
    return {"date": day.isoformat(), "avec": avec, "partenaire": partner, "note": note,
            "agent": agent, "at": iso(_stamp(rng, day))}


def generate_dossiers(
    count: int, *, seed: int = 1, now: datetime | None = None, years: int = 3
) -> Iterator[dict[str, Any]]:
    """`count` dossiers created on working days over the last `years` years, oldest first."""
    rng = random.Random(seed)
    end = local_now(now)
    first_day = end.date() - timedelta(days=years * 365)
    moments = []
    for _ in range(count):
        day = first_day + timedelta(days=rng.randint(1, years * 365))
        day -= timedelta(days=max(0, day.weekday() - 4))  # week-ends -> Friday
        minute = rng.randrange(8 * 60 + 30, 17 * 60 + 30)
        moments.append(min(end, datetime(day.year, day.month, day.day, minute // 60,
                                         minute % 60).astimezone()))
    moments.sort()
    for created in moments:
        yield generate_dossier(rng, created, end.date())
