"""Fixtures of the sync and device tests (registered for all tests by tests/conftest.py): a county with published forms,
a device token, a logged-in reviewer or admin, parcels in and out of its scope, and the app served on a real socket."""

from __future__ import annotations

import threading

import pytest
from werkzeug.serving import make_server

from inspection_forms import builtin_definitions
from server.demo.generator import DEMO_PASSWORD
from server.forms import service as forms
from server.parcels.models import Parcel
from server.territory.models import Village
from server.extensions import db
from sqlalchemy import select


@pytest.fixture
def forms_published(app):
    for definition in builtin_definitions():
        forms.publish(definition)


@pytest.fixture
def sync_demo(demo, forms_published):
    """The demo county with the built-in forms published: what every sync test starts from."""
    return demo


@pytest.fixture
def login(app):
    """login(username) -> a test client with that demo user's session."""
    def as_user(username: str):
        client = app.test_client()
        response = client.post("/api/v1/auth/login", json={"username": username, "password": DEMO_PASSWORD})
        assert response.status_code == 200, response.get_json()
        return client
    return as_user


@pytest.fixture
def token(sync_demo) -> str:
    return sync_demo.device_tokens["inspector101201"]


def parcel_codes(village_code: str) -> list[str]:
    return list(db.session.scalars(select(Parcel.code).join(Village, Parcel.village_id == Village.id)
                                   .where(Village.code == village_code).order_by(Parcel.code)))


@pytest.fixture
def own_parcels(sync_demo) -> list[str]:
    return parcel_codes("330481101201")


@pytest.fixture
def foreign_parcels(sync_demo) -> list[str]:
    return parcel_codes("330481102201")


class LiveServer:
    """The app (optionally wrapped in middleware) on 127.0.0.1 in a thread: real sockets, so connections can
    be cut, and a restart keeps the port so that devices find the server again."""

    def __init__(self, app, wsgi=None):
        self.app, self.wsgi, self.port, self.server, self.thread = app, wsgi or app, 0, None, None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.server = make_server("127.0.0.1", self.port, self.wsgi, threaded=True)
        self.server.daemon_threads = False  # so that stop() waits for requests in flight and their DB connections
        self.port = self.server.server_port
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()

    def restart(self) -> None:
        self.stop()
        self.start()


@pytest.fixture
def live_server(app):
    server = LiveServer(app)
    server.start()
    yield server.url
    server.stop()
