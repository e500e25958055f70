"""tus 1.0 endpoints at /api/v1/uploads (core, creation, checksum, termination, expiration)."""

from flask import Blueprint, current_app, request, url_for

from server.errors import UNSUPPORTED_MEDIA_TYPE, ApiError
from server.sync import problems
from server.sync.device_auth import current_device, require_device
from server.uploads import service, tus

bp = Blueprint("uploads", __name__)


@bp.before_request
def _tus_request():
    # A PATCH chunk may be as large as a photo, whatever the app-wide request limit is.
    request.max_content_length = current_app.config["FARMPATROL"].max_photo_bytes
    if request.method != "OPTIONS" and request.headers.get("Tus-Resumable") != tus.TUS_VERSION:
        raise ApiError(problems.TUS_VERSION, field="Tus-Resumable")


@bp.after_request
def _tus_headers(response):
    response.headers["Tus-Resumable"] = tus.TUS_VERSION
    response.headers["Cache-Control"] = "no-store"
    if response.status_code == 412:
        response.headers["Tus-Version"] = tus.TUS_VERSION
    return response


@bp.route("/uploads", methods=["OPTIONS"], provide_automatic_options=False)
def discover():
    return "", 204, {
        "Tus-Version": tus.TUS_VERSION,
        "Tus-Extension": tus.EXTENSIONS,
        "Tus-Checksum-Algorithm": ",".join(tus.CHECKSUM_ALGORITHMS),
        "Tus-Max-Size": str(current_app.config["FARMPATROL"].max_photo_bytes),
    }


@bp.post("/uploads")
@require_device
def create():
    length = tus.parse_offset(request.headers.get("Upload-Length"), "Upload-Length")
    upload = service.create(current_device(), length, tus.parse_metadata(request.headers.get("Upload-Metadata")))
    return "", 201, {"Location": url_for(".upload", upload_id=upload.id, _external=True),
                     "Upload-Expires": tus.http_date(upload.expires_at)}


@bp.route("/uploads/<upload_id>", methods=["HEAD"], endpoint="upload")
@require_device
def status(upload_id: str):
    offset, upload = service.status(current_device(), upload_id)
    if upload is None:  # all bytes were there: now stored as a photo, and the upload is gone
        return "", 200, {"Upload-Offset": str(offset), "Upload-Length": str(offset)}
    return "", 200, {"Upload-Offset": str(offset), "Upload-Length": str(upload.length_bytes),
                     "Upload-Expires": tus.http_date(upload.expires_at)}


@bp.patch("/uploads/<upload_id>")
@require_device
def append(upload_id: str):
    if request.mimetype != tus.OFFSET_CONTENT_TYPE:
        raise ApiError(UNSUPPORTED_MEDIA_TYPE, f"Content-Type 应为 {tus.OFFSET_CONTENT_TYPE}", field="Content-Type")
    offset = tus.parse_offset(request.headers.get("Upload-Offset"), "Upload-Offset")
    checksum = tus.parse_checksum(request.headers.get("Upload-Checksum"))
    new_offset, expires_at = service.append(current_device(), upload_id, offset, request.stream, checksum)
    headers = {"Upload-Offset": str(new_offset)}
    if expires_at is not None:  # None: complete, the photo is stored and the upload is gone
        headers["Upload-Expires"] = tus.http_date(expires_at)
    return "", 204, headers


@bp.delete("/uploads/<upload_id>")
@require_device
def terminate(upload_id: str):
    service.terminate(current_device(), upload_id)
    return "", 204
