"""Two reviewers act on one case at the same moment, each in its own thread and session: exactly one wins."""

import threading

from sqlalchemy import select

from server.accounts.models import User
from server.audit.service import verify_chain
from server.cases import service
from server.cases.models import ViolationCase
from server.errors import ApiError
from server.extensions import db
from tests.reviews.fixtures import building, cases_of, inspect


def test_two_reviewers_one_case_exactly_one_wins(app, parcels):
    inspect(parcels["pbf"], building(2.0))
    [case] = cases_of(parcels["pbf"])
    case_id = case.id
    db.session.remove()
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def reviewer(username: str, action: str, note: str | None) -> None:
        with app.app_context():
            user = db.session.scalar(select(User).where(User.username == username))
            loaded = db.session.get(ViolationCase, case_id)  # both read version 1 before either writes
            version = loaded.version
            barrier.wait(timeout=10)
            try:
                outcomes[username] = service.transition(user, case_id, action, note=note,
                                                        expected_version=version).status
            except ApiError as err:
                db.session.rollback()
                outcomes[username] = err.problem.code
            finally:
                db.session.remove()

    threads = [threading.Thread(target=reviewer, args=("reviewer101", "confirm", None)),
               threading.Thread(target=reviewer, args=("admin", "dismiss", "县级认为不属于违法"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes.values()) in (["confirmed", "stale_case"], ["dismissed", "stale_case"])
    [case] = cases_of(parcels["pbf"])
    assert case.version == 2 and case.status in ("confirmed", "dismissed")
    assert verify_chain().ok
