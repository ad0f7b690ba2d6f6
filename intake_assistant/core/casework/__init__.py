"""Casework after the evaluation: the rules from the written assessment to the commission's
decision and its letters, as pure functions of plain data.

- ``settings``: the CCAS's editable files (commission.yaml, documents.yaml, ccas.yaml), each
  validated by its JSON Schema on load (load = lint, like the questionnaires);
- ``proposal``: the aids the social worker proposes (amount, duration, instalment);
- ``checklist``: the documents to bring, from the proposed aids and the project type;
- ``decisions``: the commission's decision per aid, and the dossier's decision from them;
- ``sessions``: a commission session (date, place, agenda);
- ``letters``: letter templates (Markdown with ``{{ placeholders }}``), checked and filled.

Nothing here reads the store or the policy: the application layer (``app/casework.py``) passes
what the rules need (the loan terms come from the one loan simulation of ``orientation``).
"""
