"""Hand-made SVG pictures for the HTML reports: array heatmaps and a histogram.

Plain SVG strings, no plotting library: a failed convolution check draws a
few hundred cells, and matplotlib took about 0.4 s per picture (plus 1.4 s to
import) on the grading machine, which a report of twenty failures cannot
afford. The SVG is inline, so a report is one file that needs no network.

An array is laid out by its axes: a vector is one row of cells, a matrix one
image, a 3-D array a row of images, a 4-D array (a kernel or a batch of
images) a grid of images with axis 0 down and axis 1 across. Wrong entries
get a thick outline in :data:`MARK` (black: no colour of the map, and never
green, which reads as "right"); when every entry is wrong none is outlined,
since outlines would then say nothing. Small arrays show their values in
the cells, larger ones as tooltips (each cell's ``<title>``). A wrong shape
is drawn as two empty grids, the shape expected and the shape returned.
"""
from __future__ import annotations

import unicodedata

import numpy as np

from grader.lang.sanitize import html_text

try:
    from grader.lang import _
except ImportError:  # pragma: no cover - before translations exist
    def _(text: str) -> str:
        return text

MARK = "#000000"  # the outline of a wrong entry
GAP = 6
LABEL = 14
MAX_PANEL = 260  # pixels: cells shrink to keep a panel at most about this wide
VALUES_SHOWN = 36  # entries: an array this small shows its values in its cells
VALUE_CELL = 44  # pixels: the width of a cell showing its value
TOOLTIPS = 512  # entries: up to this many, every cell has a tooltip with its index and value
SHAPE_DRAWN = 1024  # entries: a wrong shape is drawn as empty grids up to this size


def _colour(value: float, scale: float) -> str:
    """Blue for negative, white for 0, red for positive, saturating at +-scale."""
    t = 0.0 if scale <= 0 else max(-1.0, min(1.0, value / scale))
    if t >= 0:
        r, g, b = 255, round(255 * (1 - t)), round(255 * (1 - t))
    else:
        r, g, b = round(255 * (1 + t)), round(255 * (1 + t)), 255
    return f"#{r:02x}{g:02x}{b:02x}"


def grid_shape(shape: tuple) -> tuple[int, int, int, int]:
    """(rows of images, columns of images, image height, image width) for an array of ``shape``."""
    if len(shape) == 0:
        return 1, 1, 1, 1
    if len(shape) == 1:
        return 1, 1, 1, shape[0]
    if len(shape) == 2:
        return 1, 1, shape[0], shape[1]
    if len(shape) == 3:
        return 1, shape[0], shape[1], shape[2]
    return int(np.prod(shape[:-3])), shape[-3], shape[-2], shape[-1]


def cell_size(shape: tuple) -> int:
    """The side of a cell, in pixels, when it shows a colour only."""
    rows, cols, h, w = grid_shape(shape)
    across = cols * w + (cols - 1)
    return int(max(4, min(24, MAX_PANEL // max(across, 1))))


def _shows_values(shape: tuple) -> bool:
    return int(np.prod(shape)) <= VALUES_SHOWN


def label_width(text: str, size: int = 11) -> int:
    """Pixels a label needs at font ``size``: a Hangul or other wide letter takes about a whole em."""
    return int(sum(size if unicodedata.east_asian_width(c) in "WF" else size * 0.62 for c in text)) + 4


def _shown(value: float) -> str:
    return f"{value:.3g}" if np.isfinite(value) else str(value)


def panel(values: np.ndarray, scale: float, wrong: np.ndarray | None, title: str, role: str,
          blank: bool = False) -> str:
    """One heatmap of ``values`` as an ``<svg>`` element; ``wrong`` marks entries with :data:`MARK`.

    ``blank`` draws the cells empty (a shape, not values).
    """
    shape = values.shape
    rows, cols, h, w = grid_shape(shape)
    text = _shows_values(shape) and not blank
    tips = values.size <= TOOLTIPS and not blank
    size = VALUE_CELL if text else cell_size(shape)
    cell_h = 22 if text else size
    grid = values.reshape(rows, cols, h, w)
    marks = wrong.reshape(rows, cols, h, w) if wrong is not None else None
    image_w, image_h = w * size, h * cell_h
    width = max(cols * image_w + (cols - 1) * GAP + 2, label_width(title))
    height = LABEL + rows * image_h + (rows - 1) * GAP + 2
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="heatmap" data-role="{role}" '
             f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" role="img">',
             f"<title>{html_text(title)}</title>",
             f'<text x="1" y="{LABEL - 3}" font-size="11" font-family="sans-serif">{html_text(title)}</text>']
    outlines = []
    for r in range(rows):
        for c in range(cols):
            x0 = 1 + c * (image_w + GAP)
            y0 = LABEL + 1 + r * (image_h + GAP)
            parts.append(f'<rect x="{x0 - 0.5}" y="{y0 - 0.5}" width="{image_w + 1}" height="{image_h + 1}" '
                         'fill="none" stroke="#999" stroke-width="1"/>')
            for i in range(h):
                for j in range(w):
                    x, y, value = x0 + j * size, y0 + i * cell_h, float(grid[r, c, i, j])
                    index = _index(shape, r, c, i, j)
                    parts.append(_cell(x, y, size, cell_h, value, scale, index, blank, text, tips))
                    if marks is not None and marks[r, c, i, j]:
                        outlines.append(f'<rect class="wrong" data-index="{index}" x="{x + 1}" y="{y + 1}" '
                                        f'width="{size - 2}" height="{cell_h - 2}" fill="none" stroke="{MARK}" '
                                        f'stroke-width="{2 if size >= 8 else 1}"/>')
    parts.extend(outlines)
    parts.append("</svg>")
    return "".join(parts)


def _cell(x, y, width, height, value, scale, index, blank, text, tips) -> str:
    """One cell: its colour, and its value as text or as a tooltip."""
    fill = "#eeeeee" if blank else _colour(value, scale)
    stroke = ' stroke="#ffffff" stroke-width="1"' if blank else ""
    tip = f"<title>[{index}] {_shown(value)}</title>" if tips else ""
    cell = f'<rect x="{x}" y="{y}" width="{width}" height="{height}" fill="{fill}"{stroke}>{tip}</rect>' \
        if tip else f'<rect x="{x}" y="{y}" width="{width}" height="{height}" fill="{fill}"{stroke}/>'
    if not text:
        return cell
    ink = "#ffffff" if scale > 0 and abs(value) / scale > 0.6 else "#1d1d1f"
    return (cell + f'<text class="value" x="{x + width / 2:g}" y="{y + height / 2 + 3.5:g}" font-size="10" '
            f'text-anchor="middle" font-family="sans-serif" fill="{ink}" pointer-events="none">{_shown(value)}</text>')


def _index(shape: tuple, r: int, c: int, i: int, j: int) -> str:
    rows, cols, h, w = grid_shape(shape)
    flat = ((r * cols + c) * h + i) * w + j
    return ",".join(str(int(k)) for k in np.unravel_index(flat, shape)) if shape else ""


def axes_caption(shape: tuple) -> str:
    """How the picture lays out the array's axes, in words."""
    n = len(shape)
    if n <= 2:
        return ""
    if n == 3:
        return _("axis 0 ({size}) across").format(size=shape[0])
    if n == 4:
        return _("axis 0 ({rows}) down, axis 1 ({columns}) across").format(rows=shape[0], columns=shape[1])
    return _("axes 0 to {last} down, axis {axis} ({columns}) across").format(last=n - 4, axis=n - 3,
                                                                              columns=shape[-3])


def comparison(arrays: dict, titles: tuple[str, str, str]) -> list[str]:
    """Expected, got and their difference as three SVG panels, the entries judged wrong marked on the last two.

    When every entry is wrong, none is outlined (:func:`every_entry_wrong` lets the caption say so).
    """
    expected = np.asarray(arrays["expected"], dtype=np.float64)
    got = np.asarray(arrays["got"], dtype=np.float64)
    shape = tuple(arrays.get("shape", expected.shape))
    expected, got = expected.reshape(shape), got.reshape(shape)
    scale = float(max(np.abs(expected).max(initial=0.0), np.abs(got).max(initial=0.0)))
    difference = got - expected
    wrong = np.zeros(shape, dtype=bool)
    for index in arrays.get("wrong", []):
        wrong[tuple(index)] = True
    marks = None if every_entry_wrong(arrays) else wrong
    return [
        panel(expected, scale, None, titles[0], "expected"),
        panel(got, scale, marks, titles[1], "got"),
        panel(difference, float(np.abs(difference).max(initial=0.0)), marks, titles[2], "difference"),
    ]


def every_entry_wrong(arrays: dict) -> bool:
    """Whether every entry of a picture's array (of more than one) is wrong."""
    size = int(np.prod(arrays.get("shape") or [0]))
    return size > 1 and len(arrays.get("wrong", [])) >= size


def shapes(expected_shape, got_shape, titles: tuple[str, str]) -> list[str]:
    """A wrong shape: the expected and the returned shape as empty grids (none when either is too large)."""
    expected_shape, got_shape = tuple(expected_shape), tuple(got_shape)
    if not expected_shape or not got_shape or max(np.prod(expected_shape), np.prod(got_shape)) > SHAPE_DRAWN:
        return []
    return [panel(np.zeros(expected_shape), 1.0, None, titles[0], "expected-shape", blank=True),
            panel(np.zeros(got_shape), 1.0, None, titles[1], "got-shape", blank=True)]


def histogram(values: list[float], *, bins: int = 10, low: float = 0.0, high: float = 100.0,
              width: int = 420, height: int = 160, label: str = "") -> str:
    """Bars counting ``values`` in ``bins`` equal bins from ``low`` to ``high`` (the last bin includes high)."""
    counts = bin_counts(values, bins=bins, low=low, high=high)
    top = max(counts, default=0) or 1
    bar_w = (width - 40) / bins
    plot_h = height - 30
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="histogram" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img"><title>{html_text(label)}</title>']
    for k, count in enumerate(counts):
        bar_h = plot_h * count / top
        x = 30 + k * bar_w
        parts.append(f'<rect class="bar" data-count="{count}" x="{x + 1:.1f}" y="{10 + plot_h - bar_h:.1f}" '
                     f'width="{bar_w - 2:.1f}" height="{bar_h:.1f}" fill="#3b6fb6"/>')
        if count:
            parts.append(f'<text x="{x + bar_w / 2:.1f}" y="{8 + plot_h - bar_h:.1f}" font-size="10" '
                         f'text-anchor="middle" font-family="sans-serif">{count}</text>')
        edge = low + k * (high - low) / bins
        parts.append(f'<text x="{x:.1f}" y="{height - 6}" font-size="10" font-family="sans-serif">{edge:g}</text>')
    parts.append(f'<line x1="30" y1="{10 + plot_h}" x2="{width - 10}" y2="{10 + plot_h}" stroke="#333"/>')
    parts.append("</svg>")
    return "".join(parts)


def bin_counts(values: list[float], *, bins: int = 10, low: float = 0.0, high: float = 100.0) -> list[int]:
    counts = [0] * bins
    for value in values:
        k = int((value - low) / (high - low) * bins) if high > low else 0
        counts[min(max(k, 0), bins - 1)] += 1
    return counts
