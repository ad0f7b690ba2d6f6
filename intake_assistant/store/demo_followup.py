"""The follow-up of the demo dossiers: requests to partners and their answers (the Département's
2–3 months against the CAF's few weeks), bank files with the bank's decision and reports,
appointments (today's included), call-backs, and the avance remboursable's payments.

Each dossier's follow-up draws from its own random generator (seeded by the dossier), so adding
it leaves the rest of the demo data exactly as it was. Partner ids are those of the shipped
``partenaires.yaml``.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from typing import Any

from intake_assistant.core.followup import repayment
from intake_assistant.core.timeutil import iso

# (partner id, name as sent, aid, (min, max) answer delay in days, share of yes)
BODIES = {
    "departement_marne": ("Département de la Marne (crédits d'insertion)", "rsa", (40, 105),
                          0.7),
    "caf_marne": ("CAF de la Marne", "aide_logement", (8, 35), 0.8),
    "fsl_marne": ("Fonds de solidarité pour le logement (FSL) de la Marne", "fsl", (25, 75),
                  0.65),
    "france_travail": ("France Travail Reims Espace Farman", "aide_permis_france_travail",
                       (12, 40), 0.6),
    "envie": ("ENVIE Champagne-Ardenne", "envie", (3, 12), 0.95),
    "autos_du_coeur": ("Les Autos du Cœur", "autos_du_coeur", (10, 30), 0.7),
}
BANKS = {
    "parcours_confiance": ("Parcours Confiance (Caisse d'Épargne Grand Est Europe)", 0.04,
                           (10, 30)),
    "credit_municipal": ("Crédit Municipal de Reims", 0.035, (15, 40)),
    "banque_postale": ("La Banque Postale", 0.03, (20, 45)),
}
REFUSALS = ("Capacité de remboursement insuffisante", "Incident bancaire récent (FICP)",
            "Projet jugé non prioritaire par la banque", "Dossier incomplet")
PIECES = ["Pièce d'identité", "Justificatifs de ressources des 3 derniers mois",
          "Relevés de compte des 3 derniers mois", "Devis ou facture du projet"]
PLACES = ("CCAS, unité aide au projet — bureau 2", "CCAS, unité aide au projet — bureau 3",
          "Maison des solidarités, Reims Croix-Rouge")
OPEN = ("premier_contact", "en_evaluation", "en_instruction", "en_commission")


def _at(rng: random.Random, day: date) -> str:
    return iso(datetime(day.year, day.month, day.day, rng.randint(8, 17),
                        rng.randrange(60)).astimezone())


class _Rows:
    def __init__(self) -> None:
        self.tables: dict[str, list[dict[str, Any]]] = {}

    def add(self, table: str, at: str, agent: str, data: dict[str, Any]) -> str:
        rows = self.tables.setdefault(table, [])
        row_id = str(len(rows) + 1)
        rows.append({"id": row_id, "at": at, "agent": agent, "data": data})
        return row_id


def _history_day(doc: dict[str, Any], status: str) -> date | None:
    for change in doc["status_history"]:
        if change["status"] == status:
            return date.fromisoformat(change["at"][:10])
    return None


def followup_tables(doc: dict[str, Any], today: date) -> dict[str, list[dict[str, Any]]]:
    answers = doc["answers"]
    rng = random.Random(f"{doc['created_at']}|{answers.get('nom')}|{answers.get('prenom')}")
    rows = _Rows()
    worker = doc["agent"] or "Nadia Benali"
    instruction = _history_day(doc, "en_instruction")
    if instruction:
        _requests(rng, rows, answers, instruction, today, worker)
    decision = doc.get("commission")
    commission_day = _history_day(doc, "en_commission")
    if commission_day and answers.get("compte_bancaire") and rng.random() < 0.55:
        _bank_file(rng, rows, answers, commission_day, today, worker)
    elif decision and decision["decision"] == "accorde" and rng.random() < 0.6:
        _advance(rng, rows, decision, today, worker, answers)
    _appointments(rng, rows, doc, today, worker)
    return rows.tables


def _requests(rng: random.Random, rows: _Rows, answers: dict[str, Any], start: date,
              today: date, agent: str) -> None:
    wanted = []
    if answers.get("situation_professionnelle") in ("sans_activite", "demandeur_emploi"):
        wanted.append("departement_marne")
    if answers.get("impayes_loyer"):
        wanted.append("fsl_marne")
    if answers.get("logement", "").startswith("locataire") and not answers.get(
            "aides_logement_percues"):
        wanted.append("caf_marne")
    if answers.get("type_projet") == "permis_b" and answers.get(
            "situation_professionnelle") == "demandeur_emploi":
        wanted.append("france_travail")
    if answers.get("type_projet") == "electromenager":
        wanted.append("envie")
    if answers.get("type_projet") == "achat_vehicule" and rng.random() < 0.5:
        wanted.append("autos_du_coeur")
    for pid in wanted:
        name, aid, (low, high), yes = BODIES[pid]
        sent = start + timedelta(days=rng.randint(0, 6))
        if sent > today:
            continue
        delay = rng.randint(low, high)
        answered = sent + timedelta(days=delay)
        data: dict[str, Any] = {
            "partenaire": pid, "organisme": name, "aide": aid,
            "objet": f"Demande d'aide : {aid.replace('_', ' ')}", "pieces": PIECES[:2],
            "envoyee_le": sent.isoformat(), "relances": [], "repondu_le": None,
            "resultat": None}
        reminder = sent + timedelta(days=31)
        if reminder <= min(answered, today) and delay > 30:
            data["relances"] = [reminder.isoformat()]
        if answered <= today:
            granted = rng.random() < yes
            data.update(repondu_le=answered.isoformat(),
                        resultat="accorde" if granted else "refuse",
                        montant=rng.randrange(150, 900, 10) if granted and aid != "rsa"
                        else None,
                        reference=f"{pid[:3].upper()}-{rng.randrange(10_000, 99_999)}",
                        motif=None if granted else "Conditions d'attribution non remplies")
        rows.add("demandes", _at(rng, sent), agent, data)


def _bank_file(rng: random.Random, rows: _Rows, answers: dict[str, Any], sent: date,
               today: date, agent: str) -> None:
    pid = rng.choices(list(BANKS), weights=(60, 25, 15))[0]
    name, rate, (low, high) = BANKS[pid]
    asked = answers.get("montant_demande") or 1000
    months = answers.get("duree_souhaitee_mois") or 24
    data: dict[str, Any] = {
        "partenaire": pid, "organisme": name, "aide": "microcredit_personnel",
        "objet": f"Microcrédit personnel de {asked} € sur {months} mois", "pieces": PIECES,
        "envoyee_le": sent.isoformat(), "relances": [], "repondu_le": None, "resultat": None}
    decided = sent + timedelta(days=rng.randint(low, high))
    if decided <= today:
        refused = answers.get("ficp") and rng.random() < 0.6 or rng.random() < 0.2
        if refused:
            data.update(repondu_le=decided.isoformat(), resultat="refuse", montant=None,
                        motif=rng.choice(REFUSALS))
        else:
            amount = min(3000, max(300, int(round(asked, -1))))
            signed = decided + timedelta(days=rng.randint(4, 15))
            data.update(repondu_le=decided.isoformat(), resultat="accorde", montant=amount,
                        duree_mois=min(36, months), taux=rate,
                        signe_le=signed.isoformat() if signed <= today else None,
                        reference=f"MC-{rng.randrange(100_000, 999_999)}", motif=None)
            incidents = []
            if signed <= today and rng.random() < 0.14:
                first = signed + timedelta(days=rng.randint(60, 300))
                for k in range(rng.randint(1, 2)):
                    day = first + timedelta(days=31 * k)
                    if day <= today:
                        incidents.append({"le": day.isoformat(), "type": "impaye",
                                          "montant": round(amount / min(36, months), 2),
                                          "note": "Signalé par la banque"})
            end = signed + timedelta(days=31 * min(36, months))
            if signed <= today and rng.random() < 0.08:
                early = signed + timedelta(days=rng.randint(120, 500))
                if early <= today:
                    incidents.append({"le": early.isoformat(), "type": "remboursement_anticipe",
                                      "montant": None, "note": None})
                    end = early
            data["incidents"] = incidents
            if end <= today:
                data["fin_accompagnement"] = end.isoformat()
    rows.add("demandes", _at(rng, sent), agent, data)


def _advance(rng: random.Random, rows: _Rows, decision: dict[str, Any], today: date,
             agent: str, answers: dict[str, Any]) -> None:
    amount = min(1500, decision.get("montant_accorde") or 800)
    months = min(24, answers.get("duree_souhaitee_mois") or 12)
    decided = date.fromisoformat(decision["date"])
    first = repayment.add_months(decided.replace(day=5), 1)
    data: dict[str, Any] = {"montant": amount, "duree_mois": months,
                            "premiere_echeance": first.isoformat(),
                            "decide_le": decided.isoformat(), "reechelonnements": [],
                            "etat": "en_cours"}
    advance_id = rows.add("avances", _at(rng, decided), agent, data)
    plan = repayment.Plan(repayment.to_cents(amount), months, first, decided)
    payer = rng.choices(("regulier", "retards", "arret"), weights=(70, 20, 10))[0]
    payments = []
    for inst in repayment.schedule(plan):
        if inst.due > today:
            break
        if payer == "arret" and inst.number > months // 3:
            break
        if payer == "retards" and rng.random() < 0.25:
            continue
        day = inst.due + timedelta(days=rng.randint(-3, 6))
        if day <= today:
            payments.append(repayment.Payment(day, inst.amount_cents))
            rows.add("versements", _at(rng, day), agent,
                     {"avance": advance_id, "le": day.isoformat(),
                      "montant": inst.amount_cents / 100})
    state = repayment.statement([plan], payments, today, 10).state
    data["etat"] = state.value


def _appointments(rng: random.Random, rows: _Rows, doc: dict[str, Any], today: date,
                  agent: str) -> None:
    status = doc["status"]
    created = date.fromisoformat(doc["created_at"][:10])
    if status in OPEN:
        subject = ("Premier entretien (évaluation budgétaire)" if status == "premier_contact"
                   else rng.choice(("Remise des justificatifs", "Point sur le budget",
                                    "Présentation du projet et du devis")))
        if (today - created).days > 21 and rng.random() < 0.4:
            past = today - timedelta(days=rng.randint(1, 12))
            state = rng.choices(("honore", "manque", "prevu"), weights=(60, 25, 15))[0]
            rows.add("rendez_vous", _at(rng, max(created, past - timedelta(days=7))), agent,
                     _appointment(rng, past, "Point d'étape", state))
        if rng.random() < 0.55:
            ahead = 0 if rng.random() < 0.1 else rng.randint(1, 14)  # a few today
            day = today + timedelta(days=ahead)
            while day.weekday() > 4:
                day += timedelta(days=1)
            rows.add("rendez_vous", _at(rng, max(created, today - timedelta(days=5))), agent,
                     _appointment(rng, day, subject, "prevu"))
        if status == "premier_contact" and rng.random() < 0.3:
            due = today + timedelta(days=rng.randint(-3, 4))
            rows.add("rappels", _at(rng, created), doc["created_by"] or agent,
                     {"le": max(created, due).isoformat(),
                      "motif": rng.choice(("Confirmer le rendez-vous",
                                           "Demander l'avis d'imposition",
                                           "Rappeler pour le devis du garage")),
                      "fait_le": None})


def _appointment(rng: random.Random, day: date, subject: str, state: str) -> dict[str, Any]:
    hour, minute = rng.choice(((9, 0), (9, 30), (10, 30), (11, 0), (14, 0), (14, 30), (15, 30),
                               (16, 0)))
    return {"date": day.isoformat(), "heure": f"{hour:02d}:{minute:02d}", "duree_min": 45,
            "lieu": rng.choice(PLACES), "avec": "demandeur", "partenaire": None,
            "partenaire_nom": None, "objet": subject, "etat": state,
            "note": "Personne absente, sans prévenir" if state == "manque" else None}
