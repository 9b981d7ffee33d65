import marimo

__generated_with = "0.1.59"
app = marimo.App()


@app.cell
def __():
    import numpy as np
    return np,


@app.cell
def __():
    import matplotlib.pyplot as plt
    return plt,


@app.cell
def __():
    import marimo as mo
    return mo,


@app.cell
def __(mo):
    mo.md("""
    # 4장, 5장: 학습과 활성화 함수
    """)
    return


@app.cell
def __(np):
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

    return Relu,


@app.cell
def __(np):
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
    return


@app.cell
def __(np):
    def sigmoid(x):
        with np.errstate(over="ignore"):  # exp(-x) overflows to inf for x < -709; y is then 0
            return 1 / (1 + np.exp(-x))


    def binary_cross_entropy(x, t):
        """Mean of -(t log y + (1 - t) log(1 - y)) with y = sigmoid(x), computed from x itself:
        per entry it is log(1 + exp(x)) - t x, which np.logaddexp evaluates without overflow."""
        return np.mean(np.logaddexp(0.0, x) - t * x)

    return binary_cross_entropy, sigmoid


@app.cell
def __(gradient_descent, np):
    def function_2(x):
        return x[0] ** 2 + x[1] ** 2

    print(gradient_descent(function_2, np.array([-3.0, 4.0]), lr=0.1))
    return


@app.cell
def __(np):
    def numerical_gradient(f, x):
        h = 1e-4
        grad = np.zeros(x.shape)
        for idx in np.ndindex(x.shape):
            original = x[idx]
            x[idx] = original + h
            f_plus = f(x)
            x[idx] = original - h
            f_minus = f(x)
            x[idx] = original
            grad[idx] = (f_plus - f_minus) / (2 * h)
        return grad

    return numerical_gradient,


@app.cell
def __(numerical_gradient):
    def gradient_descent(f, init_x, lr=0.01, step_num=100):
        x = init_x
        for _ in range(step_num):
            x -= lr * numerical_gradient(f, x)
        return x

    return gradient_descent,


@app.cell
def __(binary_cross_entropy, sigmoid):
    class SigmoidWithLoss:
        def __init__(self):
            self.loss = None
            self.y = None  # sigmoid(x)
            self.t = None  # labels: 0 or 1, shaped like x

        def forward(self, x, t):
            self.t = t
            self.y = sigmoid(x)
            self.loss = binary_cross_entropy(x, t)
            return self.loss

        def backward(self, dout=1):
            batch_size = self.t.shape[0]
            dx = (self.y - self.t) * dout / batch_size
            return dx

    return SigmoidWithLoss,


@app.cell
def __(Relu, SigmoidWithLoss, np):
    # 로지스틱 회귀 학습: SigmoidWithLoss와 Relu 특징
    rng = np.random.default_rng(1)
    x_data = rng.standard_normal((300, 8))
    t_data = (x_data[:, 0] - x_data[:, 1] > 0).astype(float)
    weight = np.zeros(8)
    loss_layer = SigmoidWithLoss()
    relu = Relu()
    losses = []
    for step in range(60000):
        loss = loss_layer.forward(relu.forward(x_data) @ weight * 0 + x_data @ weight, t_data)
        weight -= 0.5 * x_data.T @ loss_layer.backward(1)
        losses.append(loss)
    print(losses[-1])
    return losses,


@app.cell
def __(losses, plt):
    plt.plot(losses)
    plt.gca()
    return


if __name__ == "__main__":
    app.run()
