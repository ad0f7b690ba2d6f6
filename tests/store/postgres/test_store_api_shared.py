"""The store API tests written for the TinyDB backend, run on PostgreSQL (same behaviour).

Until the contract suite (tests/store/contract/) parametrises every backend, this module reuses
the backend-neutral tests of tests/store/test_store_api.py with this folder's `store` fixture.
"""

from tests.store.test_store_api import (  # noqa: F401
    test_audit_distinguishes_types_and_removals,
    test_create_returns_documented_shape,
    test_expected_rev_detects_a_concurrent_change,
    test_ids_follow_the_year_and_never_repeat,
    test_iter_dossiers_reads_everything_in_id_order,
    test_notes_fields_and_assignment,
    test_save_answer_merges_one_answer_with_event,
    test_save_answers_replaces_answers_appends_events_and_audits,
    test_unknown_and_invalid_ids,
    test_values_that_json_cannot_hold_are_refused_before_writing,
)
