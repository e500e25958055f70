"""Versions of a county's rule configuration: which one is in force on a date, and publishing a new one."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy import func, select

from server.accounts.models import User
from server.audit.service import record_event
from server.extensions import db
from server.rules.config import DEFAULT_RULES, RuleSet, load_rules, merged_body
from server.rules.models import RuleConfig
from server.territory.models import County
from server.territory.service import get_county


@dataclass(frozen=True)
class RuleVersion:
    """A published version as judging reads it. Held by the process across requests, which is safe because
    versions are never edited; `body` is shared, so it is read, never changed."""

    id: int
    version: int
    effective_from: date
    body: dict
    rules: RuleSet


def rules_in_force(county: County, on: date) -> tuple[RuleVersion | None, RuleSet]:
    """The county's version in force on `on` (latest effective date, then latest version); else the defaults."""
    chosen = next((v for v in _published(county) if v.effective_from <= on), None)
    return chosen, DEFAULT_RULES if chosen is None else chosen.rules


def _published(county: County) -> list[RuleVersion]:
    """The county's versions up to its `rules_revision`, newest effective date (then version) first.

    Every completed inspection asks, so the process keeps each county's versions and reads them again only when
    the county row names a revision it does not hold. Versions are numbered in publishing order and never
    edited, so the versions up to a revision are the same in every process and at every later time."""
    held = current_app.extensions.setdefault("farmpatrol.rule_versions", {})
    versions = held.get(county.id)
    if versions is None or max((v.version for v in versions), default=0) < county.rules_revision:
        rows = db.session.scalars(select(RuleConfig).where(RuleConfig.county_id == county.id)
                                  .order_by(RuleConfig.effective_from.desc(), RuleConfig.version.desc()))
        versions = held[county.id] = [RuleVersion(row.id, row.version, row.effective_from, row.body, rules_of(row))
                                      for row in rows]
    return [v for v in versions if v.version <= county.rules_revision]


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
    county.rules_revision = row.version
    db.session.flush()
    record_event("rule_config", row.id, "published", county_id=county.id, actor=actor, reason=note,
                 after={"county": county_code, "version": row.version, "effective_from": effective_from,
                        "body": body})
    db.session.commit()
    return row
