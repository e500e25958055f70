"""What the case page shows, gathered from the services: the map's features, each linked inspection's photos with
their findings (reuse resolved to the other inspection where the reviewer may see it), the answers, the rule and
the audit history. Presentation only: every judgement shown was made and stored by the services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import url_for
from shapely.geometry import mapping
from sqlalchemy import select

from server.accounts.models import User
from server.assessments import service as assessments
from server.assessments.service import InspectionEvidence, PhotoEvidence
from server.audit.models import AuditEvent
from server.audit.service import SYSTEM_ACTOR, entity_history
from server.cases import workflow
from server.cases.models import CaseInspection, ViolationCase
from server.cases.service import AUDIT_ENTITY
from server.evidence.gcj02 import to_wgs84
from server.extensions import db
from server.forms import service as forms
from server.inspections import service as inspections
from server.rules.codes import CODES
from server.web.answers import AnswerLine, answer_lines
from server.web.shell import deadline_day, local_time

LINK_ROLES_ZH = {"observed": "发现问题的巡查", "rectification": "整改复查"}
PHOTO_ROLES_ZH = {"distant": "远景", "close": "近景", "detail": "细节"}
LEVELS_ZH = {"trusted": "证据可信", "doubtful": "证据存疑", "insufficient": "证据不足", None: "未评估"}


@dataclass(frozen=True)
class ReuseLink:
    text: str
    href: str | None  # None: the other photo or inspection is outside the reviewer's territory


@dataclass(frozen=True)
class PhotoView:
    evidence: PhotoEvidence
    role_label: str
    reuse: list[ReuseLink]


@dataclass(frozen=True)
class InspectionView:
    link: CaseInspection
    role_label: str
    evidence: InspectionEvidence
    photos: list[PhotoView]
    answers: list[AnswerLine]
    inspector: str


@dataclass(frozen=True)
class HistoryLine:
    event: AuditEvent
    actor: str
    action: str
    change: str


def inspection_views(user: User, case: ViolationCase) -> list[InspectionView]:
    views = []
    for link in case.inspection_links:
        evidence = assessments.inspection_evidence(user, link.inspection.uuid)
        if evidence is None:
            continue
        definition = forms.get_definition(link.inspection.form_id, link.inspection.form_version)
        photos = [PhotoView(item, PHOTO_ROLES_ZH.get(item.ref.role, item.ref.role), _reuse_links(user, item))
                  for item in evidence.photos]
        views.append(InspectionView(link, LINK_ROLES_ZH.get(link.role, link.role), evidence, photos,
                                    answer_lines(definition, link.inspection.answers) if definition else [],
                                    db.session.get(User, link.inspection.inspector_id).display_name))
    return views


def _reuse_links(user: User, item: PhotoEvidence) -> list[ReuseLink]:
    links = []
    for finding in item.findings:
        if finding.code == "REUSE_EXACT":
            links += [_inspection_link(user, uuid) for uuid in finding.data.get("other_photo_ids", [])]
        elif finding.code == "REUSE_NEAR":
            for sha256, distance in finding.data.get("matches", []):
                visible = assessments.scoped_photo(user, sha256) is not None
                links.append(ReuseLink(f"相似照片(距离 {distance})",
                                       url_for("api_v1.assessments.get_photo_file", sha256=sha256, size="review") if visible else None))
    return links


def _inspection_link(user: User, uuid: str) -> ReuseLink:
    other = inspections.get_inspection(user, uuid)
    if other is None:
        return ReuseLink("辖区外的巡查记录", None)
    case_id = db.session.scalar(select(CaseInspection.case_id).where(CaseInspection.inspection_id == other.id)
                                .order_by(CaseInspection.case_id.desc()).limit(1))
    text = f"图斑 {other.parcel.code} 于 {local_time(other.observed_at)} 的巡查"
    return ReuseLink(text, url_for("web.case_detail", case_id=case_id, _anchor=f"inspection-{uuid}") if case_id else None)


def map_features(case: ViolationCase, views: list[InspectionView]) -> dict:
    """GeoJSON in WGS84: the parcel, each inspection's device fix and each photo's EXIF position and direction."""
    features = [{"type": "Feature", "geometry": mapping(case.parcel.geometry),
                 "properties": {"label": f"图斑 {case.parcel.code}"}}]
    for view in views:
        inspection = view.link.inspection
        lat, lon = to_wgs84(inspection.lat, inspection.lon, inspection.crs)
        features.append(_point(lon, lat, kind="fix", label=f"巡查员定位 {local_time(inspection.observed_at)}"
                               + (f"(精度 {inspection.accuracy_m:.0f} 米)" if inspection.accuracy_m else "")))
        for photo in view.photos:
            stored = photo.evidence.photo
            if stored is None or stored.gps_lat is None:
                continue
            gps = (stored.evidence_metadata or {}).get("gps") or {}
            features.append(_point(stored.gps_lon, stored.gps_lat, kind="photo", azimuth=gps.get("azimuth_deg"),
                                   label=f"照片 {photo.evidence.ref.position + 1}({photo.role_label})"))
    return {"type": "FeatureCollection", "features": features}


def _point(lon: float, lat: float, **properties) -> dict:
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]}, "properties": properties}


def history(case: ViolationCase) -> list[HistoryLine]:
    lines = []
    for event in entity_history(AUDIT_ENTITY, case.id):
        before, after = event.before or {}, event.after or {}
        change = []
        if before.get("status") != after.get("status") and after.get("status"):
            change.append(f"{workflow.STATUS_LABELS_ZH.get(before.get('status'), '—')} → "
                          f"{workflow.STATUS_LABELS_ZH[after['status']]}")
        if after.get("deadline_at") and after.get("deadline_at") != before.get("deadline_at"):
            change.append(f"整改期限 {deadline_day(datetime.fromisoformat(after['deadline_at']))}")
        lines.append(HistoryLine(event, "系统" if event.actor == SYSTEM_ACTOR else event.actor,
                                 workflow.ACTION_LABELS_ZH.get(event.action, event.action), ";".join(change)))
    return lines


def rule_label(case: ViolationCase) -> str:
    info = CODES.get(case.code)
    return info.label_zh if info else case.code


def available_actions(user: User, case: ViolationCase) -> list[str]:
    """The review actions this user may take on the case in its state (the service checks again on submit)."""
    return [name for name, action in workflow.USER_ACTIONS.items()
            if workflow.allowed(action, case.status, user.role_enum)[1]]
