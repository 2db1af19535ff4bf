"""Free slots of online booking: pure computation on intervals of aware datetimes.

The model (field_maintenance_plan_booking.py) gives the working intervals of each
technician (their working hours minus their leaves, from ``resource.calendar``) and their
busy intervals (calendar events, planned work orders); this module finds the moments at
which a visit of a given duration fits, for at least one technician. Starts are aligned on
the local wall clock (every ``step`` from local midnight), so that a visit is offered at
08:00 local time on both sides of a daylight saving time change.
"""

from datetime import datetime, timedelta

import pytz


def merge(intervals):
    """Sorted, merged ``[(start, stop)]`` of ``intervals`` (pairs of aware datetimes);
    empty and reversed intervals are dropped."""
    result = []
    for start, stop in sorted(interval for interval in intervals if interval[0] < interval[1]):
        if result and start <= result[-1][1]:
            result[-1] = (result[-1][0], max(result[-1][1], stop))
        else:
            result.append((start, stop))
    return result


def subtract(intervals, busy):
    """``intervals`` minus ``busy`` (both lists of (start, stop)), sorted and merged."""
    busy = merge(busy)
    result = []
    for start, stop in merge(intervals):
        for busy_start, busy_stop in busy:
            if busy_stop <= start or busy_start >= stop:
                continue
            if busy_start > start:
                result.append((start, busy_start))
            start = max(start, busy_stop)
            if start >= stop:
                break
        if start < stop:
            result.append((start, stop))
    return result


def aligned_start(moment, step, tz):
    """First moment at or after ``moment`` whose local wall-clock time (in ``tz``) is a
    multiple of ``step`` from local midnight."""
    zone = pytz.timezone(tz)
    local = moment.astimezone(zone)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0, tzinfo=None)
    elapsed = local.replace(tzinfo=None) - midnight
    steps = -(-elapsed // step)  # ceiling
    wall = midnight + steps * step
    aligned = zone.localize(wall, is_dst=False).astimezone(moment.tzinfo)
    return aligned if aligned >= moment else aligned + step


def free_slots(work, busy, duration, step, tz, earliest=None, latest=None):
    """Moments at which a visit of ``duration`` fits entirely in a working interval of a
    technician without overlapping any of their busy intervals.

    :param work: ``{key: [(start, stop)]}`` working intervals of each technician (aware)
    :param busy: ``{key: [(start, stop)]}`` busy intervals of each technician (aware)
    :param duration: ``timedelta`` of the visit (positive)
    :param step: ``timedelta`` between two proposed starts
    :param tz: name of the time zone the starts are aligned in
    :param earliest: no start before this moment
    :param latest: no start after this moment
    :return: sorted ``[(start, [keys of the technicians free then])]``; the keys keep the
        order of ``work``
    """
    if duration <= timedelta(0) or step <= timedelta(0):
        return []
    starts = {}
    for order, (key, intervals) in enumerate(work.items()):
        for start, stop in subtract(intervals, busy.get(key, [])):
            if earliest and start < earliest:
                start = earliest
            moment = aligned_start(start, step, tz)
            while moment + duration <= stop:
                if latest and moment > latest:
                    break
                starts.setdefault(moment, []).append((order, key))
                moment += step
    return [
        (moment, [key for _order, key in sorted(keys)]) for moment, keys in sorted(starts.items())
    ]


def to_naive_utc(moment):
    """Naive UTC datetime (as the ORM stores it) of an aware ``moment``."""
    return moment.astimezone(pytz.utc).replace(tzinfo=None)


def to_aware_utc(moment):
    """Aware UTC datetime of a naive UTC ``moment`` (as the ORM gives it)."""
    if isinstance(moment, datetime) and moment.tzinfo is None:
        return pytz.utc.localize(moment)
    return moment
