"""What the child says as data, worded here in the report's language.

The child runs no code of the grader's and reads no catalogue, so it writes
no sentence for a reader: it says what happened as data, and the judge
checks every field and words it.
"""
from __future__ import annotations

from grader.lang import N_, _

OUTPUT_CUT = N_("[... {count} more characters of output not shown]")


def printed(text: str, cut: int) -> str:
    """What student code printed, with the mark of a cut (``cut`` characters not kept) in the report's language."""
    return f"{text}\n{_(OUTPUT_CUT).format(count=cut)}\n" if cut else text
