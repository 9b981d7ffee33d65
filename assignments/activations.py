"""과제 2: 활성화 함수 계층 ReLU와 시그모이드.

활성화 함수는 원소마다 따로 작용하므로 역전파는 원소별 곱입니다:
``dx = dout * (국소적 미분)``이고, ``dx``의 형상은 ``x``와 같습니다.

- ``Relu``: out = max(0, x). 국소적 미분은 x > 0이면 1이고 x <= 0이면(정확히
  0일 때도) 0입니다. ``forward``가 x <= 0인 위치를 ``self.mask``에 기록합니다.
- ``Sigmoid``: y = 1 / (1 + exp(-x)). 미분을 출력만으로 쓸 수 있습니다:
  dy/dx = y * (1 - y). ``forward``가 y를 ``self.out``에 저장합니다.

확인(강의의 시그모이드 뉴런): w0 = 2, x0 = -1, w1 = -3, x1 = -2, w2 = -3이면
뉴런은 sigmoid(w0*x0 + w1*x1 + w2) = sigmoid(1) = 0.7310585786300049를
계산하고, 그 점에서 시그모이드의 국소적 미분은 0.19661193324148185이므로
dw0 = 0.19661193324148185 * x0 = -0.19661193324148185입니다.
"""
import numpy as np


class Relu:
    def __init__(self):
        self.mask = None

    def forward(self, x):
        self.mask = (x <= 0)
        out = x.copy()
        out[self.mask] = 0
        return out

    def backward(self, dout):
        # YOUR CODE HERE
        raise NotImplementedError(
            "Relu.backward: dout과 같은 형상의 dx를 반환하세요. x <= 0인 곳(self.mask)의 "
            "기울기는 0이고, 나머지 곳은 dout입니다."
        )


class Sigmoid:
    def __init__(self):
        self.out = None

    def forward(self, x):
        with np.errstate(over="ignore"):  # x < -709이면 exp(-x)가 inf로 넘치고, 그때 y는 0입니다
            out = 1 / (1 + np.exp(-x))
        self.out = out
        return out

    def backward(self, dout):
        # YOUR CODE HERE
        raise NotImplementedError(
            "Sigmoid.backward: dout과 같은 형상의 dx를 반환하세요. 순전파의 출력 y는 self.out에 "
            "저장되어 있습니다."
        )
