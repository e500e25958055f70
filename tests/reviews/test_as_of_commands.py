"""`--as-of YYYY-MM-DD` on the commands that judge by the clock: replayed or checked as of the end of a day."""

from datetime import timedelta

from sqlalchemy import select

from server.accounts.models import User
from server.cases import service as cases
from server.db_types import utcnow
from server.extensions import db
from tests.reviews.fixtures import GRAIN, IDLE, SHANGHAI, beijing, building, cases_of, inspect


def test_mark_overdue_as_of_a_day(runner, parcels):
    inspect(parcels["pbf"], building(2.0))
    [case] = cases_of(parcels["pbf"])
    reviewer = db.session.scalar(select(User).where(User.username == "reviewer101"))
    cases.transition(reviewer, case.id, "confirm")
    deadline = (utcnow() + timedelta(days=3)).astimezone(SHANGHAI).date()
    cases.transition(reviewer, case.id, "order_rectification", deadline=deadline)

    on_the_day = runner.invoke(args=["cases", "mark-overdue", "--as-of", deadline.isoformat()])
    assert on_the_day.exit_code == 0 and on_the_day.output.startswith("0 个案件标为逾期")
    next_day = runner.invoke(args=["cases", "mark-overdue", "--as-of", (deadline + timedelta(days=1)).isoformat()])
    assert next_day.exit_code == 0 and next_day.output.startswith("1 个案件标为逾期")
    assert cases_of(parcels["pbf"])[0].status == "overdue"


def test_reevaluate_abandonment_as_of_a_day(runner, parcels):
    parcel = parcels["grain_zone"]
    inspect(parcel, GRAIN, at=beijing(2026, 4, 20))
    inspect(parcel, IDLE, at=beijing(2026, 7, 10))
    inspect(parcel, IDLE, at=beijing(2026, 8, 10))  # 撂荒 needs two idle visits weeks apart
    in_season = runner.invoke(args=["rules", "reevaluate-abandonment", "--as-of", "2026-09-19"])
    assert in_season.exit_code == 0 and in_season.output.startswith("记录 0 条")
    after = runner.invoke(args=["rules", "reevaluate-abandonment", "--as-of", "2026-10-02"])
    assert after.exit_code == 0 and after.output.startswith("记录 1 条")
    assert [c.code for c in cases_of(parcel)] == ["ABANDON_SEASONAL"]
    bad = runner.invoke(args=["rules", "reevaluate-abandonment", "--as-of", "20261002"])
    assert bad.exit_code == 2


def test_unknown_county_is_an_error_everywhere(runner, demo, tmp_path):
    override = tmp_path / "override.json"
    override.write_text("{}", encoding="utf-8")
    for args in (["patrols", "generate", "--county", "999999"], ["patrols", "init-plans", "--county", "999999"],
                 ["rules", "show", "--county", "999999"],
                 ["rules", "publish", "--county", "999999", "--effective-from", "2027-01-01", str(override)]):
        result = runner.invoke(args=args)
        assert result.exit_code == 1, (args, result.output)
        assert result.output == "错误: 县不存在: 999999 (farmpatrol territory list 列出全部) [unknown_county]\n"
    assert runner.invoke(args=["patrols", "generate", "--county", demo.county_code]).exit_code == 0
