"""JSON responses encoded by orjson. A pull page of 500 parcels carries tens of thousands of coordinates, which
the standard library's encoder spends most of the page's time on (~25 ms for 500 parcels of 25 vertices, against
~1 ms). The output is what Flask's default provider gives: keys sorted, UTF-8, compact; dates as HTTP dates,
decimals and UUIDs as text, dataclasses as objects (Flask's own `default` converts them). `JSONText` (JSON built
elsewhere, such as a parcel's GeoJSON geometry from shapely) is embedded as it is."""

from __future__ import annotations

import json

import orjson
from flask import Response
from flask.json.provider import DefaultJSONProvider

_OPTIONS = (orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME
            | orjson.OPT_PASSTHROUGH_DATACLASS)


class JSONText:
    """JSON text to embed in a response as it is, instead of parsing it only to encode it again."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text


class OrjsonDumps(DefaultJSONProvider):
    def dumps(self, obj, **kwargs) -> str:
        if kwargs:  # a caller asking for the standard library's options (indent, separators) gets them
            return super().dumps(obj, **kwargs)
        return self.encode(obj).decode()

    def response(self, *args, **kwargs) -> Response:
        return self._app.response_class(self.encode(self._prepare_response_obj(args, kwargs)) + b"\n",
                                        mimetype=self.mimetype)

    def encode(self, obj) -> bytes:
        try:
            return orjson.dumps(obj, default=_for_orjson, option=_OPTIONS)
        except TypeError:
            # orjson stops at integers beyond 64 bits (an answer may echo one back): the standard library takes
            # them, and raises the same TypeError for what neither can encode.
            return super().dumps(obj, separators=(",", ":"), default=_for_the_standard_library).encode()


def _for_orjson(value):
    return orjson.Fragment(value.text) if isinstance(value, JSONText) else DefaultJSONProvider.default(value)


def _for_the_standard_library(value):
    return json.loads(value.text) if isinstance(value, JSONText) else DefaultJSONProvider.default(value)
