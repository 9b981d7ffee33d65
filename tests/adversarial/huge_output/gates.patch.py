import sys
import warnings

_AddLayer = AddLayer


class AddLayer(_AddLayer):
    def forward(self, x, y):
        print("debug " * 200_000)
        sys.stderr.write("e" * 1_000_000)
        warnings.warn("a warning from student code")
        return super().forward(x, y)
