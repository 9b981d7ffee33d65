"""과제 3: 완전연결(Affine) 계층과 Softmax-with-Loss 계층.

``Affine(W, b)``은 배치에 대해 out = x . W + b를 계산합니다: x는 (N, D)
(형상이 (N, ...)인 입력은 먼저 (N, D)로 펼칩니다), W는 (D, M), b는 (M,),
out은 (N, M)입니다. 행렬 곱은 곱셈 계층이므로, 기울기는 피연산자를 바꾸고
형상이 맞도록 전치해서 구합니다:

    dx = dout . W^T    (N, D)        dW = x^T . dout    (D, M)

b는 배치의 모든 행에 더해지므로 그 기울기는 dout을 행 방향으로 더한 것입니다:
db = dout을 N에 대해 더한 값, 형상 (M,). 예: dout = [[1, 2, 3], [4, 5, 6]]이면
db = [5, 7, 9]입니다. ``backward``는 펼치기 전 x의 형상으로 dx를 반환하고
dW와 db를 계층에 저장합니다.

``SoftmaxWithLoss``는 점수 x (N, K)를 확률 y = softmax(x)로 바꾸고, 레이블 t에
대한 평균 교차 엔트로피를 반환합니다. t는 원-핫 (N, K)이거나 정수 클래스
인덱스 (N,)입니다. 두 기울기를 합치면 아주 간단해집니다:

    dL/dx = (y - t) / N     with t as one-hot

N으로 나누는 것은 배치에 대해 손실을 평균 냈기 때문입니다.
"""
import numpy as np


def softmax(x):
    """점수 x (N, K)의 행별 소프트맥스, 또는 한 행 (K,)의 소프트맥스."""
    x = x - np.max(x, axis=-1, keepdims=True)  # 결과는 같고, exp()가 넘치지 않습니다
    e = np.exp(x)
    return e / np.sum(e, axis=-1, keepdims=True)


def cross_entropy_error(y, t):
    """원-핫 t (N, K) 또는 레이블 t (N,)에 대한 확률 y (N, K)의 평균 교차 엔트로피."""
    if y.ndim == 1:  # 예제 하나
        y = y[np.newaxis, :]
        t = np.asarray(t)[np.newaxis, ...]
    if np.ndim(t) == y.ndim:  # 원-핫: 1이 있는 인덱스를 남깁니다
        t = np.argmax(t, axis=1)
    batch_size = y.shape[0]
    p = y[np.arange(batch_size), t]  # 정답 클래스에 준 확률
    return -np.sum(np.log(np.maximum(p, 1e-300))) / batch_size  # 하한을 두어 log(0)도 유한한 값이 되게 합니다


class Affine:
    def __init__(self, W, b):
        self.W = W
        self.b = b
        self.x = None
        self.original_x_shape = None
        self.dW = None
        self.db = None

    def forward(self, x):
        self.original_x_shape = x.shape
        x = x.reshape(x.shape[0], -1)
        self.x = x
        out = np.dot(self.x, self.W) + self.b
        return out

    def backward(self, dout):
        # YOUR CODE HERE
        raise NotImplementedError(
            "Affine.backward: x의 원래 형상(self.original_x_shape)으로 dx를 반환하고, 형상이 "
            "(D, M)인 self.dW와 형상이 (M,)인 self.db를 저장하세요."
        )


class SoftmaxWithLoss:
    def __init__(self):
        self.loss = None
        self.y = None  # softmax 출력 (N, K)
        self.t = None  # 정답 레이블: 원-핫 (N, K) 또는 정수 (N,)

    def forward(self, x, t):
        self.t = t
        self.y = softmax(x)
        self.loss = cross_entropy_error(self.y, self.t)
        return self.loss

    def backward(self, dout=1):
        # YOUR CODE HERE
        raise NotImplementedError(
            "SoftmaxWithLoss.backward: 점수 x에 대한 평균 손실의 기울기 dx (N, K)를 반환하세요. "
            "self.t에는 원-핫 레이블 (N, K) 또는 정수 레이블 (N,)이 들어 있습니다."
        )
