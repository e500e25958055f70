"""One catalogue of API problems with stable codes, and the JSON error format for the whole API.

Every error leaves the API as `{"error": {"code": ..., "message": ..., "field": ...}}`.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, jsonify, request
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException, NotFound


@dataclass(frozen=True)
class Problem:
    code: str
    status: int
    message: str


# The catalogue. Codes are part of the API contract: never rename one, add new ones.
BAD_REQUEST = Problem("bad_request", 400, "请求格式错误")
MALFORMED_JSON = Problem("malformed_json", 400, "请求体不是有效的 JSON")
VALIDATION_FAILED = Problem("validation_failed", 422, "字段校验失败")
UNAUTHENTICATED = Problem("unauthenticated", 401, "需要登录或有效的设备令牌")
TOKEN_REVOKED = Problem("token_revoked", 401, "设备令牌已被吊销")
FORBIDDEN = Problem("forbidden", 403, "无权访问该辖区的数据")
NOT_FOUND = Problem("not_found", 404, "资源不存在")
METHOD_NOT_ALLOWED = Problem("method_not_allowed", 405, "不支持该请求方法")
CONFLICT = Problem("conflict", 409, "与已有数据冲突")
PAYLOAD_TOO_LARGE = Problem("payload_too_large", 413, "请求体超过大小限制")
UNSUPPORTED_MEDIA_TYPE = Problem("unsupported_media_type", 415, "不支持的内容类型")
INTERNAL = Problem("internal_error", 500, "服务器内部错误")
INVALID_TRANSITION = Problem("invalid_transition", 409, "案件当前状态下不能执行该操作")
STALE_CASE = Problem("stale_case", 409, "案件已被他人更新, 请刷新后重试")
# Compensation reports (server/reports).
INVALID_REPORT_STATE = Problem("invalid_report_state", 409, "报表当前状态下不能执行该操作")
# Pairing a phone (server/accounts/service.pair_device).
PAIRING_INSPECTORS_ONLY = Problem("pairing_inspectors_only", 403, "只有村级巡查员可以登记巡查设备")
# The readiness probe, GET /api/v1/ready.
NOT_READY = Problem("not_ready", 503, "服务尚未就绪")
# Sign-in limits (server/accounts/throttle).
TOO_MANY_REQUESTS = Problem("too_many_requests", 429, "尝试次数过多, 请稍后再试")

_BY_STATUS = {p.status: p for p in (BAD_REQUEST, UNAUTHENTICATED, FORBIDDEN, NOT_FOUND,
                                    METHOD_NOT_ALLOWED, CONFLICT, PAYLOAD_TOO_LARGE,
                                    UNSUPPORTED_MEDIA_TYPE, TOO_MANY_REQUESTS, INTERNAL)}


class ApiError(Exception):
    """Raised by services and views; rendered in the common JSON format."""

    def __init__(self, problem: Problem, message: str | None = None, *, field: str | None = None,
                 details: dict | None = None, status: int | None = None):
        super().__init__(message or problem.message)
        self.problem = problem
        self.message = message or problem.message
        self.field = field
        self.details = details
        self.status = status or problem.status

    def to_dict(self) -> dict:
        body = {"code": self.problem.code, "message": self.message, "field": self.field}
        if self.details:
            body["details"] = self.details
        return {"error": body}


def found(value, message: str, *, field: str):
    """`value`, or a 404 when it is None: not there, or outside the caller's territory (never told apart)."""
    if value is None:
        raise ApiError(NOT_FOUND, message, field=field)
    return value


def validation_error(err: ValidationError) -> ApiError:
    """Turn marshmallow's nested messages into one error naming the first field, with all of them attached."""
    flat = _flatten(err.messages)
    first_field, first_messages = next(iter(flat.items()), (None, ["invalid"]))
    message = "; ".join(first_messages) if isinstance(first_messages, list) else str(first_messages)
    return ApiError(VALIDATION_FAILED, f"{first_field}: {message}", field=first_field,
                    details={"fields": flat})


def _flatten(messages, prefix: str = "") -> dict[str, list[str]]:
    if isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        return {prefix or "_schema": messages}
    out: dict[str, list[str]] = {}
    items = messages.items() if isinstance(messages, dict) else enumerate(messages)
    for key, value in items:
        name = f"{prefix}[{key}]" if isinstance(key, int) else (f"{prefix}.{key}" if prefix else str(key))
        out.update(_flatten(value, name))
    return out


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def _api_error(err: ApiError):
        # A web page whose record is absent or out of scope: the web UI's own 404 page, like any other 404.
        if err.problem is NOT_FOUND and not wants_json():
            return app.handle_http_exception(NotFound())
        return jsonify(err.to_dict()), err.status

    @app.errorhandler(ValidationError)
    def _marshmallow_error(err: ValidationError):
        api_err = validation_error(err)
        return jsonify(api_err.to_dict()), api_err.status

    @app.errorhandler(HTTPException)
    def _http_error(err: HTTPException):
        if not wants_json():
            return err
        return http_error_json(err)

    @app.errorhandler(Exception)
    def _unexpected(err: Exception):
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        if not wants_json():
            return "服务器内部错误", 500
        return jsonify(ApiError(INTERNAL).to_dict()), 500


def http_error_json(err: HTTPException):
    """An HTTP error (404 route, 405, 413, ...) in the API's JSON format."""
    if err.code == 400 and "JSON" in (err.description or ""):
        problem = MALFORMED_JSON
    else:
        problem = _BY_STATUS.get(err.code or 500, Problem(f"http_{err.code}", err.code or 500, err.name))
    # Keep the exception's own headers (Allow on 405, Retry-After on 429), not its HTML content type.
    headers = [(k, v) for k, v in err.get_headers() if k.lower() != "content-type"]
    return jsonify(ApiError(problem, status=err.code).to_dict()), err.code, headers


def wants_json() -> bool:
    """API paths and clients asking for JSON get JSON errors; people get the web UI's error pages."""
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"

