"""The county's archive at a province's size (python benchmarks/archive.py [--units N] [--years Y] [--adds M]).

1. Synthetic unit-years straight into the schema (default 20,000 units × 5 years = 100,000, 16 indicators each,
   as the example has), through the archive's own tables, in batches.
2. M real workbooks (default 300: benchmarks/out/units, the rollup benchmark's files) added by `archive add` on two
   workers: files per second, beside a rollup of the same files.
3. The review of the last year against the one before, over all of it: seconds.
Figures are printed, never asserted: the tests hold the rules, this script measures them.
"""
from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from run import unit_workbooks  # noqa: E402  (benchmarks/run.py, beside this script)

from selfeval_xl.api import archive_add, archive_review, make_template  # noqa: E402
from selfeval_xl.county import archive_store as store  # noqa: E402
from selfeval_xl.county.archive_entry import indicator_key  # noqa: E402
from selfeval_xl.county.rollup import summarize_all  # noqa: E402

NAMES = [("产出指标", f"工作完成率{i}") for i in range(8)] + [("效益指标", f"效益{i}") for i in range(4)] + [
    ("满意度指标", f"满意度{i}") for i in range(4)]


def synthetic(archive: store.Archive, units: int, years: range, seed: int = 1) -> float:
    rng = random.Random(seed)
    start = time.perf_counter()
    now = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    next_id = 1
    for year in years:
        for first in range(0, units, 2000):
            subs, inds = [], []
            for u in range(first, min(units, first + 2000)):
                total = 80 + rng.randint(0, 2000) / 100
                subs.append({"id": next_id, "file_hash": f"syn-{year}-{u}", "file_name": f"单位{u}-{year}.xlsx",
                             "file_mtime": 0.0, "added_at": now, "readable": True, "note": "", "unit": f"单位{u:05d}",
                             "department": f"部门{u % 40}", "year": year, "form": "department", "profile": "hebei-dept",
                             "weights_from": "profile", "total": f"{total:.2f}",
                             "grade": "优秀" if total >= 90 else "良好",
                             "valid": True, "rate": f"{rng.randint(80, 100) / 100}", "errors": 0, "warnings": 0,
                             "verified": "未评分", "verify_state": "unscored", "indicator_count": len(NAMES)})
                for position, (level, name) in enumerate(NAMES):
                    target, actual = rng.randint(85, 100), rng.randint(80, 100)
                    inds.append({"submission_id": next_id, "position": position, "area": "", "level1": level,
                                 "level2": "", "name": name, "name_key": indicator_key("", level, name),
                                 "operator": "≥", "target": f"{target}%", "target_value": str(target),
                                 "target_unit": "%", "actual": f"{actual}%", "actual_value": str(actual),
                                 "actual_unit": "%", "unit": "%", "weight": "5", "score": "4.50",
                                 "self_score": "4.50" if rng.random() < 0.9 else "5"})
                next_id += 1
            with archive.writing() as conn:
                conn.execute(store.submissions.insert(), subs)
                conn.execute(store.indicators.insert(), inds)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=20_000)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--adds", type=int, default=300)
    args = parser.parse_args()
    out = ROOT / "benchmarks" / "out"
    example = out / "example.xlsx"
    if not example.exists():
        out.mkdir(parents=True, exist_ok=True)
        make_template(example, example=True)
    inbox = unit_workbooks(out / "units", args.adds, example)  # the rollup benchmark's unit files (run.py)
    work = Path(tempfile.mkdtemp(prefix="selfeval-archive-"))
    try:
        db = str(work / "县档案.sqlite")
        archive = store.open_archive(db, create=True)
        years = range(2025 - args.years + 1, 2026)
        seconds = synthetic(archive, args.units, years)
        archive.engine.dispose()
        count = args.units * args.years
        print(f"合成单位年度 {count:,} 个（每个 {len(NAMES)} 个指标）写入：{seconds:.1f} s")
        files = inbox[:args.adds]
        start = time.perf_counter()
        added = archive_add(db, files, workers=2)
        add_rate = len(files) / (time.perf_counter() - start)
        start = time.perf_counter()
        summarize_all(files, workers=2)
        rollup_rate = len(files) / (time.perf_counter() - start)
        print(f"archive add {len(files)} 个真实工作簿（2 进程）：{add_rate:.0f} 个/秒（存入 {added.stored} 份）；"
              f"同样文件 rollup 读取 {rollup_rate:.0f} 个/秒")
        start = time.perf_counter()
        archive_review(db, 2025)
        print(f"archive review 2025 年度（只读取和比较，不写文件）：{time.perf_counter() - start:.1f} s")
        start = time.perf_counter()
        review = archive_review(db, 2025, work / "复核.xlsx", sample=50, seed=1)
        print(f"archive review 2025 年度（{len(review.units):,} 个单位，对比上年，含写出复核表和抽样）："
              f"{time.perf_counter() - start:.1f} s；目标低于上年实际 {len(review.lowered):,} 处")
        print(f"档案库文件 {Path(db).stat().st_size / 1024 ** 2:.0f} MB")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
