"""Calendar arithmetic and time zones of periodic maintenance."""

from datetime import datetime, time

import pytz
from dateutil.relativedelta import relativedelta


def add_interval(value, number, unit, anchor_day=None, tz=None):
    """Move ``value`` by ``number`` days, weeks, months or years, calendar-correct.

    - Months and years keep the day of the month, clipped to the end of shorter months:
      31 January + 1 month = 28 (or 29) February, 29 February 2028 + 1 year = 28 February 2029.
      ``anchor_day`` is the day of the month the plan was set on, so that clipping does not
      drift: 28 February + 1 month with anchor day 31 = 31 March.
    - A datetime (naive, UTC as stored by Odoo) given with ``tz`` moves in local wall-clock
      time: a weekly visit at 08:00 in Brussels stays at 08:00 across daylight-saving changes.
    """
    if isinstance(value, datetime) and tz:
        zone = pytz.timezone(tz)
        local = pytz.utc.localize(value).astimezone(zone).replace(tzinfo=None)
        moved = add_interval(local, number, unit, anchor_day=anchor_day)
        return zone.localize(moved, is_dst=False).astimezone(pytz.utc).replace(tzinfo=None)
    if unit == "day":
        delta = relativedelta(days=number)
    elif unit == "week":
        delta = relativedelta(weeks=number)
    elif unit == "month":
        delta = relativedelta(months=number, day=anchor_day or value.day)
    elif unit == "year":
        delta = relativedelta(years=number, day=anchor_day or value.day)
    else:
        raise ValueError(f"Unknown interval unit {unit!r}")
    return value + delta


def local_date(value, tz):
    """Date in time zone ``tz`` of a naive UTC datetime."""
    return pytz.utc.localize(value).astimezone(pytz.timezone(tz)).date()


def local_to_utc(day, hour, tz):
    """Naive UTC datetime of ``hour`` (float, e.g. 8.5 = 08:30) on ``day`` in time zone ``tz``."""
    hours = int(hour)
    minutes = min(int(round((hour - hours) * 60)), 59)
    local = datetime.combine(day, time(hours % 24, minutes))
    zone = pytz.timezone(tz)
    return zone.localize(local, is_dst=False).astimezone(pytz.utc).replace(tzinfo=None)


def local_hour(value, tz):
    """Local hour (float, e.g. 8.5 = 08:30) in time zone ``tz`` of a naive UTC datetime."""
    local = pytz.utc.localize(value).astimezone(pytz.timezone(tz))
    return local.hour + local.minute / 60.0


def company_tz(company, user=None):
    """Time zone of a company's plans: the company's, else the responsible user's, else
    the company's working hours', else UTC."""
    for tz in (company.partner_id.tz, user and user.tz, company.resource_calendar_id.tz):
        if tz and tz in pytz.all_timezones_set:
            return tz
    return "UTC"
