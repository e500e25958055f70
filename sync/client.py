"""The device: record inspections offline, then `sync` = push, upload photos, pull.

Every step checkpoints in the outbox only after the server answered, i.e. after its commit; the
server is idempotent for every step (UUID, offset, cursor). So a device killed anywhere repeats at
most the step it was in, and nothing is lost or counted twice.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from inspection_forms import load_definition
from sync.capture import photo_capture_time
from sync.outbox import SENT, Outbox
from sync.transport import SyncError, Transport
from sync.uploads import upload_photo

PUSH_BATCH = 50
PULL_LIMIT = 500
DEFAULT_ROLES = ("distant", "close")  # then "detail"
PHOTO_SUFFIXES = {".jpg", ".jpeg", ".heic", ".heif", ".png"}


@dataclass
class RecordedPhoto:
    file_name: str
    role: str
    taken_at: datetime
    time_source: str  # see sync.capture.SOURCE_LABELS_ZH


@dataclass
class Recorded:
    uuid: str
    started_at: datetime
    finished_at: datetime
    photos: list[RecordedPhoto]


@dataclass
class SyncReport:
    pushed: dict[str, int] = field(default_factory=dict)
    photos_uploaded: int = 0
    changes_pulled: int = 0
    errors: list[str] = field(default_factory=list)


class DeviceClient:
    def __init__(self, home: str | Path, *, session=None, backoff=None, sleep=None):
        self.outbox = Outbox(home)
        self._transport_options = {k: v for k, v in {"session": session, "backoff": backoff, "sleep": sleep}.items()
                                   if v is not None}

    def close(self) -> None:
        self.outbox.close()

    def configure(self, server: str, token: str) -> None:
        with self.outbox.transaction() as db:
            self.outbox.set(db, "server", server)
            self.outbox.set(db, "token", token)

    def transport(self) -> Transport:
        server, token = self.outbox.get("server"), self.outbox.get("token")
        if not server or not token:
            raise SyncError("设备尚未配置服务器和令牌,请先运行 configure")
        return Transport(server, token, **self._transport_options)

    def record(self, parcel_code: str, form_id: str, answers: dict, photos: list[Path], *,
               roles: dict[str, str] | None = None, form_version: int | None = None,
               location: dict | None = None, task_id: str | None = None, started_at: datetime | None = None,
               finished_at: datetime | None = None) -> Recorded:
        """Record an inspection in the outbox (no network).

        `roles` maps a photo's file name to its role; unmapped photos take 远景, 近景, then 局部 in order. Each
        photo's `taken_at` is its EXIF capture time (file time only without one); the inspection starts and
        finishes, unless given, at the first and last capture time.
        Checked first against the form as this device holds it, with the same engine as the server, so that an
        inspector standing in the field hears about a missing answer or photo now, not after the next sync.
        Raises ValueError listing the problems; nothing is recorded then."""
        form_version, held_form = self._held_form(form_id, form_version)
        photo_roles = [(roles or {}).get(path.name) or (DEFAULT_ROLES[index] if index < len(DEFAULT_ROLES) else "detail")
                       for index, path in enumerate(photos)]
        if held_form is not None:  # never synced: the server checks it on push
            _check_offline(held_form, answers, photo_roles)
        captures = [photo_capture_time(path) for path in photos]
        recorded = [RecordedPhoto(path.name, role, capture.taken_at, capture.source)
                    for path, role, capture in zip(photos, photo_roles, captures)]
        times = [photo.taken_at for photo in recorded] or [datetime.now().astimezone()]
        started_at = started_at or min(times)
        finished_at = finished_at or max([*times, started_at])
        if finished_at < started_at:
            raise ValueError(f"结束时间 {finished_at.isoformat()} 早于开始时间 {started_at.isoformat()}")
        refs = [{"sha256": self.outbox.add_photo(path), "role": photo.role, "file_name": photo.file_name,
                 "taken_at": photo.taken_at.isoformat()} for path, photo in zip(photos, recorded)]
        payload = {
            "uuid": str(uuid.uuid4()), "type": "inspection", "form_id": form_id,
            "form_version": form_version, "parcel_code": parcel_code, "task_id": task_id,
            "started_at": started_at.isoformat(), "finished_at": finished_at.isoformat(),
            "location": location or self._parcel_location(parcel_code), "answers": answers, "photos": refs,
        }
        self.outbox.add_record(payload)
        return Recorded(payload["uuid"], started_at, finished_at, recorded)

    def sync(self) -> SyncReport:
        transport, report = self.transport(), SyncReport()
        self.push(transport, report)
        self.upload_photos(transport, report)
        self.pull(transport, report)
        return report

    def push(self, transport: Transport, report: SyncReport) -> None:
        while records := self.outbox.pending_records(PUSH_BATCH):
            response = transport.request("POST", "/sync/push", ok=(200,), json={
                "device_time": datetime.now(timezone.utc).isoformat(), "records": records})
            if response.status_code != 200:
                raise SyncError(f"push refused: HTTP {response.status_code} {response.text[:300]}")
            results = response.json()["results"]
            self.outbox.store_results(results)
            for result in results:
                report.pushed[result["status"]] = report.pushed.get(result["status"], 0) + 1

    def upload_photos(self, transport: Transport, report: SyncReport) -> None:
        for sha256, size, url in self.outbox.photos_to_upload():
            try:
                upload_photo(transport, self.outbox, sha256, size, url)
                report.photos_uploaded += 1
            except SyncError as exc:  # one photo failing must not hold back the others; it resumes next sync
                report.errors.append(str(exc))

    def pull(self, transport: Transport, report: SyncReport) -> None:
        while True:
            cursor = self.outbox.get("pull_cursor")
            params = {"limit": PULL_LIMIT} | ({"cursor": cursor} if cursor else {})
            response = transport.request("GET", "/sync/pull", ok=(200,), params=params)
            if response.status_code == 422 and cursor:  # the server no longer knows this cursor: start over
                self.outbox.forget_pull_cursor()
                continue
            if response.status_code != 200:
                raise SyncError(f"pull refused: HTTP {response.status_code} {response.text[:300]}")
            body = response.json()
            self.outbox.apply_changes(body["changes"], body["next_cursor"], body["reset"])
            report.changes_pulled += len(body["changes"])
            if not body["has_more"]:
                return

    def status(self) -> dict:
        """Counts, and the server's answer for every record it did not accept (what the inspector must redo)."""
        counts = self.outbox.counts()
        return {"server": self.outbox.get("server"), **counts,
                "synced_records": sum(counts["records"].get(s, 0) for s in SENT),
                "not_accepted": self.outbox.not_accepted()}

    def _held_form(self, form_id: str, version: int | None) -> tuple[int, dict | None]:
        """The version to record with (the newest held unless given) and its definition if this device holds it."""
        held = {f["version"]: f for f in self.outbox.items("form") if f["form_id"] == form_id}
        version = version or max(held, default=1)
        return version, held.get(version)

    def _parcel_location(self, parcel_code: str) -> dict:
        """Without a GPS fix given, the centre of the parcel as the device holds it."""
        parcel = self.outbox.item("parcel", parcel_code)
        if parcel is None:
            raise SyncError(f"本机没有图斑 {parcel_code},请先同步或给出 --lat/--lon")
        ring = parcel["geometry"]["coordinates"][0]
        ring = ring[0] if parcel["geometry"]["type"] == "MultiPolygon" else ring
        lons, lats = [p[0] for p in ring], [p[1] for p in ring]
        return {"lat": sum(lats) / len(lats), "lon": sum(lons) / len(lons), "accuracy_m": None, "crs": "WGS84"}


def _check_offline(form: dict, answers: dict, photo_roles: list[str]) -> None:
    # Distinct placeholders stand in for the hashes: the engine counts distinct photos per role.
    photos = [{"sha256": f"{index:064x}", "role": role} for index, role in enumerate(photo_roles)]
    errors = load_definition(form["definition"]).validate(answers, photos=photos)
    if errors:
        raise ValueError("记录不完整: " + "; ".join(f"{e.field}: {e.message}" for e in errors))


def photos_in(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in PHOTO_SUFFIXES)


def load_answers(text: str) -> dict:
    """`JSON` or `@file.json`."""
    return json.loads(Path(text[1:]).read_text(encoding="utf-8") if text.startswith("@") else text)
