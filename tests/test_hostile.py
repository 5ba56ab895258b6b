"""Hostile and wrong files: exit 2, one Chinese message naming the file and what to do, no traceback."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import hostile
from selfeval_xl.cli.app import main
from workbooks import template_copy


def refuse(path: Path) -> str:
    result = CliRunner().invoke(main, ["score", str(path)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and result.stdout == ""
    assert result.stderr.startswith("错误：") and result.stderr.count("\n") == 1
    assert not list(path.parent.glob("*.scored.xlsx"))
    return result.stderr


@pytest.fixture
def example(tmp_path: Path) -> Path:
    return template_copy(tmp_path, "示例.xlsx")


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "空.xlsx"
    path.write_bytes(b"")
    assert refuse(path) == "错误：文件 空.xlsx 是空文件（0 字节）：请重新保存或重新下载。\n"


def test_random_bytes(tmp_path: Path) -> None:
    path = tmp_path / "乱码.xlsx"
    path.write_bytes(bytes(range(256)) * 8)
    assert "文件 乱码.xlsx 实际是未知格式文件，不是 Excel 工作簿" in refuse(path)


@pytest.mark.parametrize("content, kind", [
    ("单位,金额\n南障城镇,100\n".encode("gb18030"), "文本（如 CSV）"),
    ("<html><body><table><tr><td>1</td></tr></table></body></html>".encode(), "网页（HTML）"),
])
def test_text_renamed_xlsx(tmp_path: Path, content: bytes, kind: str) -> None:
    path = tmp_path / "导出.xlsx"
    path.write_bytes(content)
    assert refuse(path) == (f"错误：文件 导出.xlsx 实际是{kind}文件，不是 Excel 工作簿："
                            "请在 Excel 或 WPS 中打开并另存为 .xlsx 后再试。\n")


def test_word_document_renamed(tmp_path: Path) -> None:
    path = hostile.word_document(tmp_path / "报告.xlsx")
    assert "文件 报告.xlsx 是压缩包，但其中没有 Excel 工作簿（是 Word 文档改了扩展名）" in refuse(path)


def test_zip_without_workbook(tmp_path: Path) -> None:
    path = hostile.plain_zip(tmp_path / "附件.xlsx")
    assert "其中没有 Excel 工作簿" in refuse(path)


def test_truncated_workbook(example: Path, tmp_path: Path) -> None:
    path = tmp_path / "截断.xlsx"
    path.write_bytes(example.read_bytes()[: example.stat().st_size // 2])
    assert "文件 截断.xlsx 不是有效的 .xlsx 工作簿（文件已损坏或被截断）" in refuse(path)


def test_password_protected(example: Path, tmp_path: Path) -> None:
    path = hostile.encrypted(example, tmp_path / "加密.xlsx")
    assert refuse(path) == ("错误：文件 加密.xlsx 设置了打开密码（已加密）："
                            "请在 Excel 或 WPS 中打开，取消密码后另存为 .xlsx 再试。\n")


def test_wps_et_file(example: Path, tmp_path: Path) -> None:
    path = tmp_path / "表格.et"
    path.write_bytes(hostile.encrypted(example, tmp_path / "x.xlsx").read_bytes().replace(
        "EncryptedPackage".encode("utf-16-le"), "PlainWpsPackage!".encode("utf-16-le")))
    assert refuse(path) == ("错误：文件 表格.et 是 WPS 表格专用格式（.et）："
                            "请在 WPS 中“另存为”Excel 工作簿（.xlsx，不设密码）后再试。\n")


@pytest.mark.parametrize("payload", [hostile.BILLION_LAUGHS, hostile.EXTERNAL_ENTITY],
                         ids=["entity-expansion", "external-entity"])
def test_xml_entities_are_never_expanded(example: Path, tmp_path: Path, payload: bytes) -> None:
    path = hostile.replace_part(example, tmp_path / "实体.xlsx", "xl/sharedStrings.xml", payload)
    message = refuse(path)
    assert "含有 DTD/实体声明，出于安全不予读取" in message and "root:" not in message


def test_zip_bomb_refused_before_inflating(example: Path, tmp_path: Path) -> None:
    path = hostile.zip_bomb(example, tmp_path / "炸弹.xlsx", megabytes=300)
    assert path.stat().st_size < 5 * 1024 * 1024
    message = refuse(path)
    assert "解压后过大" in message and "疑似压缩炸弹" in message


def test_not_a_self_evaluation_form(tmp_path: Path) -> None:
    import xlsxwriter
    path = tmp_path / "工资表.xlsx"
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("工资")
    ws.write_row(0, 0, ["姓名", "基本工资", "绩效工资"])
    ws.write_row(1, 0, ["李伟", 5000, 1200])
    wb.close()
    message = refuse(path)
    assert message.startswith("错误：文件 工资表.xlsx 不是绩效自评表：没有找到绩效指标表（在工作表 工资 中查找含")
    assert "“三级指标、年度指标值、实际完成值、分值”表头的表格）" in message


def test_missing_path_and_directory(tmp_path: Path) -> None:
    assert refuse(tmp_path / "无.xlsx") == f"错误：找不到文件 {tmp_path / '无.xlsx'}：请检查文件名和路径。\n"
    folder = tmp_path / "文件夹"
    folder.mkdir()
    assert refuse(folder) == f"错误：{folder} 是文件夹，不是工作簿：请指定一个 .xlsx 文件。\n"


def test_input_never_modified_even_when_refused(example: Path, tmp_path: Path) -> None:
    path = tmp_path / "坏.xlsx"
    shutil.copyfile(example, path)
    data = path.read_bytes()
    path.write_bytes(data[:1000])
    before = path.read_bytes()
    refuse(path)
    assert path.read_bytes() == before


def test_profile_named_in_a_cell_never_reads_a_file(example: Path, tmp_path: Path) -> None:
    from workbooks import edit
    secret = tmp_path / "口径.toml"
    secret.write_text('name = "x"\n', encoding="utf-8")
    path = edit(example, {"基本信息": {"B7": str(secret)}})
    result = CliRunner().invoke(main, ["check", str(path)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"错误：文件 示例.xlsx 工作表“基本信息”单元格 B7 的评价口径“{secret}”未知")
