from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from server.extensions import db


class County(db.Model):
    __tablename__ = "counties"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(6), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Shanghai")
    # The latest version of its rules published (0: none): with it each process knows, from the county row a push
    # reads anyway, whether the versions it holds are all there are (`rules.versions`).
    rules_revision: Mapped[int] = mapped_column(default=0, server_default="0")

    townships: Mapped[list["Township"]] = relationship(back_populates="county", order_by="Township.code")

    @property
    def zone(self) -> ZoneInfo:
        """The county's time zone: patrol periods, season windows and deadlines are local dates."""
        return ZoneInfo(self.timezone)

    __table_args__ = (CheckConstraint("length(code) = 6", name="code_length"),)


class Township(db.Model):
    __tablename__ = "townships"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(9), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    county_id: Mapped[int] = mapped_column(ForeignKey("counties.id"), index=True)

    county: Mapped[County] = relationship(back_populates="townships")
    villages: Mapped[list["Village"]] = relationship(back_populates="township", order_by="Village.code")

    __table_args__ = (CheckConstraint("length(code) = 9", name="code_length"),)


class Village(db.Model):
    __tablename__ = "villages"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    township_id: Mapped[int] = mapped_column(ForeignKey("townships.id"), index=True)

    township: Mapped[Township] = relationship(back_populates="villages")

    __table_args__ = (CheckConstraint("length(code) = 12", name="code_length"),)
