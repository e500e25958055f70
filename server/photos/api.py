from flask import Blueprint

from server.errors import NOT_FOUND, ApiError
from server.photos import service
from server.sync.device_auth import current_device, require_device

bp = Blueprint("photos", __name__)


@bp.route("/photos/<sha256>", methods=["HEAD"])
@require_device
def photo_exists(sha256: str):
    """200 when a device of this inspector sent the photo, 404 when it still needs it (also when only another
    inspector's device did: out of scope looks exactly like absent)."""
    if not service.has_photo(sha256.lower(), current_device().user_id):
        raise ApiError(NOT_FOUND, "服务器尚无该照片", field="sha256")
    return "", 200
