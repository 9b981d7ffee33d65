"""What student code prints, kept up to a limit (used on both sides of the pipe).

Runs in the child (this package: the standard library only); the judge uses it too.
What is cut is a count, never a sentence: a reply carries ``"output"`` (the
text kept) and ``"output_cut"`` (how many characters were not), and the judge
words the mark of the cut in the report's language (``grader/sandbox/words.py``).
"""
import io

OUTPUT_LIMIT = 10_000


class Capture(io.TextIOBase):
    """Stands in for sys.stdout and sys.stderr: keeps the first OUTPUT_LIMIT characters."""

    encoding = "utf-8"

    def __init__(self, limit=OUTPUT_LIMIT):
        self._limit = limit
        self._parts = []
        self._size = 0
        self._dropped = 0

    def writable(self):
        return True

    def write(self, text):
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        kept = text[: max(self._limit - self._size, 0)]
        self._parts.append(kept)
        self._size += len(kept)
        self._dropped += len(text) - len(kept)
        return len(text)

    def drop(self, count):
        """Count ``count`` characters that were printed but cut before they got here (by the child)."""
        self._dropped += count

    def take(self):
        """``(text kept, how many characters were not)``, and start again empty."""
        taken = "".join(self._parts), self._dropped
        self._parts, self._size, self._dropped = [], 0, 0
        return taken
