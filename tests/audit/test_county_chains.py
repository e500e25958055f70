"""One audit chain per county: entries are numbered per county, appended at commit, dropped with a rolled-back
SAVEPOINT, and a county's open append never holds up another county."""

import threading

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import OperationalError

from server.audit.models import AuditChainHead, AuditEvent
from server.audit.service import lock_chain, record_event, verify_chain, write_pending
from server.extensions import db


def _record(county_id, name, count=1):
    for i in range(count):
        record_event("report", f"{name}-{i}", "generated", county_id=county_id, after={"i": i})


def _chains() -> dict[int, list[int]]:
    chains: dict[int, list[int]] = {}
    for chain_id, seq in db.session.execute(select(AuditEvent.chain_id, AuditEvent.seq)
                                            .order_by(AuditEvent.chain_id, AuditEvent.seq)):
        chains.setdefault(chain_id, []).append(seq)
    return chains


def test_each_county_numbers_its_own_chain(app):
    _record(7, "a", 3)
    _record(None, "none")
    _record(9, "b", 2)
    db.session.commit()
    _record(9, "c")
    db.session.commit()
    assert _chains() == {0: [1], 7: [1, 2, 3], 9: [1, 2, 3]}
    assert {h.chain_id: h.last_seq for h in db.session.scalars(select(AuditChainHead))} == {0: 1, 7: 3, 9: 3}
    assert verify_chain().ok and verify_chain().checked == 7


def test_a_break_names_its_chain(app):
    _record(7, "a", 2)
    _record(9, "b", 2)
    db.session.commit()
    db.session.execute(text("UPDATE audit_events SET reason = 'x' WHERE chain_id = 9 AND seq = 2"))
    db.session.commit()
    report = verify_chain()
    assert (report.chain_id, report.first_broken_seq, report.checked) == (9, 2, 3)


def test_an_entry_of_a_rolled_back_savepoint_never_happened(app):
    _record(7, "kept")
    with pytest.raises(ZeroDivisionError):
        with db.session.begin_nested():
            _record(7, "undone")
            with db.session.begin_nested():
                _record(7, "undone-inner")
            1 / 0
    with db.session.begin_nested():
        _record(7, "released")
    db.session.commit()
    assert list(db.session.scalars(select(AuditEvent.entity_id).order_by(AuditEvent.seq))) == [
        "kept-0", "released-0"]
    _record(7, "rolled-back")
    db.session.rollback()
    db.session.commit()
    assert _chains() == {7: [1, 2]} and verify_chain().ok


def test_a_county_appending_never_waits_for_another(app, database_url):
    """County 7's transaction has appended (its head is locked until it commits); county 9 appends and commits
    meanwhile, while a second append to county 7 has to wait (here: gives up after its lock timeout)."""
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has one writer at a time for the whole file")
    _record(7, "first")
    db.session.commit()  # both heads exist, so neither append below inserts one
    _record(9, "first")
    db.session.commit()
    _record(7, "open")
    write_pending(db.session())  # appended, not committed: county 7's head row stays locked

    def other(county_id):
        _record(county_id, "other")
        db.session.commit()
        return "committed"

    outcome = _in_other_threads(app, other)
    db.session.commit()
    assert outcome == {9: "committed", 7: "LockNotAvailable"}
    assert _chains() == {7: [1, 2], 9: [1, 2]} and verify_chain().ok


def test_lock_chain_holds_one_county_until_the_transaction_ends(app, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite has one writer at a time for the whole file")
    lock_chain(7)  # creates the head row if need be, and holds it

    def other(county_id):
        lock_chain(county_id)
        return "locked"

    db.session.commit()  # the head row is visible to the others; the lock ended with the commit
    lock_chain(7)
    outcome = _in_other_threads(app, other)
    db.session.commit()
    assert outcome == {9: "locked", 7: "LockNotAvailable"}
    assert _chains() == {} and verify_chain().ok


def _in_other_threads(app, work) -> dict[int, str]:
    """`work(county_id)` for county 9, then county 7, each in a thread of its own with a 2 s lock timeout:
    what it returned, or the name of the lock error that stopped it."""
    outcome = {}

    def run(county_id):
        with app.app_context():
            db.session.execute(text("SET LOCAL lock_timeout = '2s'"))
            try:
                outcome[county_id] = work(county_id)
            except OperationalError as exc:
                outcome[county_id] = type(exc.orig).__name__
            db.session.rollback()
            db.session.remove()

    for county_id in (9, 7):
        thread = threading.Thread(target=run, args=(county_id,))
        thread.start()
        thread.join(timeout=30)
    return outcome
