"""LibreOffice as a real client: every template must calculate in Calc exactly as the tool scores it.

All workbooks are converted in ONE headless soffice call (the module fixture `lo_batch`), with a
profile that makes Calc recalculate every formula on load. The values read back with openpyxl
(data_only=True) are therefore LibreOffice's own results, not the cached values the files were
written with; the canary workbook, whose cached values are deliberately wrong, proves it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter

from selfeval_xl import layout as L
from selfeval_xl.api import evaluate, make_template
from selfeval_xl.model import Result
from selfeval_xl.read.profiles import builtin_profile
from selfeval_xl.write import example as EX
from selfeval_xl.write.template_formulas import BUDGET_COL, CALC_COL, IND_COL, budget_rows, indicator_rows, score_cells

pytestmark = pytest.mark.libreoffice

ERROR_VALUE = re.compile(r"^(#NULL!|#DIV/0!|#VALUE!|#REF!|#NAME\?|#NUM!|#N/A|#GETTING_DATA|#SPILL!|#CALC!|Err:\d+)$")

_GRADES = "".join(f'[[grades]]\nname = "{name}"\nmin = {low}\n'
                  for name, low in (("优秀", 85), ("良好", 75), ("一般", 60), ("较差", 0)))


def _user_profile(name: str, title: str, *, digits: int = 2, weight: int = 10, steps: str | None = None,
                  levels: tuple[int, int, int] = (40, 40, 10)) -> str:
    """A department profile in the TOML format of docs/profiles.md."""
    rule = f'rule = "steps"\nsteps = {steps}\n' if steps else 'rule = "proportional"\n'
    weights = "".join(f'"{level}" = {w}\n'
                      for level, w in zip(("产出指标", "效益指标", "满意度指标"), levels, strict=True))
    return (f'name = "{name}"\ntitle = "{title}"\nform = "department"\ndigits = {digits}\n\n'
            f"[execution]\nweight = {weight}\n{rule}\n[weights]\n{weights}\n{_GRADES}")


# Every case here uses the three first levels of the built-in department and project profiles.
SCORE_CELLS = score_cells(builtin_profile("hebei-dept"))
KNOWN_LEVELS = SCORE_CELLS.levels

USER_PROFILES = {
    # 江西-style step rule for the execution rate (docs/profiles.md)
    "user-steps": _user_profile("user-steps", "阶梯计分（测试）", steps="[[1.0, 10], [0.8, 7], [0.6, 5], [0.0, 0]]"),
    # 湖北-style 20-point execution weight
    "user-exec20": _user_profile("user-exec20", "执行率20分（测试）", weight=20, levels=(35, 35, 10)),
    # whole-point rounding ("some forms print 9 for 8.62")
    "user-digits0": _user_profile("user-digits0", "整数分（测试）", digits=0),
}


@dataclass(frozen=True)
class Case:
    name: str
    form: str
    profile: str | None = None  # built-in name or a key of USER_PROFILES
    example: bool = False
    fill: str | None = None  # a function of this module that changes inputs with openpyxl


CASES = (
    Case("dept-blank", "department"),
    Case("dept-example", "department", example=True),
    Case("project-blank", "project"),
    Case("hebei-dept", "department", "hebei-dept"),
    Case("mof-project", "project", "mof-project"),
    Case("sichuan-project", "project", "sichuan-project"),
    Case("user-steps", "department", "user-steps"),
    Case("user-exec20", "department", "user-exec20"),
    Case("dept-filled", "department", example=True, fill="fill_department"),
    Case("steps-filled", "department", "user-steps", example=True, fill="fill_steps"),
    Case("exec20-filled", "department", "user-exec20", example=True, fill="fill_full_execution"),
    Case("digits0-filled", "department", "user-digits0", example=True, fill="fill_department"),
    Case("sichuan-filled", "project", "sichuan-project", fill="fill_project"),
    Case("mof-filled", "project", "mof-project", fill="fill_project"),
    Case("dept-edges", "department", fill="fill_edges"),
    Case("dept-pasted", "department", fill="fill_pasted"),
)
CASE_IDS = [c.name for c in CASES]
SCORED_IDS = CASE_IDS


# --- filling with openpyxl (which also drops every cached value, so only a recalculation can pass) ---

def _budget(ws, row: int, **values) -> None:
    for key, value in values.items():
        ws[f"{BUDGET_COL[key]}{row}"] = value


def _name_profile(wb, case: Case) -> None:
    # The example always writes 评价口径 = hebei-dept into 基本信息 (EX.INFO overrides the profile
    # name), so a file made with example=True and another profile is read back with hebei-dept.
    # Set the name the template should have written.
    if case.profile and case.profile != "hebei-dept":
        ws = wb[L.SHEET_INFO]
        for (label, value) in ws.iter_rows(min_col=1, max_col=2):
            if label.value == "评价口径":
                value.value = case.profile


def fill_department(wb, case: Case) -> None:
    ind = wb[L.SHEET_INDICATORS]
    first = indicator_rows("department")[0]

    def put(index: int, **values) -> None:
        for key, value in values.items():
            ind[f"{IND_COL[key]}{first + index}"] = value

    put(0, weight=2)  # 日常工作完成率: 4 → 2, the 2 points go to the new cost row below
    put(6, actual="部分达成年度指标并具有一定效果", self_score=6)  # qualitative, partly achieved
    put(7, actual=80, reason="（测试）未完成")  # 信访案件落实率 ≥ 95: missed, 8 × 80/95
    put(9, actual=98)  # 退伍军人合法权益保障率 ＝ 100
    put(10, target=2, actual=3)  # 火灾发生率 ≤ 2: 10 × (1 − (3 − 2)/2)
    put(12, actual=63.3)  # 满意度 ≥ 90, a rate with a long fraction
    put(len(EX.INDICATORS), area="行政工作", level1="产出指标", level2="成本指标", name="人均办公成本",
        nature="定量", operator=None, target=1000, unit="元", actual=1100, weight=2)  # lower is better, no operator
    budget = wb[L.SHEET_BUDGET]
    first_line = budget_rows("department").first_line
    _budget(budget, first_line, executed=4321098.76)  # 人员经费 under budget
    _budget(budget, first_line + 2, executed=312621.00)  # 交通道路占地补偿款 fully paid


def fill_steps(wb, case: Case) -> None:
    fill_department(wb, case)
    budget = wb[L.SHEET_BUDGET]
    _budget(budget, budget_rows("department").first_line, executed=3000000)  # rate ≈ 0.69: the 0.6 step


def fill_full_execution(wb, case: Case) -> None:
    budget = wb[L.SHEET_BUDGET]
    first_line = budget_rows("department").first_line
    for i, line in enumerate(EX.BUDGET_LINES):
        _budget(budget, first_line + i, executed=float(line[2]))  # rate exactly 100 %
    ind = wb[L.SHEET_INDICATORS]
    ind[f"{IND_COL['actual']}{indicator_rows('department')[0] + 5}"] = 45.5  # 一事一议项目完成率 half done


def fill_project(wb, case: Case) -> None:
    info = wb[L.SHEET_INFO]
    for (label, value) in info.iter_rows(min_col=1, max_col=2):
        if label.value == "项目名称":
            value.value = "（测试）农村道路维修"
        elif label.value == "评价年度":
            value.value = 2025
        elif label.value == "单位名称":
            value.value = "（测试）某镇人民政府"
    budget = wb[L.SHEET_BUDGET]
    first_line = budget_rows("project").first_line
    lines = [("当年财政拨款", "维修工程款", 800000, 800000, 731234.56),
             ("上年结转资金", "结转工程尾款", 120000, 150000, 90000),
             ("其他资金", "村级自筹", 30000, 30000, 30000)]
    for i, (category, name, initial, full, executed) in enumerate(lines):
        _budget(budget, first_line + i, category=category, name=name, initial=initial, budget=full,
                executed=executed, reason="（测试）部分工程未结算" if executed < full else None)
    ind = wb[L.SHEET_INDICATORS]
    first = indicator_rows("project")[0]
    # (一级, 二级, 三级, 性质, 比较, 指标值, 单位, 实际完成值, 分值, 自评得分)
    rows = [
        ("产出指标", "数量指标", "维修道路长度", "定量", "≥", 12, "公里", 10.5, 20, None),
        ("产出指标", "质量指标", "验收合格率", "定量", "≥", 100, "%", 100, 10, None),
        ("产出指标", "时效指标", "按期完工率", "定量", "≥", 90, "%", 70, 5, None),
        ("成本指标", "经济成本指标", "每公里维修成本", "定量", "", 6.5, "万元", 7.1, 10, None),
        ("效益指标", "社会效益指标", "群众出行条件", "定性", "", "明显改善", "", "部分达成年度指标并具有一定效果", 15,
         11.25),
        ("效益指标", "可持续影响指标", "道路使用年限", "定量", "≥", 10, "年", 10, 10, None),
        ("效益指标", "社会效益指标", "交通事故发生次数", "定量", "≤", 3, "次", 4, 5, None),
        ("满意度指标", "服务对象满意度指标", "沿线群众满意度", "定量", "≥", 90, "%", 87, 15, None),
    ]
    for i, (l1, l2, name, nature, op, target, unit, actual, weight, self_score) in enumerate(rows):
        r = first + i
        for key, value in {"seq": i + 1, "area": "道路维修", "level1": l1, "level2": l2, "name": name,
                           "nature": nature, "operator": op or None, "target": target, "unit": unit or None,
                           "actual": actual, "weight": weight, "self_score": self_score}.items():
            ind[f"{IND_COL[key]}{r}"] = value
    if case.profile == "mof-project":  # mof-project: 产出 50, 效益 30, 满意度 10
        ind[f"{IND_COL['weight']}{first}"] = 25
        ind[f"{IND_COL['weight']}{first + 7}"] = 10


# (一级, 二级, 三级 = a label for the case, 性质, 比较, 指标值, 单位, 实际完成值, 分值, 自评得分)
EDGES = (
    ("产出指标", "数量指标", "≥ 目标为 0", "定量", "≥", 0, "个", 5, 3, None),
    ("产出指标", "数量指标", "＝ 目标为 0 达成", "定量", "＝", 0, "个", 0, 3, None),
    ("产出指标", "数量指标", "＝ 目标为 0 未达成", "定量", "＝", 0, "个", 1, 3, None),
    ("产出指标", "数量指标", "≤ 目标为 0 达成", "定量", "≤", 0, "个", 0, 3, None),
    ("产出指标", "数量指标", "≤ 目标为 0 未达成", "定量", "≤", 0, "个", 1, 3, None),
    ("产出指标", "数量指标", "≥ 超额完成", "定量", "≥", 10, "个", 13, 3, None),
    ("产出指标", "数量指标", "≤ 超过两倍", "定量", "≤", 5, "个", 11, 3, None),
    ("产出指标", "数量指标", "≤ 部分", "定量", "≤", 5, "个", 6.5, 3, None),
    ("产出指标", "数量指标", "舍入 1.005", "定量", "≥", 2, "个", 1, 2.01, None),
    ("产出指标", "数量指标", "舍入 0.125", "定量", "≥", 8, "个", 1, 1, None),
    ("产出指标", "数量指标", "舍入 2/3", "定量", "≥", 3, "个", 2, 1, None),
    ("产出指标", "质量指标", "定性 达成", "定性", None, "好", None, "达成年度指标", 3, None),
    ("产出指标", "质量指标", "定性 未达成 自评", "定性", None, "好", None, "未达成年度指标且效果较差", 3, 1),
    ("产出指标", "质量指标", "定性 性质空", None, None, "好", None, "部分达成年度指标并具有一定效果", 3, 2),
    ("产出指标", "质量指标", "定性 空格", "定性", None, "好", None, " 达成 年度指标", 3, None),
    ("产出指标", "质量指标", "定性 自评超分值", "定性", None, "好", None, "部分达成年度指标并具有一定效果", 3, 5),
    ("产出指标", "质量指标", "<= 写法", "定量", "<=", 10, "个", 12, 3, None),
    ("产出指标", "质量指标", "< 写法", "定量", "<", 10, "个", 12, 3, None),
    ("产出指标", "质量指标", "不超过 写法", "定量", "不超过", 10, "个", 12, 3, None),
    ("产出指标", "质量指标", "小于等于 写法", "定量", "小于等于", 10, "个", 12, 3, None),
    ("产出指标", "质量指标", "等号 = 写法", "定量", "=", 0, "个", 1, 3, None),
    ("产出指标", "质量指标", "等于 写法", "定量", "等于", 0, "个", 0, 3, None),
    ("产出指标", "质量指标", "事故发生率", "定量", None, 2, "%", 3, 3, None),  # ≤ from the name
    ("成本指标", "经济成本指标", "一级为成本指标", "定量", None, 100, "元", 130, 3, None),  # ≤, counted with 产出
    ("产出指标", "质量指标", "负目标", "定量", "≥", -5, "个", -3, 3, None),
    ("产出指标", "质量指标", "负完成值", "定量", "≥", 5, "个", -3, 3, None),
    ("效益指标", "社会效益指标", "百分比格式", "定量", "≥", 0.95, "%", 0.9, 3, None),  # shown as 95 %, 90 %
    ("效益指标", "社会效益指标", "没有分值", "定量", "≥", 10, "个", 5, None, None),
)
# Inputs the template's dropdowns and number cells do not produce, but pasting can: numbers as text,
# a comparison written in the target. The sheet's helper columns read them as the tool does.
PASTED = (
    ("产出指标", "质量指标", "文本数字", "定量", "≥", "100", "%", "96", 3, None),
    ("产出指标", "质量指标", "文本百分数", "定量", "≥", "95%", "%", "90%", 3, None),
    ("产出指标", "质量指标", "比较方式写在指标值里", "定量", None, "≥95", "%", 90, 3, None),
    ("产出指标", "质量指标", "文本分值", "定量", "≥", 10, "个", 8, "3", None),
)
_ROW_KEYS = ("level1", "level2", "name", "nature", "operator", "target", "unit", "actual", "weight", "self_score")


def _write_rows(wb, rows) -> None:
    ws = wb[L.SHEET_INDICATORS]
    first = indicator_rows("department")[0]
    for i, values in enumerate(rows):
        ws[f"{IND_COL['seq']}{first + i}"] = i + 1
        for key, value in zip(_ROW_KEYS, values, strict=True):
            cell = ws[f"{IND_COL[key]}{first + i}"]
            cell.value = value
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"  # openpyxl would take "=" for a formula
            if key in ("target", "actual") and values[2] == "百分比格式":
                ws[f"{IND_COL[key]}{first + i}"].number_format = "0%"
    budget = wb[L.SHEET_BUDGET]
    _budget(budget, budget_rows("department").first_line, category="基本支出", name="人员经费",
            initial=1000, budget=1000, executed=1000.01)  # over budget: the rate is capped at 100 %


def fill_edges(wb, case: Case) -> None:
    _write_rows(wb, EDGES)


def fill_pasted(wb, case: Case) -> None:
    _write_rows(wb, PASTED)  # openpyxl keeps "100" a text cell


# --- the one conversion ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Converted:
    case: Case
    original: Path
    converted: Path
    result: Result  # evaluate(original)


def _make(case: Case, src: Path, profiles: dict[str, Path]) -> Path:
    path = src / f"{case.name}.xlsx"
    profile = str(profiles[case.profile]) if case.profile in profiles else case.profile
    make_template(path, form=case.form, profile=profile, example=case.example)
    if case.fill:
        wb = openpyxl.load_workbook(path)
        _name_profile(wb, case)
        globals()[case.fill](wb, case)
        wb.save(path)
    return path


def _canary(path: Path) -> Path:
    """Formulas whose cached values are wrong: only a recalculation on load gives 2 and 6."""
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("canary")
    ws.write_formula("A1", "=1+1", None, 99)
    ws.write_formula("A2", "=A1*3", None, 99)
    wb.close()
    return path


@pytest.fixture(scope="module")
def lo_batch(lo_convert, tmp_path_factory) -> dict[str, Converted]:
    root = tmp_path_factory.mktemp("lo-batch")
    src, out = root / "src", root / "out"
    src.mkdir()
    profiles = {}
    for name, text in USER_PROFILES.items():
        profiles[name] = src / f"{name}.toml"
        profiles[name].write_text(text, encoding="utf-8")
    originals = [_make(case, src, profiles) for case in CASES]
    converted = lo_convert([*originals, _canary(src / "canary.xlsx")], out)
    batch = {case.name: Converted(case, original, conv, evaluate(original))
             for case, original, conv in zip(CASES, originals, converted, strict=False)}
    batch["_canary"] = converted[-1]
    return batch


def _close(value: object, expected: Decimal | None) -> bool:
    if expected is None:
        return value in (None, "")
    return isinstance(value, (int, float)) and not isinstance(value, bool) and abs(value - float(expected)) < 1e-9


# --- tests ---------------------------------------------------------------------------------------------

def test_libreoffice_recalculated_on_load(lo_batch):
    ws = openpyxl.load_workbook(lo_batch["_canary"], data_only=True)["canary"]
    assert (ws["A1"].value, ws["A2"].value) == (2, 6), "the LibreOffice profile did not recalculate on load"


@pytest.mark.parametrize("name", CASE_IDS)
def test_no_formula_errors_in_libreoffice(lo_batch, name):
    wb = openpyxl.load_workbook(lo_batch[name].converted, data_only=True, read_only=True)
    errors = [f"{ws.title}!{cell.coordinate}={cell.value}"
              for ws in wb.worksheets for row in ws.iter_rows() for cell in row
              if isinstance(cell.value, str) and ERROR_VALUE.match(cell.value)]
    wb.close()
    assert not errors, f"{len(errors)} formula error(s) in LibreOffice: {errors[:10]}"


@pytest.mark.parametrize("name", SCORED_IDS)
def test_score_sheet_matches_the_tool(lo_batch, name):
    item = lo_batch[name]
    result = item.result
    if item.case.profile in USER_PROFILES:
        # a custom profile is shown as custom, with the hash of its TOML
        assert result.profile.startswith(f"{item.case.profile}（自定义口径 #"), "not read back with its own profile"
    ws = openpyxl.load_workbook(item.converted, data_only=True)[L.SHEET_SCORE]
    got = {
        "total": ws[SCORE_CELLS.total].value,
        "grade": ws[SCORE_CELLS.grade].value,
        "execution_score": ws[SCORE_CELLS.execution_score].value,
        **{level: ws[SCORE_CELLS.level_points(level)].value for level in KNOWN_LEVELS},
    }
    level_weight = {level: f"C{SCORE_CELLS.first_level_row + i}" for i, level in enumerate(KNOWN_LEVELS)}
    got.update({f"{level} 分值": ws[cell].value for level, cell in level_weight.items()})
    got["weight_total"] = ws[SCORE_CELLS.weight_total].value
    levels = {lv.name: lv for lv in result.levels}
    zero = Decimal(0)
    want = {"total": result.total, "grade": result.grade, "execution_score": result.execution.score,
            **{level: levels[level].score if level in levels else zero for level in KNOWN_LEVELS},
            **{f"{level} 分值": levels[level].indicator_weight if level in levels else zero for level in KNOWN_LEVELS},
            "weight_total": sum((lv.indicator_weight for lv in result.levels), zero) + result.execution.weight}
    wrong = {k: (got[k], str(want[k])) for k in want
             if not (got[k] == want[k] if k == "grade" else _close(got[k], want[k]))}
    assert not wrong, f"LibreOffice vs selfeval-xl (got, want): {wrong}"
    rate = ws[SCORE_CELLS.rate].value
    if result.execution.rate is None:
        assert rate in (None, "")
    else:
        assert abs(rate - float(result.execution.rate)) < 1e-12


@pytest.mark.parametrize("name", SCORED_IDS)
def test_budget_totals_match_the_tool(lo_batch, name):
    item = lo_batch[name]
    ws = openpyxl.load_workbook(item.converted, data_only=True)[L.SHEET_SCORE]
    ex = item.result.execution
    assert _close(ws[SCORE_CELLS.budget].value, ex.budget or Decimal(0)), (ws[SCORE_CELLS.budget].value, ex.budget)
    assert _close(ws[SCORE_CELLS.executed].value,
                  ex.executed or Decimal(0)), (ws[SCORE_CELLS.executed].value, ex.executed)


@pytest.mark.parametrize("name", SCORED_IDS)
def test_indicator_rows_and_budget_rates_match_the_tool(lo_batch, name):
    item = lo_batch[name]
    wb = openpyxl.load_workbook(item.converted, data_only=True)
    ind, budget = wb[L.SHEET_INDICATORS], wb[L.SHEET_BUDGET]
    wrong = [(i.row, i.name, ind[f"{CALC_COL}{i.row}"].value, str(i.score)) for i in item.result.indicators
             if i.sheet == L.SHEET_INDICATORS and i.score is not None
             and not _close(ind[f"{CALC_COL}{i.row}"].value, i.score)]
    assert not wrong, f"indicator scores, LibreOffice vs selfeval-xl (row, name, got, want): {wrong}"
    rates = [(lr.row, lr.name, budget[f"{BUDGET_COL['rate']}{lr.row}"].value, lr.rate)
             for lr in item.result.execution.lines]
    wrong = [r for r in rates if not (r[2] in (None, "") if r[3] is None else abs(r[2] - float(r[3])) < 1e-12)]
    assert not wrong, f"budget rates, LibreOffice vs selfeval-xl (row, name, got, want): {wrong}"


def test_example_scores_98_40_in_libreoffice(lo_batch):
    ws = openpyxl.load_workbook(lo_batch["dept-example"].converted, data_only=True)[L.SHEET_SCORE]
    assert (ws[SCORE_CELLS.total].value, ws[SCORE_CELLS.grade].value, ws[SCORE_CELLS.execution_score].value) \
        == (pytest.approx(98.40), "优秀", pytest.approx(9.83))


def test_libreoffice_saved_example_scores_like_the_original(lo_batch):
    item = lo_batch["dept-example"]
    again = evaluate(item.converted)
    assert (str(again.total), again.grade, again.checks) == ("98.40", "优秀", ())
    assert (again.total, again.grade, again.execution.score) == (item.result.total, item.result.grade,
                                                                  item.result.execution.score)
    assert [(lv.name, lv.score) for lv in again.levels] == [(lv.name, lv.score) for lv in item.result.levels]


@pytest.mark.parametrize("name", ["dept-filled", "steps-filled", "sichuan-filled"])
def test_libreoffice_saved_filled_workbook_scores_like_the_original(lo_batch, name):
    item = lo_batch[name]
    again = evaluate(item.converted)
    assert (again.total, again.grade, again.execution.score) == (item.result.total, item.result.grade,
                                                                  item.result.execution.score)
    assert [(i.row, i.score) for i in again.indicators] == [(i.row, i.score) for i in item.result.indicators]


def test_filled_variants_are_not_trivial(lo_batch):
    """Guards the fill functions: the numbers compared above must exercise the interesting branches."""
    dept = lo_batch["dept-filled"].result
    assert dept.total < Decimal("98.40") and dept.execution.score < Decimal("9.83")
    assert lo_batch["steps-filled"].result.execution.score == Decimal(5)
    assert lo_batch["exec20-filled"].result.execution.score == Decimal(20)
    sichuan = lo_batch["sichuan-filled"].result
    assert len(sichuan.indicators) == 8 and Decimal(0) < sichuan.total < Decimal(100)


def test_formulas_survive_the_round_trip(lo_batch):
    ws = openpyxl.load_workbook(lo_batch["dept-example"].converted)[L.SHEET_SCORE]
    assert str(ws[SCORE_CELLS.total].value).startswith("=")
    assert str(ws[SCORE_CELLS.grade].value).startswith("=")


@pytest.mark.parametrize("index", range(len(PASTED)), ids=[g[2] for g in PASTED])
def test_pasted_text_scores_as_the_tool_scores_it(lo_batch, index):
    item = lo_batch["dept-pasted"]
    row = indicator_rows("department")[0] + index
    tool = next(i for i in item.result.indicators if i.row == row)
    assert tool.score is not None
    ws = openpyxl.load_workbook(item.converted, data_only=True)[L.SHEET_INDICATORS]
    assert _close(ws[f"{CALC_COL}{row}"].value, tool.score)
