"""The selfeval-xl command line (click)."""
from selfeval_xl.cli.app import main

__all__ = ["main"]
