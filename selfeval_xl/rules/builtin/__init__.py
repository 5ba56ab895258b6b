"""The built-in profiles, one TOML file each beside this module: their names, in the order lists show them.

A module of its own so that the command line can list them in its help without loading the rules."""
from __future__ import annotations

NAMES = ("hebei-dept", "mof-project", "sichuan-project", "mof-4level")
