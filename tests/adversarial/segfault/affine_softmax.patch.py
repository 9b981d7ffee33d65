import ctypes

_Affine = Affine


class Affine(_Affine):
    def forward(self, x):
        ctypes.string_at(0)
