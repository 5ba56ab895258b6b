"""The year-start approval against the self-evaluation: targets lowered, targets changed, weights moved
and indicators dropped, unit by unit (rollup --targets)."""
from __future__ import annotations


def compare_targets(units: list[dict], approved: list[dict]) -> list[dict]:
    """Targets lowered, weights moved or indicators dropped since the year-start approval."""
    by_unit = {(a.get("unit"), a.get("year")): a for a in approved if a.get("unit")}
    flags: list[dict] = []
    for unit in units:
        base = by_unit.get((unit.get("unit"), unit.get("year")))
        if base is None or not unit.get("indicators"):
            continue
        now = {i["key"]: i for i in unit["indicators"]}
        for old in base.get("indicators") or []:
            cur = now.get(old["key"])
            flag = {"unit": unit["unit"], "year": unit.get("year"), "file": unit["file"], "indicator": old["name"],
                    "area": old["area"], "cell": None if cur is None else cur["cell"],
                    "approved_target": old["target_text"], "target": None if cur is None else cur["target_text"],
                    "approved_weight": old["weight"], "weight": None if cur is None else cur["weight"]}
            if cur is None:
                flags.append({**flag, "kind": "指标删除", "detail": "年初批复的指标在自评表中不见了"})
                continue
            if old["target"] is not None and cur["target"] is not None and old["target"] != cur["target"]:
                higher_is_better = (cur.get("op") or old.get("op")) != "≤"
                lowered = cur["target"] < old["target"] if higher_is_better else cur["target"] > old["target"]
                if lowered:
                    flags.append({**flag, "kind": "目标调低",
                                  "detail": f"年度指标值由 {old['target_text']} 改为 {cur['target_text']}"})
            elif old["target"] is None and old["target_text"] != cur["target_text"]:
                flags.append({**flag, "kind": "目标改动",
                              "detail": f"年度指标值由 {old['target_text']} 改为 {cur['target_text']}"})
            if old["weight"] is not None and cur["weight"] is not None and old["weight"] != cur["weight"]:
                flags.append({**flag, "kind": "分值调整", "cell": cur.get("weight_cell"),
                              "detail": f"分值由 {old['weight']:g} 改为 {cur['weight']:g}"})
    return flags
