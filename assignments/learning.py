"""과제 5: 기울기로 학습하기.

오차역전파법은 손실의 기울기를 줍니다. 학습은 그 기울기로 하는 일입니다. 이 모듈에는
책의 학습 관련 장에서 나온 세 가지가 들어 있습니다:

- ``numerical_gradient(f, x)``: 스칼라 함수 ``f``의 ``x``에서의 기울기를 중앙 차분
  (f(x + h) - f(x - h)) / (2h), h = 1e-4로 ``x``의 원소를 하나씩 구합니다. ``x``의
  형상은 무엇이든 됩니다. 다른 과제의 역전파를 확인하는 방법이 바로 이것이므로
  (문서 001) ``x``를 받은 그대로 남겨 두어야 합니다.
- ``gradient_descent(f, init_x, lr=0.01, step_num=100)``: ``init_x``에서 시작해
  x <- x - lr * numerical_gradient(f, x)를 ``step_num``번 갱신하고 마지막 x를
  반환합니다(문서 003).
- ``SigmoidWithLoss``: 로지스틱 회귀의 출력 계층으로, 시그모이드와 이진 교차
  엔트로피를 합친 것입니다. ``forward(x, t)``는 배치의 평균 손실을 반환하고,
  ``backward(dout=1)``는 (sigmoid(x) - t) / N을 반환합니다. 문서 000의 (a - y)를
  손실이 평균이므로 배치 크기로 나눈 값입니다.

확인(문서 003): x = 3에서 시작해 lr = 0.2로 f(x) = 1.2 x^2을 줄이면 1, 2, 3단계 뒤에
1.56, 0.8112, 0.421824, ...가 됩니다. 학습률이 없으면(lr = 1) 최솟값을 지나쳐
-4.2, 5.88, -8.232, ...로 발산합니다.
"""
import numpy as np


def sigmoid(x):
    with np.errstate(over="ignore"):  # x < -709이면 exp(-x)가 inf로 넘치고, 그때 y는 0입니다
        return 1 / (1 + np.exp(-x))


def binary_cross_entropy(x, t):
    """y = sigmoid(x)일 때 -(t log y + (1 - t) log(1 - y))의 평균을 x에서 바로 계산합니다.
    원소마다 log(1 + exp(x)) - t x이고, np.logaddexp로 오버플로 없이 계산합니다."""
    return np.mean(np.logaddexp(0.0, x) - t * x)


def numerical_gradient(f, x):
    # YOUR CODE HERE
    raise NotImplementedError(
        "x에서 f의 기울기를 x와 같은 형상의 배열로 반환하세요. 중앙 차분 (f(x + h) - f(x - h)) / (2h), "
        "h = 1e-4로 x의 원소를 하나씩 계산하고, x의 모든 원소를 원래 값으로 되돌려 두세요."
    )


def gradient_descent(f, init_x, lr=0.01, step_num=100):
    # YOUR CODE HERE
    raise NotImplementedError(
        "init_x에서 시작해 x <- x - lr * (x에서 f의 수치 미분)을 step_num번 반복하고 마지막 x를 "
        "반환하세요."
    )


class SigmoidWithLoss:
    def __init__(self):
        self.loss = None
        self.y = None  # sigmoid(x) 값
        self.t = None  # 정답 레이블: 0 또는 1, x와 같은 형상

    def forward(self, x, t):
        self.t = t
        self.y = sigmoid(x)
        self.loss = binary_cross_entropy(x, t)
        return self.loss

    def backward(self, dout=1):
        # YOUR CODE HERE
        raise NotImplementedError(
            "SigmoidWithLoss.backward: x와 같은 형상의 dx를 반환하세요. 평균 손실의 기울기로, "
            "(sigmoid(x) - t)를 배치 크기로 나눈 값입니다."
        )
