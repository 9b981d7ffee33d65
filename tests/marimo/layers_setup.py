import marimo

__generated_with = "0.25.2"
app = marimo.App()

with app.setup:
    import numpy as np
    import matplotlib.pyplot as plt


@app.cell
def _():
    import marimo as mo

    return (mo,)


@app.cell(hide_code=True)
def _(mo):
    mo.md(r"""
    # 5장 오차역전파법
    곱셈 계층, 덧셈 계층, 활성화 함수 계층
    """)
    return


@app.class_definition
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
        dx = dout * self.y
        dy = dout * self.x
        return dx, dy


@app.class_definition
class AddLayer:
    def __init__(self):
        pass

    def forward(self, x, y):
        out = x + y
        return out

    def backward(self, dout):
        dx = dout * 1
        dy = dout * 1
        return dx, dy


@app.cell
def _():
    # 사과 쇼핑 예제
    apple, apple_num, tax = 100, 2, 1.1
    mul_apple_layer = MulLayer()
    mul_tax_layer = MulLayer()
    apple_price = mul_apple_layer.forward(apple, apple_num)
    price = mul_tax_layer.forward(apple_price, tax)
    dapple_price, dtax = mul_tax_layer.backward(1)
    dapple, dapple_num = mul_apple_layer.backward(dapple_price)
    print(price, dapple, dapple_num, dtax)
    return


@app.class_definition
class Relu:
    def __init__(self):
        self.mask = None

    def forward(self, x):
        self.mask = (x <= 0)
        out = x.copy()
        out[self.mask] = 0
        return out

    def backward(self, dout):
        dx = np.where(self.mask, 0.0, dout)
        return dx


@app.class_definition
class Sigmoid:
    def __init__(self):
        self.out = None

    def forward(self, x):
        with np.errstate(over="ignore"):  # exp(-x) overflows to inf for x < -709; y is then 0
            out = 1 / (1 + np.exp(-x))
        self.out = out
        return out

    def backward(self, dout):
        dx = dout * (1.0 - self.out) * self.out  # dy/dx = y (1 - y)
        return dx


@app.cell
def train():
    # 시그모이드 뉴런 학습: 곱셈·덧셈 계층과 Sigmoid로 만든 작은 계산 그래프
    rng = np.random.default_rng(0)
    x_data = rng.standard_normal((200, 30))
    t_data = (x_data.sum(axis=1, keepdims=True) > 0).astype(float)
    w = 0.01 * rng.standard_normal((30, 1))
    loss_list = []
    for epoch in range(40000):
        mul, add, act, relu = MulLayer(), AddLayer(), Sigmoid(), Relu()
        z = add.forward(relu.forward(x_data) @ w * 0 + x_data @ w, 0.0)
        y = act.forward(z)
        loss_list.append(float(np.mean((y - t_data) ** 2)))
        dy = 2 * (y - t_data) / len(y)
        dz, _db = add.backward(act.backward(dy))
        w -= 0.5 * x_data.T @ dz
    print(loss_list[-1])
    return (loss_list,)


@app.cell
def _(loss_list):
    plt.plot(loss_list)
    plt.xlabel("epoch")
    plt.ylabel("loss")
    plt.gca()
    return


if __name__ == "__main__":
    app.run()
