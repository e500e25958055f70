"""The blueprints of the sync protocol, registered under /api/v1 by server.api."""

from server.inspections.api import bp as inspections_bp
from server.photos.api import bp as photos_bp
from server.sync.api import bp as sync_bp
from server.uploads.api import bp as uploads_bp

SYNC_BLUEPRINTS = (sync_bp, uploads_bp, photos_bp, inspections_bp)
