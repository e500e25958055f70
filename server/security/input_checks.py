"""Odd but small input answers 4xx, never 500: deep JSON, lone surrogates, NUL characters, huge ids.

Python's json recurses per nesting level (RecursionError past ~1,000); a lone surrogate (`"\\ud800"`) is a
valid JSON escape but no valid UTF-8, so the database driver fails on it; PostgreSQL refuses NUL in text; an
`<int:…>` URL part above 2³¹−1 overflows an INTEGER column on PostgreSQL. All are refused at the door."""

from __future__ import annotations

import json
import re

from flask import Flask, request

from server.json_encoding import OrjsonDumps
from server.errors import BAD_REQUEST, NOT_FOUND, ApiError

MAX_JSON_DEPTH = 64
INT_ID_MAX = 2**31 - 1
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class JSONProvider(OrjsonDumps):
    """Loads like the default, then refuses what no endpoint can store. A ValueError makes Flask's
    `get_json` answer 400, which the error handlers render as `malformed_json`. Dumps with orjson."""

    def loads(self, s, **kwargs):
        try:
            value = json.loads(s, **kwargs)
        except RecursionError:
            raise ValueError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels") from None
        check_json(value)
        return value


def check_json(value) -> None:
    """Iterative, so checking cannot overflow the stack either."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            _check_text(item)
        elif isinstance(item, (dict, list)):
            if depth > MAX_JSON_DEPTH:
                raise ValueError(f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
            children = item.items() if isinstance(item, dict) else ((None, v) for v in item)
            for key, child in children:
                if key is not None:
                    _check_text(key)
                stack.append((child, depth + 1))


def _check_text(text: str) -> None:
    if _UNSTORABLE.search(text):
        raise ValueError("JSON text contains a NUL character or a lone UTF-16 surrogate")


def register(app: Flask) -> None:
    app.json = JSONProvider(app)
    app.json.ensure_ascii = False
    app.before_request(_check_request)


def _check_request() -> None:
    """NUL in the path, the query string or a web form is 400; an integer id out of the column's range cannot
    exist: 404."""
    pairs = list(request.args.items(multi=True))
    if request.mimetype in _FORM_TYPES:  # reading `form` of another body would apply the JSON size limit to it
        pairs += request.form.items(multi=True)
    texts = [request.path, *(part for pair in pairs for part in pair)]
    if any(_UNSTORABLE.search(text) for text in texts):
        raise ApiError(BAD_REQUEST, "请求中含有不允许的字符 (NUL)")
    for name, value in (request.view_args or {}).items():
        if isinstance(value, int) and not 0 <= value <= INT_ID_MAX:
            raise ApiError(NOT_FOUND, field=name)
