"""Parcel imports started from the web UI: the uploaded file is kept in the instance folder and imported in a
background thread by the same `import_parcel_file` as `farmpatrol parcels import`, with the same refusals.

The job row carries the progress (features read and written), so any server process can show it; on SQLite, whose
write lock the import holds from its first batch to its commit, the count goes to a file in the job's folder instead
and is read from there. A server stopped during an
import leaves its job `running` without a worker: the next upload marks jobs unfinished after ABANDONED_AFTER
failed (an import is one transaction, so it left nothing behind).
"""

from __future__ import annotations

import enum
import shutil
import threading
from datetime import datetime, timedelta
from pathlib import Path

from flask import Flask, current_app
from sqlalchemy import JSON, ForeignKey, String, Text, select, update
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.orm.attributes import set_committed_value

from server.accounts.models import User
from server.db_types import UTCDateTime, utcnow
from server.extensions import db
from server.parcels.crs import ParcelSourceError
from server.parcels.service import import_parcel_file
from server.territory.service import TerritoryError

ACCEPTED_SUFFIXES = (".zip", ".gpkg", ".geojson", ".json")
_PROGRESS_EVERY = 5000  # progress steps between progress writes
_PROGRESS_FILE = "progress"
ABANDONED_AFTER = timedelta(hours=1)  # a county's 三调 layer (~100,000 features) imports in minutes


class ImportStatus(str, enum.Enum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class ParcelImportJob(db.Model):
    __tablename__ = "parcel_import_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("counties.id"), index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    file_name: Mapped[str] = mapped_column(String(255))
    options: Mapped[dict] = mapped_column(JSON)  # crs, layer, encoding, field_map as for the CLI
    status: Mapped[str] = mapped_column(String(16), default=ImportStatus.QUEUED.value)
    processed: Mapped[int] = mapped_column(default=0)  # progress steps done: each feature read, and written
    total: Mapped[int | None] = mapped_column()  # progress steps in all, once the file's features are counted
    summary: Mapped[dict | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ImportRefused(ValueError):
    pass


def _folder(job_id: int) -> Path:
    return current_app.config["FARMPATROL"].instance_path / "parcel-imports" / str(job_id)


def start_import(admin: User, file_name: str, stream, options: dict) -> ParcelImportJob:
    """Keep the upload and start importing it in the background; returns the queued job."""
    suffix = Path(file_name).suffix.lower()
    if suffix not in ACCEPTED_SUFFIXES:
        raise ImportRefused(f"不支持的文件类型 {suffix or '(无扩展名)'}: 请上传 zip(Shapefile 或 FileGDB)、GeoPackage 或 GeoJSON")
    fail_abandoned_jobs()
    job = ParcelImportJob(county_id=admin.county_id, created_by_id=admin.id, file_name=Path(file_name).name,
                          options=options)
    db.session.add(job)
    db.session.flush()
    folder = _folder(job.id)
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / f"upload{suffix}", "wb") as out:
        shutil.copyfileobj(stream, out)
    db.session.commit()
    threading.Thread(target=_run, args=(current_app._get_current_object(), job.id, admin.county.code),
                     name=f"parcel-import-{job.id}", daemon=True).start()
    return job


def _run(app: Flask, job_id: int, county_code: str) -> None:
    with app.app_context():
        job = db.session.get(ParcelImportJob, job_id)
        job.status, job.started_at = ImportStatus.RUNNING.value, utcnow()
        db.session.commit()
        progress = _Progress(app, job_id)
        path = next(_folder(job_id).glob("upload.*"))
        try:
            summary = import_parcel_file(path, county_code=county_code, progress=progress, on_total=progress.set_total,
                                         **job.options)
        except (ParcelSourceError, TerritoryError) as exc:  # the CLI's refusals (TerritoryError: UnknownCounty too)
            db.session.rollback()
            _finish(job_id, ImportStatus.FAILED, error=str(exc))
        except Exception as exc:  # noqa: BLE001 - the job records any failure instead of dying silently
            db.session.rollback()
            app.logger.exception("parcel import %s failed", job_id)
            _finish(job_id, ImportStatus.FAILED, error=f"导入失败(服务器错误): {exc}")
        else:
            status = ImportStatus.FAILED if summary.all_rejected else ImportStatus.DONE
            _finish(job_id, status, summary=summary.to_dict(), processed=progress.done,
                    error=summary.all_rejected_message if summary.all_rejected else None)
        finally:
            shutil.rmtree(_folder(job_id), ignore_errors=True)
            db.session.remove()


class _Progress:
    """Counts progress steps and writes the count outside the import's transaction: on PostgreSQL to the job row,
    on its own connection; on SQLite to the job's folder, as a second connection would wait for the import's
    write lock until it commits."""

    def __init__(self, app: Flask, job_id: int):
        self.app, self.job_id, self.done, self._written = app, job_id, 0, 0
        self.to_file = db.engine.dialect.name == "sqlite"

    def set_total(self, total: int) -> None:
        self._update(total=total)

    def __call__(self, count: int) -> None:
        self.done += count
        if self.done - self._written >= _PROGRESS_EVERY:
            self._written = self.done
            if self.to_file:
                counted = _folder(self.job_id) / _PROGRESS_FILE
                counted.with_suffix(".tmp").write_text(str(self.done))
                counted.with_suffix(".tmp").replace(counted)  # a reader never sees a half-written count
            else:
                self._update(processed=self.done)

    def _update(self, **values) -> None:
        with db.engine.begin() as conn:
            conn.execute(update(ParcelImportJob).where(ParcelImportJob.id == self.job_id).values(**values))


def _with_progress(jobs: list[ParcelImportJob]) -> list[ParcelImportJob]:
    """Running jobs with the count their import wrote to its folder (SQLite), as if it were in the row."""
    for job in jobs:
        counted = _folder(job.id) / _PROGRESS_FILE
        if job.status == ImportStatus.RUNNING.value and counted.exists():
            set_committed_value(job, "processed", int(counted.read_text() or 0))
    return jobs


def _finish(job_id: int, status: ImportStatus, **values) -> None:
    db.session.execute(update(ParcelImportJob).where(ParcelImportJob.id == job_id)
                       .values(status=status.value, finished_at=utcnow(), **values))
    db.session.commit()


def fail_abandoned_jobs() -> None:
    """Jobs unfinished long after they started lost their server; fail them (the import rolled back)."""
    db.session.execute(update(ParcelImportJob).where(
        ParcelImportJob.status.in_([ImportStatus.QUEUED.value, ImportStatus.RUNNING.value]),
        ParcelImportJob.created_at < utcnow() - ABANDONED_AFTER).values(
        status=ImportStatus.FAILED.value, finished_at=utcnow(),
        error="服务器在导入过程中停止, 导入未完成(未写入任何图斑), 请重新上传"))


def county_jobs(admin: User, limit: int = 20) -> list[ParcelImportJob]:
    return _with_progress(list(db.session.scalars(
        select(ParcelImportJob).where(ParcelImportJob.county_id == admin.county_id)
        .order_by(ParcelImportJob.id.desc()).limit(limit))))


def county_job(admin: User, job_id: int) -> ParcelImportJob | None:
    job = db.session.scalar(select(ParcelImportJob).where(ParcelImportJob.id == job_id,
                                                          ParcelImportJob.county_id == admin.county_id))
    return job and _with_progress([job])[0]
