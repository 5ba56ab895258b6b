"""Click in Chinese: the help's own words and every usage error, for people who read no English.

Only click's public classes are used (HelpFormatter, Context, Command, Group, the ParamTypes and the
usage errors' attributes), so it holds from click 8.2.0, the declared floor, to the newest release.
Each usage error is put into Chinese where click raises it, while the command line given is still at
hand (extra arguments that are a file name split at its spaces are named whole); `Group.main` then
shows it through the printer app.py passes in, the one place every line leaves from.
"""
from __future__ import annotations

import re
import sys
from collections.abc import Callable, Sequence
from pathlib import PurePath
from typing import Any

import click
from click.exceptions import NoArgsIsHelpError

HELP_HELP = "显示本帮助并退出。"
VERSION_HELP = "显示版本号并退出。"
INTERRUPTED = 130  # 128 + SIGINT, as app.py's guarded commands exit on Ctrl-C
# The placeholders the help and usage show for a value, in Chinese: by the metavar a command gives, by
# an argument's name, or by the value's type when none is given.
METAVARS = {"FILE": "文件", "NAME|FILE": "口径名|文件", "NAME": "口径名", "SECONDS": "秒数", "ADDRESS": "地址",
            "TOKEN": "令牌", "PATH": "路径", "URL": "地址", "FILE|URL": "文件|地址", "YEAR": "年度", "N": "个数",
            "S": "种子"}
ARGUMENT_METAVARS = {"paths": "文件或文件夹...", "file": "文件", "files": "文件..."}
TYPE_METAVARS = ((click.IntRange, "整数"), (click.FloatRange, "数"), (click.Path, "路径"))
# What an error message asks for when a value is missing, by the metavar the help shows.
WANTED = {"文件": "文件名", "文件或文件夹...": "文件或文件夹", "路径": "文件或文件夹", "秒数": "秒数",
          "口径名|文件": "口径名称或 TOML 口径文件", "口径名": "口径名称"}
# click's own words for a value it refuses, said in Chinese (the value and the range kept as given);
# patterns as text, compiled (and kept) by re the first time a value is refused, not at every start.
_CLICK_MESSAGES = (
    (r"^(.+) is not in the range (-?[\d.]+)<=?x<=?(-?[\d.]+)\.$", "{0} 不在 {1} 到 {2} 之间。"),
    (r"^(.+) is not in the range x?(<=?|>=?)(-?[\d.]+)\.$", "{0} 超出允许的范围（{1}{2}）。"),
    (r"^'?(.*?)'? is not a valid integer(?: range)?\.$", "“{0}”不是整数。"),
    (r"^'?(.*?)'? is not a valid float(?: range)?\.$", "“{0}”不是数。"),
    (r"^(?:File|Directory|Path) '(.*)' does not exist\.$", "“{0}”不存在。"),
    (r"^(?:File|Directory|Path) '(.*)' is a directory\.$", "“{0}”是文件夹，不是文件。"),
    (r"^(?:File|Directory|Path) '(.*)' is a file\.$", "“{0}”是文件，不是文件夹。"),
)
# Extra arguments ending in one of these were most likely one file name cut at its spaces.
FILE_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".et", ".docx", ".pdf", ".csv", ".toml")


class HelpFormatter(click.HelpFormatter):
    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, "用法：" if prefix is None else prefix)

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{heading}：\n")


class Context(click.Context):
    formatter_class = HelpFormatter


class UsageError(click.UsageError):
    """A usage error whose message is already Chinese."""


class Choice(click.Choice):
    def get_invalid_choice_message(self, value: Any, ctx: click.Context | None) -> str:
        return f"“{value}”不是可选的值，可选：{'、'.join(map(str, self.choices))}。"


class PositiveNumber(click.FloatRange):
    def __init__(self) -> None:
        super().__init__(min=0, min_open=True)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        try:
            return super().convert(value, param, ctx)
        except click.BadParameter:
            self.fail(f"“{value}”不是大于 0 的数。", param, ctx)


def error_text(exc: click.ClickException) -> str:
    """What a failed command line shows: the usage, where the help is, and the error, all Chinese."""
    if isinstance(exc, NoArgsIsHelpError):
        return exc.format_message()  # the help itself, written by the Chinese formatter
    ctx = exc.ctx if isinstance(exc, click.UsageError) else None
    message = _chinese(exc, ctx).message if isinstance(exc, click.UsageError) else exc.format_message()
    if ctx is None:
        return f"错误：{message}"
    hint = ""
    if ctx.command.get_help_option(ctx) is not None:
        hint = f"查看帮助：{ctx.command_path} {max(ctx.help_option_names, key=len)}\n"
    return f"{ctx.get_usage()}\n{hint}\n错误：{message}"


def _name(param: click.Parameter | None) -> str:
    if param is None:
        return "参数"
    if isinstance(param, click.Option):
        return " / ".join(param.opts)
    return param.human_readable_name


def _wanted(param: click.Parameter | None, ctx: click.Context | None) -> str:
    """What the parameter takes, in brackets for a message (nothing when there is no plain word for it)."""
    if param is None or ctx is None:
        return ""
    if isinstance(param.type, click.Choice):
        return f"（{' 或 '.join(map(str, param.type.choices))}）"
    wanted = WANTED.get(param.make_metavar(ctx).strip("[]"))
    return f"（{wanted}）" if wanted else ""


def _option_named(ctx: click.Context | None, name: str) -> click.Option | None:
    if ctx is None:
        return None
    for param in ctx.command.get_params(ctx):
        if isinstance(param, click.Option) and name in (*param.opts, *param.secondary_opts):
            return param
    return None


def _chinese(exc: click.UsageError, ctx: click.Context | None) -> click.UsageError:
    """The same error in Chinese; one already in Chinese (or the help shown for no arguments) as it is."""
    if isinstance(exc, (UsageError, NoArgsIsHelpError)):
        return exc
    where = exc.ctx or ctx
    if isinstance(exc, click.NoSuchOption):
        message = f"没有选项 {exc.option_name}。"
        if exc.possibilities:
            message += f"您是不是要用 {' 或 '.join(exc.possibilities)}？"
    elif isinstance(exc, click.MissingParameter) and isinstance(exc.param, click.Argument):
        message = f"缺少{_wanted(exc.param, where).strip('（）') or '参数 ' + _name(exc.param)}。"
    elif isinstance(exc, click.MissingParameter):
        message = f"缺少选项 {_name(exc.param)}{_wanted(exc.param, where)}。"
    elif isinstance(exc, click.BadParameter):
        kind = "选项" if isinstance(exc.param, click.Option) else "参数"
        message = f"{kind} {_name(exc.param)} 的值无效：{click_message(exc.message)}"
    elif isinstance(exc, click.BadOptionUsage):
        option = _option_named(where, exc.option_name)
        if option is not None and (option.is_flag or option.count):
            message = f"选项 {exc.option_name} 不带值。"
        else:
            message = f"选项 {exc.option_name} 后面缺少值{_wanted(option, where)}。"
    else:
        message = f"命令用法有误：{exc.message}"
    return UsageError(message, where)


def _extra_arguments(extra: Sequence[str], given: Sequence[str]) -> str:
    message = f"多余的参数：{' '.join(extra)}"
    # The piece before the extras (the FILE or an option's value) is where a name cut at its spaces begins.
    for start in range(1, len(given) - len(extra) + 1):
        if list(given[start:start + len(extra)]) == list(extra):
            before = given[start - 1]
            if (not before.startswith("-") and PurePath(extra[-1]).suffix.lower() in FILE_SUFFIXES
                    and PurePath(before).suffix.lower() not in FILE_SUFFIXES):
                message += f"\n文件名含空格时请用引号括起来：\"{' '.join([before, *extra])}\""
            break
    return message


class Command(click.Command):
    context_class = Context

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", "[选项]")
        super().__init__(*args, **kwargs)
        for param in self.params:
            param.metavar = _metavar(param)

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        option = super().get_help_option(ctx)
        if option is not None:
            option.help = HELP_HELP
        return option

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = [row for param in self.get_params(ctx) if isinstance(param, click.Option)
                if (row := _option_row(param, ctx)) is not None]
        if rows:
            with formatter.section("选项"):
                formatter.write_dl(rows)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        given = list(args)  # click's parser consumes the list it is given
        strict = not ctx.allow_extra_args
        ctx.allow_extra_args = True  # extra arguments are refused below, where the words are ours
        try:
            rest = super().parse_args(ctx, args)
        except click.UsageError as exc:
            raise _chinese(exc, ctx) from None
        finally:
            ctx.allow_extra_args = not strict
        if strict and rest and not ctx.resilient_parsing:
            raise UsageError(_extra_arguments(rest, given), ctx)
        return rest


def _metavar(param: click.Parameter) -> str | None:
    """The parameter's placeholder in Chinese; flags and choices keep theirs (None: click's own)."""
    if param.metavar is not None:
        return METAVARS.get(param.metavar, param.metavar)
    if isinstance(param, click.Argument):
        return ARGUMENT_METAVARS.get(param.name or "", param.metavar)
    if isinstance(param, click.Option) and (param.is_flag or isinstance(param.type, click.Choice)):
        return None
    return next((word for kind, word in TYPE_METAVARS if isinstance(param.type, kind)), None)


def click_message(text: str) -> str:
    """click's English words about a refused value, in Chinese; anything else as it is."""
    for pattern, chinese in _CLICK_MESSAGES:
        if (m := re.match(pattern, text)) is not None:
            return chinese.format(*m.groups())
    return text


def _option_row(option: click.Option, ctx: click.Context) -> tuple[str, str] | None:
    """click's row for the option, its bracketed notes ([default: …], [required]) said in Chinese."""
    record = option.get_help_record(ctx)
    if record is None:
        return None
    extra = option.get_help_extra(ctx)
    notes = []
    if "envvars" in extra:
        notes.append(f"环境变量：{'、'.join(extra['envvars'])}")
    if "default" in extra:
        notes.append(f"默认：{extra['default']}")
    if "required" in extra:
        notes.append("必填")
    text = option.help or ""
    if notes:
        text = f"{text}  [{'；'.join(notes)}]" if text else f"[{'；'.join(notes)}]"
    return record[0], text


class Group(Command, click.Group):
    command_class = Command

    def __init__(self, *args: Any, say: Callable[[str], None], **kwargs: Any) -> None:
        kwargs.setdefault("subcommand_metavar", "命令 [参数]...")
        super().__init__(*args, **kwargs)
        self.say = say  # prints one message to stderr (app.py's echo: what a terminal would act on is escaped)

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        super().format_options(ctx, formatter)
        self.format_commands(ctx, formatter)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        commands = [(name, command) for name in self.list_commands(ctx)
                    if (command := self.get_command(ctx, name)) is not None and not command.hidden]
        if commands:
            limit = formatter.width - 6 - max(len(name) for name, _ in commands)
            with formatter.section("命令"):
                formatter.write_dl([(name, command.get_short_help_str(limit)) for name, command in commands])

    def resolve_command(self, ctx: click.Context, args: list[str]) -> tuple[str | None, click.Command | None,
                                                                          list[str]]:
        try:
            return super().resolve_command(ctx, args)
        except click.UsageError as exc:
            if isinstance(exc, UsageError):
                raise
            name = args[0]
            names = [n for n in self.list_commands(ctx) if not getattr(self.get_command(ctx, n), "hidden", True)]
            message = f"没有命令 {name}。"
            import difflib  # only for a mistyped command: kept off the path of every start-up
            close = difflib.get_close_matches(name, names, n=1)
            if close:
                message += f"您是不是要用 {close[0]}？"
            elif PurePath(name).suffix.lower() in FILE_SUFFIXES:
                message += f"文件名前要先写命令，例如：{ctx.command_path} check {name}"
            else:
                message += f"可用的命令：{'、'.join(names)}。"
            raise UsageError(message, ctx) from None

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:
            if isinstance(exc, UsageError) or exc.ctx is not ctx:
                raise
            # the only usage error a group raises itself, once its options are parsed: no command given
            names = [n for n in self.list_commands(ctx) if not getattr(self.get_command(ctx, n), "hidden", True)]
            raise UsageError(f"缺少命令：请在 {ctx.command_path} 后写上命令（{'、'.join(names)}）。", ctx) from None

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None,
             complete_var: str | None = None, standalone_mode: bool = True, **extra: Any) -> Any:
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, **extra)
        # click's standalone mode would print its own English; run it as a library call and print ours
        try:
            done = super().main(args, prog_name, complete_var, False, **extra)
        except click.ClickException as exc:
            self.say(error_text(exc))
            sys.exit(exc.exit_code)
        except click.Abort:
            self.say("已中断。")
            sys.exit(INTERRUPTED)
        sys.exit(done if isinstance(done, int) else 0)
