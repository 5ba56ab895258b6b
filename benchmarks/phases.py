"""Where `score` spends its time, phase by phase, as benchmarks/run.py prints it.

The phases follow api.score and write/scored_copy.write_scored step for step; a change in where the
time goes shows here first. Medians of `repeat` runs, in milliseconds.
"""
from __future__ import annotations

import statistics
import time
from pathlib import Path
from typing import Callable

PHASES = ("读取（打开、找表、读表）", "计分与检查", "公式结果（留或去）", "标注", "评分汇总（模型）", "评分记录",
          "评分汇总（写入）", "打包写出")


def score_phases(source: Path, target: Path) -> dict[str, float]:
    """One score of `source`, timed phase by phase (seconds)."""
    from selfeval_xl.read.reader import paused_gc, read
    from selfeval_xl.rules.assess import assess
    from selfeval_xl.write.atomic import write_atomically
    from selfeval_xl.write.dropped_results import store_results
    from selfeval_xl.write.marks import mark, unmark
    from selfeval_xl.write.package_edit import PackageEdit
    from selfeval_xl.write.record import build_record
    from selfeval_xl.write.summary import add_record, build_summary, shown_cells
    from selfeval_xl.write.summary_part import add_summary, remove_previous_summary

    times: dict[str, float] = {}

    def timed(name: str, step: Callable[[], object]) -> object:
        start = time.perf_counter()
        value = step()
        times[name] = times.get(name, 0.0) + time.perf_counter() - start
        return value

    with paused_gc():
        reading = timed(PHASES[0], lambda: read(source, None))
        result = timed(PHASES[1], lambda: assess(reading.input, reading.profile))
        edit = PackageEdit(reading.workbook.package)
        edit.match_extension(target)
        unmark(edit, remove_previous_summary(edit))
        marks = timed(PHASES[3], lambda: mark(edit, result.checks))
        timed(PHASES[2], lambda: store_results(edit, reading))
        model = timed(PHASES[4], lambda: build_summary(result, reading.profile))
        record, chunks = timed(PHASES[5], lambda: build_record(reading.input_cells, result, reading.profile, marks,
                                                              shown_cells(model)))
        add_record(model, chunks)
        timed(PHASES[6], lambda: add_summary(edit, model, len(chunks), record["fingerprint"]))
        timed(PHASES[7], lambda: write_atomically(target, edit.save()))
    return times


def phase_table(sources: dict[str, Path], out: Path, repeat: int) -> list[str]:
    """Lines of a table: one row per phase, one column per source (median milliseconds)."""
    medians: dict[str, dict[str, float]] = {}
    for label, source in sources.items():
        score_phases(source, out / f"phases-{source.stem}.xlsx")  # warm the caches the first run fills
        runs = [score_phases(source, out / f"phases-{source.stem}.xlsx") for _ in range(repeat)]
        medians[label] = {phase: statistics.median(r.get(phase, 0.0) for r in runs) for phase in PHASES}
    lines = ["阶段".ljust(20) + "".join(("  " + label).rjust(14) for label in sources)]
    for phase in PHASES:
        lines.append(phase.ljust(20) + "".join(f"{medians[label][phase] * 1000:11.1f} ms" for label in sources))
    lines.append("合计".ljust(20) + "".join(f"{sum(medians[label].values()) * 1000:11.1f} ms" for label in sources))
    return lines
