"""Relu builds its mask with x < 0 instead of x <= 0: same output, but the gradient at exactly x == 0 passes through.

Diagnosis: extra_nonzero
"""


class Relu:
    def forward(self, x):
        self.mask = (x < 0)
        out = x.copy()
        out[self.mask] = 0
        return out
