"""Profiles from files: the built-in TOML shipped in the package and a county's own file, read here at
the edge and parsed by the pure rules/profiles.py."""
from __future__ import annotations

import functools
from collections.abc import Iterable
from importlib import resources
from pathlib import Path

from selfeval_xl.errors import ProfileError, os_reason
from selfeval_xl.rules import profiles as rules
from selfeval_xl.rules.profiles import BUILTIN_NAMES, LevelTable, Profile

# The level table of docs/rules.md §12.6, for profiles that declare none.
DEFAULT_LEVELS_FILE = "default-levels"


def _builtin_text(name: str) -> str:
    return resources.files("selfeval_xl.rules").joinpath("builtin").joinpath(f"{name}.toml").read_text(encoding="utf-8")


@functools.lru_cache(maxsize=1)
def default_levels() -> LevelTable:
    return rules.level_table(_builtin_text(DEFAULT_LEVELS_FILE), origin=DEFAULT_LEVELS_FILE)


def parse_profile(text: str, *, origin: str, builtin: bool = False) -> Profile:
    """Profile TOML text (a file's, or one a scored copy embeds) → a checked Profile."""
    return rules.parse_profile(text, origin=origin, builtin=builtin, default_levels=default_levels())


@functools.lru_cache(maxsize=None)
def builtin_profile(name: str) -> Profile:
    return parse_profile(_builtin_text(name), origin=name, builtin=True)


def builtin_profiles() -> list[Profile]:
    return [builtin_profile(name) for name in BUILTIN_NAMES]


def builtin_for_levels(first_levels: Iterable[str]) -> str | None:
    return rules.builtin_for_levels(first_levels, default_levels(), builtin_profiles())


def load_profile(spec: str) -> Profile:
    """A built-in name, or a path to a TOML file."""
    if spec in BUILTIN_NAMES:
        return builtin_profile(spec)
    path = Path(spec)
    try:
        is_file = path.suffix.lower() == ".toml" or path.exists()
    except (OSError, ValueError):  # a name too long or with a NUL is no file
        is_file = False
    if is_file:
        if not path.is_file():
            raise ProfileError(f"找不到规则口径文件：{spec}")
        try:
            text = path.read_text(encoding="utf-8-sig")
        except OSError as exc:
            raise ProfileError(f"无法读取规则口径文件 {spec}：{os_reason(exc)}。") from None
        except UnicodeDecodeError:
            raise ProfileError(f"无法读取规则口径文件 {spec}：不是 UTF-8 编码的文本，请另存为 UTF-8。") from None
        return parse_profile(text, origin=path.name)
    raise ProfileError(f"未知的规则口径：{spec}（可用：{'、'.join(BUILTIN_NAMES)}，或一个 .toml 文件路径）")
