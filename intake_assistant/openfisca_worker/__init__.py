"""Estimated amounts from OpenFisca-France, in a process of their own (optional extra).

OpenFisca-France is AGPL: nothing else in the project imports it. ``situation.py`` maps our answers
to an OpenFisca situation (pure Python, tested without the extra); ``__main__`` is the worker the
application starts lazily (``python -m intake_assistant.openfisca_worker``): it reads one JSON
request per line on stdin and writes one JSON answer per line on stdout, so the application stays
fast, works offline and only pays OpenFisca's start-up (seconds) when an estimate is asked for.
"""

AIDS = ("rsa", "prime_activite", "aide_logement", "css", "asf")
