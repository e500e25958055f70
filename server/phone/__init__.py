"""The inspector's phone: an offline web app (PWA) served at /app/, speaking the device sync protocol.

The app itself is the npm project in `frontend/`, built into `static/dist/` by scripts/run and scripts/test.
"""

from server.phone.views import bp as phone

__all__ = ["phone"]
