"""Golden comparison of a scored copy with a committed reference, part by part.

After XlsxWriter's own test helpers (xlsxwriter/test/helperfunctions.py, `_compare_xlsx_files`): unzip
the workbook, normalise each part, compare the parts one by one. Here the reference is not a second
.xlsx but a folder holding one normalised, readable .xml file per part (tests/golden/<case>/), so that
a change to what the tool writes reaches review as an ordinary XML diff in git.

Normalised, and why:
- every XML part is parsed and pretty-printed by lxml with each element's attributes sorted, so a
  diff shows one cell, one style or one relationship per hunk instead of a single 300 KB line;
- ISO dates and date-times (2026-12-05, 2026-12-05T13:46:32Z) in text and attribute values become
  DATE: the scoring day is written into the hidden record (`"scored_on"`), and the package's
  dcterms:created/modified come from the input, which XlsxWriter and openpyxl stamp with the time they
  save it. Every ISO date is replaced, not only the scoring day's: a typed date equal to the day the
  tests run could not be told from it, and such a test would fail one day in the year. Typed dates
  (填报日期) are not scored, and a date typed as a date is a serial number, which stays;
- the fingerprint (record.py's `fingerprint`) hashes the inputs, the result, the profile *and the
  scoring day*, so it changes every day: each fingerprint the workbook names (its defined name and the
  record's "fingerprint") becomes FINGERPRINT wherever it occurs. What it hashes is in the record
  beside it, in plain text, so a change to any of it still shows;
- the hidden record (one JSON text in the summary's record column) is re-indented, keys in their
  written order, so a changed input or score is one line of the diff, not a 20 KB line;
- parts that are not XML (png, bin, …) are reduced to their size and sha256.
Zip-level details (member order, timestamps, compression) are not compared: they are no part's
content (the tool copies the input's member timestamps, or writes 2025-01-01).
"""
from __future__ import annotations

import difflib
import hashlib
import json
import re
import shutil
import zipfile
from pathlib import Path

from lxml import etree

DATE = "DATE"
FINGERPRINT = "FINGERPRINT"

# An ISO 8601 calendar date, optionally with a time and zone; not part of a longer run of digits.
ISO_DATE = re.compile(r"(?<![\d-])(?:19|20)\d\d-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])"
                      r"(?:[T ]\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:?\d\d)?)?(?![\d])")
# Where a scored copy names its fingerprint: the defined name selfeval_fingerprint ("…" as its formula)
# and the record's "fingerprint" key (record.py's FINGERPRINT_NAME and Record).
FINGERPRINT_AT = (re.compile(r'name="selfeval_fingerprint"[^>]*>\s*(?:"|&quot;)([0-9a-f]{64})'),
                  re.compile(r'"fingerprint":\s*"([0-9a-f]{64})"'))
RECORD_START = re.compile(r'^\{"tool":\s*"selfeval-xl"')


def reference_name(part: str) -> str:
    """The reference file of a part: its own name, with .xml added where it does not end so
    (_rels/.rels → _rels/.rels.xml, xl/media/image1.png → xl/media/image1.png.xml)."""
    return part if part.endswith(".xml") else f"{part}.xml"


def _fingerprints(raw: dict[str, bytes]) -> set[str]:
    found: set[str] = set()
    for data in raw.values():
        text = data.decode("utf-8", "replace")
        for pattern in FINGERPRINT_AT:
            found.update(pattern.findall(text))
    return found


def _text(value: str, fingerprints: set[str]) -> str:
    for digest in fingerprints:
        value = value.replace(digest, FINGERPRINT)
    value = ISO_DATE.sub(DATE, value)
    if RECORD_START.match(value):
        try:
            record = json.loads(value)
        except ValueError as err:  # a record longer than one cell (record.py's CHUNK) is split over cells
            raise ValueError("the scored copy's record spans more than one cell: keep golden cases small "
                             "enough that it fits in one (30,000 characters)") from err
        value = json.dumps(record, ensure_ascii=False, indent=1)
    return value


def _normalise_xml(data: bytes, fingerprints: set[str]) -> str:
    root = etree.fromstring(data, etree.XMLParser(remove_blank_text=True, resolve_entities=False))
    for node in root.iter():
        if node.text:
            node.text = _text(node.text, fingerprints)
        if node.tail:
            node.tail = _text(node.tail, fingerprints)
        if isinstance(node.tag, str) and len(node.attrib):
            items = sorted((key, _text(value, fingerprints)) for key, value in node.attrib.items())
            node.attrib.clear()
            node.attrib.update(items)
    return etree.tostring(root, pretty_print=True, encoding="unicode")


def _binary(part: str, data: bytes) -> str:
    return f'<binary part="{part}" size="{len(data)}" sha256="{hashlib.sha256(data).hexdigest()}"/>\n'


def normalised_parts(path: Path) -> dict[str, str]:
    """{part name: normalised text} for every part of the .xlsx at `path`, in name order."""
    with zipfile.ZipFile(path) as package:
        raw = {info.filename: package.read(info) for info in package.infolist() if not info.is_dir()}
    fingerprints = _fingerprints(raw)
    parts: dict[str, str] = {}
    for part in sorted(raw):
        try:
            parts[part] = _normalise_xml(raw[part], fingerprints)
        except etree.XMLSyntaxError:
            parts[part] = _binary(part, raw[part])
    return parts


def _reference_files(reference_dir: Path) -> dict[str, Path]:
    if not reference_dir.is_dir():
        return {}
    return {p.relative_to(reference_dir).as_posix(): p for p in sorted(reference_dir.rglob("*")) if p.is_file()}


def diff_parts(actual: Path, reference_dir: Path) -> list[str]:
    """One entry per part that differs from the reference: a unified diff headed by the part's name; a
    part missing from the scored copy or extra in it is said so, then diffed against nothing. Empty
    when every part agrees."""
    got = {reference_name(part): (part, text) for part, text in normalised_parts(actual).items()}
    want = _reference_files(reference_dir)
    diffs: list[str] = []
    for name in sorted(set(got) | set(want)):
        part, text = got[name] if name in got else (name, "")
        expected = want[name].read_text(encoding="utf-8") if name in want else ""
        before, after = f"reference/{part}", f"scored copy/{part}"
        if name not in want:
            head, before = f"extra part {part}: in the scored copy, not in the reference\n", "/dev/null"
        elif name not in got:
            head, after = f"missing part {name}: in the reference, not in the scored copy\n", "/dev/null"
        elif text != expected:
            head = ""
        else:
            continue
        lines = difflib.unified_diff(expected.splitlines(keepends=True), text.splitlines(keepends=True),
                                     fromfile=before, tofile=after)
        diffs.append(head + "".join(line if line.endswith("\n") else line + "\n" for line in lines))
    return diffs


def write_reference(actual: Path, reference_dir: Path) -> int:
    """Replace the reference folder with the normalised parts of `actual`; the number of parts."""
    parts = normalised_parts(actual)
    if reference_dir.exists():
        shutil.rmtree(reference_dir)
    for part, text in parts.items():
        target = reference_dir / reference_name(part)
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("w", encoding="utf-8", newline="\n") as out:
            out.write(text)
    return len(parts)
