"""Reviewers read an inspection's evidence and its photos; everything is scoped by territory (404 outside)."""
from flask import Blueprint, Response, jsonify, request
from werkzeug.wsgi import wrap_file

from server.accounts.auth import current_principal, require_principal
from server.assessments import service
from server.assessments.schemas import InspectionEvidenceSchema
from server.errors import NOT_FOUND, ApiError, found

bp = Blueprint("assessments", __name__)

# Content-addressed: the bytes behind a URL never change. Private: they show people's land.
_IMMUTABLE = "private, max-age=31536000, immutable"


@bp.get("/inspections/<uuid>/evidence")
@require_principal()
def get_evidence(uuid: str):
    evidence = found(service.inspection_evidence(current_principal().user, uuid),
                     f"巡查记录不存在或不在辖区内: {uuid}", field="uuid")
    return jsonify(InspectionEvidenceSchema().dump(evidence))


@bp.get("/photos/<sha256>/<any(thumb, review, original):size>")
@require_principal()
def get_photo_file(sha256: str, size: str):
    """thumb / review: EXIF-free JPEGs; original: the submitted bytes, unaltered, for evidence export."""
    photo = found(service.scoped_photo(current_principal().user, sha256), "照片不存在或不在辖区内", field="sha256")
    if size == "original":
        response = Response(wrap_file(request.environ, service.open_original(photo)), mimetype=photo.content_type,
                            direct_passthrough=True)
        response.content_length = photo.size_bytes
    else:
        jpeg = service.derived_image(photo, size)
        if jpeg is None:
            raise ApiError(NOT_FOUND, "照片无法解码，没有预览图", field="sha256")
        response = Response(jpeg, mimetype="image/jpeg")
    response.headers["Cache-Control"] = _IMMUTABLE
    response.set_etag(f"{photo.sha256}-{size}")
    return response
