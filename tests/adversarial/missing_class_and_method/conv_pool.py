import numpy as np


class Convolution:
    def __init__(self, W, b, stride=1, pad=0):
        self.W, self.b, self.stride, self.pad = W, b, stride, pad

    def forward(self, x):
        return np.zeros(1)

    # backward is missing, and so is the whole Pooling class
