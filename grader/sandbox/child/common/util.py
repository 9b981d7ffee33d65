"""``common.util`` as student code expects it: im2col and col2im.

Same signatures, row/column order and float64 results as the book's versions,
so layers written against the book's layout work unchanged.
"""
import numpy as np


def _output_size(size, filter_size, stride, pad):
    return (size + 2 * pad - filter_size) // stride + 1


def im2col(input_data, filter_h, filter_w, stride=1, pad=0):
    """Unfold ``(N, C, H, W)`` images into rows, one row per output position.

    Returns ``(N * out_h * out_w, C * filter_h * filter_w)``: rows ordered by
    image, then output row, then output column; columns by channel, then
    filter row, then filter column.
    """
    n, c, h, w = input_data.shape
    out_h = _output_size(h, filter_h, stride, pad)
    out_w = _output_size(w, filter_w, stride, pad)
    padded = np.pad(input_data, [(0, 0), (0, 0), (pad, pad), (pad, pad)], "constant")
    windows = np.lib.stride_tricks.sliding_window_view(padded, (filter_h, filter_w), axis=(2, 3))
    windows = windows[:, :, ::stride, ::stride][:, :, :out_h, :out_w]
    rows = np.ascontiguousarray(windows.transpose(0, 2, 3, 1, 4, 5), dtype=np.float64)
    return rows.reshape(n * out_h * out_w, -1)


def col2im(col, input_shape, filter_h, filter_w, stride=1, pad=0):
    """Fold rows laid out as :func:`im2col` makes them back into images.

    Values that came from the same input pixel are added together, which is
    what a backward pass through im2col needs.
    """
    n, c, h, w = input_shape
    out_h = _output_size(h, filter_h, stride, pad)
    out_w = _output_size(w, filter_w, stride, pad)
    patches = col.reshape(n, out_h, out_w, c, filter_h, filter_w)
    image = np.zeros((n, c, h + 2 * pad + stride - 1, w + 2 * pad + stride - 1))
    for i in range(filter_h):
        for j in range(filter_w):
            rows = slice(i, i + stride * out_h, stride)
            cols = slice(j, j + stride * out_w, stride)
            image[:, :, rows, cols] += patches[:, :, :, :, i, j].transpose(0, 3, 1, 2)
    return image[:, :, pad : h + pad, pad : w + pad]
