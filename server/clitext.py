"""The language rule of the command line, for `farmpatrol` and `farmpatrol-device` alike.

Officials read the output: messages and help texts are in Chinese; command and option names stay English,
and a refusal ends with its stable English code in brackets (`错误: 县不存在: 999998 [unknown_county]`), which
scripts and support staff can match on. A refusal exits with status 1; click's own usage errors exit with 2.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import click
from flask import current_app

from server.timezones import end_of_day


class CliError(click.ClickException):
    """A command refused or failed: a Chinese message and an English code, exit status 1."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code

    def format_message(self) -> str:
        return f"{self.message} [{self.code}]"

    def show(self, file=None) -> None:
        click.echo(f"错误: {self.format_message()}", err=True, file=file)


AS_OF = click.option("--as-of", "as_of", type=click.DateTime(["%Y-%m-%d"]), metavar="YYYY-MM-DD",
                     help="按该日结束时(县所在时区)的情况执行, 用于补跑或核对; 默认: 现在")


def zone_of_jobs(app) -> ZoneInfo:
    """The zone the scheduled jobs run in (the default county time zone): `--as-of` days are read in it."""
    return ZoneInfo(app.config["FARMPATROL"].default_county_timezone)


def as_of_moment(as_of: datetime | None) -> datetime | None:
    """The end of the `--as-of` day in the jobs' zone (`--as-of 2026-12-01` judges everything that happened on
    1 December), or None for now."""
    return end_of_day(as_of.date(), zone_of_jobs(current_app)) if as_of else None
