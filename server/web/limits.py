"""Request size limits of the web pages: a 三调 file is far larger than any other request, so its upload page
alone gets PARCEL_UPLOAD_MAX_BYTES instead of MAX_REQUEST_BYTES. Runs before the input check of
server.security and the CSRF check, which read the form and so parse (and limit) the body."""

from flask import current_app, request

LARGE_UPLOADS = frozenset({"web.admin_upload_parcels"})


def raise_upload_limit() -> None:
    if request.endpoint in LARGE_UPLOADS:
        request.max_content_length = current_app.config["FARMPATROL"].parcel_upload_max_bytes
