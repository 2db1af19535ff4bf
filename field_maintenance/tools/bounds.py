"""Bounds of the numbers of a periodic maintenance plan: an interval of at most 10 years in
its unit, lead times of at most a year, due dates far enough from date.min and date.max that
no date arithmetic of a plan can overflow."""

import math
from datetime import date

MAX_INTERVAL = {"day": 3650, "week": 520, "month": 120, "year": 10}
MAX_LEAD_DAYS = 365
MIN_DUE_DATE = date(1900, 1, 1)
MAX_DUE_DATE = date(2999, 12, 31)


def as_number(value, kind=int):
    """``value`` as a finite int or float, or None when it is not a number (the ORM then
    refuses it) or not finite."""
    if isinstance(value, bool):
        return int(value)
    try:
        number = kind(value or 0)
    except (TypeError, ValueError, OverflowError):
        return None
    if isinstance(number, float) and not math.isfinite(number):
        return None
    return number


def interval_in_bounds(number, unit):
    """Whether an interval of ``number`` ``unit`` is one a plan may have."""
    number = as_number(number)
    return number is not None and 0 < number <= MAX_INTERVAL.get(unit, 0)


def due_date_in_bounds(day):
    return bool(day) and MIN_DUE_DATE <= day <= MAX_DUE_DATE


def lead_days_in_bounds(days):
    days = as_number(days)
    return days is not None and 0 <= days <= MAX_LEAD_DAYS
