"""Defences that apply to the whole app (docs/security.md): strict input, headers and cookies, file modes."""

from flask import Flask


def register(app: Flask) -> None:
    from server.security import http, input_checks

    http.register(app)
    input_checks.register(app)
