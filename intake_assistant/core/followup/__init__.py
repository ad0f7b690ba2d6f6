"""Follow-up of a dossier once it leaves the CCAS's hands: requests to partners and bodies and
their delays, appointments and call-backs, the CCAS's avance remboursable repayments, the partner
bank's microcredit, and the funders' figures.

Pure rules on plain values (dates, cents, facts gathered by the application layer): nothing here
reads the store or a file other than the partners list (``partners.py``). Thresholds and limits
come from the dated parameters (``PARAMETERS``), passed in by the caller.
"""

from __future__ import annotations

# The parameters of parametres.yaml read by the follow-up (not by the orientation's expressions):
# the linter must not call them unused.
PARAMETERS = (
    "suivi.relance_jours",
    "suivi.alerte_jours",
    "suivi.tolerance_remboursement_jours",
    "avance_remboursable.duree_max_mois",
    "avance_remboursable.montant_max",
)
