"""The rows against the trail: each case's and each complete inspection's current state must equal the
`after` of its last audit entry.

The hash chain shows an edited or deleted entry; this shows a row changed in the database without an
entry (a status set by hand, an evidence level rewritten), a row the trail never saw, and an audited row
that is gone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import func, select

from server.audit.chain import jsonable
from server.audit.models import AuditEvent
from server.audit.service import inspection_state
from server.cases.models import ViolationCase
from server.cases.service import AUDIT_ENTITY, case_state
from server.extensions import db
from server.inspections.models import Inspection, InspectionStatus

INSPECTION_ENTITY = "inspection"


@dataclass(frozen=True)
class StateMismatch:
    entity_type: str
    entity_id: str
    problem: str  # zh-CN

    def __str__(self) -> str:
        return f"{self.entity_type} {self.entity_id}: {self.problem}"


@dataclass(frozen=True)
class StateReport:
    cases: int
    inspections: int
    mismatches: list[StateMismatch]

    @property
    def ok(self) -> bool:
        return not self.mismatches


def verify_state(batch_size: int = 1000) -> StateReport:
    """Every mismatch, cases first, then inspections (complete ones, and any other the trail has seen)."""
    mismatches: list[StateMismatch] = []
    last = _last_after((AUDIT_ENTITY, INSPECTION_ENTITY))
    cases = select(ViolationCase).order_by(ViolationCase.id).execution_options(yield_per=batch_size)
    case_count = _compare(AUDIT_ENTITY, db.session.scalars(cases), lambda c: str(c.id), case_state, last, mismatches)
    complete = (select(Inspection).where(Inspection.status == InspectionStatus.COMPLETE.value)
                .order_by(Inspection.id).execution_options(yield_per=batch_size))
    inspection_count = _compare(INSPECTION_ENTITY, db.session.scalars(complete), lambda i: i.uuid,
                                inspection_state, last, mismatches)
    # Audited inspections that are no longer complete (a status set back by hand), looked up by the chunk.
    rest = sorted(entity_id for entity_type, entity_id in last if entity_type == INSPECTION_ENTITY)
    for start in range(0, len(rest), batch_size):
        chunk = select(Inspection).where(Inspection.uuid.in_(rest[start:start + batch_size]))
        inspection_count += _compare(INSPECTION_ENTITY, db.session.scalars(chunk), lambda i: i.uuid,
                                     inspection_state, last, mismatches)
    mismatches += [StateMismatch(entity_type, entity_id, "有审计记录, 但数据行已被删除")
                   for entity_type, entity_id in sorted(last)]
    return StateReport(case_count, inspection_count, mismatches)


def _last_after(entity_types: tuple[str, ...]) -> dict[tuple[str, str], dict | None]:
    """Each entity's last entry: the last of its county's chain, which is newer than any it has in chain 0."""
    ranked = select(AuditEvent.entity_type, AuditEvent.entity_id, AuditEvent.after, func.row_number().over(
        partition_by=(AuditEvent.entity_type, AuditEvent.entity_id),
        order_by=(AuditEvent.chain_id.desc(), AuditEvent.seq.desc())).label("rank")).where(
        AuditEvent.entity_type.in_(entity_types)).subquery()
    rows = db.session.execute(select(ranked.c.entity_type, ranked.c.entity_id, ranked.c.after)
                              .where(ranked.c.rank == 1))
    return {(row.entity_type, row.entity_id): row.after for row in rows}


def _compare(entity_type: str, rows: Iterable, key: Callable, state: Callable, last: dict,
             mismatches: list[StateMismatch]) -> int:
    """Compare each row with its last entry, removing the entries seen from `last`; returns the row count."""
    count = 0
    for row in rows:
        count += 1
        entity_id = key(row)
        if (entity_type, entity_id) not in last:
            mismatches.append(StateMismatch(entity_type, entity_id, "没有审计记录"))
            continue
        recorded, current = last.pop((entity_type, entity_id)) or {}, jsonable(state(row))
        for field in sorted(set(recorded) | set(current)):
            if _normal(recorded.get(field)) != _normal(current.get(field)):
                mismatches.append(StateMismatch(entity_type, entity_id, f"{field}: 最后一条审计记录为 "
                                                f"{recorded.get(field)!r}, 数据库中为 {current.get(field)!r}"))
    return count


def _normal(value):
    """Times compare as instants: an entry may hold a local offset where the database reads back UTC."""
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return value
        if moment.tzinfo is not None:
            return moment.astimezone(timezone.utc)
    return value
