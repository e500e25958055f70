"""Responses are encoded by orjson, with the output Flask's default provider gives."""

from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import Decimal
from uuid import UUID

import pytest
from flask.json.provider import DefaultJSONProvider

from server.json_encoding import JSONText


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


@pytest.mark.parametrize("extra", [1, 10**30])  # 10**30: orjson refuses it, the standard library encodes it
def test_json_text_is_embedded_as_the_json_it_holds(app, extra):
    point = '{"type":"Point","coordinates":[120.5,30.25]}'
    with app.test_request_context():
        body = app.json.response({"geometry": JSONText(point), "extra": extra}).get_data()
    assert app.json.loads(body) == {"geometry": {"type": "Point", "coordinates": [120.5, 30.25]}, "extra": extra}


def test_what_no_encoder_takes_is_refused(app):
    with app.test_request_context(), pytest.raises(TypeError):
        app.json.response({"set": {1, 2}})
