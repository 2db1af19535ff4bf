"""Batch helpers of computes and creations."""

from collections import defaultdict


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
