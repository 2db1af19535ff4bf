"""Batch helpers: computes that assign few distinct values, and batches that fall back to
one record at a time."""

import logging
from collections import defaultdict

_logger = logging.getLogger(__name__)


def assign_by_value(records, fname, values):
    """Assign ``values[i]`` to field ``fname`` of the i-th record of ``records``, in a
    compute method, with one assignment per distinct value: the ORM converts and caches a
    value once per assignment, for all the records it is given to. Records of a batch
    (generated maintenance visits, lines added by a rule) mostly get the same values.

    Values must be hashable; for a monetary field, ``records`` must share their currency.
    """
    groups = defaultdict(list)
    for record_id, value in zip(records._ids, values, strict=True):
        groups[value].append(record_id)
    for value, ids in groups.items():
        records.browse(ids)[fname] = value


def call_with_fallback(records, function):
    """Call ``function(records)``; when it raises, call it again for each record alone, so
    that one bad record does not stop the others (the crons that create or send in batch).
    Each call runs in a savepoint: a call that fails leaves nothing behind.

    :return: (list of what the successful calls returned, the records they were made for,
        ``{record: exception}`` of the records that failed)
    """
    if not records:
        return [], records, {}
    cr = records.env.cr
    try:
        with cr.savepoint():
            return [function(records)], records, {}
    except Exception as error:  # noqa: BLE001 - one bad record must not stop the others
        if len(records) == 1:
            return [], records.browse(), {records: error}
        _logger.info(
            "Batch of %s %s failed (%s), retrying one by one", len(records), records._name, error
        )
    results, done_ids, errors = [], [], {}
    for record in records:
        try:
            with cr.savepoint():
                results.append(function(record))
            done_ids.append(record.id)
        except Exception as error:  # noqa: BLE001 - one bad record must not stop the others
            errors[record] = error
    return results, records.browse(done_ids), errors
