"""The reader accepts workbooks the template did not make (docs/workbook.md §2–§5).

Each test writes the worked example (docs/rules.md §9) with XlsxWriter in a layout
people or other programs produce, scores it with `evaluate`, and asserts the exact result:
98.40 / 优秀 with no check at all, unless the test breaks something on purpose, in which case the
exact code and cell.
"""
from __future__ import annotations

from decimal import Decimal

import pytest
import xlsxwriter
from hypothesis import given
from hypothesis import strategies as st

import foreign as F
from foreign import BudgetLayout, IndicatorLayout, write_workbook
from selfeval_xl.api import evaluate
from selfeval_xl.errors import NotAForm
from selfeval_xl.read.cells import read_grid
from selfeval_xl.write import example as EX

NO_OPERATOR = tuple(c for c in F.INDICATOR_COLUMNS if c != "operator")
NO_NATURE = tuple(c for c in F.INDICATOR_COLUMNS if c != "nature")
NO_NATURE_NO_OPERATOR = tuple(c for c in F.INDICATOR_COLUMNS if c not in ("nature", "operator"))
EXAMPLE_OPERATORS = ["≥"] * 6 + [None, "≥", "≥", "=", "≤"] + ["≥"] * 5
EXAMPLE_LINES = [(cat, Decimal(b), Decimal(e)) for cat, _, b, e, _ in EX.BUDGET_LINES]


def score(path, written=None, *, money_unit="元", execution=F.EXECUTION, info=True, areas=True):
    """Evaluate and assert the worked example's exact result with no check; returns the Result."""
    result = evaluate(path)
    data = result.to_json()
    # A workbook without 基本信息 names neither its unit nor its year (docs/rules.md §13.6): two warnings.
    assert [c["code"] for c in data["checks"]] == ([] if info else ["UNIT_UNNAMED", "YEAR_UNKNOWN"])
    assert (data["total"], data["grade"], data["valid"]) == (F.TOTAL, F.GRADE, True)
    assert data["execution"] == execution
    assert data["levels"] == F.LEVELS
    assert data["money_unit"] == money_unit
    # the workbook names hebei-dept, or names none and its own weights rule (docs/rules.md §14)
    assert data["profile"] == ("hebei-dept（按表内分值）" if data["weights_from"] == "form" else "hebei-dept")
    assert data["form"] == "department"
    assert [i["score"] for i in data["indicators"]] == F.INDICATOR_SCORES
    assert [i["name"] for i in data["indicators"]] == [x[3] for x in EX.INDICATORS]
    assert [i["area"] for i in data["indicators"]] == [x[0] if areas else "" for x in EX.INDICATORS]
    assert [i["level"] for i in data["indicators"]] == [x[1] for x in EX.INDICATORS]
    assert [i["weight"] for i in data["indicators"]] == [str(x[9]) for x in EX.INDICATORS]
    assert [ind.operator for ind in result.indicators] == EXAMPLE_OPERATORS
    if info:
        assert (data["unit"], data["year"]) == (EX.UNIT, 2025)
    if written is not None:
        assert [i["row"] for i in data["indicators"]] == written.indicator_rows
        assert {i["sheet"] for i in data["indicators"]} == {written.indicator_sheet}
    scale = Decimal(1) if money_unit == "元" else Decimal(10000)
    lines = [(ln.group, ln.budget, ln.executed) for ln in result.execution.lines if ln.kind == "line"]
    assert lines == [(cat, b / scale, e / scale) for cat, b, e in EXAMPLE_LINES]
    return result


def only_check(path, code, sheet, cell):
    """The result carries exactly one check, `code` on sheet!cell, and still scores 98.40."""
    data = evaluate(path).to_json()
    assert [(c["code"], c["sheet"], c["cell"]) for c in data["checks"]] == [(code, sheet, cell)]
    assert data["total"] == F.TOTAL and data["grade"] == F.GRADE
    assert data["execution"] == F.EXECUTION
    return data


# --- a foreign workbook at all ---------------------------------------------------------------------

def test_plain_foreign_workbook_scores_the_example(tmp_path):
    written = write_workbook(tmp_path / "plain.xlsx")
    score(written.path, written)


# --- labels -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("budget_labels, indicator_labels", [
    (F.PUBLISHED_BUDGET_LABELS, F.PUBLISHED_INDICATOR_LABELS),
    ({"category": "支出性质", "name": "支出项目", "initial": "年初数", "budget": "调整后预算数", "executed": "决算数",
      "rate": "预算执行率", "reason": "未执行原因"},
     {"name": "指标名称", "target": "年度指标值（A）", "actual": "实际完成值（B）", "unit": "单位",
      "weight": "参考分值", "self_score": "自评得分", "reason": "未完成原因分析及改进措施", "nature": "指标类型",
      "operator": "比较方式"}),
    ({"name": "明细", "initial": "年初预算", "budget": "调整预算数（A）", "executed": "实际支出数", "reason": "说明"},
     {"name": "三级指标", "target": "目标值", "actual": "完成值", "unit": "计量单位", "weight": "权重",
      "self_score": "得分", "reason": "未完成原因分析"}),
], ids=["published", "adjusted-final", "short"])
def test_published_label_variants(tmp_path, budget_labels, indicator_labels):
    written = write_workbook(tmp_path / "labels.xlsx", budget=BudgetLayout(labels=budget_labels),
                             indicators=IndicatorLayout(labels=indicator_labels, self_scores=True))
    result = score(written.path, written)
    assert [i.self_score for i in result.indicators] == [Decimal(s) for s in F.INDICATOR_SCORES]
    lines = [ln for ln in result.execution.lines if ln.kind == "line"]
    assert lines[2].name == "2025年交通道路占地补偿款"


def test_labels_with_spaces_line_breaks_brackets_and_units(tmp_path):
    budget = BudgetLayout(labels={"name": "项 目 名 称", "budget": "全年预算数\n(A)",
                                  "executed": "全年执行数\n（B）（元）", "rate": "执行率（%）", "reason": "备　注"})
    indicators = IndicatorLayout(labels={"level1": "一级\n指标", "name": "三级指标", "weight": "分值（分）",
                                         "target": "年度\n指标值", "actual": "实际\u3000完成值"})
    written = write_workbook(tmp_path / "spaced.xlsx", budget=budget, indicators=indicators)
    score(written.path, written)


def test_money_unit_in_header_labels(tmp_path):
    budget = BudgetLayout(money="万元", labels={"budget": "全年预算数（万元）", "executed": "全年执行数（万元）",
                                               "initial": "年初预算数（万元）"})
    written = write_workbook(tmp_path / "wan-headers.xlsx", budget=budget)
    score(written.path, written, money_unit="万元",
          execution={**F.EXECUTION, "budget": "692.991647", "executed": "680.95541"})


# --- columns, rows and sheets --------------------------------------------------------------------------

def test_columns_in_another_order_extra_columns_titles_notes_and_blank_rows(tmp_path):
    budget = BudgetLayout(
        columns=("x:功能分类科目", "reason", "executed", "name", "x:资金性质", "budget", "category", "rate"),
        labels={"budget": "调整后预算数", "executed": "决算数"},
        title_rows=("井陉县南障城镇人民政府2025年度预算执行情况表", "单位：井陉县南障城镇人民政府　　金额单位：元"),
        blank_after=(1, 7, 20), notes_below=("注：本表数据来源于2025年度决算。", "填表人：马智"))
    indicators = IndicatorLayout(
        columns=("name", "x:指标解释", "weight", "actual", "target", "unit", "operator", "nature", "level2", "level1",
                 "area", "reason", "x:评分标准", "x:数据来源"),
        title_rows=("2025年度部门整体支出绩效自评表", "填表说明：定性指标的实际完成值从三档中选择"),
        blank_after=(0, 5, 10, 15), notes_below=("注：本表由党政办填报", "填表人：马智　审核人：李伟"))
    written = write_workbook(tmp_path / "reordered.xlsx", budget=budget, indicators=indicators)
    assert written.indicator_rows[:3] == [4, 6, 7]  # title, note, header, then a blank row after the first
    score(written.path, written)


def test_an_extra_column_with_a_synonym_label_does_not_take_the_column(tmp_path):
    # 资金来源 is a 名称 synonym (the project form's funding lines); 名称 itself must win.
    budget = BudgetLayout(columns=("category", "x:资金来源", "name", "budget", "executed", "rate", "reason"))
    written = write_workbook(tmp_path / "source-column.xlsx", budget=budget)
    result = score(written.path, written)
    assert [ln.name for ln in result.execution.lines if ln.kind == "line"][:2] == ["人员经费", "日常公用经费"]


@pytest.mark.parametrize("budget_sheet, indicator_sheet", [
    ("Sheet1", "Sheet2"), ("表1 预算执行情况", "表2 绩效指标"), ("附表1", "Sheet1")])
def test_renamed_sheets_are_found_by_their_header_labels(tmp_path, budget_sheet, indicator_sheet):
    written = write_workbook(tmp_path / "renamed.xlsx", budget=BudgetLayout(sheet=budget_sheet),
                             indicators=IndicatorLayout(sheet=indicator_sheet), indicators_first=True, cover="封面")
    result = score(written.path, written)
    assert result.indicators[0].sheet == indicator_sheet
    data = result.to_json()
    assert data["indicators"][0]["sheet"] == indicator_sheet


def test_without_info_sheet_the_form_default_profile_is_used(tmp_path):
    written = write_workbook(tmp_path / "no-info.xlsx", info=None)
    result = score(written.path, written, info=False)
    assert (result.unit, result.year) == ("", None)


def test_cells_written_as_inline_strings_and_without_optional_references(tmp_path):
    written = write_workbook(tmp_path / "streamed.xlsx", inline_strings=True,
                             budget=BudgetLayout(blank_after=(3,), subtotals="constant"),
                             indicators=IndicatorLayout(blank_after=(7,)))
    assert F.strip_implied_refs(written.path) > 300
    score(written.path, written)


# --- 一级 / 二级 (and 类别) carried down -----------------------------------------------------------------

@pytest.mark.parametrize("levels", ["merge", "blank"])
def test_group_cells_merged_or_left_blank_take_the_value_above(tmp_path, levels):
    budget = BudgetLayout(category=levels, subtotals="constant", blank_after=(0, 5))
    indicators = IndicatorLayout(levels=levels, blank_after=(2, 7, 10, 13))
    written = write_workbook(tmp_path / f"{levels}.xlsx", budget=budget, indicators=indicators)
    result = score(written.path, written)
    assert [ind.level2 for ind in result.indicators] == [x[2] for x in EX.INDICATORS]
    subtotals = {ln.group: (ln.budget, ln.executed) for ln in result.execution.lines if ln.kind == "subtotal"}
    assert subtotals == {"基本支出": (Decimal("5449199.97"), Decimal("5444036.55")),
                         "项目支出": (Decimal("1480716.50"), Decimal("1365517.55"))}


def test_merged_first_levels_carrying_their_weight_in_the_label(tmp_path):
    written = write_workbook(tmp_path / "weights-in-label.xlsx",
                             indicators=IndicatorLayout(levels="merge", level1_weights=True))
    score(written.path, written)


# --- subtotals, totals and group headings ----------------------------------------------------------------

@pytest.mark.parametrize("subtotals", ["constant", "formula"])
def test_correct_typed_subtotals_and_template_like_formulas_raise_no_check(tmp_path, subtotals):
    # "formula": a =SUM() whose cached value is XlsxWriter's 0 — never read as truth.
    written = write_workbook(tmp_path / f"sub-{subtotals}.xlsx", budget=BudgetLayout(subtotals=subtotals))
    result = score(written.path, written)
    kinds = [ln.kind for ln in result.execution.lines if ln.kind != "line"]
    assert kinds == ["subtotal", "subtotal", "total"]


@pytest.mark.parametrize("label, key, typed", [
    ("基本支出小计", "executed", "5444036.56"),
    ("项目支出小计", "budget", "1480716.00"),
    ("合计", "budget", "6929916.48"),
    ("合计", "initial", "6929916.00"),
])
def test_a_wrong_typed_subtotal_is_reported_on_its_cell(tmp_path, label, key, typed):
    written = write_workbook(tmp_path / "wrong.xlsx",
                             budget=BudgetLayout(subtotals="constant", override={(label, key): Decimal(typed)}))
    data = only_check(written.path, "BUDGET_TOTAL_MISMATCH", "预算执行", written.cells[(label, key)])
    assert data["valid"] is False


def test_a_total_within_half_a_cent_is_not_reported(tmp_path):
    written = write_workbook(tmp_path / "near.xlsx",
                             budget=BudgetLayout(subtotals="constant",
                                                 override={("合计", "executed"): Decimal("6809554.104")}))
    score(written.path, written)


@pytest.mark.parametrize("total, columns", [
    ("top", ("name", "initial", "budget", "executed", "rate", "reason")),  # the notes land in the 名称 column
    ("bottom", ("seq", "name", "initial", "budget", "executed", "rate", "reason")),
])
def test_group_heading_rows_carrying_amounts_and_其中_lines(tmp_path, total, columns):
    budget = BudgetLayout(style="grouped", total=total, total_label="合计", columns=columns,
                          notes_below=("注：本表金额单位为元", "填表人：马智　联系电话：0311-8000000"))
    written = write_workbook(tmp_path / f"grouped-{total}.xlsx", budget=budget)
    result = score(written.path, written)
    rows = [(ln.kind, ln.group, ln.name) for ln in result.execution.lines if ln.kind != "line"]
    assert rows == [("subtotal", "基本支出", "一、基本支出"), ("subtotal", "项目支出", "二、项目支出"),
                    ("total", None, "合计")]
    first = next(ln for ln in result.execution.lines if ln.kind == "line")
    assert (first.name, first.group) == ("其中：人员经费", "基本支出")


def test_a_wrong_group_heading_amount_is_reported_on_its_cell(tmp_path):
    budget = BudgetLayout(style="grouped", total="top", override={("二、项目支出", "executed"): Decimal("1365517.50")})
    written = write_workbook(tmp_path / "grouped-wrong.xlsx", budget=budget)
    only_check(written.path, "BUDGET_TOTAL_MISMATCH", "预算执行", written.cells[("二、项目支出", "executed")])


def test_category_headings_in_the_category_column(tmp_path):
    budget = BudgetLayout(style="grouped", columns=("category", "name", "budget", "executed"), total_label="总计")
    written = write_workbook(tmp_path / "grouped-category.xlsx", budget=budget)
    score(written.path, written)


def test_column_number_row_under_the_header(tmp_path):
    budget = BudgetLayout(header_after_units_row=True, subtotals="constant",
                          columns=("seq", "category", "name", "budget", "executed", "rate"))
    written = write_workbook(tmp_path / "lanci.xlsx", budget=budget)
    score(written.path, written)


def test_lines_without_any_category_are_counted_once(tmp_path):
    # No 类别 column and no group headings: every line is ungrouped; the 合计 still equals their sum.
    budget = BudgetLayout(columns=("seq", "name", "budget", "executed", "rate"), header_after_units_row=True)
    written = write_workbook(tmp_path / "no-category.xlsx", budget=budget)
    data = evaluate(written.path).to_json()
    assert data["checks"] == []
    assert (data["total"], data["execution"]) == (F.TOTAL, F.EXECUTION)


# --- numbers as people type them -------------------------------------------------------------------------

@pytest.mark.parametrize("amounts, rates", [("text", "text"), ("fullwidth", "percent"), ("number", "text")])
def test_amounts_and_rates_typed_as_text(tmp_path, amounts, rates):
    budget = BudgetLayout(amounts=amounts, rates=rates, subtotals="constant")
    written = write_workbook(tmp_path / f"text-{amounts}.xlsx", budget=budget)
    if amounts == "fullwidth":
        assert F.budget_rows(budget)[0]["budget"] == "５０４２７９９.９７"
    score(written.path, written)


@pytest.mark.parametrize("typed", ["98.62%", F.Pct(Decimal("0.9862"))])
def test_a_typed_rate_that_disagrees_is_reported(tmp_path, typed):
    written = write_workbook(tmp_path / "rate.xlsx",
                             budget=BudgetLayout(rates="text", override={("合计", "rate"): typed}))
    only_check(written.path, "EXECUTION_RATE_MISMATCH", "预算执行", written.cells[("合计", "rate")])


def test_indicator_numbers_typed_as_text(tmp_path):
    written = write_workbook(tmp_path / "ind-text.xlsx", indicators=IndicatorLayout(numbers_as_text=True))
    result = score(written.path, written)
    assert [ind.actual for ind in result.indicators[:3]] == ["１００％", "100%", "９６％"]
    assert result.indicators[0].target == "100%"


def test_percentage_formatted_actuals_against_targets_in_points(tmp_path):
    written = write_workbook(tmp_path / "pct.xlsx", indicators=IndicatorLayout(actual_percent_format=True))
    result = score(written.path, written)
    assert result.indicators[2].actual == "0.96"  # stored as a fraction, shown as 96%


# --- operators and 指标性质 --------------------------------------------------------------------------------

def test_operators_inside_the_target_cell_without_operator_or_nature_column(tmp_path):
    written = write_workbook(tmp_path / "op-in-target.xlsx",
                             indicators=IndicatorLayout(operator_in_target=True, columns=NO_NATURE_NO_OPERATOR))
    result = score(written.path, written)
    targets = [ind.target for ind in result.indicators]
    assert {"≥100%", "不低于100%", "100%以上", "不低于90%", "90%以上", "＝100%", "≤0", "合格以上"} <= set(targets)
    assert result.indicators[6].qualitative


def test_no_nature_column_recognises_qualitative_rows_by_their_label(tmp_path):
    written = write_workbook(tmp_path / "no-nature.xlsx",
                             indicators=IndicatorLayout(columns=NO_NATURE, labels=F.PUBLISHED_INDICATOR_LABELS))
    result = score(written.path, written)
    assert [ind.qualitative for ind in result.indicators] == [x[4] == "定性" for x in EX.INDICATORS]


@pytest.mark.parametrize("mixed", [False, True], ids=["signs-only", "signs-and-定性"])
def test_nature_column_holding_operators(tmp_path, mixed):
    written = write_workbook(tmp_path / "nature-ops.xlsx",
                             indicators=IndicatorLayout(nature_holds_operator=True, nature_mixed=mixed,
                                                        columns=NO_OPERATOR))
    result = score(written.path, written)
    assert [ind.qualitative for ind in result.indicators] == [x[4] == "定性" for x in EX.INDICATORS]


def test_operator_column_and_target_cell_disagreeing_is_reported(tmp_path):
    # 比较方式 says ≥ on the 火灾发生率 row while its target cell says ≤0.
    written = write_workbook(tmp_path / "contradiction.xlsx",
                             indicators=IndicatorLayout(operator_in_target=True, override={(10, "operator"): "≥"}))
    data = evaluate(written.path).to_json()
    target = written.indicator_cells[(10, "target")]
    assert [(c["code"], c["cell"]) for c in data["checks"]] == [("OPERATOR_UNKNOWN", target)]
    assert data["indicators"][10]["score"] is None
    assert data["total"] == "88.40"  # the row's 10 points are lost


# --- 万元 ---------------------------------------------------------------------------------------------------

WAN = {**F.EXECUTION, "budget": "692.991647", "executed": "680.95541"}


def test_wan_yuan_sheet_with_totals_rounded_to_the_cent(tmp_path):
    # Lines carry 6 decimals (5042799.97 元 = 504.279997 万元); the typed subtotals and 合计 are rounded to
    # 0.01 万元 and differ from the sums by up to 0.0046 万元: under half a cent of the sheet's unit.
    budget = BudgetLayout(money="万元", round_totals=2, subtotals="constant",
                          title_rows=("2025年度预算执行情况", "金额单位：万元"))
    written = write_workbook(tmp_path / "wan.xlsx", budget=budget)
    score(written.path, written, money_unit="万元", execution=WAN)


def test_wan_yuan_total_off_by_more_than_half_a_cent(tmp_path):
    budget = BudgetLayout(money="万元", round_totals=2, subtotals="constant", title_rows=("金额单位：万元",),
                          override={("合计", "executed"): Decimal("680.9605")})  # 0.00509 万元 over
    written = write_workbook(tmp_path / "wan-wrong.xlsx", budget=budget)
    data = evaluate(written.path).to_json()
    assert [(c["code"], c["cell"]) for c in data["checks"]] == [("BUDGET_TOTAL_MISMATCH",
                                                                 written.cells[("合计", "executed")])]
    assert (data["total"], data["money_unit"], data["execution"]) == (F.TOTAL, "万元", WAN)


# --- 合计 rows and notes in the indicator table -----------------------------------------------------------

def test_indicator_total_row_in_the_number_column_and_notes_below(tmp_path):
    indicators = IndicatorLayout(total_row=True, self_scores=True, levels="merge",
                                 notes_below=("注：定性指标按三档打分。", "说明：本表分值合计90分，预算执行率10分。"))
    written = write_workbook(tmp_path / "ind-total.xlsx", indicators=indicators)
    result = score(written.path, written)
    assert len(result.indicators) == 16


# --- not a form, and an empty form ----------------------------------------------------------------------

def test_a_workbook_without_indicator_table_is_not_a_form(tmp_path):
    path = tmp_path / "ledger.xlsx"
    book = xlsxwriter.Workbook(str(path))
    ledger = book.add_worksheet("Sheet1")
    ledger.write_row(0, 0, ["日期", "摘要", "收入", "支出"])
    ledger.write_row(1, 0, ["2025-01-05", "办公用品", 0, 1200])
    book.add_worksheet("预算执行").write_row(0, 0, ["名称", "全年预算数", "全年执行数"])
    book.close()
    with pytest.raises(NotAForm) as caught:
        evaluate(path)
    message = caught.value.message
    assert caught.value.code == "NOT_A_FORM"
    assert message == ("文件 ledger.xlsx 不是绩效自评表：没有找到绩效指标表（在工作表 Sheet1、预算执行 中查找含"
                       "“三级指标、年度指标值、实际完成值、分值”表头的表格）。请使用 selfeval-xl template 生成的模板，"
                       "或保留“预算执行”“绩效指标”两张表的表头。")


def test_budget_only_foreign_workbook_is_not_a_form(tmp_path):
    written = write_workbook(tmp_path / "budget-only.xlsx", with_indicators=False)
    with pytest.raises(NotAForm, match="基本信息、预算执行"):
        evaluate(written.path)


def test_tables_with_headers_and_no_rows_are_missing_inputs(tmp_path):
    path = tmp_path / "empty.xlsx"
    F.write_headers_only(path)
    result = evaluate(path)  # an exit-1 result, not an exception
    data = result.to_json()
    missing = [(c["sheet"], c["cell"]) for c in data["checks"] if c["code"] == "VALUE_MISSING"]
    assert missing == [("预算执行", "B3"), ("绩效指标", "E3")]
    assert {c["code"] for c in data["checks"]} <= {"VALUE_MISSING", "WEIGHT_TOTAL", "UNIT_UNNAMED", "YEAR_UNKNOWN"}
    assert data["valid"] is False
    assert (data["total"], data["execution"]["score"], data["execution"]["rate"]) == ("0.00", "0.00", None)
    assert data["indicators"] == []


def test_two_row_headers_with_merged_label_cells(tmp_path):
    path = tmp_path / "two-rows.xlsx"
    F.write_two_row_headers(path)
    result = score(path, info=False, areas=False)
    assert [ind.row for ind in result.indicators][:2] == [3, 4]
    assert result.indicators[0].sheet == "指标"
    assert [ln.row for ln in result.execution.lines if ln.kind == "line"][:1] == [4]


def test_fill_implied_refs_gives_cells_the_addresses_the_reader_reads(tmp_path):
    # For editors that find cells by their r attribute (the scored-copy writer).
    import zipfile

    from lxml import etree

    from selfeval_xl.cellref import coord
    from selfeval_xl.read.cells import fill_implied_refs
    from selfeval_xl.read.package import M, Package
    written = write_workbook(tmp_path / "refs.xlsx", inline_strings=True, budget=BudgetLayout(blank_after=(2,)))
    dropped = F.strip_implied_refs(written.path)
    with zipfile.ZipFile(written.path) as z:
        parts = [n for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
        trees = {n: etree.fromstring(z.read(n)) for n in parts}
    assert sum(fill_implied_refs(tree) for tree in trees.values()) == dropped
    package = Package(written.path)
    for sheet in package.sheets:
        grid = read_grid(package, sheet)
        refs = {c.get("r") for c in trees[sheet.part].iter(f"{M}c")}
        assert refs == {coord(row, col) for row, col in grid.cells}
    budget_part = package.sheet("预算执行").part
    assert written.cells[("合计", "budget")] in {c.get("r") for c in trees[budget_part].iter(f"{M}c")}


def test_renamed_info_sheet_is_found_by_its_labels(tmp_path):
    import foreign
    from selfeval_xl.api import evaluate
    path = tmp_path / "改名.xlsx"
    foreign.write_workbook(path, info="单位情况")
    result = evaluate(path)
    assert (result.unit, result.year) == ("井陉县南障城镇人民政府", 2025)


_ROWS = st.lists(st.tuples(
    st.sampled_from(['<row r="{r}">', "<row>", '<row  r="{r}">', '<x:row r="{r}">', "<row spans=\"1:2\">"]),
    st.lists(st.sampled_from(['<c r="A{r}"/>', '<c r="B{r}"><v>1</v></c>', "<c><v>2</v></c>", '<c s="1" r="C{r}"/>',
                              '<c r="$A${r}"/>', '<x:c r="D{r}"/>',
                              '<c r="E{r}"><is><r><rPr><color/></rPr></r></is></c>', "<!-- <c/> -->"]),
             max_size=3)), max_size=4)


@given(_ROWS)
def test_a_sheet_said_to_carry_every_ref_gets_none_filled_in(rows) -> None:
    """every_ref_written lets the marks skip fill_implied_refs: only where that walk would add nothing
    (the walk itself is the oracle)."""
    from lxml import etree

    from selfeval_xl.read.cells import fill_implied_refs
    from selfeval_xl.read.sheet_scans import every_ref_written
    body = "".join(row.format(r=i) + "".join(c.format(r=i) for c in cells)
                   + ("</x:row>" if row.startswith("<x:") else "</row>") for i, (row, cells) in enumerate(rows, 1))
    xml = ('<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:x='
           f'"http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>{body}</sheetData></worksheet>')
    data = xml.encode("utf-8")
    if every_ref_written(data):
        assert fill_implied_refs(etree.fromstring(data)) == 0
