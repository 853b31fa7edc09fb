"""The written policy behind each return window: the knowledge base consulted next to the rules.

The platform's return window carries a policy code (GBX-9942-A-R30). The policy KB is what the
customer can read; before a return is proposed, the statement that names that code is looked
up (search_policy_kb, the customer's own tenant and region) so the proposal can cite it, and so
a KB that states a different number of days than the platform applies is caught: that is a
policy case the rules cannot settle, and it goes to a person instead of a proposal.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from app.agents.negotiation.context import TurnContext
from app.agents.negotiation.state import PolicyStatement, WrittenPolicy
from app.platform.contract import ReturnWindow
from app.tools.executor import ToolSuccess
from app.tools.spec import PolicyChunk, PolicySearchResult

_DAYS = re.compile(r"\b(\d{1,3})(?:\s*|-)(?:calendar\s+|working\s+)?days?\b", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z(])")


def statements(text: str) -> list[str]:
    """Table rows one by one, prose paragraphs (wrapped lines joined) split into sentences."""
    found: list[str] = []
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            found.extend(_SENTENCE_END.split(" ".join(paragraph)))
            paragraph.clear()

    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("|"):
            flush()
            found.append(stripped)
        elif not stripped or stripped.startswith("#"):
            flush()
        else:
            paragraph.append(stripped)
    flush()
    return found


def _names_code(statement: str, code: str) -> bool:
    # Whole code only: GBX-9942-A-R30 must not match inside GBX-9942-A-R300.
    return re.search(rf"(?<![\w-]){re.escape(code)}(?![\w-])", statement) is not None


def find_written(code: str, chunks: Iterable[PolicyChunk]) -> WrittenPolicy | None:
    """Every statement naming `code` in the retrieved chunks, best-ranked first."""
    found: list[PolicyStatement] = []
    for chunk in chunks:
        for statement in statements(chunk.text):
            if _names_code(statement, code):
                found.append(
                    PolicyStatement(
                        chunk_id=chunk.chunk_id,
                        source_doc=chunk.source_doc,
                        section=chunk.section,
                        text=statement[:600],
                        days=sorted({int(d) for d in _DAYS.findall(statement)}),
                    )
                )
    unique = list({(s.text, s.source_doc): s for s in reversed(found)}.values())[::-1]
    return WrittenPolicy(policy_code=code, statements=unique[:20]) if unique else None


async def read_written_policies(
    ctx: TurnContext, windows: Mapping[str, ReturnWindow]
) -> dict[str, WrittenPolicy]:
    """The written statement for each distinct policy code, when the KB has one. No KB
    configured, a failed search or no statement: nothing for that code, and a trace note."""
    if ctx.deps.policy_search is None:
        return {}
    found: dict[str, WrittenPolicy] = {}
    region = ctx.request.context.region.value
    for code in sorted({w.policy_code for w in windows.values()}):
        result = await ctx.tool(
            "search_policy_kb",
            {
                "query": f"{code} return window days",
                "client_id": ctx.request.client_id,
                "region": region,
            },
        )
        output = result.output if isinstance(result, ToolSuccess) else None
        written = (
            find_written(code, output.chunks) if isinstance(output, PolicySearchResult) else None
        )
        if written is None:
            ctx.note(f"policy kb: no written statement for {code}")
            continue
        days = sorted({d for st in written.statements for d in st.days})
        ctx.note(f"policy kb: {code} in {written.cited.source_doc}, days stated {days}")
        found[code] = written
    return found


def disagreement(window: ReturnWindow, written: WrittenPolicy | None) -> str | None:
    """Why the written policy and the platform's window cannot both be right, if they can't:
    some statement naming the code states days, none of them the platform's."""
    if written is None or not window.returnable:
        return None
    for statement in written.statements:
        if statement.days and window.window_days not in statement.days:
            return (
                f"{window.policy_code}: {statement.source_doc} states "
                f"{', '.join(str(d) for d in statement.days)} days, "
                f"the platform applies {window.window_days}"
            )
    return None
