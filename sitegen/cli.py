"""The ``sitegen`` command: parse arguments, run the stages, report, choose the exit code.

Exit codes: 0 success, 1 content problems, 2 usage errors.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import threading
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING

from sitegen.config import config_file, find_root, key_line, load_config
from sitegen.site.model import Problem

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping, Sequence

    from sitegen.engine.progress import Progress
    from sitegen.engine.stages import Stages
    from sitegen.output.target import Naming
    from sitegen.site.model import Config, Intro, Language, Page
    from sitegen.site.translations import IntroStatus, LanguageStatus

# each command imports what it uses: a build that finds everything in its cache should
# not pay for the authoring tools, nor a ``sitegen new`` for the build

FOLD_AFTER = 3
"""A warning repeated on more pages than this is shown this many times, then counted."""


class UsageError(Exception):
    """Bad arguments: exit code 2."""


def _number_in(low: int, high: int, what: str, span: str) -> Callable[[str], int]:
    """Return an argument type: a whole number from ``low`` to ``high``, ``what`` it is
    (``a port``) and its ``span`` said when it is not one."""

    def parse(text: str) -> int:
        try:
            number = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not {what}: {text!r}") from None
        if not low <= number <= high:
            raise argparse.ArgumentTypeError(f"{number} is not {what}: {span}")
        return number

    return parse


_port = _number_in(0, 65535, "a port", "ports go from 0 (a free one) to 65535")
_status_code = _number_in(100, 599, "a status code", "they go from 100 to 599")


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


def _config(arguments: argparse.Namespace, drafts: bool = False) -> Config | None:
    """Return the project's configuration, or ``None`` once its problems are reported;
    ``drafts`` (or ``--drafts``) keeps draft languages, as ``new`` and ``translations`` do:
    a translator starts a language while it is a draft."""
    overrides = {"output": str(Path(arguments.out).resolve())} if getattr(arguments, "out", None) else None
    root = Path(arguments.root) if arguments.root else find_root(Path.cwd()) or Path.cwd()
    config, problems = load_config(root, overrides, drafts=drafts or getattr(arguments, "drafts", False))
    if problems or config is None:
        report(problems, arguments.strict)
    if config is None or any(problem.severity == "error" for problem in problems) or (arguments.strict and problems):
        return None
    return config


def timings(stages: Stages) -> list[str]:
    """Return the lines of ``--timings``: the time of each stage and its cache hits."""
    lines = [f"{'stage':<11} {'time':>8} {'cached':>7} {'made':>6}"]
    for stage, figures in stages.cache.figures.items():
        if figures.seconds or figures.hits or figures.misses:
            lines.append(f"{stage:<11} {figures.seconds * 1000:>5.0f} ms {figures.hits:>7} {figures.misses:>6}")
    return lines


def command_build(arguments: argparse.Namespace) -> int:
    """Build the site into the output folder; leave it untouched on failure."""
    from sitegen.engine.build import build_site, load_manifest, open_stages, save_manifest
    from sitegen.output.swap import recover
    from sitegen.output.target import check_target
    from sitegen.output.write import SPARE_TREE, SiteWriter

    config = _config(arguments)
    if config is None:
        return 1
    for line in recover(config.output_dir):
        print(f"Cleaned up: {line}.")
    naming = _output_naming(arguments, config)
    target = check_target(config.output_dir, config, naming, force=arguments.force)
    if isinstance(target, Problem):
        report([target], arguments.strict)
        return 1
    derive = None
    if config.precompress:
        from sitegen.output.compress import compressed_copy

        derive = compressed_copy
    progress = _progress(arguments)
    stages = open_stages(config, persistent=not arguments.no_cache, progress=progress)
    try:
        # the outputs are written into the new tree as they are made, unchanged ones linked
        # the tree it replaces is kept in the cache, and filled by the next build
        spare = None if arguments.no_cache else config.cache_folder / SPARE_TREE
        writer = SiteWriter(config.output_dir, load_manifest(stages, config.output_dir), derive, spare)
        try:
            result = build_site(config, stages, writer, search=True)
            progress.finish()
            report(result.problems, arguments.strict)
            failed = result.failed(arguments.strict)
            if not failed:
                # checked again with what the site holds, and as late as possible
                target = check_target(
                    config.output_dir, config, naming, force=arguments.force, site_names={path.split("/")[0] for path in result.paths}
                )
                if isinstance(target, Problem):
                    report([target], arguments.strict)
                    writer.abort()
                    return 1
        except BaseException:
            writer.abort()
            raise
        if failed:
            writer.abort()
            stages.finish()
            print(f"Nothing written: {config.shown(config.output_dir)}/ is unchanged.", file=sys.stderr)
            return 1
        with stages.timed("write"):
            progress.start("write", 1)
            save_manifest(stages, config.output_dir, writer.commit(target.kept))
        stages.finish("manifest")
    finally:
        progress.finish()
        stages.cache.close()
    if arguments.timings:
        for line in timings(stages):
            print(line)
    if not arguments.quiet:
        print(f"Built {result.summary()} into {config.shown(config.output_dir)}/.")
    return 0


def _progress(arguments: argparse.Namespace) -> Progress:
    """Return where a build shows its progress: a status line on a terminal, after ~2 s;
    nothing with ``--quiet``, in a pipe or in a CI log."""
    from sitegen.engine.progress import Progress, TerminalProgress

    if arguments.quiet or not sys.stderr.isatty():
        return Progress()

    def write(text: str) -> None:
        sys.stderr.write(text)
        sys.stderr.flush()

    return TerminalProgress(write)


def _output_naming(arguments: argparse.Namespace, config: Config) -> Naming:
    """Return how the user named the output folder: ``--out``, the ``output`` key, or neither."""
    from sitegen.output.target import Naming

    if arguments.out:
        return Naming(arguments.out, None, "--out")
    line = key_line(config.root, "output")
    if line is not None:
        return Naming(config_file(config.root), line, "output")
    return Naming(config.shown(config.output_dir), None, "the output folder")


def command_check(arguments: argparse.Namespace) -> int:
    """Run the whole pipeline without writing; report every problem."""
    from sitegen.engine.build import build_site, load_manifest, open_stages
    from sitegen.output.write import KnownOutputs

    config = _config(arguments)
    if config is None:
        return 1
    stages = open_stages(config)
    try:
        result = build_site(config, stages, KnownOutputs(load_manifest(stages, config.output_dir)))
        stages.finish()
    finally:
        stages.cache.close()
    report(result.problems, arguments.strict)
    if result.failed(arguments.strict):
        return 1
    print(f"No errors in {result.summary()}." if result.problems else f"No problems in {result.summary()}.")
    return 0


def command_clean(arguments: argparse.Namespace) -> int:
    """Remove the build cache and the output folder: the next build starts from nothing."""
    import shutil

    from sitegen.output.swap import MARKER, recover

    config = _config(arguments)
    if config is None:
        return 1
    recover(config.output_dir)  # staging folders a killed build may have left
    removed = []
    if config.cache_folder.is_dir():
        shutil.rmtree(config.cache_folder)
        removed.append(f"{config.shown(config.cache_folder)}/")
    # only an output folder the build made (marked as such): never one it was not given
    if (config.output_dir / MARKER).is_file() and not config.output_dir.is_symlink():
        shutil.rmtree(config.output_dir)
        removed.append(f"{config.shown(config.output_dir)}/")
    print(f"Removed {' and '.join(removed)}." if removed else "Nothing to remove.")
    return 0


def command_serve(arguments: argparse.Namespace) -> int:
    """Build, serve on loopback, and rebuild and reload the browser on every save."""
    from sitegen.live.preview import Preview

    config = _config(arguments)
    if config is None:
        return 1
    try:
        preview = Preview(
            config,
            host=arguments.host,
            port=arguments.port,
            strict=arguments.strict,
            search=arguments.search,
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


def _language(config: Config, name: str, command: str) -> Language:
    """Return the configured language named by ``--lang``, or raise a usage error."""
    language = config.find_language(name)
    if language is None:
        known = ", ".join(language.tag for language in config.languages)
        raise UsageError(f"sitegen {command}: --lang {name} is not a configured language ({known})")
    return language


def command_new(arguments: argparse.Namespace) -> int:
    """Create a page from the registry, or a translation skeleton from the source page."""
    from sitegen.content.authoring import AuthoringError, create_page

    config = _config(arguments, drafts=True)
    if config is None:
        return 1
    language = _language(config, arguments.lang or config.source_language, "new")
    try:
        path = create_page(config, arguments.code, language)
    except AuthoringError as error:
        print(f"sitegen new: {error}", file=sys.stderr)
        return 1
    print(f"Created {config.shown(path)}")
    return 0


def command_translations(arguments: argparse.Namespace) -> int:
    """Report, per language, the pages translated, missing and outdated."""
    import json

    from sitegen.content.data_files import data_file_status
    from sitegen.content.intros import load_intros
    from sitegen.content.load import load_pages
    from sitegen.site.translations import git_changed_since, translation_status

    config = _config(arguments, drafts=True)
    if config is None:
        return 1
    pages, problems = load_pages(config)
    intros, found = load_intros(config)
    problems += found
    statuses = translation_status(pages, config, git_changed_since(config), intros)
    data_files = data_file_status(config)
    if arguments.lang:
        wanted = _language(config, arguments.lang, "translations")
        if wanted.tag == config.source_language:
            raise UsageError(f"sitegen translations: {wanted.tag} is the source language: every other language is translated from it")
        statuses = [status for status in statuses if status.tag == wanted.tag]
    if problems:
        report(problems, strict=False)
    if arguments.code is not None:
        if all(page.code != arguments.code for page in pages):
            raise UsageError(f"sitegen translations: no page has the code {arguments.code} (in any language)")
        statuses = [status.only(arguments.code) for status in statuses]
    if arguments.diff:
        _print_diffs(config, statuses, pages, intros)
    elif arguments.format == "json":
        data = {
            status.tag: {
                "total": status.total,
                "translated": list(status.translated),
                "missing": list(status.missing),
                "outdated": {str(code): {"record": version} for code, version in status.outdated.items()},
                "untracked": list(status.untracked),
                "orphans": list(status.orphans),
                "drafts": list(status.drafts),
                "draft_language": config.language(status.tag).draft,
                "intros": {
                    "missing": list(status.intros.missing),
                    "outdated": {key: {"record": version} for key, version in status.intros.outdated.items()},
                    "untracked": list(status.intros.untracked),
                }
                if status.intros
                else {},
                "data_files": {name: {"state": state, "record": version} for name, (state, version) in data_files[status.tag].items()},
            }
            for status in statuses
        }
        print(json.dumps(data, indent=2, sort_keys=True))
    else:
        for status in statuses:
            segment = config.language(status.tag).segment
            missing, outdated = _behind(status, data_files[status.tag])
            label = f"{status.tag} (draft language)" if config.language(status.tag).draft else status.tag
            print(f"{label}: {len(status.translated)}/{status.total} translated, {missing} missing, {outdated} outdated")
            if status.missing:
                print(f"  missing: {' '.join(str(code) for code in status.missing)}")
                first = next((code for code in status.missing if code not in status.drafts), None)
                if first is not None:
                    print(f"  to start one: sitegen new {first} --lang {status.tag} (writes content/{segment}/{first}.md)")
            if status.drafts:
                print(f"  of which in progress (draft: true): {' '.join(str(code) for code in status.drafts)}")
            for code, version in status.outdated.items():
                print(f"  outdated: content/{segment}/{code}.md (set source_version: {version} once updated)")
            if status.untracked:
                print(f"  no source_version recorded: {' '.join(str(code) for code in status.untracked)}")
            if status.orphans:
                print(f"  no {config.source_language} page to translate from: {' '.join(str(code) for code in status.orphans)}")
            if status.intros:
                _print_intros(status.intros, segment)
            for name, (state, version) in data_files[status.tag].items():
                if state != "current":
                    what = {"missing": "missing", "outdated": "outdated", "untracked": "no source_version recorded"}[state]
                    print(f"  {what}: content/{segment}/{name} (set source_version: {version} once translated)")
    # a draft language is unfinished by definition: --fail-on counts it only when --lang names it
    counted = [_behind(status, data_files[status.tag]) for status in statuses if arguments.lang or not config.language(status.tag).draft]
    fails = {"missing": any(missing for missing, _ in counted), "outdated": any(outdated for _, outdated in counted)}
    return 1 if any(fails[kind] for kind in arguments.fail_on or ()) else 0


def _behind(status: LanguageStatus, data_files: Mapping[str, tuple[str, str]]) -> tuple[int, int]:
    """Return how many files of a language are missing and outdated: its code pages, intro
    pages and data files, every one the report lists."""
    intros = status.intros
    missing = len(status.missing) + (len(intros.missing) if intros else 0)
    outdated = len(status.outdated) + (len(intros.outdated) if intros else 0)
    missing += sum(state == "missing" for state, _version in data_files.values())
    outdated += sum(state == "outdated" for state, _version in data_files.values())
    return missing, outdated


def command_schema(arguments: argparse.Namespace) -> int:
    """Write the JSON Schema of a page's front matter, for editors."""
    from sitegen.content.schema import SCHEMA_FILE, schema_text

    text = schema_text()
    if arguments.out == "-":
        sys.stdout.write(text)
        return 0
    config = _config(arguments)
    if config is None:
        return 1
    target = Path(arguments.out) if arguments.out else config.root / SCHEMA_FILE
    target.write_text(text, "utf-8")
    print(f"Wrote {config.shown(target.resolve())}")
    return 0


def _print_diffs(config: Config, statuses: Sequence[LanguageStatus], pages: Sequence[Page], intros: Sequence[Intro]) -> None:
    """Print, for each outdated translation, what changed in its source since the version it follows."""
    import difflib

    from sitegen.content.versions import text_of_version

    documents: dict[tuple[str, str], Page | Intro] = {(page.language, str(page.code)): page for page in pages if not page.draft}
    documents.update({(intro.language, intro.key): intro for intro in intros if not intro.draft})
    shown = 0
    for status in statuses:
        keys = [str(code) for code in status.outdated] + list(status.intros.outdated if status.intros else ())
        for key in keys:
            translation, source = documents[(status.tag, key)], documents[(config.source_language, key)]
            version = translation.source_version or ""
            old = text_of_version(config.root, source.source.path, version)
            shown += 1
            if old is None:
                print(
                    f"{translation.source.path}: cannot show what changed in {source.source.path}:"
                    f" the version it follows ({version}) is not in the git history"
                )
                continue
            print(f"{translation.source.path} follows {source.source.path} at {version}; since then:")
            diff = difflib.unified_diff(
                old.splitlines(keepends=True),
                source.source.text.splitlines(keepends=True),
                f"{source.source.path} ({version})",
                f"{source.source.path} (now)",
            )
            sys.stdout.writelines(line if line.endswith("\n") else line + "\n" for line in diff)
    if not shown:
        print("No outdated translation.")


def _print_intros(intros: IntroStatus, segment: str) -> None:
    """Print the intro pages of a language that are missing or outdated."""
    if intros.missing:
        print(f"  intro pages missing: {' '.join(f'content/{segment}/{key}.md' for key in intros.missing)}")
    for key, version in intros.outdated.items():
        print(f"  outdated: content/{segment}/{key}.md (set source_version: {version} once updated)")
    if intros.untracked:
        print(f"  no source_version recorded: {' '.join(f'{key}.md' for key in intros.untracked)}")


def make_parser() -> argparse.ArgumentParser:
    """Return the argument parser of every command."""
    parser = _Parser(prog="sitegen", description="Build the multilingual HTTP status code site.")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def add(name: str, handler: Callable[[argparse.Namespace], int], help_text: str) -> argparse.ArgumentParser:
        command = commands.add_parser(name, help=help_text, description=help_text)
        command.add_argument(
            "--root", help="project root (default: the nearest folder with sitegen.toml, or pyproject.toml with [tool.sitegen])"
        )
        command.add_argument("--strict", action="store_true", help="fail on warnings too")
        command.set_defaults(handler=handler)
        return command

    build = add("build", command_build, "build the site into _site/")
    build.add_argument("--out", help="output folder (default: _site/); replaced only if the build made it, or if it is empty")
    build.add_argument(
        "--force", action="store_true", help="replace an output folder sitegen did not make (.git, CNAME and top-level dot-files are kept)"
    )
    build.add_argument("--no-cache", action="store_true", help="build from nothing: neither read nor write the build cache")
    build.add_argument("--timings", action="store_true", help="print the time of each stage and its cache hits")
    build.add_argument("--quiet", action="store_true", help="print problems only: no progress, no summary line")
    check = add("check", command_check, "run every stage without writing and report all problems")
    add("clean", command_clean, "remove the build cache (.sitegen-cache/) and the output folder (_site/) the build made")
    new = add("new", command_new, "start a page from the registry, or a translation from the English page")
    new.add_argument("code", type=_status_code, help="the status code, e.g. 418")
    new.add_argument("--lang", help="language of the new page (default: the source language)")
    translations = add("translations", command_translations, "per language: pages translated, missing and outdated")
    translations.add_argument("--lang", help="only this language")
    translations.add_argument("code", nargs="?", type=_status_code, help="only this code")
    translations.add_argument("--format", choices=("text", "json"), default="text")
    translations.add_argument(
        "--diff", action="store_true", help="show what changed in the English page since the version each outdated translation follows"
    )
    translations.add_argument(
        "--fail-on", action="append", choices=("missing", "outdated"), help="exit 1 if any page is missing / outdated (repeatable)"
    )
    schema = add("schema", command_schema, "write the JSON Schema of a page's front matter, for editors")
    schema.add_argument("--out", help="file to write (default: front-matter.schema.json in the project root; '-' for standard output)")
    serve = add("serve", command_serve, "build, serve on http://127.0.0.1:8000/ and reload the browser on every save")
    serve.add_argument("--port", type=_port, default=8000, help="port to listen on (default: 8000; 0 picks a free one)")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this machine only)")
    serve.add_argument("--open", action="store_true", help="open the site in the default browser")
    for command in (build, check, serve):
        command.add_argument("--drafts", action="store_true", help="also build draft pages and draft languages, marked as drafts")
    serve.add_argument("--search", action="store_true", help="also make the search index (about a second more per rebuild)")
    return parser


PIPE_CLOSED = 141
"""The exit code when the output's reader went away: a command killed by SIGPIPE gives it."""


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
    except UsageError as error:
        print(error, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # the reader of the output went away (`sitegen check | head`)
        return PIPE_CLOSED
    except Exception as error:
        if arguments.debug:
            raise
        print(f"sitegen: internal error: {type(error).__name__}: {error} (run with --debug for details)", file=sys.stderr)
        return 1


def main_exit() -> None:
    """Console-script entry point. Once the command is over, the process ends without the
    interpreter's teardown, as mypy does: freeing a build's objects one by one, and
    collecting their cycles, took 100-170 ms after a 192-page cold build (30 ms after a
    build that changed nothing), and the system takes the memory back at once. The
    commands close their files themselves; the output is flushed here. Where a thread
    still runs, the usual exit waits for it."""
    code = main()
    if threading.active_count() > 1:
        sys.exit(code)
    logging.shutdown()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:  # the reader of the output went away (`sitegen translations | head`)
        code = code or PIPE_CLOSED
    os._exit(code)
