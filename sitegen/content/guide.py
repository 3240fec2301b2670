"""The "Which status code should I return?" guide: ``content/<lang>/guide.yaml``.

A decision tree: steps that ask a question, answers that lead to another step or end on
a code with one line of why. The source language's file gives the tree; a translation
gives the same steps and answers in its words (same ids, same order, same codes) and
records the ``source_version`` it follows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sitegen.content.comparisons import squeeze
from sitegen.content.data_files import DataFile, items, line_of, load_data_files, value_node
from sitegen.site.model import Problem, must_be

if TYPE_CHECKING:
    from collections.abc import Mapping

    import yaml

    from sitegen.site.model import Config

GUIDE_FILE = "guide.yaml"
_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True, slots=True)
class Answer:
    """One answer to a step's question: it leads to another step or ends on a code."""

    text: str
    next: str | None
    code: int | None
    why: str
    """One line: why this code (empty for an answer that leads on)."""
    line: int


@dataclass(frozen=True, slots=True)
class Step:
    """A question of the guide and its answers."""

    id: str
    question: str
    answers: tuple[Answer, ...]
    line: int


@dataclass(frozen=True, slots=True)
class Guide:
    """One language's guide."""

    language: str
    path: str
    title: str
    overview: str
    intro: tuple[str, ...]
    steps: Mapping[str, Step]
    """In the file's order; the first is where the walk starts."""
    translated: bool = True
    outdated: bool = False

    @property
    def root(self) -> Step:
        """Return the step the walk starts from."""
        return next(iter(self.steps.values()))

    def leaves(self) -> list[tuple[tuple[str, ...], int]]:
        """Return every path through the tree (the answers' texts) and the code it ends on."""
        found: list[tuple[tuple[str, ...], int]] = []

        def walk(step: Step, path: tuple[str, ...], seen: frozenset[str]) -> None:
            for answer in step.answers:
                if answer.code is not None:
                    found.append(((*path, answer.text), answer.code))
                elif answer.next is not None and answer.next in self.steps and answer.next not in seen:
                    walk(self.steps[answer.next], (*path, answer.text), seen | {answer.next})

        walk(self.root, (), frozenset({self.root.id}))
        return found


def _text(value: Any, node: yaml.Node | None = None) -> str:
    """Return a text field; a scalar's text as written, so that ``No`` stays "No" (not false)."""
    from yaml import ScalarNode  # imported where YAML is looked at: a build that reads nothing never loads it

    if isinstance(node, ScalarNode) and isinstance(node.value, str) and not isinstance(value, (dict, list)):
        return squeeze(node.value)
    return squeeze(str(value)) if isinstance(value, (str, int, float)) and not isinstance(value, bool) else ""


def _answer(item: Any, node: yaml.Node, path: str, problems: list[Problem]) -> Answer | None:
    line = line_of(node)
    if not isinstance(item, dict) or not _text(item.get("answer"), value_node(node, "answer")):
        problems.append(Problem(path, line, "each answer is a mapping with 'answer' (text), then 'next' or 'code' and 'why'"))
        return None
    next_step, code = item.get("next"), item.get("code")
    if (next_step is None) == (code is None):
        problems.append(Problem(path, line, "an answer has either 'next' (a step id) or 'code' (where it ends)"))
        return None
    if code is not None and (not isinstance(code, int) or isinstance(code, bool) or not 100 <= code <= 599):
        problems.append(Problem(path, line_of(value_node(node, "code"), line), must_be("'code'", "a status code", code)))
        return None
    why = _text(item.get("why"), value_node(node, "why"))
    if code is not None and not why:
        problems.append(Problem(path, line, f"the answer that ends on {code} needs 'why': one line for the reader"))
        return None
    return Answer(_text(item["answer"], value_node(node, "answer")), str(next_step) if next_step is not None else None, code, why, line)


def read_guide(file: DataFile, problems: list[Problem]) -> Guide | None:
    """Return the guide written in one file; problems are added to ``problems``."""
    data, path = file.data, file.path
    words = {key: _text(data.get(key), value_node(file.node, key)) for key in ("title", "overview")}
    for key, value in words.items():
        if not value:
            problems.append(Problem(path, line_of(value_node(file.node, key)), f"the guide needs '{key}' (text)"))
    intro = data.get("intro", "")
    paragraphs = tuple(paragraph for part in str(intro).split("\n\n") if (paragraph := squeeze(part)))
    steps: dict[str, Step] = {}
    step_nodes = items(value_node(file.node, "steps"))
    if not isinstance(data.get("steps"), list) or not step_nodes:
        problems.append(Problem(path, 1, "'steps' lists the questions, the first one asked first"))
        return None
    for item, node in zip(data["steps"], step_nodes, strict=False):
        line = line_of(node)
        if not isinstance(item, dict) or not isinstance(item.get("id"), str) or not _ID.match(item["id"]):
            problems.append(Problem(path, line, "each step starts with 'id:' (lower-case words and dashes)"))
            continue
        if item["id"] in steps:
            problems.append(Problem(path, line, f"step '{item['id']}' is given twice (first on line {steps[item['id']].line})"))
            continue
        answers_node = value_node(node, "answers")
        raw_answers = item.get("answers")
        question = _text(item.get("question"), value_node(node, "question"))
        if not question or not isinstance(raw_answers, list) or not raw_answers:
            problems.append(Problem(path, line, f"step '{item['id']}' needs 'question' (text) and 'answers' (a list)"))
            continue
        answers = [
            answer
            for raw, answer_node in zip(raw_answers, items(answers_node), strict=False)
            if (answer := _answer(raw, answer_node, path, problems))
        ]
        steps[item["id"]] = Step(item["id"], question, tuple(answers), line)
    if any(not value for value in words.values()) or not steps:
        return None
    return Guide(file.language, path, words["title"], words["overview"], paragraphs, steps)


def check_tree(guide: Guide) -> list[Problem]:
    """Return the problems of the tree's shape: unknown, shared, looping or unreachable steps."""
    problems: list[Problem] = []
    used: dict[str, int] = {}
    for step in guide.steps.values():
        for answer in step.answers:
            if answer.next is None:
                continue
            if answer.next not in guide.steps:
                problems.append(Problem(guide.path, answer.line, f"no step '{answer.next}' to go to"))
            elif answer.next == guide.root.id or answer.next in used:
                # a tree: the nested <details> of the page show each step once
                where = used.get(answer.next, guide.root.line)
                problems.append(Problem(guide.path, answer.line, f"step '{answer.next}' is already reached from line {where}"))
            else:
                used[answer.next] = answer.line
    for step in guide.steps.values():
        if step is not guide.root and step.id not in used:
            problems.append(Problem(guide.path, step.line, f"step '{step.id}' is never reached", "warning"))
    return problems


def _shape(guide: Guide) -> list[tuple[str, tuple[tuple[str | None, int | None], ...]]]:
    return [(step.id, tuple((answer.next, answer.code) for answer in step.answers)) for step in guide.steps.values()]


def load_guides(config: Config) -> tuple[dict[str, Guide], list[Problem]]:
    """Return the guide of every language (the source language's where one has none)."""
    files, problems = load_data_files(config, GUIDE_FILE)
    source_file = next((file for file in files if file.language == config.source_language), None)
    if source_file is None:
        problems += [Problem(file.path, 1, f"no {config.source.segment}/{GUIDE_FILE} to translate", "warning") for file in files]
        return {}, problems
    source = read_guide(source_file, problems)
    if source is None:
        return {}, problems
    shape = check_tree(source)
    problems += shape
    if any(problem.severity == "error" for problem in shape):
        return {}, problems  # a broken tree is not published: its problems say why
    guides = {source.language: source}
    for file in files:
        if file is source_file:
            continue
        guide = read_guide(file, problems)
        if guide is None:
            continue
        if _shape(guide) != _shape(source):
            problems.append(
                Problem(
                    file.path,
                    1,
                    f"the steps differ from {source.path}: a translation keeps the same ids, answers, 'next' and 'code' in the same order",
                )
            )
            continue
        version = file.data.get("source_version")
        if version is None:
            problems.append(Problem(file.path, 1, "a translation records the source_version it follows", "warning"))
        outdated = version is not None and str(version) != source_file.digest
        guides[file.language] = Guide(guide.language, guide.path, guide.title, guide.overview, guide.intro, guide.steps, outdated=outdated)
    for language in config.languages:
        if language.tag not in guides:
            guides[language.tag] = Guide(
                source.language, source.path, source.title, source.overview, source.intro, source.steps, translated=False
            )
    return guides, problems


def check_leaves(guides: Mapping[str, Guide], codes: tuple[int, ...], source_language: str) -> list[Problem]:
    """Return a warning for each answer that ends on a code without a page."""
    guide = guides.get(source_language)
    if guide is None:
        return []
    return [
        Problem(guide.path, answer.line, f"the guide ends on {answer.code}, which has no page", "warning", "it is shown without a link")
        for step in guide.steps.values()
        for answer in step.answers
        if answer.code is not None and answer.code not in codes
    ]
