from zoneinfo import ZoneInfo

from marshmallow import Schema, fields, validate

from server.api.fields import DayOrMoment
from server.db_types import BIGINT_MAX, EARLIEST_TIME, LATEST_TIME
from server.patrols.models import TaskStatus

# A time without offset is read as Beijing time, as people in the county write it.
BEIJING = ZoneInfo("Asia/Shanghai")


class TaskListQuery(Schema):
    status = fields.String(load_default=None, validate=validate.OneOf([s.value for s in TaskStatus]))
    village = fields.String(load_default=None, validate=validate.Regexp(r"^\d{12}$"))
    # A date is a whole day in the county's time zone (tasks due on an earlier day); a time is a moment.
    due_before = DayOrMoment(load_default=None, default_timezone=BEIJING,
                             validate_moment=validate.Range(EARLIEST_TIME, LATEST_TIME))
    limit = fields.Integer(load_default=500, validate=validate.Range(min=1, max=5000))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=BIGINT_MAX))


class TaskSchema(Schema):
    """A task as reviewers and phones see it; times are UTC ISO-8601."""

    uuid = fields.String()
    kind = fields.String()
    status = fields.String()
    parcel = fields.String(attribute="parcel.code")
    village = fields.String(attribute="parcel.village.code")
    plan = fields.String(attribute="plan.code", allow_none=True)
    period_key = fields.String()
    opens_at = fields.DateTime(format="iso")
    due_at = fields.DateTime(format="iso")
    done_at = fields.DateTime(format="iso", allow_none=True)
    inspector = fields.String(attribute="inspector.username", allow_none=True)
    reason = fields.String(allow_none=True)
