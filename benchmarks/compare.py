"""Before and after, measured side by side: this checkout against another one, interleaved.

    git worktree add /tmp/before aef40db
    python benchmarks/compare.py /tmp/before            # after benchmarks/run.py made its inputs

On a shared machine the load drifts by tens of percent within minutes, so two runs of run.py taken
one after the other can disagree more than the change being measured. Here two long-lived workers,
one importing each checkout, score the same file in turn (the order alternating), each followed by
the bare openpyxl load and save that run.py compares against; the medians then share the same
moments of load. Wall time, as run.py measures.
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "benchmarks" / "out"

WORKER = r"""
import sys, time
sys.path.insert(0, sys.argv[1])
from selfeval_xl.api import score
import openpyxl
out = sys.argv[2]
for line in sys.stdin:
    path, kind = line.rsplit(" ", 1)
    start = time.perf_counter()
    if kind.strip() == "ours":
        score(path, out + "/scored.xlsx")
    else:
        openpyxl.load_workbook(path).save(out + "/bare.xlsx")
    print(time.perf_counter() - start, flush=True)
"""


def paired_lines(before: Path, rounds: int) -> list[str]:
    """Lines of the before/after table for the checkout `before` against this one (run.py's inputs)."""
    inputs = [(OUT / "example.xlsx", rounds), (OUT / "large.xlsx", max(3, rounds // 10))]
    if (OUT / "libreoffice" / "example.xlsx").exists():  # the example as LibreOffice saves it (run.py)
        inputs.insert(1, (OUT / "libreoffice" / "example.xlsx", rounds))
    workers = {}
    for label, checkout in (("before", before.resolve()), ("after", ROOT)):
        scratch = OUT / f"compare-{label}"
        scratch.mkdir(exist_ok=True)
        workers[label] = subprocess.Popen([sys.executable, "-c", WORKER, str(checkout), str(scratch)],
                                          stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def timed(label: str, path: Path, kind: str) -> float:
        worker = workers[label]
        assert worker.stdin is not None and worker.stdout is not None
        worker.stdin.write(f"{path} {kind}\n")
        worker.stdin.flush()
        return float(worker.stdout.readline())

    lines = []
    for path, count in inputs:
        times: dict[tuple[str, str], list[float]] = {(w, k): [] for w in workers for k in ("ours", "bare")}
        for _ in range(2):  # warm-up: imports, caches
            for label in workers:
                timed(label, path, "ours")
        for i in range(count):
            for label in (("before", "after") if i % 2 else ("after", "before")):
                for kind in ("ours", "bare"):
                    times[(label, kind)].append(timed(label, path, kind))
        for label in workers:
            ours = statistics.median(times[(label, "ours")])
            bare = statistics.median(times[(label, "bare")])
            name = f"{path.parent.name}/{path.name}"
            lines.append(f"{name:<26} {label:<6} score {ours * 1000:7.1f} ms  openpyxl 读写 {bare * 1000:7.1f} ms  "
                         f"{ours / bare:.2f}×")
    for worker in workers.values():
        assert worker.stdin is not None
        worker.stdin.close()
        worker.wait()
    return lines


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("before", type=Path, help="the other checkout (a git worktree)")
    parser.add_argument("--rounds", type=int, default=60, help="rounds on the example (a tenth on the large form)")
    args = parser.parse_args()
    if not (OUT / "example.xlsx").exists() or not (OUT / "large.xlsx").exists():
        print("先运行 python benchmarks/run.py 生成输入文件。", file=sys.stderr)
        return 2
    for line in paired_lines(args.before, args.rounds):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
