"""The web forms and query strings as marshmallow schemas. Browsers send empty fields as empty strings:
`form_args` drops them first, so an empty filter means no filter and an empty date means none."""

from __future__ import annotations

from flask import abort
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate
from werkzeug.datastructures import MultiDict

from server.accounts.models import Role
from server.accounts.policy import MAX_LENGTH, MIN_LENGTH
from server.cases import workflow
from server.cases.queue import DOUBTS, VIOLATIONS
from server.cases.schemas import TransitionRequest
from server.db_types import BIGINT_MAX
from server.errors import ApiError, validation_error
from server.reports.schemas import PeriodRequest, SignoffRequest
from server.rules.codes import CATEGORY_LABELS_ZH
from server.sync.schemas import ResolveConflictSchema

EVIDENCE_LEVELS = ("trusted", "doubtful", "insufficient")


class CaseQueueArgs(Schema):
    class Meta:
        unknown = EXCLUDE

    tab = fields.String(load_default=VIOLATIONS, validate=validate.OneOf((VIOLATIONS, DOUBTS)))
    status = fields.String(load_default=None, validate=validate.OneOf(workflow.STATUSES))
    village = fields.String(load_default=None, validate=validate.Regexp(r"^\d{12}$"))
    category = fields.String(load_default=None, validate=validate.OneOf(tuple(CATEGORY_LABELS_ZH)))
    evidence = fields.String(load_default=None, validate=validate.OneOf(EVIDENCE_LEVELS))
    deadline_by = fields.Date(load_default=None)
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))


class TransitionForm(TransitionRequest):
    """The API's transition request from an HTML form: the version the page showed is always sent."""

    class Meta:
        unknown = EXCLUDE

    expected_version = fields.Integer(required=True, validate=validate.Range(min=1))


PASSWORD_LENGTH_ZH = f"密码为 {MIN_LENGTH}–{MAX_LENGTH} 位"


class NewUserForm(Schema):
    class Meta:
        unknown = EXCLUDE

    username = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9_.-]{3,64}$",
                                                                     error="用户名为 3–64 位字母、数字、_ . -"))
    display_name = fields.String(required=True, validate=validate.Length(min=1, max=100))
    password = fields.String(required=True, validate=validate.Length(min=MIN_LENGTH, max=MAX_LENGTH,
                                                                         error=PASSWORD_LENGTH_ZH))
    role = fields.String(required=True, validate=validate.OneOf([r.value for r in Role]))
    township = fields.String(load_default=None, validate=validate.Regexp(r"^\d{9}$"))
    villages = fields.List(fields.String(validate=validate.Regexp(r"^\d{12}$")), load_default=list)


class PasswordForm(Schema):
    class Meta:
        unknown = EXCLUDE

    password = fields.String(required=True, validate=validate.Length(min=MIN_LENGTH, max=MAX_LENGTH,
                                                                         error=PASSWORD_LENGTH_ZH))


class VillagesForm(Schema):
    class Meta:
        unknown = EXCLUDE

    villages = fields.List(fields.String(validate=validate.Regexp(r"^\d{12}$")), required=True,
                           validate=validate.Length(min=1, error="至少选择一个村"))


class NewDeviceForm(Schema):
    class Meta:
        unknown = EXCLUDE

    user_id = fields.Integer(required=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=100))


def form_args(schema: Schema, values: MultiDict, *, lists: tuple[str, ...] = ()) -> dict:
    """Load `values` (request.args or request.form) with `schema`; raises ApiError (422) naming the field."""
    data = {key: value for key, value in values.items() if value != "" and key not in lists}
    for key in lists:
        data[key] = [value for value in values.getlist(key) if value]
    try:
        return schema.load(data)
    except ValidationError as err:
        raise validation_error(err) from err


def query_args(schema: Schema, values: MultiDict) -> dict:
    """Like form_args for a page's query string: a bad filter is a 400 page."""
    try:
        return form_args(schema, values)
    except ApiError as err:
        abort(400, description=f"筛选条件无效: {err.message}")


class ConflictListArgs(Schema):
    class Meta:
        unknown = EXCLUDE

    status = fields.String(load_default="open", validate=validate.OneOf(("open", "resolved")))


class ResolveConflictForm(ResolveConflictSchema):
    class Meta:
        unknown = EXCLUDE


class ReportListArgs(Schema):
    class Meta:
        unknown = EXCLUDE

    year = fields.Integer(load_default=None, validate=validate.Range(min=2000, max=2100))


class ReportDiffArgs(Schema):
    class Meta:
        unknown = EXCLUDE

    against = fields.Integer(load_default=None, validate=validate.Range(min=1, max=BIGINT_MAX))


class ReportPeriodForm(PeriodRequest):
    """The API's period from an HTML form: numbers arrive as text."""

    class Meta:
        unknown = EXCLUDE

    year = fields.Integer(required=True, validate=validate.Range(min=2000, max=2100))
    quarter = fields.Integer(load_default=None, validate=validate.Range(min=1, max=4))
    month = fields.Integer(load_default=None, validate=validate.Range(min=1, max=12))


class SignoffForm(SignoffRequest):
    class Meta:
        unknown = EXCLUDE
