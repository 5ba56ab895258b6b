"""A profile file checked as a whole (docs/profiles.md): every problem at once, each naming its key.

A county writes its own profile by hand. A typo (`digts = 3`) is a key the tool does not know and
says so with the key it most likely meant; a wrong type, a missing key or a number out of range is
named by its key with what it should be; then all of them are listed together, so one run shows
what to fix. Nothing here reads a file: the TOML text comes in, the checked values go out.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from selfeval_xl.errors import ProfileError

FORMS = ("department", "project")
TOTAL_POINTS = Decimal(100)
KNOWN_KEYS = {
    "": ("name", "title", "form", "digits", "levels", "level_aliases", "second_levels", "optional", "execution",
         "weights", "grades", "explain"),
    "execution.": ("weight", "rule", "steps", "explain_below", "explain_adjustment"),
    "grades[].": ("name", "min"),
    "explain.": ("overshoot_ratio",),
}
# What tomllib says of a line it cannot read, in the words of a person writing the file by hand.
_TOML_WORDS = (
    ("Invalid value", "值的写法不对（文字要加英文双引号，如 name = \"本县口径\"）"),
    ("Expected '=' after a key", "键的后面缺少 ="),
    ("Cannot overwrite a value", "同一个键写了两次"),
    ("Cannot declare", "同一个表写了两次"),
    ("Unclosed array", "数组缺少右方括号 ]"),
    ("Unclosed inline table", "表缺少右花括号 }"),
    ("Illegal character", "有不允许的字符"),
    ("Invalid statement", "这一行不是“键 = 值”或 [表名]"),
)
_POSITION = re.compile(r"\(at line (\d+), column (\d+)\)")


def toml_problem(message: str) -> str:
    """A TOML parser's complaint in Chinese, with its line and column."""
    where = _POSITION.search(message)
    place = f"第 {where.group(1)} 行第 {where.group(2)} 列" if where else "某处"
    what = next((chinese for english, chinese in _TOML_WORDS if message.startswith(english)), "写法不对")
    return f"{place}：{what}"


@dataclass
class Problems:
    """What is wrong with one profile file, collected in the order found."""

    origin: str
    items: list[str] = field(default_factory=list)

    def add(self, key: str, what: str) -> None:
        self.items.append(f"键 {key}：{what}" if key else what)

    def unknown_keys(self, table: Any, prefix: str) -> None:
        """Keys a table may not hold, each with the known key it most likely meant."""
        if not isinstance(table, dict):
            return
        known = KNOWN_KEYS[prefix]
        for key in table:
            if key in known:
                continue
            close = difflib.get_close_matches(str(key), known, n=1, cutoff=0.6)
            hint = f"，是不是 {close[0]}？" if close else f"（可以写的键：{'、'.join(known)}）"
            self.add(f"{prefix.replace('[]', '')}{key}" if prefix else str(key), f"不是口径文件认识的键{hint}")

    def raise_any(self) -> None:
        if len(self.items) == 1:
            raise ProfileError(f"规则口径文件 {self.origin} 的{self.items[0]}")
        if self.items:
            listed = "\n".join(f"  {i}. {item}" for i, item in enumerate(self.items, start=1))
            raise ProfileError(f"规则口径文件 {self.origin} 有 {len(self.items)} 处问题：\n{listed}")

    def number(self, value: object, key: str, *, low: Decimal | None = None, high: Decimal | None = None,
               above: Decimal | None = None) -> Decimal | None:
        """A number in range, or None with the problem noted."""
        try:
            if isinstance(value, bool) or not isinstance(value, (int, float, str)):
                raise InvalidOperation
            result = Decimal(str(value))
            if not result.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            self.add(key, f"应为数字，实际为 {_shown(value)}")
            return None
        if (low is not None and result < low) or (high is not None and result > high):
            self.add(key, f"应在 {_plain(low)}–{_plain(high)} 之间，实际为 {_plain(result)}")
            return None
        if above is not None and not result > above:
            self.add(key, f"应大于 {_plain(above)}，实际为 {_plain(result)}")
            return None
        return result

    def text(self, data: dict, key: str, *, required: bool, choices: tuple[str, ...] = ()) -> str | None:
        value = data.get(key)
        if value is None:
            if required:
                self.add(key, "缺少这个键" + (f"（{' 或 '.join(choices)}）" if choices else ""))
            return None
        if not isinstance(value, str) or not value.strip():
            self.add(key, f"应为非空的文字，实际为 {_shown(value)}")
            return None
        if choices and value not in choices:
            self.add(key, f"只能是 {' 或 '.join(choices)}，实际为 {_shown(value)}")
            return None
        return value.strip()

    def table(self, data: dict, key: str, *, required: bool = False) -> dict:
        value = data.get(key)
        if value is None:
            if required:
                self.add(key, f"缺少 [{key}] 表")
            return {}
        if not isinstance(value, dict):
            self.add(key, f"应为表（[{key}]），实际为 {_shown(value)}")
            return {}
        return value

    def names(self, value: object, key: str) -> tuple[str, ...]:
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            self.add(key, f"应为非空文字的数组，如 [\"产出指标\", \"效益指标\"]，实际为 {_shown(value)}")
            return ()
        return tuple(v.strip() for v in value)


def _shown(value: object) -> str:
    text = f"“{value}”" if isinstance(value, str) else "没有写" if value is None else str(value)
    return text if len(text) <= 40 else text[:39] + "…"


def _plain(value: Decimal | None) -> str:
    return "" if value is None else format(value.normalize(), "f")
