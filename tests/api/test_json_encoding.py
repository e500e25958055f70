"""Responses are encoded by orjson, with the output Flask's default provider gives."""

from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import Decimal
from uuid import UUID

import pytest
from flask.json.provider import DefaultJSONProvider


@dataclass
class _Point:
    lat: float
    lon: float


VALUES = {"b": [1, 2.5, None, True], "a": "耕地", "when": datetime(2026, 11, 27, 8, tzinfo=timezone.utc),
          "day": date(2026, 11, 27), "amount": Decimal("12.3400"), "id": UUID(int=7), "point": _Point(30.25, 120.5),
          "nested": {"z": {"y": 1}, "x": []}}


@pytest.mark.parametrize("value", [VALUES, [VALUES, 10**30], "纯文本"])
def test_responses_read_as_flasks_default_provider_writes_them(app, value):
    standard = DefaultJSONProvider(app)
    standard.ensure_ascii = False
    with app.test_request_context():
        ours = app.json.response(value).get_data()
        theirs = standard.response(value).get_data()
    assert app.json.loads(ours) == app.json.loads(theirs)
    assert ours == theirs  # the same bytes: keys sorted, compact, UTF-8


def test_what_no_encoder_takes_is_refused(app):
    with app.test_request_context(), pytest.raises(TypeError):
        app.json.response({"set": {1, 2}})
