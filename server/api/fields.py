"""Query and body fields shared by the API schemas: dates written one way only, and "a day or a moment"."""

from __future__ import annotations

import re
from datetime import date, datetime

from marshmallow import ValidationError, fields, validate

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}T")


class IsoDate(fields.Date):
    """A calendar date as YYYY-MM-DD only. Python's ISO parser also takes the basic form '20261201', which
    reads like a number in a form field or a log; one spelling keeps dates unambiguous."""

    def _deserialize(self, value, attr, data, **kwargs) -> date:
        if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
            raise ValidationError("日期应写作 YYYY-MM-DD (ISO 8601)")
        return super()._deserialize(value, attr, data, **kwargs)


class DayOrMoment(fields.Field):
    """YYYY-MM-DD (a whole day, resolved by the service in the county's time zone) or an ISO 8601 time
    (without an offset it is the given zone's local time); the result is a `date` or an aware `datetime`."""

    def __init__(self, *, default_timezone, validate_moment=None, **kwargs):
        super().__init__(**kwargs)
        self._day = IsoDate(validate=validate.Range(date(1900, 1, 1), date(9998, 12, 31)))
        self._moment = fields.AwareDateTime(default_timezone=default_timezone, validate=validate_moment)

    def _deserialize(self, value, attr, data, **kwargs) -> date | datetime:
        if isinstance(value, str) and _ISO_DATE.fullmatch(value):
            return self._day.deserialize(value, attr, data)
        if not isinstance(value, str) or not _ISO_MOMENT.match(value):
            raise ValidationError("应为 YYYY-MM-DD 或 YYYY-MM-DDThh:mm:ss±hh:mm (ISO 8601)")
        return self._moment.deserialize(value, attr, data)
