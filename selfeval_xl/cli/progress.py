"""Progress shown while many workbooks are read (on a terminal only)."""
from __future__ import annotations

import contextlib
import sys
from typing import TYPE_CHECKING, Callable, Iterator

import click

if TYPE_CHECKING:
    from click._termui_impl import ProgressBar


def progress_bar(total: int) -> ProgressBar[int] | None:
    """A progress bar on stderr for a terminal; silent otherwise (None)."""
    if not sys.stderr.isatty() or total < 20:
        return None
    return click.progressbar(length=total, label="汇总中", file=sys.stderr)


@contextlib.contextmanager
def rollup_progress() -> Iterator[Callable[[int], Callable[[int], None] | None]]:
    """The `progress` argument of api.rollup: a bar for `total` workbooks, closed on the way out."""
    with contextlib.ExitStack() as stack:
        def start(total: int) -> Callable[[int], None] | None:
            bar = progress_bar(total)
            return None if bar is None else stack.enter_context(bar).update
        yield start
