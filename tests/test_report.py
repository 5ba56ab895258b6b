"""The 自评报告 draft and the one-sheet 自评表, from a filled or a scored workbook."""
from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from docx import Document

from oneform_sample import write_one_sheet_form
from selfeval_xl.api import report, score
from selfeval_xl.cli.app import main
from selfeval_xl.write import example as EX
from workbooks import edit, indicator_cells, row_where, template_copy

SECTIONS = ("一、部门基本情况", "二、自评工作开展情况", "三、部门整体支出绩效目标实现情况及指标分析",
            "四、评价结论和评价等级", "五、存在的问题及改进措施", "六、评价工作组人员名单及签字")


def text_of(path: Path) -> str:
    doc = Document(str(path))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


@pytest.fixture(scope="module")
def example_report(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("report")
    out = folder / "自评报告.docx"
    report(template_copy(folder, "示例.xlsx"), out)
    return out


def test_report_restates_the_workbook(example_report: Path) -> None:
    text = text_of(example_report)
    assert "井陉县南障城镇人民政府2025年度部门整体支出绩效自评价报告" in text
    assert "支出预算6,929,916.47元" in text and "基本支出5,449,199.97元" in text
    assert "人员经费5,042,799.97元和日常公用经费406,400.00元" in text
    for _, name, budget, _, _ in EX.BUDGET_LINES:
        assert f"{name}{float(budget):,.2f}元" in text
    assert "98.40分" in text and "“优秀”" in text
    assert "得分≥85分为优秀；75≤得分＜85分为良好；60≤得分＜75分为一般；得分＜60分为较差。" in text
    assert "一级指标权重设置为：产出指标40分、效益指标40分、满意度指标10分、预算执行率10分，共计100分" in text
    positions = [text.index(s) for s in SECTIONS]
    assert positions == sorted(positions)
    for area in ("行政工作", "文化宣传工作", "信访工作", "退役军人工作"):
        assert f"、{area}\n" in text
    assert "【待填写】" in text  # the functions of the unit are a person's words
    assert "李伟" in text and "书记" in text and "马智" in text


def test_report_problems_come_from_missed_targets_and_low_execution(example_report: Path) -> None:
    text = text_of(example_report)
    part_five = text[text.index("五、存在的问题及改进措施"):text.index("六、")]
    assert "“上访劝返率”（信访工作）未完全达成目标" in part_five
    assert "部分越级上访人员诉求涉及历史遗留问题" in part_five
    assert "下一年度加强源头化解和包案稳控" in part_five
    assert "“2025年交通道路占地补偿款”预算执行率80.00%" in part_five
    assert "部分地块补偿协议年底未签订" in part_five


def test_report_is_an_official_looking_document(example_report: Path) -> None:
    doc = Document(str(example_report))
    section = doc.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    title = doc.paragraphs[0].runs[0]
    assert title.font.size.pt == 22 and title.font.name == "方正小标宋简体"
    body = next(p for p in doc.paragraphs if p.text.startswith("根据预算绩效管理"))
    assert body.runs[0].font.name == "仿宋_GB2312" and body.runs[0].font.size.pt == 16
    assert doc.tables and all(t.style.name == "Table Grid" for t in doc.tables)
    footer_xml = section.footer._element.xml
    assert "PAGE" in footer_xml


def test_report_with_errors_is_marked_provisional(tmp_path: Path) -> None:
    broken = edit(template_copy(tmp_path, "有错.xlsx"), {"绩效指标": {"K7": None}})
    out = tmp_path / "报告.docx"
    result = CliRunner().invoke(main, ["report", str(broken), "-o", str(out)])
    assert result.exit_code == 0 and "暂评" in result.stdout
    assert "以下得分和等级为暂评结果" in text_of(out)


def test_report_from_a_scored_workbook(tmp_path: Path) -> None:
    scored = score(template_copy(tmp_path, "示例.xlsx")).output
    out = tmp_path / "报告.docx"
    report(scored, out)
    assert "98.40分" in text_of(out)


def test_project_report_outline(tmp_path: Path) -> None:
    out = tmp_path / "项目报告.docx"
    report(write_one_sheet_form(tmp_path / "项目.xlsx"), out)
    text = text_of(out)
    assert text.startswith("南障城镇红色美丽村庄试点文化活动室建设2025年度项目支出绩效自评报告")
    assert "一、项目基本情况" in text and "年度资金总额43.20万元" in text and "96.61分" in text and "“优”" in text


def test_form_sheet_xlsx(tmp_path: Path) -> None:
    out = tmp_path / "自评表.xlsx"
    report(template_copy(tmp_path, "示例.xlsx"), out, form_sheet=True)
    ws = openpyxl.load_workbook(out)["自评表"]
    values = [c.value for row in ws.iter_rows() for c in row if c.value is not None]
    assert "部门整体支出绩效自评表" in values and "（2025年度）" in values
    assert pytest.approx(6929916.47) in values and pytest.approx(98.40) in values
    assert "单位负责人：" in values and "财务负责人：" in values and "填表人：" in values and "（单位盖章）" in values
    assert "日常工作完成率" in values and "等级：优秀" in values


def test_report_output_suffix_checked(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["report", str(template_copy(tmp_path, "示例.xlsx")), "-o",
                                       str(tmp_path / "x.txt")])
    assert result.exit_code == 2 and result.stderr == "错误：报告输出应为 .docx 文件：x.txt\n"


@pytest.mark.libreoffice
def test_report_renders_to_pdf_pages(example_report: Path, tmp_path: Path, lo_convert) -> None:
    (pdf,) = lo_convert([example_report], tmp_path, to="pdf")
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF")
    pages = len(re.findall(rb"/Type\s*/Page(?!s)", data))
    assert pages >= 4


@pytest.mark.libreoffice
def test_form_sheet_pdf(tmp_path: Path) -> None:
    out = tmp_path / "自评表.pdf"
    report(template_copy(tmp_path, "示例.xlsx"), out, form_sheet=True)
    assert out.read_bytes().startswith(b"%PDF")


def test_operator_written_in_the_target_is_not_printed_twice(tmp_path: Path) -> None:
    out = tmp_path / "项目报告.docx"
    report(write_one_sheet_form(tmp_path / "项目.xlsx"), out)
    text = text_of(out)
    assert "≥2栋" in text and "≤43.2万元" in text and "＝100%" not in text.replace("=100%", "")
    assert "≥≥" not in text and "≤≤" not in text
    assert "（一）项目概况" in text


def test_team_roles_leave_the_name_column(tmp_path: Path) -> None:
    filled = template_copy(tmp_path, "示例.xlsx")
    wb = openpyxl.load_workbook(filled)
    ws = wb["基本信息"]
    label_row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "评价工作组")
    ws.cell(label_row, 2).value = "组长：李伟（书记）；成员：马智（会计）、王芳"
    wb.save(filled)
    out = tmp_path / "报告.docx"
    report(filled, out)
    table = Document(str(out)).tables[-1]
    rows = [[c.text for c in row.cells] for row in table.rows][1:]
    # the role heads its group: 王芳 is a 成员 too, with no post in brackets
    assert [(r[0], r[2]) for r in rows] == [("李伟", "组长、书记"), ("马智", "成员、会计"), ("王芳", "成员")]


def test_qualitative_problem_reads_as_a_sentence(tmp_path: Path) -> None:
    filled = template_copy(tmp_path, "示例.xlsx")
    wb = openpyxl.load_workbook(filled)
    ws = wb["绩效指标"]
    header, col = indicator_cells(ws, "实际完成值", "自评得分", "偏差原因分析及改进措施")
    actual, score_col, reason = col["实际完成值"], col["自评得分"], col["偏差原因分析及改进措施"]
    row = row_where(ws, header, actual, "达成年度指标")
    ws[f"{actual}{row}"] = "部分达成年度指标并具有一定效果"
    ws[f"{score_col}{row}"] = 6
    ws[f"{reason}{row}"] = "两名干部考核基本合格；加强日常考核"
    wb.save(filled)
    out = tmp_path / "报告.docx"
    report(filled, out)
    text = text_of(out)
    assert "“考核结果达到合格以上”（行政工作）未完全达成目标：年度指标值为“合格以上”，" \
           "自评为“部分达成年度指标并具有一定效果”，得分6.00分（分值8分）。" in text
    assert "年度指标值，" not in text


def test_form_sheet_total_weight_is_the_filled_weights(tmp_path: Path) -> None:
    filled = template_copy(tmp_path, "示例.xlsx")
    wb = openpyxl.load_workbook(filled)
    ws = wb["绩效指标"]
    header, col = indicator_cells(ws, "分值", "三级指标", "实际完成值")
    weight, name, actual = col["分值"], col["三级指标"], col["实际完成值"]
    row = row_where(ws, header, name, "日常工作完成率")
    ws[f"{weight}{row}"] = 3  # 4 → 3: the weights now total 89 + execution 10 = 99
    qual = row_where(ws, header, actual, "达成年度指标")
    ws[f"{actual}{qual}"] = "部分达成年度指标并具有一定效果"
    wb.save(filled)
    out = tmp_path / "自评表.xlsx"
    report(filled, out, form_sheet=True)
    sheet = openpyxl.load_workbook(out)["自评表"]
    total_row = next(r for r in range(1, sheet.max_row + 1) if sheet.cell(r, 1).value == "总分")
    assert sheet.cell(total_row, 7).value == 99
    # a long qualitative actual gets a row tall enough for its wrapped lines (15 CJK characters in a
    # 13-character column: 30 units at 12 a line = 3 lines, 3 × 13.5 + 4 = 44.5 points, rounded up to a
    # whole pixel of 0.75 points: 60 × 0.75 = 45, which every XlsxWriter release stores as given)
    long_row = next(r for r in range(1, sheet.max_row + 1)
                    if sheet.cell(r, 6).value == "部分达成年度指标并具有一定效果")
    assert sheet.row_dimensions[long_row].height == 45


def test_four_level_report_names_its_own_levels(tmp_path: Path) -> None:
    from published_forms import mof_four_levels
    out = tmp_path / "报告.docx"
    report(mof_four_levels(tmp_path / "四类.xlsx"), out)
    text = text_of(out)
    # mof-4level: four free levels, no separate execution weight (docs/rules.md §12.3–§12.4)
    assert "一级指标权重设置为：决策、过程、产出、效益合计100分自由分配、预算执行率不单独设分值" in text
    assert "预算执行率指标0分" not in text and "满意度指标合计" not in text
