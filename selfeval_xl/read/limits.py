"""How much work any file may cost, in one place (docs/security.md).

Every file is untrusted: a workbook emailed by a unit, or made to break the tool. Past a limit the
reader refuses with a clear message or reads less, and never allocates, recurses or waits without
bound.
"""
from __future__ import annotations

# The zip, before anything is inflated.
MAX_TOTAL_UNCOMPRESSED = 512 * 1024 * 1024
MAX_PART_UNCOMPRESSED = 256 * 1024 * 1024
MAX_RATIO = 200
MAX_PARTS = 10_000

# Cells of one sheet: a real self-evaluation form has a few thousand.
MAX_CELLS = 3_000_000
# python-calamine allocates a dense grid up to the farthest cell; past this many (rows × columns)
# the sparse XML walk reads the sheet instead (one cell at XFD1048576 is 17 billion).
MAX_DENSE_CELLS = 4_000_000
# Excel's own limit for the text of a cell; longer text cannot come from a spreadsheet application.
MAX_TEXT = 32_767

# Formulas without a cached value, computed by read/formula.py: cells visited per sheet.
MAX_FORMULA_STEPS = 20_000
# Stored formula results verify checks against their formulas (read/formula_results.py): formulas
# per workbook, and evaluation steps over all of them; past either the rest stays unchecked.
MAX_CHECKED_FORMULAS = 50_000
MAX_CHECK_STEPS = 5_000_000

# Every untrusted file is read in a child process (read/sandbox.py) with these bounds: the rollup's
# workers, the page's jobs and the legacy reader's parser alike.
WORKER_SECONDS = 60.0
WORKER_MEMORY = 2 * 1024 ** 3  # address space beyond what the child maps at start-up
# The whole process tree of a rollup (the command and its workers) on a county PC of 4–8 GB.
TREE_MEMORY = 1536 * 1024 ** 2
MIN_WORKER_MEMORY = 384 * 1024 ** 2  # below this a worker cannot read a large form: fewer workers instead
