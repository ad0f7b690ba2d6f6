"""The casework commands, run as staff would type them (identity: the OS user)."""

from __future__ import annotations

import io

from pypdf import PdfReader

from intake_assistant.cli import main

from .conftest import new_dossier


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_from_assessment_to_letters(as_agent, base, tmp_path, capsys, monkeypatch) -> None:
    nadia = as_agent("nadia")  # the OS user is nadia from here on
    did = new_dossier(nadia, status="en_instruction")
    db = ("--db", str(base))
    assert run(capsys, "referent", did, "nadia", *db)[1] == \
        f"Dossier {did} confié à Nadia Benali.\n"
    text = tmp_path / "eval.txt"
    text.write_text("Mère isolée, emploi à la clé.\nBudget suivi.", encoding="utf-8")
    code, out, _ = run(capsys, "assess", did, "--fichier", str(text), *db)
    assert code == 0 and "Évaluation sociale enregistrée" in out
    assert run(capsys, "assess", did, *db)[1] == "Mère isolée, emploi à la clé.\nBudget suivi.\n"
    code, out, _ = run(capsys, "propose", did, "--aide", "avance_remboursable", "800", "16",
                       "--aide", "aide_au_projet", "200", "--arguments", "Emploi", *db,
                       "--today", "2026-11-20")
    assert code == 0
    assert "Avance remboursable du CCAS (prêt à 0 %) : 800 €, 16 mois, mensualité 50,00 €" in out
    code, _, err = run(capsys, "propose", did, "--aide", "aide_au_projet", "900", *db)
    assert code == 1 and "jusqu'à 500 €" in err
    code, out, _ = run(capsys, "documents", did, "--etablir", *db, "--today", "2026-11-20")
    assert code == 0 and "  1. [ ] Pièce d'identité  (demandée le 20/11/2026)" in out
    code, out, _ = run(capsys, "documents", did, "--recue", "1", "--recue", "rib",
                       "--sans-objet", "attestation", "--date", "2026-11-25", *db)
    assert "[x] RIB  (reçue le 25/11/2026)" in out and "[-] Attestation" in out
    assert "Dossier incomplet : 3 pièce(s) manquante(s)." in out
    pieces = tmp_path / "pieces.pdf"
    assert run(capsys, "documents", did, "--pdf", str(pieces), *db)[0] == 0
    assert "Pièces justificatives à fournir" in PdfReader(io.BytesIO(pieces.read_bytes())
                                                           ).pages[0].extract_text()
    code, out, _ = run(capsys, "session", "create", "2026-12-03", "--lieu", "Salle B", *db)
    assert out.startswith("Séance créée : 2026-12-03  03/12/2026 à 14:00  Salle B")
    code, out, _ = run(capsys, "session", "add", "2026-12-03", did, *db,
                       "--today", "2026-11-28")
    assert code == 0 and "Attention : Dossier incomplet : 3 pièce(s)" in out
    code, out, _ = run(capsys, "session", "show", "2026-12-03", *db)
    assert f"  1. {did}  Hélène Lefèvre" in out and "à décider" in out
    code, _, err = run(capsys, "decide", "2026-12-03", did, "--accorde", "aide_au_projet",
                       "200", *db, "--today", "2026-11-28")
    assert code == 1 and "n'a pas encore eu lieu" in err
    code, out, _ = run(capsys, "decide", "2026-12-03", did,
                       "--accorde", "avance_remboursable", "800", "16",
                       "--conditions", "avance_remboursable", "Versement à l'auto-école",
                       "--refuse", "aide_au_projet", "autre_dispositif",
                       *db, "--today", "2026-12-04")
    assert code == 0
    assert f"Décision du 03/12/2026 enregistrée pour le dossier {did} : Accordé." in out
    assert "avance_remboursable : accordé 800 € sur 16 mois, mensualité 50,00 €" in out
    code, _, err = run(capsys, "decide", "2026-12-03", did, "--conditions", "rsa", "x", *db)
    assert code == 2 and "aucune décision sur cette aide" in err
    session_pdf = tmp_path / "seance.pdf"
    assert run(capsys, "session", "pdf", "2026-12-03", "-o", str(session_pdf), *db)[0] == 0
    assert session_pdf.exists()
    code, out, _ = run(capsys, "letter", did, *db)
    assert "notification_accord" in out and "courrier_banque" in out
    assert "(pas encore : il faut un microcrédit accordé par la commission)" in out
    letter = tmp_path / "accord.pdf"
    code, out, _ = run(capsys, "letter", did, "notification_accord", "-o", str(letter), *db,
                       "--today", "2026-12-04")
    assert code == 0 and "Décision de la commission du 03/12/2026 — accord" in out
    code, out, _ = run(capsys, "letter", did, *db)
    assert "Courriers envoyés :\n  04/12/2026  Notification d'accord  par Nadia Benali" in out
    assert run(capsys, "referent", did, *db)[1].startswith("Référent : Nadia Benali\n")


def test_reception_is_refused_what_is_not_hers(as_agent, base, capsys) -> None:
    did = new_dossier(as_agent("nadia"))
    as_agent("sophie")
    db = ("--db", str(base))
    code, _, err = run(capsys, "assess", did, "--texte", "x", *db)
    assert code == 1 and "réservé au rôle travailleur social" in err
    code, _, err = run(capsys, "session", "create", "2026-12-03", *db)
    assert code == 1 and "enregistrer la décision de la commission" in err
    assert run(capsys, "assess", did, *db)[1] == "(évaluation sociale à rédiger)\n"


def test_lists_for_authors(capsys) -> None:
    code, out, _ = run(capsys, "letter", "--champs")
    assert code == 0 and "{{ pieces.manquantes }}" in out and "(liste)" in out
    code, out, _ = run(capsys, "decide", "--motifs")
    assert code == 0 and "reste_a_vivre" in out and "pieces_manquantes" in out
    assert run(capsys, "decide")[0] == 2
