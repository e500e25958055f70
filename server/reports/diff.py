"""What changed between two versions of a report: lines that appeared, disappeared or changed amount,
and village totals that changed, each with the facts that explain it (pure; the service adds the case
events from the audit chain)."""

from __future__ import annotations


def diff_results(old: dict, new: dict) -> dict:
    old_lines = {line["key"]: line for line in old["lines"]}
    new_lines = {line["key"]: line for line in new["lines"]}
    appeared = [new_lines[key] for key in new_lines if key not in old_lines]
    disappeared = [old_lines[key] for key in old_lines if key not in new_lines]
    changed = []
    for key in old_lines.keys() & new_lines.keys():
        before, after = old_lines[key], new_lines[key]
        if before["amount_fen"] != after["amount_fen"] or _facts(before) != _facts(after):
            changed.append({"key": key, "village_code": after["village_code"], "case_id": after["case_id"],
                            "before_fen": before["amount_fen"], "after_fen": after["amount_fen"],
                            "why_zh": _why(before, after)})
    old_villages = {v["code"]: v for v in old["villages"]}
    villages = [{"code": v["code"], "name": v["name"], "base_before_fen": old_villages[v["code"]]["base_fen"],
                 "base_after_fen": v["base_fen"], "net_before_fen": old_villages[v["code"]]["net_fen"],
                 "net_after_fen": v["net_fen"]}
                for v in new["villages"] if v["code"] in old_villages and
                (v["base_fen"], v["net_fen"]) != (old_villages[v["code"]]["base_fen"], old_villages[v["code"]]["net_fen"])]
    return {"appeared": appeared, "disappeared": disappeared, "changed": sorted(changed, key=lambda c: c["key"]),
            "villages": villages, "totals_before": old["totals"], "totals_after": new["totals"]}


def _facts(line: dict) -> tuple:
    return line["case_status"], line["case_version"], line["rule_version"], line["area_mu"]


def _why(before: dict, after: dict) -> list[str]:
    reasons = []
    if before["case_status"] != after["case_status"]:
        reasons.append(f"案件状态 {before['case_status']} → {after['case_status']}")
    if before["area_mu"] != after["area_mu"]:
        reasons.append(f"面积 {before['area_mu']} → {after['area_mu']} 亩")
    if before["rule_version"] != after["rule_version"]:
        reasons.append(f"规则版本 {before['rule_version']} → {after['rule_version']}")
    if before["case_version"] != after["case_version"] and not reasons:
        reasons.append(f"案件更新(第 {before['case_version']} 版 → 第 {after['case_version']} 版)")
    if not reasons:
        reasons.append(f"计算依据变化: {before['formula_zh']} → {after['formula_zh']}")
    return reasons
