"""A workbook as named sheets of cells, read lazily, whatever the file format."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from selfeval_xl.read.cells import Grid
from selfeval_xl.read.package import Package


@dataclass
class Workbook:
    """The sheets of a workbook as grids, read lazily, whatever the file format."""

    path: Path
    sheet_names: list[str]
    hidden: set[str]
    loader: Callable[[str], Grid]  # sheet name → its grid
    _grids: dict[str, Grid] = field(default_factory=dict)
    package: Package | None = None

    @property
    def opened(self) -> frozenset[str]:
        """The sheets read so far."""
        return frozenset(self._grids)

    def grid(self, name: str) -> Grid:
        if name not in self._grids:
            self._grids[name] = self.loader(name)
        return self._grids[name]
