"""Rule profiles: the numbers of docs/profiles.md as data, loaded and validated from TOML."""
from __future__ import annotations

import hashlib
import sys
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from importlib import resources
from pathlib import Path

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from selfeval_xl.errors import ProfileError

FORMS = ("department", "project")
KNOWN_LEVELS = ("产出指标", "效益指标", "满意度指标")
BUILTIN_NAMES = ("hebei-dept", "mof-project", "sichuan-project")
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

    @property
    def digest(self) -> str:
        """A short hash of the profile's TOML: two custom profiles under one name still differ."""
        return hashlib.sha256(self.source.encode("utf-8")).hexdigest()[:8]

    @property
    def label(self) -> str:
        """The name shown everywhere: a built-in name as it is, anything else marked custom with its hash."""
        return self.name if self.builtin else f"{self.name}（自定义口径 #{self.digest}）"

    def weight_of(self, level: str) -> Decimal | None:
        return dict(self.weights).get(level)

    def grade_for(self, total: Decimal) -> str:
        for grade in self.grades:
            if total >= grade.min:
                return grade.name
        return self.grades[-1].name

    def describe_weights(self) -> str:
        parts = [f"{level}{_plain(w)}分" for level, w in self.weights]
        free = [lvl for lvl in KNOWN_LEVELS if self.weight_of(lvl) is None]
        if free:
            free_points = TOTAL_POINTS - self.execution_weight - sum((w for _, w in self.weights), Decimal(0))
            parts.append(f"{'、'.join(free)}合计{_plain(free_points)}分自由分配")
        parts.append(f"预算执行率{_plain(self.execution_weight)}分")
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
        if self.rule == "steps":
            steps = "，".join(f"执行率≥{_plain(s.threshold * 100)}%得{_plain(s.score)}分" for s in self.steps)
            return f"阶梯计分：{steps}"
        return f"按比例计分：{_plain(self.execution_weight)}分×执行率（不超过100%）"


def _plain(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


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
    optional = data.get("optional", [])
    if not isinstance(optional, list) or any(lvl not in KNOWN_LEVELS for lvl in optional):
        raise ProfileError(f"规则口径文件 {origin} 的键 optional 只能列出 {'、'.join(KNOWN_LEVELS)}")

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
        if level not in KNOWN_LEVELS:
            raise ProfileError(f"规则口径文件 {origin} 的键 weights.{level} 不是已知的一级指标"
                               f"（{'、'.join(KNOWN_LEVELS)}）")
        w = _decimal(value, f"weights.{level}")
        if w <= 0:
            raise ProfileError(f"规则口径文件 {origin} 的键 weights.{level} 应为正数")
        weights.append((level, w))
    given = sum((w for _, w in weights), Decimal(0)) + exec_weight
    if len(weights) == len(KNOWN_LEVELS) and given != TOTAL_POINTS:
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
        source=text, builtin=builtin,
    )


def builtin_profile(name: str) -> Profile:
    text = resources.files("selfeval_xl.rules").joinpath("builtin").joinpath(f"{name}.toml").read_text(encoding="utf-8")
    return parse_profile(text, origin=name, builtin=True)


def builtin_profiles() -> list[Profile]:
    return [builtin_profile(name) for name in BUILTIN_NAMES]


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
