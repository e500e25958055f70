from __future__ import annotations

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from server.extensions import db


class PhotoFinding(db.Model):
    """One finding of the evidence checks on one photo of one inspection (server.evidence.Finding).

    A table rather than JSON on the photo row so that reports can count and filter by code; the message is
    stored as shown, with the numbers it was filled from in `data`. Assessing again replaces the rows."""

    __tablename__ = "photo_findings"

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspections.id", ondelete="CASCADE"), index=True)
    inspection_photo_id: Mapped[int] = mapped_column(ForeignKey("inspection_photos.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column()  # the order assess_photo gave: file, location, time, reuse, editing
    code: Mapped[str] = mapped_column(String(40))
    severity: Mapped[str] = mapped_column(String(8))
    message_zh: Mapped[str] = mapped_column(String(500))
    data: Mapped[dict] = mapped_column(JSON)

    __table_args__ = (Index("ix_photo_findings_code_severity", "code", "severity"),
                      Index("ix_photo_findings_inspection_photo_seq", "inspection_photo_id", "seq", unique=True))
