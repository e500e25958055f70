from marshmallow import Schema, ValidationError, fields, validate

from server.db_types import BIGINT_MAX


class BBox(fields.Field):
    """`min_lon,min_lat,max_lon,max_lat` in EPSG:4490 degrees."""

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            parts = [float(p) for p in str(value).split(",")]
        except ValueError as exc:
            raise ValidationError("bbox 应为 4 个数字: min_lon,min_lat,max_lon,max_lat") from exc
        if len(parts) != 4:
            raise ValidationError("bbox 应为 4 个数字: min_lon,min_lat,max_lon,max_lat")
        min_lon, min_lat, max_lon, max_lat = parts
        if not (-180 <= min_lon <= max_lon <= 180 and -90 <= min_lat <= max_lat <= 90):
            raise ValidationError("bbox 超出经纬度范围或最小值大于最大值")
        return tuple(parts)


class ParcelListQuery(Schema):
    bbox = BBox(load_default=None)
    village = fields.String(load_default=None, validate=validate.Regexp(r"^\d{12}$"))
    limit = fields.Integer(load_default=500, validate=validate.Range(min=1, max=5000))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0, max=BIGINT_MAX))
