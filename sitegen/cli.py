"""The ``sitegen`` command: parse arguments, run the stages, report, choose the exit code.

Exit codes: 0 success, 1 content problems, 2 usage errors.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING

from sitegen.build import build_site
from sitegen.config import load_config

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from sitegen.model import Config, Problem

FOLD_AFTER = 3
"""A warning repeated on more pages than this is shown this many times, then counted."""


class UsageError(Exception):
    """Bad arguments: exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{self.prog}: {message}")


def format_problems(problems: Sequence[Problem]) -> list[str]:
    """Return one line per problem; the same warning on many pages is folded with a count."""
    groups: dict[str, list[Problem]] = defaultdict(list)
    for problem in problems:
        if problem.severity == "warning":
            groups[problem.message].append(problem)
    lines = []
    shown: dict[str, int] = defaultdict(int)
    for problem in problems:
        group = groups.get(problem.message, [])
        if len(group) > FOLD_AFTER + 1:
            shown[problem.message] += 1
            if shown[problem.message] > FOLD_AFTER:
                if shown[problem.message] == FOLD_AFTER + 1:
                    lines.append(f"  ... and {len(group) - FOLD_AFTER} more like this: warning: {problem.message}")
                continue
        lines.append(problem.format())
    return lines


def report(problems: Sequence[Problem], strict: bool) -> None:
    """Print the problems and a summary line to stderr."""
    for line in format_problems(problems):
        print(line, file=sys.stderr)
    errors = sum(1 for problem in problems if problem.severity == "error")
    warnings = len(problems) - errors
    if errors or (strict and warnings):
        suffix = " (strict mode: warnings count)" if strict and warnings else ""
        print(f"Failed with {errors} error(s) and {warnings} warning(s){suffix}.", file=sys.stderr)
    elif warnings:
        print(f"{warnings} warning(s).", file=sys.stderr)


def _config(arguments: argparse.Namespace) -> Config | None:
    overrides = {"output": str(Path(arguments.out).resolve())} if getattr(arguments, "out", None) else None
    config, problems = load_config(Path(arguments.root), overrides)
    if problems or config is None:
        report(problems, arguments.strict)
    if config is None or any(problem.severity == "error" for problem in problems) or (arguments.strict and problems):
        return None
    return config


def command_build(arguments: argparse.Namespace) -> int:
    """Build the site into the output folder; leave it untouched on failure."""
    from sitegen.write import write_site

    config = _config(arguments)
    if config is None:
        return 1
    result = build_site(config)
    report(result.problems, arguments.strict)
    if result.failed(arguments.strict):
        print(f"Nothing written: {config.output_dir} is unchanged.", file=sys.stderr)
        return 1
    write_site(result.files, config.output_dir)
    pages = sum(1 for path in result.files if path.endswith(".html"))
    print(f"Built {pages} pages into {_shown(config.output_dir)}.")
    return 0


def command_check(arguments: argparse.Namespace) -> int:
    """Run the whole pipeline without writing; report every problem."""
    config = _config(arguments)
    if config is None:
        return 1
    result = build_site(config)
    report(result.problems, arguments.strict)
    if result.failed(arguments.strict):
        return 1
    print(f"No problems in {len(result.site.entries) if result.site else 0} pages.")
    return 0


def command_serve(arguments: argparse.Namespace) -> int:
    """Build, serve on loopback, and rebuild and reload the browser on every save."""
    from sitegen.preview import Preview

    config = _config(arguments)
    if config is None:
        return 1
    try:
        preview = Preview(
            config,
            host=arguments.host,
            port=arguments.port,
            strict=arguments.strict,
            report=lambda problems: report(problems, arguments.strict),
            say=lambda text: print(text, flush=True),
        )
    except OSError as error:
        print(f"sitegen serve: cannot listen on {arguments.host}:{arguments.port}: {error.strerror} (try --port)", file=sys.stderr)
        return 1
    try:
        preview.start()
        if arguments.host not in ("127.0.0.1", "localhost", "::1"):
            print(f"warning: serving on {arguments.host}: anyone who can reach this machine can read the preview", file=sys.stderr)
        print(f"Serving {preview.url} (Ctrl+C to stop)", flush=True)
        if arguments.open:
            import webbrowser

            webbrowser.open(preview.url)
        preview.wait()
    except KeyboardInterrupt:
        print("Stopped.")
    finally:
        preview.close()
    return 0


def _shown(path: Path) -> str:
    try:
        return path.relative_to(Path.cwd()).as_posix() + "/"
    except ValueError:
        return path.as_posix() + "/"


def make_parser() -> argparse.ArgumentParser:
    """Return the argument parser of every command."""
    parser = _Parser(prog="sitegen", description="Build the multilingual HTTP status code site.")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def add(name: str, handler: Callable[[argparse.Namespace], int], help_text: str) -> argparse.ArgumentParser:
        command = commands.add_parser(name, help=help_text, description=help_text)
        command.add_argument("--root", default=".", help="project root (default: the current folder)")
        command.add_argument("--strict", action="store_true", help="fail on warnings too")
        command.set_defaults(handler=handler)
        return command

    build = add("build", command_build, "build the site into _site/")
    build.add_argument("--out", help="output folder (default: _site/)")
    add("check", command_check, "run every stage without writing and report all problems")
    serve = add("serve", command_serve, "build, serve on http://127.0.0.1:8000/ and reload the browser on every save")
    serve.add_argument("--port", type=int, default=8000, help="port to listen on (default: 8000; 0 picks a free one)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this machine only)")
    serve.add_argument("--open", action="store_true", help="open the site in the default browser")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``sitegen`` with ``argv``; return the exit code."""
    parser = make_parser()
    try:
        arguments = parser.parse_args(argv)
    except UsageError as error:
        print(parser.format_usage().rstrip(), file=sys.stderr)
        print(error, file=sys.stderr)
        return 2
    except SystemExit as exit_:  # --help
        return int(exit_.code or 0)
    logging.basicConfig(level=logging.DEBUG if arguments.debug else logging.WARNING, format="%(levelname)s: %(message)s")
    try:
        return int(arguments.handler(arguments))
    except KeyboardInterrupt:
        return 130
    except Exception as error:
        if arguments.debug:
            raise
        print(f"sitegen: internal error: {type(error).__name__}: {error} (run with --debug for details)", file=sys.stderr)
        return 1


def main_exit() -> None:
    """Console-script entry point."""
    sys.exit(main())
