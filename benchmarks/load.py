"""The page and the rollup under load, as a county PC meets them (python benchmarks/load.py [--files N]).

1. The local page (`selfeval-xl serve`, waitress) receives 20 uploads of the example at once while a
   browser polls /api/info every 50 ms: the 95th percentile of those answers (target ≤ 1 s), and how
   the uploads were answered (200, or 503 BUSY when every job place is taken).
2. An upload of 2.8 million cells (~9.5 MB): answered with a score or a Chinese refusal, never 500.
3. A rollup of N copies of the example (default 1,000): the peak resident memory of the whole process
   tree (this process and its workers, summed from /proc every 20 ms, Linux) against the 1.5 GB bound.
Figures are printed, never asserted: the tests hold the rules, this script measures them.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from selfeval_xl import api  # noqa: E402
from selfeval_xl.web.guard import Settings  # noqa: E402
from selfeval_xl.web.server import Server  # noqa: E402


def start_page() -> Server:
    """The local page (selfeval-xl serve) on a free port, serving from a thread of this process."""
    server = Server(Settings(port=0))
    threading.Thread(target=server.run, daemon=True).start()
    return server


def upload_body(path: Path, name: str) -> tuple[bytes, str]:
    """A multipart form carrying the file `path` under the name `name`, and its boundary."""
    boundary = uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n"
            "Content-Type: application/octet-stream\r\n\r\n").encode("utf-8") + path.read_bytes() + (
            f"\r\n--{boundary}--\r\n").encode("ascii")
    return body, boundary


def post(url: str, body: bytes, boundary: str) -> int:
    request = urllib.request.Request(url, data=body, method="POST",
                                     headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    try:
        with urllib.request.urlopen(request, timeout=300) as answer:
            answer.read()  # the answer is only had once its body has arrived
            return int(answer.status)
    except urllib.error.HTTPError as refused:
        return int(refused.code)


def page_under_uploads(example: Path, uploads: int = 20) -> None:
    server = start_page()
    base = server.address
    body, boundary = upload_body(example, "示例.xlsx")
    codes: list[int] = []
    senders = [threading.Thread(target=lambda: codes.append(post(base + "api/score", body, boundary)))
               for _ in range(uploads)]
    latencies: list[float] = []
    start = time.perf_counter()
    for sender in senders:
        sender.start()
    while any(s.is_alive() for s in senders):
        asked = time.perf_counter()
        with urllib.request.urlopen(base + "api/info", timeout=60) as answer:
            answer.read()
        latencies.append(time.perf_counter() - asked)
        time.sleep(0.05)
    elapsed = time.perf_counter() - start
    server.close()
    p95 = statistics.quantiles(latencies, n=20)[-1] if len(latencies) >= 2 else latencies[0]
    counts = {code: codes.count(code) for code in sorted(set(codes))}
    print(f"页面：{uploads} 个同时上传，用时 {elapsed:.1f} s；/api/info 共 {len(latencies)} 次，"
          f"中位 {statistics.median(latencies) * 1000:.0f} ms，95% {p95 * 1000:.0f} ms（目标 ≤ 1000 ms）；"
          f"上传的回答 {json.dumps(counts)}")


def _tree_rss(root: int) -> int:
    """Resident bytes of `root` and all its descendants (Linux /proc)."""
    total, todo, page = 0, [root], os.sysconf("SC_PAGE_SIZE")
    while todo:
        pid = todo.pop()
        try:
            with open(f"/proc/{pid}/statm", "rb") as statm:
                total += int(statm.read().split()[1]) * page
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as children:
                    todo += [int(c) for c in children.read().split()]
        except (OSError, ValueError, IndexError):
            continue
    return total


def rollup_memory(example: Path, files: int) -> None:
    folder = Path(tempfile.mkdtemp(prefix="selfeval-bench-"))
    try:
        for i in range(files):
            shutil.copyfile(example, folder / f"单位{i:04d}.xlsx")
        peak, done = 0, threading.Event()

        def sample() -> None:
            nonlocal peak
            while not done.wait(0.02):
                peak = max(peak, _tree_rss(os.getpid()))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        start = time.perf_counter()
        result = api.rollup([folder])
        elapsed = time.perf_counter() - start
        done.set()
        sampler.join()
        print(f"汇总：{files} 个文件 {len(result.units) + len(result.dropped)} 行（含重复提交），用时 {elapsed:.1f} s"
              f"（{files / elapsed:.0f} 个/秒）；进程树常驻内存峰值 {peak / 1024 ** 2:.0f} MB（上限 1536 MB）")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def big_upload(example: Path, rows: int = 140_000) -> None:
    """The example with one more sheet of rows × 20 numbers (2.8 million cells, ~9.5 MB) through the page:
    it must score or be refused in Chinese, never answer 500."""
    with zipfile.ZipFile(example) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    cells = "".join(f'<row r="{r}">' + "".join(f'<c r="{c}{r}"><v>{r * 7 + i}</v></c>'
                                               for i, c in enumerate("ABCDEFGHIJKLMNOPQRST")) + "</row>"
                    for r in range(1, rows + 1))
    parts["xl/worksheets/sheet99.xml"] = ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns='
                                          '"http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
                                          + cells + "</sheetData></worksheet>").encode("utf-8")
    parts["xl/workbook.xml"] = parts["xl/workbook.xml"].replace(
        b"</sheets>", '<sheet name="附表" sheetId="99" r:id="rId99"/></sheets>'.encode("utf-8"))
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>", b'<Relationship Id="rId99" Type="http://schemas.openxmlformats.org/officeDocument/'
                             b'2006/relationships/worksheet" Target="worksheets/sheet99.xml"/></Relationships>')
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"</Types>", b'<Override PartName="/xl/worksheets/sheet99.xml" ContentType="application/'
                     b'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>')
    big = example.with_name("大附表.xlsx")
    with zipfile.ZipFile(big, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)
    server = start_page()
    body, boundary = upload_body(big, "大附表.xlsx")
    start = time.perf_counter()
    status = post(server.address + "api/score", body, boundary)
    print(f"大文件：{big.stat().st_size / 1e6:.1f} MB、{rows * 20 / 1e6:.1f} 百万个单元格的上传，"
          f"回答 {status}，用时 {time.perf_counter() - start:.1f} s（不应为 500）")
    server.close()


def main() -> None:
    parser = argparse.ArgumentParser(description="页面和汇总在负载下的表现")
    parser.add_argument("--files", type=int, default=1000, help="汇总的文件数（默认 1000）")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        example = Path(folder) / "示例.xlsx"
        api.make_template(example, example=True)
        page_under_uploads(example)
        big_upload(example)
        rollup_memory(example, args.files)


if __name__ == "__main__":
    main()
