"""The selfeval-xl command: each command parses, makes one library call, renders, exits.

Exit status: 0 scored with no error, 1 scored with errors, 2 could not be read or used wrongly.
"""
from __future__ import annotations

import functools
import os
import sys
from pathlib import Path
from typing import Callable, NoReturn, ParamSpec, TypeVar

import click

from selfeval_xl import __version__
from selfeval_xl.cli import chinese
from selfeval_xl.read.limits import TREE_MEMORY, WORKER_SECONDS
from selfeval_xl.rules.builtin import NAMES as BUILTIN_PROFILES

EXIT_OK, EXIT_FINDINGS, EXIT_FATAL, EXIT_INTERRUPTED = 0, 1, 2, 130

P = ParamSpec("P")
R = TypeVar("R")


def _safe_streams() -> None:
    # A Windows console in GBK cannot show every character a workbook may hold; never crash on one.
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", "") or "").lower().replace("-", "")
        if encoding not in ("utf8", "utf16") and hasattr(stream, "reconfigure"):
            try:
                stream.reconfigure(errors="replace")
            except (ValueError, OSError):
                pass


def echo(text: str, *, err: bool = False) -> None:
    """Every line of text the tool prints goes out here: a workbook's control characters, bidi
    overrides and lone surrogates in it are shown as escapes (\\x1b, \\u202e), never sent raw."""
    from selfeval_xl.cli.render import visible
    click.echo(visible(text), err=err)


def _emit_json(data: object) -> None:
    """Every JSON document the tool prints goes out here (valid JSON, nothing a terminal acts on)."""
    from selfeval_xl.cli.render import json_text
    # On a console that is not UTF-8 (GBK on Chinese Windows) \u escapes keep every character intact.
    encoding = (getattr(sys.stdout, "encoding", "") or "").lower().replace("-", "").replace("_", "")
    click.echo(json_text(data, ascii_only=encoding not in ("utf8", "utf8sig")))


def guarded(func: Callable[P, R]) -> Callable[P, R]:
    """Turn a SelfevalError (or anything unexpected) into one Chinese line on stderr and exit 2."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        from selfeval_xl.errors import SelfevalError
        ctx = click.get_current_context()
        as_json = bool(kwargs.get("as_json", False))  # a click flag: already a bool
        file = kwargs.get("file")
        try:
            return func(*args, **kwargs)
        except SelfevalError as exc:
            _fail(exc.code, exc.message, file, as_json)
        except (click.exceptions.Exit, click.ClickException):
            raise
        except KeyboardInterrupt:
            echo("已中断。", err=True)
            sys.exit(EXIT_INTERRUPTED)  # 128 + SIGINT, as a shell reports Ctrl-C
        except BrokenPipeError:
            # `selfeval-xl … | head` closed the pipe: the reader has what it wanted; say nothing more,
            # and keep Python from complaining when it flushes stdout on the way out.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            sys.exit(EXIT_OK)
        except Exception as exc:  # the last line of defence: no traceback for users
            if ctx.find_root().params.get("debug"):
                raise
            name = Path(str(file)).name if file else ""
            _fail("INTERNAL", f"处理{('文件 ' + name) if name else ''}时发生内部错误（{type(exc).__name__}）："
                              "请在命令前加 --debug 重新运行（selfeval-xl --debug …）并把输出反馈给维护者。",
                  file, as_json)

    return wrapper


def _fail(code: str, message: str, file: object, as_json: bool) -> NoReturn:
    if as_json:
        _emit_json({"file": Path(str(file)).name if file else None, "error": {"code": code, "message": message}})
    echo(f"错误：{message}", err=True)
    sys.exit(EXIT_FATAL)


def _profile_option(func: Callable) -> Callable:
    return click.option("--profile", "profile", metavar="NAME|FILE",
                        help=f"评价口径：{'、'.join(BUILTIN_PROFILES)}，或 TOML 口径文件路径。"
                             "不指定时用工作簿“评价口径”所填的口径。")(func)


def _json_option(func: Callable) -> Callable:
    return click.option("--json", "as_json", is_flag=True, help="以 JSON 输出结果（输出到标准输出）。")(func)


def _say(text: str) -> None:
    echo(text, err=True)


@click.group(cls=chinese.Group, say=_say, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="selfeval-xl", message="%(prog)s %(version)s",
                      help=chinese.VERSION_HELP)
@click.option("--debug", is_flag=True, help="出错时显示完整的 Python 错误信息（供维护者排查）。")
def main(debug: bool) -> None:
    """selfeval-xl：预算绩效自评工作簿的模板、重算评分与校验。

    \b
    selfeval-xl template -o 模板.xlsx          生成待填写的模板
    selfeval-xl check 自评表.xlsx              校验填好的自评表，不写文件
    selfeval-xl score 自评表.xlsx              重算评分并生成评分副本
    """
    _safe_streams()


@main.command()
@click.option("--form", type=chinese.Choice(["department", "project"]), default=None,
              help="表样：department 部门整体支出（默认），project 项目支出。")
@_profile_option
@click.option("--example", is_flag=True, help="填入南障城镇 2025 年示例数据。")
@click.option("-o", "--output", "output", required=True, type=click.Path(), metavar="FILE",
              help="输出的 .xlsx 文件（不写扩展名时加上 .xlsx）。")
@click.option("--force", is_flag=True, help="输出文件已存在时覆盖它（不加时不覆盖，以免冲掉已填好的表）。")
@guarded
def template(form: str | None, profile: str | None, example: bool, output: str, force: bool) -> None:
    """生成待填写的自评模板（.xlsx）。"""
    from selfeval_xl.api import make_template
    result = make_template(output, form=form, profile=profile, example=example, overwrite=force)
    written = Path(output).with_name(result.file)  # the name as given, with .xlsx added when it had no extension
    added = "" if written.name == Path(output).name else "；文件名没有扩展名，已加上 .xlsx"
    echo(f"已生成模板：{written}（{'示例，总分 ' + str(result.total) if example else '空白'}{added}）")


def _force_option(what: str) -> Callable:
    return click.option("--force", is_flag=True,
                        help=f"输出文件已存在、但不是本工具写出的{what}，也覆盖它（不加时不覆盖；输入文件任何时候都不覆盖）。")


def _score_like(file: str, profile: str | None, as_json: bool, output: str | None, write: bool,
                explain: bool = False, force: bool = False) -> None:
    from selfeval_xl.api import Scored, score
    from selfeval_xl.api import check as check_file
    from selfeval_xl.cli.render import columns_text, result_text
    outcome = score(file, output, profile, overwrite=force) if write else check_file(file, profile)
    scored = outcome if isinstance(outcome, Scored) else None
    if as_json:
        _emit_json(outcome.to_json())
    else:
        if explain:
            echo(columns_text(outcome.columns))
        echo(result_text(outcome.result))
        if scored is not None:
            echo(f"评分副本：{scored.output}")
        if scored is not None and scored.rescored:
            echo(f"说明：{Path(file).name} 已是评分副本，现已重新评分（原“评分汇总”表和问题标注已替换）。")
    if scored is not None and scored.note:
        echo(f"注意：{scored.note}", err=True)
    sys.exit(EXIT_OK if outcome.result.valid else EXIT_FINDINGS)


@main.command()
@click.argument("file", type=click.Path(dir_okay=True))
@click.option("-o", "--output", "output", type=click.Path(), metavar="FILE", default=None,
              help="评分副本的路径（默认：<文件名>.scored.xlsx，与输入同目录；输入本身是 *.scored.xlsx "
                   "评分副本时，原地重新评分）。")
@_force_option("评分副本")
@_profile_option
@_json_option
@guarded
def score(file: str, output: str | None, force: bool, profile: str | None, as_json: bool) -> None:
    """重算评分、校验，并写出带“评分汇总”的评分副本。"""
    _score_like(file, profile, as_json, output, write=True, force=force)


@main.command()
@click.argument("file", type=click.Path(dir_okay=True))
@_profile_option
@_json_option
@click.option("--explain", is_flag=True, help="先列出每个表头被认作哪一列、依据是什么。")
@guarded
def check(file: str, profile: str | None, as_json: bool, explain: bool) -> None:
    """只重算和校验，不写任何文件。"""
    _score_like(file, profile, as_json, None, write=False, explain=explain)


@main.command()
@click.argument("file", type=click.Path(dir_okay=True))
@_json_option
@guarded
def verify(file: str, as_json: bool) -> None:
    """核对评分副本：评分之后输入或结果是否被改动。"""
    from selfeval_xl.api import verify as verify_file
    from selfeval_xl.cli.render import verification_text
    result = verify_file(file)
    if as_json:
        _emit_json(result.to_json())
    else:
        echo(verification_text(result))
    sys.exit(EXIT_OK if result.untouched else EXIT_FINDINGS)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("-o", "--output", "output", type=click.Path(), metavar="FILE", default=None,
              help="汇总工作簿（.xlsx）。")
@click.option("--csv", "csv_path", type=click.Path(), metavar="FILE", default=None,
              help="同时写出 CSV（UTF-8 带 BOM，Excel 可直接打开）。")
@click.option("--targets", "targets", multiple=True, type=click.Path(),
              help="年初绩效目标申报表（文件或文件夹，可重复）：标出调低的目标、调整的分值和删除的指标。")
@click.option("--timeout", "file_timeout", type=chinese.PositiveNumber(), default=WORKER_SECONDS,
              metavar="SECONDS",
              help=f"每个文件最多读取的秒数（默认 {WORKER_SECONDS:g}）；超时的文件占一行并写明原因。")
@click.option("--profile", "profile", metavar="NAME|FILE",
              help="县里的评价口径：每个单位都按它重算（不论工作簿填的是什么），所填口径不同的单位标出。")
@click.option("--memory-mb", "memory_mb", type=chinese.PositiveNumber(), default=TREE_MEMORY / 1024 ** 2, metavar="MB",
              help=f"汇总时本程序连同读取文件的子进程合计最多占用的内存（默认 {TREE_MEMORY // 1024 ** 2} MB）；"
                   "较小时少开子进程。")
@_force_option("汇总表或汇总 CSV")
@_json_option
@guarded
def rollup(paths: tuple[str, ...], output: str | None, csv_path: str | None, targets: tuple[str, ...],
           file_timeout: float, profile: str | None, memory_mb: float, force: bool, as_json: bool) -> None:
    """汇总多个单位的自评表（文件或文件夹），每个单位一行。"""
    from selfeval_xl.api import rollup as run_rollup
    from selfeval_xl.errors import SelfevalError
    if not (output or csv_path or as_json):
        raise SelfevalError("请用 -o 指定汇总工作簿（.xlsx），或使用 --csv / --json。", code="USAGE")
    from selfeval_xl.cli.progress import rollup_progress
    with rollup_progress() as progress:
        result = run_rollup(paths, output=output, csv=csv_path, targets=targets, progress=progress,
                            file_timeout=file_timeout, profile=profile, overwrite=force,
                            memory_total=int(memory_mb * 1024 * 1024))
    if as_json:
        _emit_json(result.to_json())
    else:
        from selfeval_xl.county.rollup_output import counts_line
        where = f"：{output}" if output else ""
        echo(f"已汇总 {counts_line(result)}，目标变动 {len(result.target_flags)} 处{where}")
        # each unreadable file by its path (as the table shows it) and reason, one a line, the first 20
        files = result.unreadable_files
        for path, reason in files[:20]:
            shown = path if len(path) <= 60 else path[:20] + "…" + path[-39:]
            echo(f"  {shown}：{reason if len(reason) <= 200 else reason[:199] + '…'}")
        if len(files) > 20:
            echo(f"  ……另有 {len(files) - 20} 个")


@main.group(cls=chinese.Group, say=_say)
def archive() -> None:
    """县档案库：逐年保存各单位的评分结果，生成复核与抽查名单。"""


def _db_option(func: Callable) -> Callable:
    return click.option("--db", "db", metavar="URL", default=None,
                        help="PostgreSQL 数据库地址（postgresql://用户:密码@主机/库名），代替档案库文件。")(func)


@archive.command("add")
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@_db_option
@_profile_option
@_json_option
@guarded
def archive_add(paths: tuple[str, ...], db: str | None, profile: str | None, as_json: bool) -> None:
    """评分并把各单位的自评表存入档案库（档案库文件不存在时新建）：archive add 县档案.sqlite 收件箱/"""
    from selfeval_xl.api import archive_add as add
    from selfeval_xl.cli.progress import rollup_progress
    from selfeval_xl.errors import SelfevalError
    target, inputs = (db, paths) if db else (paths[0], paths[1:])
    if not inputs:
        raise SelfevalError("请在档案库之后写上要加入的文件或文件夹，例如："
                            "selfeval-xl archive add 县档案.sqlite 收件箱/", code="USAGE")
    with rollup_progress() as progress:
        added = add(target, inputs, profile, progress=progress)
    if as_json:
        _emit_json(added.to_json())
        return
    again = f"，以前无法读取而重新读取的 {added.retried} 份" if added.retried else ""
    echo(f"已存入档案库 {target if not db else '（PostgreSQL）'}：新增 {added.stored} 份"
         f"（其中无法读取 {len(added.unreadable)} 份，已记下原因{again}），库中已有的 {added.already} 份未重复存入")
    for shown, reason in added.unreadable[:20]:
        echo(f"  {shown if len(shown) <= 60 else '…' + shown[-59:]}：{reason[:200]}")
    for shown in added.without_year[:20]:
        shown = shown if len(shown) <= 60 else "…" + shown[-59:]
        echo(f"  {shown}：找不到评价年度，已存入，但不会出现在任何年度的复核中")


@archive.command("review")
@click.argument("archive_path", required=False, metavar="档案库")
@_db_option
@click.option("--year", "year", type=click.IntRange(1900, 2200), required=True, metavar="YEAR",
              help="复核的年度（与上一年度比较）。")
@click.option("-o", "--output", "output", type=click.Path(), metavar="FILE", default=None,
              help="复核结果工作簿（.xlsx）。")
@click.option("--sample", "sample", type=click.IntRange(1, 1_000_000), default=None, metavar="N",
              help="按风险加权抽取这么多个单位。")
@click.option("--seed", "seed", type=int, default=None, metavar="S",
              help="抽样的随机种子（同一档案库、同一种子抽出的名单相同；不给时为 0）。")
@click.option("--force", is_flag=True,
              help="输出文件已存在时覆盖它（本工具写出的复核表不加也会替换；档案库本身任何时候都不覆盖）。")
@_json_option
@guarded
def archive_review(archive_path: str | None, db: str | None, year: int, output: str | None, sample: int | None,
                   seed: int | None, force: bool, as_json: bool) -> None:
    """按年度复核档案库：同比变化、目标偏低、自评高于重算、评分后改动，以及按风险排序的抽查名单。"""
    from selfeval_xl.api import archive_review as run_review
    from selfeval_xl.errors import SelfevalError
    target = db or archive_path
    if not target:
        raise SelfevalError("请给出档案库文件，或用 --db 给出数据库地址。", code="USAGE")
    if not (output or as_json):
        raise SelfevalError("请用 -o 指定复核结果工作簿（.xlsx），或使用 --json。", code="USAGE")
    if seed is not None and sample is None:
        raise SelfevalError("--seed 只用于抽样：请同时用 --sample 给出要抽的单位数。", code="USAGE")
    result = run_review(target, year, output, sample=sample, seed=seed, overwrite=force)
    if as_json:
        from selfeval_xl.county.archive_output import review_json
        _emit_json(review_json(result))
        return
    changed = sum(1 for u in result.units if u.verified.startswith("已改动"))
    echo(f"复核 {year} 年度：{len(result.units)} 个单位，目标低于上年实际 {len(result.lowered)} 处，"
         f"自评高于重算 {len(result.self_above)} 处，评分后改动 {changed} 份：{output}")
    for unit in (result.sample if sample else result.units[:5]):
        echo(f"  {unit.unit}（风险分 {unit.risk}）{'：' + '；'.join(unit.reasons) if unit.reasons else ''}")


@main.command()
@click.argument("file", type=click.Path(dir_okay=True))
@click.option("-o", "--output", "output", required=True, type=click.Path(), metavar="FILE",
              help="报告（.docx）；与 --form-sheet 一起时为自评表（.xlsx，或经 LibreOffice 生成 .pdf）。")
@click.option("--form-sheet", is_flag=True, help="生成可打印盖章的一页式自评表，而不是报告。")
@click.option("--force", is_flag=True,
              help="输出文件已存在时覆盖它（不加时不覆盖，以免冲掉已改写的报告草稿；输入文件任何时候都不覆盖）。")
@guarded
def report(file: str, output: str, form_sheet: bool, force: bool) -> None:
    """根据工作簿起草自评报告（或一页式自评表）。"""
    from selfeval_xl.api import report as make_report
    result = make_report(file, output, form_sheet=form_sheet, overwrite=force)
    note = "" if result.valid else f"（自评表有 {len(result.errors)} 处错误，文中得分为暂评）"
    echo(f"已生成{'自评表' if form_sheet else '报告草稿'}：{output}{note}")


@main.command()
@click.option("--show", "show", metavar="NAME", default=None,
              help="显示一个内置口径的全部规定：一级、二级指标，分值，执行率计分办法，等级划分。")
@click.option("--toml", "as_toml", is_flag=True,
              help="与 --show 一起：给出该口径的 TOML 文件，作为本县口径的底稿（改好 name 后用 --profile 加载）。")
@click.option("-o", "--output", "output", type=click.Path(), metavar="FILE", default=None,
              help="与 --toml 一起：把 TOML 写进这个 .toml 文件（UTF-8），而不是显示在屏幕上。")
@_json_option
@guarded
def profiles(show: str | None, as_toml: bool, output: str | None, as_json: bool) -> None:
    """列出内置的评价口径及其分值和等级划分。"""
    from selfeval_xl.errors import SelfevalError
    if (as_toml or output) and (show is None or as_json):
        raise SelfevalError("--toml 要与 --show NAME 一起使用，且不能再加 --json："
                            "例如 selfeval-xl profiles --show hebei-dept --toml -o 我县口径.toml", code="USAGE")
    if output and not as_toml:
        raise SelfevalError("-o 只用于 --toml：例如 selfeval-xl profiles --show hebei-dept --toml -o 我县口径.toml",
                            code="USAGE")
    if show is not None:
        from selfeval_xl import api
        if as_toml:
            text = api.profile_toml(show, output)
            echo(f"已写出口径底稿：{output}（请先把其中的 name 改成本县口径的名称）" if output else text.rstrip("\n"))
            return
        from selfeval_xl.cli.render import profile_json, profile_text
        chosen = api.builtin_profile(show)
        if as_json:
            _emit_json(profile_json(chosen))
        else:
            echo(profile_text(chosen))
        return
    from selfeval_xl.api import builtin_profiles
    from selfeval_xl.cli.render import profile_json, profiles_text
    items = builtin_profiles()
    if as_json:
        _emit_json([profile_json(p) for p in items])
    else:
        echo(profiles_text(items))


@main.command()
@click.option("--port", type=click.IntRange(0, 65535), default=8765, show_default=True,
              help="端口（0 表示自动选一个空闲端口）。")
@click.option("--host", "host", default="127.0.0.1", metavar="ADDRESS",
              help="监听地址（默认只有本机能访问）。改为内网地址时必须使用访问令牌（自动生成或 --token）。")
@click.option("--token", "token", default=None, metavar="TOKEN",
              help="访问令牌：每个请求都须带上它。使用 --host 时不指定则自动生成并显示。")
@click.option("--no-browser", is_flag=True, help="不自动打开浏览器。")
@click.option("--max-file-mb", type=chinese.PositiveNumber(), default=20.0, metavar="MB",
              help="每个上传文件的大小上限（默认 20 MB）。")
@click.option("--max-request-mb", type=chinese.PositiveNumber(), default=200.0, metavar="MB",
              help="每次上传（可含多个文件）的大小上限（默认 200 MB）。")
@click.option("--archive", "archive", default=None, metavar="FILE|URL",
              help="县档案库（SQLite 文件或 postgresql:// 地址）：汇总页可把上传的文件存入并下载复核表。")
@guarded
def serve(port: int, host: str, token: str | None, no_browser: bool, max_file_mb: float,
          max_request_mb: float, archive: str | None) -> None:
    """在本机打开网页版：模板下载、评分、核对、汇总（不联网）。"""
    # flask and waitress load only here: the other commands (and --help) start without them
    from selfeval_xl.web.guard import Settings, is_loopback, new_token
    from selfeval_xl.web.server import serve as run_server
    if token is not None and len(token) < 8:
        from selfeval_xl.errors import SelfevalError
        raise SelfevalError("--token 太短：请至少用 8 个字符（不指定时自动生成一个）。", code="USAGE")
    if not is_loopback(host) and token is None:
        token = new_token()  # a page others on the network can reach is never open without one
    if archive:  # refused before the page opens: a damaged or foreign file, a newer schema, an unreachable server
        from selfeval_xl.county.archive_store import open_archive
        open_archive(archive, create=True).engine.dispose()
    settings = Settings(host=host, port=port, token=token, max_file_mb=max_file_mb,
                        max_request_mb=max(max_request_mb, max_file_mb), archive=archive)
    try:
        run_server(settings, open_browser=not no_browser, say=echo)
    except KeyboardInterrupt:
        echo("已停止本机页面，临时文件已删除。")


if __name__ == "__main__":  # pragma: no cover
    main()
