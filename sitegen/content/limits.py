"""What one page may cost: the limits that keep every build linear in its input.

Real pages are a few kilobytes and a few thousand markdown tokens. A hostile or broken
page (a 500x500 table, 50,000 list items, text quoted 30 levels deep) would otherwise
cost hundreds of megabytes or vanish in silence. Each limit is far above what a real
page needs and is reported with its line, never applied silently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.rules_block import StateBlock
    from markdown_it.rules_core import StateCore
    from markdown_it.rules_inline import StateInline
    from markdown_it.token import Token

_DELIMITER_ROW = re.compile(r"^[ \t]*\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$")
MAX_PAGE_BYTES = 2 * 1024 * 1024
"""The largest page file read (2 MiB); a larger one is refused before it is parsed."""
MAX_TOKENS = 20_000
"""The most markdown elements (block and inline tokens) one page may produce."""


@dataclass(slots=True)
class Budget:
    """What one parse has spent; ``render_body`` puts one in the markdown ``env``."""

    limit: int = MAX_TOKENS
    spent_inline: int = 0
    """Tokens already spent: the block tokens, then the inline tokens of the paragraphs parsed."""
    current: list[Token] | None = None
    """The inline token list being filled now."""
    exceeded: bool = False
    exceeded_line: int | None = None
    """0-based body line where the budget ran out, when the block parse knows it."""
    deep_lines: list[int] = field(default_factory=list)
    """0-based body lines of text nested too deep to be parsed."""


def _budget(env: Any) -> Budget | None:
    budget = env.get("budget") if isinstance(env, dict) else None
    return budget if isinstance(budget, Budget) else None


def _block_budget(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """First block rule: once the budget is spent, take the rest of the input as nothing."""
    budget = _budget(state.env)
    if budget is None or silent:
        return False
    if not budget.exceeded and len(state.tokens) <= budget.limit:
        return False
    if not budget.exceeded:
        budget.exceeded, budget.exceeded_line = True, start_line
    state.line = end_line
    return True


def _inline_budget(state: StateInline, silent: bool) -> bool:
    """First inline rule: once the budget is spent, skip the rest of the paragraph."""
    budget = _budget(state.env)
    if budget is None:
        return False
    if state.tokens is not budget.current:
        budget.spent_inline += len(budget.current) if budget.current is not None else 0
        budget.current = state.tokens
    if not budget.exceeded and budget.spent_inline + len(state.tokens) <= budget.limit:
        return False
    budget.exceeded = True
    state.pos = state.posMax
    return True


def _bounded_table(state: StateBlock, start_line: int, end_line: int, silent: bool) -> bool:
    """The table rule, refused up front when the table's cells would pass the budget.

    markdown-it builds a whole table in one call, so the check between blocks comes too
    late for it: rows times columns is counted first (counting stops at the budget).
    """
    # markdown-it's own first test (the rule runs at every line of every paragraph): a
    # table's second line starts with "|", "-" or ":"; anything else is no table
    follow = start_line + 1
    if follow < end_line:
        start = state.bMarks[follow] + state.tShift[follow]
        if start >= state.eMarks[follow] or state.src[start] not in "|-:":
            return False
    from markdown_it.rules_block.table import table  # markdown-it is loaded once a body is parsed

    budget = _budget(state.env)
    if silent or budget is None or start_line + 1 >= end_line:
        return table(state, start_line, end_line, silent)
    delimiter = state.src[state.bMarks[start_line + 1] : state.eMarks[start_line + 1]]
    if not _DELIMITER_ROW.match(delimiter):
        return table(state, start_line, end_line, silent)  # not a table: nothing to count
    columns = delimiter.count("|") + 1
    remaining = budget.limit - len(state.tokens)
    rows, line = 0, start_line
    while line < end_line and not state.isEmpty(line) and rows * columns * 3 <= remaining:
        rows, line = rows + 1, line + 1
    if rows * columns * 3 <= remaining:
        return table(state, start_line, end_line, silent)
    budget.exceeded, budget.exceeded_line = True, start_line
    state.line = end_line
    return True


def _count_blocks(state: StateCore) -> None:
    """Core rule after the block parse: the inline budget starts from the block tokens."""
    budget = _budget(state.env)
    if budget is not None:
        budget.spent_inline = len(state.tokens)


def limits_plugin(md: MarkdownIt) -> None:
    """Make ``md`` stop at :data:`MAX_TOKENS` and record text nested past ``maxNesting``."""
    md.block.ruler.at("table", _bounded_table, {"alt": ["paragraph", "reference"]})
    md.block.ruler.before("table", "budget", _block_budget)
    md.core.ruler.after("block", "budget", _count_blocks)
    md.inline.ruler.before("text", "budget", _inline_budget)
    tokenize = md.block.tokenize
    max_nesting = md.options["maxNesting"]

    def tokenize_recording_depth(state: StateBlock, start_line: int, end_line: int) -> None:
        # markdown-it drops, in silence, what lies deeper than maxNesting (quotes in lists
        # in quotes...): record where, so that the author hears of it
        if state.level >= max_nesting and (budget := _budget(state.env)) is not None:
            line = state.skipEmptyLines(start_line)
            if line < end_line:
                budget.deep_lines.append(line)
        tokenize(state, start_line, end_line)

    md.block.tokenize = tokenize_recording_depth  # type: ignore[method-assign,assignment]
