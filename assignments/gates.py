"""과제 1: 곱셈 계층과 덧셈 계층.

계산 그래프는 작은 노드로 이루어집니다. 순전파에서 각 노드는 입력으로 출력을
계산하고, 역전파에서는 상류에서 흘러온 기울기 ``dout``(출력에 대한 손실의 미분)을
받아 각 입력에 자기 몫을 넘깁니다: 국소적 미분 곱하기 ``dout``(연쇄 법칙).

가장 간단한 노드 두 개의 ``backward``를 작성하세요:

- ``MulLayer``: out = x * y이므로 d(out)/dx = y, d(out)/dy = x입니다. 입력이
  자리를 바꿉니다. x의 기울기에는 y를, y의 기울기에는 x를 씁니다. 그래서
  ``forward``가 두 입력을 모두 저장합니다.
- ``AddLayer``: out = x + y이므로 국소적 미분은 둘 다 1이고 ``dout``이 그대로
  흘러갑니다.

둘 다 스칼라나 형상이 같은 배열을 받고, ``backward(dout)``는 ``(dx, dy)``
쌍을 반환합니다. 확인: 100원짜리 사과 2개에 소비세 1.1을 곱하면 가격은 220이고,
dprice = 1일 때 dapple = 2.2, dapple_num = 110, dtax = 200입니다.
"""
import numpy as np


class MulLayer:
    def __init__(self):
        self.x = None
        self.y = None

    def forward(self, x, y):
        self.x = x
        self.y = y
        out = x * y
        return out

    def backward(self, dout):
        # YOUR CODE HERE
        raise NotImplementedError(
            "MulLayer.backward: x와 y에 대한 손실의 기울기 (dx, dy)를 반환하세요. 둘 다 dout과 "
            "같은 형상입니다."
        )


class AddLayer:
    def __init__(self):
        pass

    def forward(self, x, y):
        out = x + y
        return out

    def backward(self, dout):
        # YOUR CODE HERE
        raise NotImplementedError(
            "AddLayer.backward: x와 y에 대한 손실의 기울기 (dx, dy)를 반환하세요. 둘 다 dout과 "
            "같은 형상입니다."
        )
