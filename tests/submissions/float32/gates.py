"""Gates that compute in float32 and return numpy float32 values."""
import numpy as np

f32 = np.float32


class MulLayer:
    def forward(self, x, y):
        self.x = np.asarray(x, dtype=f32)[()]
        self.y = np.asarray(y, dtype=f32)[()]
        return self.x * self.y

    def backward(self, dout):
        dout = np.asarray(dout, dtype=f32)[()]
        return dout * self.y, dout * self.x


class AddLayer:
    def forward(self, x, y):
        return np.asarray(x, dtype=f32)[()] + np.asarray(y, dtype=f32)[()]

    def backward(self, dout):
        dout = np.asarray(dout, dtype=f32)[()]
        return dout.copy(), dout.copy()
