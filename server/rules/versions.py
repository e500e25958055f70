"""Versions of a county's rule configuration: which one is in force on a date, and publishing a new one."""

from __future__ import annotations

import functools
import json
from datetime import date

from sqlalchemy import bindparam, func, select

from server.accounts.models import User
from server.audit.service import record_event
from server.extensions import db
from server.rules.config import DEFAULT_RULES, RuleSet, load_rules, merged_body
from server.rules.models import RuleConfig
from server.territory.service import get_county


# Built once: every completed inspection is judged by the version in force on its date.
_IN_FORCE = (select(RuleConfig).where(RuleConfig.county_id == bindparam("county_id"),
                                      RuleConfig.effective_from <= bindparam("on"))
             .order_by(RuleConfig.effective_from.desc(), RuleConfig.version.desc()).limit(1))


def rules_in_force(county_id: int, on: date) -> tuple[RuleConfig | None, RuleSet]:
    """The county's version in force on `on` (latest effective date, then latest version); else the defaults."""
    row = db.session.scalar(_IN_FORCE, {"county_id": county_id, "on": on})
    return row, rules_of(row)


def rules_of(row: RuleConfig | None) -> RuleSet:
    return DEFAULT_RULES if row is None else _loaded(json.dumps(row.body, sort_keys=True))


@functools.lru_cache(maxsize=256)
def _loaded(body: str) -> RuleSet:
    """A version's rules, loaded once per process and body (validating one costs about 0.8 ms, and every
    completed inspection is judged by one); keyed by content, so an edited body can never be served stale."""
    return load_rules(json.loads(body))


def publish_rules(county_code: str, override: dict, effective_from: date, *, actor: User | None = None,
                  note: str | None = None) -> RuleConfig:
    """A new version: the override merged onto the defaults, validated (marshmallow ValidationError names
    the field), stored complete and audited. Earlier versions keep judging cases dated before it."""
    county = get_county(county_code)
    if county is None:
        raise ValueError(f"县不存在: {county_code}")
    body = merged_body(override)
    load_rules(body)
    latest = db.session.scalar(select(func.max(RuleConfig.version)).where(RuleConfig.county_id == county.id))
    row = RuleConfig(county_id=county.id, version=(latest or 0) + 1, effective_from=effective_from, body=body,
                     note=note, created_by_id=actor.id if actor else None)
    db.session.add(row)
    db.session.flush()
    record_event("rule_config", row.id, "published", county_id=county.id, actor=actor, reason=note,
                 after={"county": county_code, "version": row.version, "effective_from": effective_from,
                        "body": body})
    db.session.commit()
    return row
