"""Rule profiles: the numbers of docs/profiles.md as data, loaded and validated from TOML."""
from __future__ import annotations

import functools
import hashlib
import re
import sys
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from importlib import resources
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from selfeval_xl.errors import ProfileError
from selfeval_xl.rules.builtin import NAMES
from selfeval_xl.vocabulary import normalize_label

FORMS = ("department", "project")
BUILTIN_NAMES = NAMES
# The level table of scoring-rules.md §4, for profiles that declare none (older files keep working).
DEFAULT_LEVELS_FILE = "default-levels"
DEFAULT_PROFILE = {"department": "hebei-dept", "project": "mof-project"}
TOTAL_POINTS = Decimal(100)


@dataclass(frozen=True)
class Grade:
    name: str
    min: Decimal


@dataclass(frozen=True)
class Step:
    threshold: Decimal
    score: Decimal


FORM_WEIGHTS = "（按表内分值）"


@dataclass(frozen=True)
class Profile:
    name: str
    title: str
    form: str
    digits: int
    optional: tuple[str, ...]
    execution_weight: Decimal
    rule: str
    steps: tuple[Step, ...]
    explain_below: Decimal | None
    explain_adjustment: bool
    weights: tuple[tuple[str, Decimal], ...]
    grades: tuple[Grade, ...]
    overshoot_ratio: Decimal | None
    source: str
    builtin: bool
    levels: tuple[str, ...] = ()
    level_aliases: tuple[tuple[str, str], ...] = ()
    second_levels: tuple[tuple[str, tuple[str, ...]], ...] = ()
    # "form" when no profile was named and the weights are the form's own (rules/weights.py,
    # docs/rules.md §14); picked_split is then the picked profile's split, to say where they differ.
    weights_from: str = "profile"
    picked_split: tuple[tuple[str, Decimal], ...] = ()

    @property
    def digest(self) -> str:
        """A short hash of the profile's TOML: two custom profiles under one name still differ."""
        return hashlib.sha256(self.source.encode("utf-8")).hexdigest()[:8]

    @property
    def label(self) -> str:
        """The name shown everywhere: a built-in name as it is, anything else marked custom with its hash."""
        name = self.name if self.builtin else f"{self.name}（自定义口径 #{self.digest}）"
        return name + FORM_WEIGHTS if self.weights_from == "form" else name

    def weight_of(self, level: str) -> Decimal | None:
        return dict(self.weights).get(level)

    def grade_for(self, total: Decimal) -> str:
        for grade in self.grades:
            if total >= grade.min:
                return grade.name
        return self.grades[-1].name

    # --- levels: the profile's own first and second levels (scoring-rules.md §8) ----------------------

    def first_level(self, text: str) -> str | None:
        """The first level (or alias) a printed label denotes, as the profile spells it."""
        return canonical_level(text, (*self.levels, *(alias for alias, _ in self.level_aliases)))

    def counted_level(self, level: str) -> str:
        """The level a written level is counted with: an alias's target, any other level itself."""
        return dict(self.level_aliases).get(level, level)

    def second_levels_of(self, level: str) -> tuple[str, ...]:
        return dict(self.second_levels).get(self.counted_level(level), ())

    def describe_levels(self) -> str:
        aliases = [alias for alias, _ in self.level_aliases]
        return "、".join(self.levels) + (f"（或{'、'.join(aliases)}）" if aliases else "")

    def describe_weights(self) -> str:
        parts = [f"{level}{_plain(w)}分" for level, w in self.weights]
        free = [lvl for lvl in self.levels if self.weight_of(lvl) is None]
        if free:
            free_points = TOTAL_POINTS - self.execution_weight - sum((w for _, w in self.weights), Decimal(0))
            parts.append(f"{'、'.join(free)}合计{_plain(free_points)}分自由分配")
        if self.execution_weight:
            parts.append(f"预算执行率{_plain(self.execution_weight)}分")
        else:
            parts.append("预算执行率不单独设分值（作为名称含“执行率”的指标行计分）")
        return "、".join(parts)

    def bands(self) -> list[tuple[str, Decimal | None, Decimal | None]]:
        """(grade, lower bound inclusive or None for the last band, upper bound exclusive or None for the first)."""
        uppers = [None, *(g.min for g in self.grades[:-1])]
        return [(g.name, None if g.min == 0 and upper is not None else g.min, upper)
                for g, upper in zip(self.grades, uppers, strict=True)]

    def describe_grades(self) -> str:
        def band(name: str, low: Decimal | None, high: Decimal | None) -> str:
            if high is None:
                assert low is not None, "bands() gives the first band its lower bound"
                return f"{name}（≥{_plain(low)}）"
            return f"{name}（<{_plain(high)}）" if low is None else f"{name}（{_plain(low)}–{_plain(high)}）"
        return "、".join(band(*b) for b in self.bands())

    def describe_rule(self) -> str:
        if not self.execution_weight:
            return "不单独计分：名称含“执行率”的指标行按预算执行表重算的执行率计分（未填指标值的按 100% 计）"
        if self.rule == "steps":
            steps = "，".join(f"执行率≥{_plain(s.threshold * 100)}%得{_plain(s.score)}分" for s in self.steps)
            return f"阶梯计分：{steps}"
        return f"按比例计分：{_plain(self.execution_weight)}分×执行率（不超过100%）"


def _plain(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


# Printed decorations around a level's name: numbering (一、 1. （一）), a weight (产出指标（50分）), a
# leading 项目 (项目决策 = 决策) and the trailing 指标 (数量 = 数量指标).
_NUMBERING = re.compile(r"^(?:[一二三四五六七八九十]+[、.]|\d+[、.]|\([一二三四五六七八九十\d]+\))")
_BRACKETED = re.compile(r"\([^()]*\)$")
_PRINTED_WEIGHT = re.compile(r"\((?:分值)?[:：]?(\d+(?:\.\d+)?)分?\)$")


@functools.lru_cache(maxsize=4096)
def level_key(text: str) -> str:
    """A level label's comparison key: the same for every printed spelling of one level."""
    key = normalize_label(text)
    for _ in range(2):  # numbering and a weight may come in either order
        key = _BRACKETED.sub("", _NUMBERING.sub("", key))
    key = key.removeprefix("项目") or key
    return key.removesuffix("指标") or key


def canonical_level(text: str, names: Collection[str]) -> str | None:
    """The member of `names` that a printed label denotes, or None."""
    key = level_key(text)
    if not key:
        return None
    return next((name for name in names if level_key(name) == key), None)


def printed_weight(text: str) -> Decimal | None:
    """A weight printed inside a first-level label: 产出指标（50分） → 50 (published-forms.md §13)."""
    match = _PRINTED_WEIGHT.search(_NUMBERING.sub("", normalize_label(text)))
    return Decimal(match.group(1)) if match else None


def _names(value: object, key: str, origin: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ProfileError(f"规则口径文件 {origin} 的键 {key} 应为非空字符串的数组")
    return tuple(v.strip() for v in value)


LevelTable = tuple[tuple[str, ...], tuple[tuple[str, str], ...], tuple[tuple[str, tuple[str, ...]], ...]]


def _level_table(data: dict, origin: str) -> LevelTable:
    """levels, level_aliases and [second_levels], validated; a profile with none gets the §4 table."""
    if "levels" not in data and "second_levels" not in data and "level_aliases" not in data:
        return _default_levels()
    levels = _names(data.get("levels"), "levels", origin)
    if not levels:
        raise ProfileError(f"规则口径文件 {origin} 的键 levels 至少要列出一个一级指标")
    keys = [level_key(lvl) for lvl in levels]
    if len(set(keys)) != len(keys):
        raise ProfileError(f"规则口径文件 {origin} 的键 levels 中有重复的一级指标")
    raw_aliases = data.get("level_aliases", {})
    if not isinstance(raw_aliases, dict):
        raise ProfileError(f"规则口径文件 {origin} 的键 level_aliases 应为表")
    aliases: list[tuple[str, str]] = []
    for alias, target in raw_aliases.items():
        if target not in levels:
            raise ProfileError(f"规则口径文件 {origin} 的键 level_aliases.{alias} 应指向 levels 中的一级指标"
                               f"（{'、'.join(levels)}）")
        if level_key(alias) in keys:
            raise ProfileError(f"规则口径文件 {origin} 的键 level_aliases.{alias} 与 levels 中的一级指标重名")
        aliases.append((alias, target))
    raw_second = data.get("second_levels", {})
    if not isinstance(raw_second, dict):
        raise ProfileError(f"规则口径文件 {origin} 的键 second_levels 应为表")
    second: list[tuple[str, tuple[str, ...]]] = []
    for level, names in raw_second.items():
        if level not in levels:
            raise ProfileError(f"规则口径文件 {origin} 的键 second_levels.{level} 不是 levels 中的一级指标"
                               f"（{'、'.join(levels)}）")
        second.append((level, _names(names, f"second_levels.{level}", origin)))
    return levels, tuple(aliases), tuple(second)


@functools.lru_cache(maxsize=1)
def _default_levels() -> LevelTable:
    text = _builtin_text(DEFAULT_LEVELS_FILE)
    return _level_table(tomllib.loads(text), DEFAULT_LEVELS_FILE)


def _builtin_text(name: str) -> str:
    return resources.files("selfeval_xl.rules").joinpath("builtin").joinpath(f"{name}.toml").read_text(encoding="utf-8")


def _decimal(value: object, key: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ProfileError(f"规则口径的 {key} 应为数字，实际为：{value!r}")
    try:
        result = Decimal(str(value))
    except InvalidOperation:
        raise ProfileError(f"规则口径的 {key} 应为数字，实际为：{value!r}") from None
    if not result.is_finite():
        raise ProfileError(f"规则口径的 {key} 应为有限数字，实际为：{value!r}")
    return result


def parse_profile(text: str, *, origin: str, builtin: bool = False) -> Profile:
    """Parse and validate profile TOML; every rejection names the offending key."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"规则口径文件 {origin} 不是有效的 TOML：{exc}") from None

    def need(key: str, kind: type) -> object:
        if key not in data:
            raise ProfileError(f"规则口径文件 {origin} 缺少键 {key}")
        if not isinstance(data[key], kind):
            raise ProfileError(f"规则口径文件 {origin} 的键 {key} 类型不对")
        return data[key]

    name = str(need("name", str)).strip()
    if not name:
        raise ProfileError(f"规则口径文件 {origin} 的键 name 不能为空")
    if not builtin and name in BUILTIN_NAMES:
        # A profile of one's own under a built-in name would pass for the province's rules.
        raise ProfileError(f"规则口径文件 {origin} 的名称 {name} 是内置口径的名称，不能用于自定义口径："
                           f"请另起名称（例如 {name}-本县）。")
    form = need("form", str)
    if form not in FORMS:
        raise ProfileError(f"规则口径文件 {origin} 的键 form 只能是 department 或 project，实际为：{form}")
    title = str(data.get("title", name))
    digits = data.get("digits", 2)
    if isinstance(digits, bool) or not isinstance(digits, int) or not 0 <= digits <= 4:
        raise ProfileError(f"规则口径文件 {origin} 的键 digits 应为 0–4 的整数")
    levels, level_aliases, second_levels = _level_table(data, origin)
    optional = data.get("optional", [])
    if not isinstance(optional, list) or any(lvl not in levels for lvl in optional):
        raise ProfileError(f"规则口径文件 {origin} 的键 optional 只能列出 {'、'.join(levels)}")

    execution = data.get("execution")
    if not isinstance(execution, dict):
        raise ProfileError(f"规则口径文件 {origin} 缺少 [execution] 表")
    exec_weight = _decimal(execution.get("weight"), "execution.weight")
    if not 0 <= exec_weight <= TOTAL_POINTS:
        raise ProfileError(f"规则口径文件 {origin} 的键 execution.weight 应在 0–100 之间")
    rule = execution.get("rule", "proportional")
    if rule not in ("proportional", "steps"):
        raise ProfileError(f"规则口径文件 {origin} 的键 execution.rule 只能是 proportional 或 steps")
    steps: list[Step] = []
    if rule == "steps":
        raw_steps = execution.get("steps")
        if not isinstance(raw_steps, list) or not raw_steps:
            raise ProfileError(f"规则口径文件 {origin} 的键 execution.steps 缺失：阶梯计分需要 [[阈值, 得分], …]")
        for i, pair in enumerate(raw_steps):
            if not isinstance(pair, list) or len(pair) != 2:
                raise ProfileError(f"规则口径文件 {origin} 的键 execution.steps[{i}] 应为 [阈值, 得分]")
            steps.append(Step(_decimal(pair[0], f"execution.steps[{i}]"), _decimal(pair[1], f"execution.steps[{i}]")))
        for a, b in zip(steps, steps[1:], strict=False):
            if not (a.threshold > b.threshold and a.score >= b.score):
                raise ProfileError(f"规则口径文件 {origin} 的键 execution.steps 应按阈值从高到低排列")
        if steps[0].score != exec_weight:
            raise ProfileError(f"规则口径文件 {origin} 的键 execution.steps 最高档得分应等于 "
                               f"execution.weight（{_plain(exec_weight)}）")
        if steps[-1].threshold != 0:
            raise ProfileError(f"规则口径文件 {origin} 的键 execution.steps 最后一档阈值应为 0")
    explain_below = execution.get("explain_below")
    explain_below_d = None if explain_below is None else _decimal(explain_below, "execution.explain_below")
    explain_adjustment = execution.get("explain_adjustment", False)
    if not isinstance(explain_adjustment, bool):
        raise ProfileError(f"规则口径文件 {origin} 的键 execution.explain_adjustment 应为 true 或 false")

    raw_weights = data.get("weights", {})
    if not isinstance(raw_weights, dict):
        raise ProfileError(f"规则口径文件 {origin} 的键 weights 应为表")
    weights: list[tuple[str, Decimal]] = []
    for level, value in raw_weights.items():
        if level not in levels:
            raise ProfileError(f"规则口径文件 {origin} 的键 weights.{level} 不是已知的一级指标"
                               f"（{'、'.join(levels)}）")
        w = _decimal(value, f"weights.{level}")
        if w <= 0:
            raise ProfileError(f"规则口径文件 {origin} 的键 weights.{level} 应为正数")
        weights.append((level, w))
    given = sum((w for _, w in weights), Decimal(0)) + exec_weight
    if len(weights) == len(levels) and given != TOTAL_POINTS:
        raise ProfileError(f"规则口径文件 {origin} 的键 weights 与 execution.weight 合计为 {_plain(given)}，应为 100")
    if given > TOTAL_POINTS:
        raise ProfileError(f"规则口径文件 {origin} 的键 weights 与 execution.weight 合计为 {_plain(given)}，超过 100")

    raw_grades = data.get("grades")
    if not isinstance(raw_grades, list) or not raw_grades:
        raise ProfileError(f"规则口径文件 {origin} 缺少 [[grades]]")
    grades: list[Grade] = []
    for i, g in enumerate(raw_grades):
        if not isinstance(g, dict) or not isinstance(g.get("name"), str) or "min" not in g:
            raise ProfileError(f"规则口径文件 {origin} 的键 grades[{i}] 需要 name 和 min")
        grades.append(Grade(g["name"], _decimal(g["min"], f"grades[{i}].min")))
    for i, (higher, lower) in enumerate(zip(grades, grades[1:], strict=False)):
        if not higher.min > lower.min:
            raise ProfileError(f"规则口径文件 {origin} 的键 grades[{i + 1}].min 应小于上一档（等级须从高到低排列）")
    if grades[-1].min != 0:
        raise ProfileError(f"规则口径文件 {origin} 的键 grades[{len(grades) - 1}].min 应为 0（最后一档从 0 分起）")

    explain = data.get("explain", {})
    if not isinstance(explain, dict):
        raise ProfileError(f"规则口径文件 {origin} 的键 explain 应为表")
    overshoot = explain.get("overshoot_ratio")
    overshoot_d = None if overshoot is None else _decimal(overshoot, "explain.overshoot_ratio")
    if overshoot_d is not None and overshoot_d <= 1:
        raise ProfileError(f"规则口径文件 {origin} 的键 explain.overshoot_ratio 应大于 1")

    return Profile(
        name=name, title=title, form=form, digits=digits, optional=tuple(optional),
        execution_weight=exec_weight, rule=rule, steps=tuple(steps),
        explain_below=explain_below_d, explain_adjustment=explain_adjustment,
        weights=tuple(weights), grades=tuple(grades), overshoot_ratio=overshoot_d,
        source=text, builtin=builtin, levels=levels, level_aliases=level_aliases, second_levels=second_levels,
    )


@functools.lru_cache(maxsize=None)
def builtin_profile(name: str) -> Profile:
    return parse_profile(_builtin_text(name), origin=name, builtin=True)


def builtin_profiles() -> list[Profile]:
    return [builtin_profile(name) for name in BUILTIN_NAMES]


def builtin_for_levels(first_levels: Iterable[str]) -> str | None:
    """The built-in profile a form's first levels call for when no profile is named: one whose levels
    (or aliases) include a level the §4 table does not know (决策, 过程/管理 → mof-4level), else None."""
    keys = {level_key(text) for text in first_levels} - {""}
    default_levels, default_aliases, _ = _default_levels()
    common = {level_key(n) for n in (*default_levels, *(a for a, _ in default_aliases))}
    for name in BUILTIN_NAMES:
        profile = builtin_profile(name)
        own = {level_key(n) for n in (*profile.levels, *(a for a, _ in profile.level_aliases))} - common
        if keys & own:
            return name
    return None


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
        except (OSError, UnicodeDecodeError) as exc:
            raise ProfileError(f"无法读取规则口径文件 {spec}：{exc}") from None
        return parse_profile(text, origin=path.name)
    raise ProfileError(f"未知的规则口径：{spec}（可用：{'、'.join(BUILTIN_NAMES)}，或一个 .toml 文件路径）")
