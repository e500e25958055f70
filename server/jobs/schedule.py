"""The periodic jobs, declared as data. Ids are stable: they key the job store and the run history.

A job's function is named by reference ("module:function") and resolved when it runs, so this list
imports nothing heavy and a job whose module is broken fails alone (recorded) instead of stopping the
scheduler. Every function is safe to run twice and takes `now` (defaulting to the current time).
Cron fields are in the scheduler's time zone (Asia/Shanghai by default).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class JobSpec:
    id: str
    func: str
    cron: dict = field(default_factory=dict)
    description: str = ""

    def resolve(self) -> Callable:
        module_name, _, attribute = self.func.partition(":")
        return getattr(importlib.import_module(module_name), attribute)


JOBS: tuple[JobSpec, ...] = (
    # Daily, early: after midnight so that a half-month's tasks exist when its first morning starts.
    JobSpec("patrols.generate_tasks", "server.patrols.service:generate_tasks", {"hour": 1, "minute": 5},
            "生成巡查任务 (含停机期间漏掉的周期)"),
    # Hourly: windows close at local midnight, so the first run of the day does the real work.
    JobSpec("patrols.mark_overdue", "server.patrols.service:mark_overdue_tasks", {"minute": 10},
            "标记逾期巡查任务"),
    # Sync housekeeping (server/uploads, server/inspections): both are safe to repeat, hourly is plenty.
    JobSpec("uploads.expire_stale", "server.uploads.service:expire_stale_uploads", {"minute": 15},
            "清理过期的未完成上传"),
    JobSpec("inspections.mark_incomplete", "server.inspections.completion:mark_incomplete_inspections",
            {"minute": 20}, "标记照片逾期未到的巡查记录"),
    # Daily: a main season can end without anyone visiting an idle parcel; judge the history again.
    JobSpec("rules.reevaluate_abandonment", "server.rules.service:reevaluate_abandonment", {"hour": 2, "minute": 5},
            "按巡查历史重新判定撂荒"),
    # Hourly: rectification deadlines are dates; an overdue case is escalated to the county.
    JobSpec("cases.mark_overdue", "server.cases.service:mark_overdue_cases", {"minute": 25}, "标记整改逾期的案件"),
    # Monthly: the year's rice is judged once its season is over (end of October by default); later runs
    # pick up visits synced late and are otherwise no-ops.
    JobSpec("rules.evaluate_rice_year", "server.rules.service:evaluate_rice_year", {"day": 1, "hour": 3, "minute": 35},
            "粮食生产功能区年度水稻种植判定"),
    # Daily: from each county's configured date (default 10 January) the previous year's report is issued;
    # after each quarter its draft. Both check what exists, so a missed day catches up.
    JobSpec("reports.issue_previous_year", "server.reports.jobs:issue_previous_year", {"hour": 3, "minute": 5},
            "下发上一年度耕地保护补偿扣减核算表"),
    JobSpec("reports.draft_previous_quarter", "server.reports.jobs:draft_previous_quarter", {"hour": 3, "minute": 15},
            "生成上一季度补偿扣减核算草稿"),
    # Daily: photos no inspection cites (issue 11) would otherwise be kept for ever.
    JobSpec("photos.delete_orphans", "server.photos.service:delete_orphan_photos", {"hour": 3, "minute": 25},
            "删除无巡查记录引用的过期照片"),
)


def get_spec(job_id: str, specs: tuple[JobSpec, ...] = JOBS) -> JobSpec:
    for spec in specs:
        if spec.id == job_id:
            return spec
    raise KeyError(f"unknown job: {job_id}")
