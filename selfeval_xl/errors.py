"""Failures that stop a command before any score exists (exit status 2).

Problems found *in* a workbook are never exceptions: they are `Finding`s (model.py).
"""
from __future__ import annotations


class SelfevalError(Exception):
    """A fatal, user-facing problem. `code` is stable; `message` is Chinese and says what to do."""

    code = "INPUT_ERROR"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code


class ProfileError(SelfevalError):
    code = "PROFILE_INVALID"


class UnreadableWorkbook(SelfevalError):
    code = "UNREADABLE"


class NotAForm(SelfevalError):
    code = "NOT_A_FORM"


class OutputError(SelfevalError):
    code = "OUTPUT_ERROR"
