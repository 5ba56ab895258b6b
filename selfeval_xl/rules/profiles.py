"""Rule profiles: the numbers of docs/profiles.md as data, parsed and checked from TOML text. Pure: the
files the text comes from are read at the edge (read/profiles.py)."""
from __future__ import annotations

import difflib
import functools
import hashlib
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from selfeval_xl.errors import ProfileError
from selfeval_xl.rules.builtin import NAMES
from selfeval_xl.rules.profile_check import FORMS, TOTAL_POINTS, Problems, toml_problem
from selfeval_xl.vocabulary import normalize_label, text_cache

BUILTIN_NAMES = NAMES
DEFAULT_PROFILE = {"department": "hebei-dept", "project": "mof-project"}
ONE = Decimal(1)


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

    # --- levels: the profile's own first and second levels (docs/profiles.md) ----------------------

    def first_level(self, text: str) -> str | None:
        """The first level (or alias) a printed label denotes, as the profile spells it."""
        return canonical_level(text, self._first_level_names)

    def counted_level(self, level: str) -> str:
        """The level a written level is counted with: an alias's target, any other level itself."""
        return self._counted.get(level, level)

    def second_levels_of(self, level: str) -> tuple[str, ...]:
        return self._second.get(self.counted_level(level), ())

    # Asked once per indicator row: the profile's tables as maps, made on first use. (A frozen
    # dataclass still has an instance __dict__, which is where cached_property keeps them.)
    @functools.cached_property
    def _first_level_names(self) -> tuple[str, ...]:
        return (*self.levels, *(alias for alias, _ in self.level_aliases))

    @functools.cached_property
    def _counted(self) -> dict[str, str]:
        return dict(self.level_aliases)

    @functools.cached_property
    def _second(self) -> dict[str, tuple[str, ...]]:
        return dict(self.second_levels)

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


def canonical_level(text: str, names: tuple[str, ...]) -> str | None:
    """The member of `names` that a printed label denotes, or None."""
    key = level_key(text)
    return _by_level_key(names).get(key) if key else None


@functools.lru_cache(maxsize=256)
def _by_level_key(names: tuple[str, ...]) -> dict[str, str]:
    """Each key of `names` → its first name with that key (a profile's few level lists, asked of every row)."""
    by_key: dict[str, str] = {}
    for name in names:
        by_key.setdefault(level_key(name), name)
    return by_key


@text_cache  # asked of every row's level label until one prints a weight: each distinct label read once
def printed_weight(text: str) -> Decimal | None:
    """A weight printed inside a first-level label: 产出指标（50分） → 50 (docs/rules.md §10)."""
    match = _PRINTED_WEIGHT.search(_NUMBERING.sub("", normalize_label(text)))
    return Decimal(match.group(1)) if match else None


LevelTable = tuple[tuple[str, ...], tuple[tuple[str, str], ...], tuple[tuple[str, tuple[str, ...]], ...]]


def _level_table(data: dict, problems: Problems, default: LevelTable | None) -> LevelTable:
    """levels, level_aliases and [second_levels], checked; a profile with none gets `default` (the table of
    docs/rules.md §12.6, so older files keep working)."""
    if default is not None and "levels" not in data and "second_levels" not in data and "level_aliases" not in data:
        return default
    levels = problems.names(data.get("levels"), "levels")
    keys = [level_key(lvl) for lvl in levels]
    if len(set(keys)) != len(keys):
        problems.add("levels", "有重复的一级指标")
    listed = "、".join(levels)
    aliases: list[tuple[str, str]] = []
    for alias, target in problems.table(data, "level_aliases").items():
        if target not in levels:
            problems.add(f"level_aliases.{alias}", f"应指向 levels 中的一级指标（{listed}）")
        elif level_key(alias) in keys:
            problems.add(f"level_aliases.{alias}", "与 levels 中的一级指标重名")
        else:
            aliases.append((alias, target))
    second: list[tuple[str, tuple[str, ...]]] = []
    for level, names in problems.table(data, "second_levels").items():
        if level not in levels:
            problems.add(f"second_levels.{level}", f"不是 levels 中的一级指标（{listed}）")
        else:
            second.append((level, problems.names(names, f"second_levels.{level}")))
    return levels, tuple(aliases), tuple(second)


def level_table(text: str, *, origin: str) -> LevelTable:
    """The level table of a TOML text that declares only levels (the defaults of docs/rules.md §12.6)."""
    problems = Problems(origin)
    table = _level_table(tomllib.loads(text), problems, None)
    problems.raise_any()
    return table


def parse_profile(text: str, *, origin: str, default_levels: LevelTable, builtin: bool = False) -> Profile:
    """Parse and check profile TOML as a whole: every problem at once, each naming its key. A profile that
    declares no levels gets `default_levels`."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"规则口径文件 {origin} 不是有效的 TOML：{toml_problem(str(exc))}") from None
    except RecursionError:  # arrays nested thousands deep (a record edited by hand): no profile is written so
        raise ProfileError(f"规则口径文件 {origin} 嵌套过深，不是规则口径。") from None
    problems = Problems(origin)
    problems.unknown_keys(data, "")
    name = problems.text(data, "name", required=True) or ""
    if name and not builtin and name in BUILTIN_NAMES:
        # A profile of one's own under a built-in name would pass for the province's rules.
        problems.add("", f"名称 {name} 是内置口径的名称，不能用于自定义口径：请另起名称（例如 {name}-本县）。")
    form = problems.text(data, "form", required=True, choices=FORMS) or FORMS[0]
    digits = data.get("digits", 2)
    if isinstance(digits, bool) or not isinstance(digits, int) or not 0 <= digits <= 4:
        problems.add("digits", f"应为 0–4 的整数，实际为 {digits!r}")
        digits = 2
    levels, level_aliases, second_levels = _level_table(data, problems, default_levels)
    optional = data.get("optional", [])
    if not isinstance(optional, list) or any(lvl not in levels for lvl in optional):
        problems.add("optional", f"只能列出 levels 中的一级指标（{'、'.join(levels)}）")
        optional = []
    execution = _execution(problems.table(data, "execution", required=True), problems)
    weights = _weights(problems.table(data, "weights"), levels, execution[0], problems)
    grades = _grades(data.get("grades"), problems)
    explain = problems.table(data, "explain")
    problems.unknown_keys(explain, "explain.")
    overshoot = explain.get("overshoot_ratio")
    overshoot_d = None if overshoot is None else problems.number(overshoot, "explain.overshoot_ratio", above=ONE)
    problems.raise_any()
    exec_weight, rule, steps, explain_below, explain_adjustment = execution
    assert exec_weight is not None, "a refused execution.weight is a problem raised above"
    return Profile(
        name=name, title=str(data.get("title", name)), form=form, digits=digits, optional=tuple(optional),
        execution_weight=exec_weight, rule=rule, steps=steps, explain_below=explain_below,
        explain_adjustment=explain_adjustment, weights=weights, grades=grades, overshoot_ratio=overshoot_d,
        source=text, builtin=builtin, levels=levels, level_aliases=level_aliases, second_levels=second_levels,
    )


Execution = tuple[Decimal | None, str, tuple[Step, ...], Decimal | None, bool]  # weight None: refused


def _execution(execution: dict, problems: Problems) -> Execution:
    problems.unknown_keys(execution, "execution.")
    weight = problems.number(execution.get("weight"), "execution.weight", low=Decimal(0), high=TOTAL_POINTS)
    rule = execution.get("rule", "proportional")
    if rule not in ("proportional", "steps"):
        problems.add("execution.rule", f"只能是 proportional 或 steps，实际为 {rule!r}")
        rule = "proportional"
    steps = _steps(execution.get("steps"), weight, problems) if rule == "steps" else ()
    below = execution.get("explain_below")
    below_d = None if below is None else problems.number(below, "execution.explain_below")
    adjustment = execution.get("explain_adjustment", False)
    if not isinstance(adjustment, bool):
        problems.add("execution.explain_adjustment", "应为 true 或 false")
        adjustment = False
    return weight, rule, steps, below_d, adjustment


def _steps(raw: object, weight: Decimal | None, problems: Problems) -> tuple[Step, ...]:
    if not isinstance(raw, list) or not raw:
        problems.add("execution.steps", "缺失：阶梯计分需要 [[阈值, 得分], …]")
        return ()
    steps: list[Step] = []
    for i, pair in enumerate(raw):
        threshold = pair[0] if isinstance(pair, list) and len(pair) == 2 else None
        if threshold is None:
            problems.add(f"execution.steps[{i}]", "应为 [阈值, 得分]")
            continue
        low, score = (problems.number(v, f"execution.steps[{i}]") for v in pair)
        if low is not None and score is not None:
            steps.append(Step(low, score))
    if len(steps) != len(raw):
        return ()
    if any(not (a.threshold > b.threshold and a.score >= b.score) for a, b in zip(steps, steps[1:], strict=False)):
        problems.add("execution.steps", "应按阈值从高到低排列")
    if weight is not None and steps[0].score != weight:
        problems.add("execution.steps", f"最高档得分应等于 execution.weight（{_plain(weight)}）")
    if steps[-1].threshold != 0:
        problems.add("execution.steps", "最后一档阈值应为 0")
    return tuple(steps)


def _weights(raw: dict, levels: tuple[str, ...], exec_weight: Decimal | None,
             problems: Problems) -> tuple[tuple[str, Decimal], ...]:
    weights: list[tuple[str, Decimal]] = []
    for level, value in raw.items():
        if level not in levels:
            close = difflib.get_close_matches(level, levels, n=1, cutoff=0.5)
            problems.add(f"weights.{level}", f"不是已知的一级指标（{'、'.join(levels)}）"
                                             + (f"，是不是 {close[0]}？" if close else ""))
            continue
        w = problems.number(value, f"weights.{level}", above=Decimal(0))
        if w is not None:
            weights.append((level, w))
    if exec_weight is None or len(weights) != len(raw):
        return tuple(weights)  # the sum of refused numbers would only repeat their problem
    given = sum((w for _, w in weights), Decimal(0)) + exec_weight
    if len(weights) == len(levels) and given != TOTAL_POINTS:
        problems.add("", f"键 weights 与 execution.weight 合计为 {_plain(given)}，应为 100")
    elif given > TOTAL_POINTS:
        problems.add("", f"键 weights 与 execution.weight 合计为 {_plain(given)}，超过 100")
    return tuple(weights)


def _grades(raw: object, problems: Problems) -> tuple[Grade, ...]:
    if not isinstance(raw, list) or not raw:
        problems.add("grades", "缺少 [[grades]]（等级及其最低分，从高到低）")
        return (Grade("", Decimal(0)),)
    grades: list[Grade] = []
    for i, g in enumerate(raw):
        problems.unknown_keys(g, "grades[].")
        low = g.get("min") if isinstance(g, dict) else None
        if not isinstance(g, dict) or not isinstance(g.get("name"), str) or low is None:
            problems.add(f"grades[{i}]", "需要 name 和 min")
            continue
        minimum = problems.number(low, f"grades[{i}].min")
        if minimum is not None:
            grades.append(Grade(g["name"], minimum))
    if len(grades) != len(raw) or not grades:
        return (Grade("", Decimal(0)),)
    for i, (higher, lower) in enumerate(zip(grades, grades[1:], strict=False)):
        if not higher.min > lower.min:
            problems.add(f"grades[{i + 1}].min", "应小于上一档（等级须从高到低排列）")
    if grades[-1].min != 0:
        problems.add(f"grades[{len(grades) - 1}].min", "应为 0（最后一档从 0 分起）")
    return tuple(grades)


def builtin_for_levels(first_levels: Iterable[str], default_levels: LevelTable,
                       builtins: Iterable[Profile]) -> str | None:
    """The built-in profile a form's first levels call for when no profile is named: one whose levels
    (or aliases) include a level the table of docs/rules.md §12.6 does not know (决策, 过程/管理 →
    mof-4level), else None."""
    keys = {level_key(text) for text in first_levels} - {""}
    levels, aliases, _ = default_levels
    common = {level_key(n) for n in (*levels, *(a for a, _ in aliases))}
    for profile in builtins:
        own = {level_key(n) for n in (*profile.levels, *(a for a, _ in profile.level_aliases))} - common
        if keys & own:
            return profile.name
    return None
