import marimo

__generated_with = "0.25.2"
app = marimo.App()


@app.cell
def _():
    import numpy as np

    return (np,)


@app.cell
def _():
    import matplotlib.pyplot as plt

    return (plt,)


@app.cell
def _():
    import marimo as mo

    return (mo,)


@app.cell(hide_code=True)
def _(mo):
    mo.md("""
    ## 7장 합성곱 신경망
    """)
    return


@app.cell
def _(np):
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
            dx = np.dot(dout, self.W.T)
            self.dW = np.dot(self.x.T, dout)
            self.db = np.sum(dout, axis=0)
            dx = dx.reshape(self.original_x_shape)
            return dx


    return (Affine,)


@app.cell
def _(cross_entropy_error, np, softmax):
    class SoftmaxWithLoss:
        def __init__(self):
            self.loss = None
            self.y = None  # softmax output (N, K)
            self.t = None  # labels: one-hot (N, K) or integers (N,)

        def forward(self, x, t):
            self.t = t
            self.y = softmax(x)
            self.loss = cross_entropy_error(self.y, self.t)
            return self.loss

        def backward(self, dout=1):
            batch_size = self.y.shape[0]
            if np.ndim(self.t) == self.y.ndim:
                t = self.t
            else:
                t = np.zeros_like(self.y)
                t[np.arange(batch_size), self.t] = 1
            dx = (self.y - t) / batch_size
            return dx * dout


    return (SoftmaxWithLoss,)


@app.cell
def _(np):
    def conv_output_size(input_size, filter_size, stride=1, pad=0):
        return (input_size + 2 * pad - filter_size) // stride + 1


    def im2col(input_data, filter_h, filter_w, stride=1, pad=0):
        """Copy every (filter_h, filter_w) window of input_data (N, C, H, W) into a row.

        Returns ``col`` (N*OH*OW, C*FH*FW): rows in (n, oh, ow) order, columns in
        (c, fh, fw) order, the order of ``W.reshape(FN, -1)``.
        """
        N, C, H, W = input_data.shape
        out_h = conv_output_size(H, filter_h, stride, pad)
        out_w = conv_output_size(W, filter_w, stride, pad)

        img = np.pad(input_data, [(0, 0), (0, 0), (pad, pad), (pad, pad)], "constant")
        col = np.zeros((N, C, filter_h, filter_w, out_h, out_w))
        for y in range(filter_h):
            for x in range(filter_w):
                # filter cell (y, x) sees these input pixels, one per output position
                col[:, :, y, x, :, :] = img[:, :, y:y + stride * out_h:stride, x:x + stride * out_w:stride]

        return col.transpose(0, 4, 5, 1, 2, 3).reshape(N * out_h * out_w, -1)


    def col2im(col, input_shape, filter_h, filter_w, stride=1, pad=0):
        """Fold ``col`` back into an array of ``input_shape`` (N, C, H, W): the reverse of im2col.

        Where windows overlap, the entries for the same pixel are added up, which
        is what the backward pass needs: a pixel used by several windows gets the
        sum of their gradients.
        """
        N, C, H, W = input_shape
        out_h = conv_output_size(H, filter_h, stride, pad)
        out_w = conv_output_size(W, filter_w, stride, pad)
        col = col.reshape(N, out_h, out_w, C, filter_h, filter_w).transpose(0, 3, 4, 5, 1, 2)

        img = np.zeros((N, C, H + 2 * pad, W + 2 * pad))
        for y in range(filter_h):
            for x in range(filter_w):
                img[:, :, y:y + stride * out_h:stride, x:x + stride * out_w:stride] += col[:, :, y, x, :, :]

        return img[:, :, pad:H + pad, pad:W + pad]


    return col2im, conv_output_size, im2col


@app.cell
def _(col2im, conv_output_size, im2col, np):
    class Convolution:
        def __init__(self, W, b, stride=1, pad=0):
            self.W = W
            self.b = b
            self.stride = stride
            self.pad = pad

            # kept by forward for backward
            self.x = None
            self.col = None
            self.col_W = None

            self.dW = None
            self.db = None

        def forward(self, x):
            FN, C, FH, FW = self.W.shape
            N, C, H, W = x.shape
            out_h = conv_output_size(H, FH, self.stride, self.pad)
            out_w = conv_output_size(W, FW, self.stride, self.pad)

            col = im2col(x, FH, FW, self.stride, self.pad)
            col_W = self.W.reshape(FN, -1).T
            out = np.dot(col, col_W) + self.b  # (N*OH*OW, FN)
            out = out.reshape(N, out_h, out_w, -1).transpose(0, 3, 1, 2)

            self.x = x
            self.col = col
            self.col_W = col_W
            return out

        def backward(self, dout):
            FN, C, FH, FW = self.W.shape
            dout = dout.transpose(0, 2, 3, 1).reshape(-1, FN)  # (N*OH*OW, FN), the layout of out before reshaping

            self.db = np.sum(dout, axis=0)
            self.dW = np.dot(self.col.T, dout)  # (C*FH*FW, FN)
            self.dW = self.dW.transpose(1, 0).reshape(FN, C, FH, FW)

            dcol = np.dot(dout, self.col_W.T)
            dx = col2im(dcol, self.x.shape, FH, FW, self.stride, self.pad)
            return dx


    return (Convolution,)


@app.cell
def _(col2im, conv_output_size, im2col, np):
    class Pooling:
        def __init__(self, pool_h, pool_w, stride=2, pad=0):
            self.pool_h = pool_h
            self.pool_w = pool_w
            self.stride = stride
            self.pad = pad

            self.x = None
            self.arg_max = None

        def forward(self, x):
            N, C, H, W = x.shape
            out_h = conv_output_size(H, self.pool_h, self.stride, self.pad)
            out_w = conv_output_size(W, self.pool_w, self.stride, self.pad)

            col = im2col(x, self.pool_h, self.pool_w, self.stride, self.pad)
            col = col.reshape(-1, self.pool_h * self.pool_w)  # one window per row, rows in (n, oh, ow, c) order

            arg_max = np.argmax(col, axis=1)
            out = np.max(col, axis=1)
            out = out.reshape(N, out_h, out_w, C).transpose(0, 3, 1, 2)

            self.x = x
            self.arg_max = arg_max
            return out

        def backward(self, dout):
            dout = dout.transpose(0, 2, 3, 1)  # (N, OH, OW, C): the row order of arg_max

            pool_size = self.pool_h * self.pool_w
            dmax = np.zeros((dout.size, pool_size))
            dmax[np.arange(self.arg_max.size), self.arg_max.ravel()] = dout.ravel()

            dcol = dmax.reshape(-1, self.x.shape[1] * pool_size)  # back to im2col's (N*OH*OW, C*PH*PW)
            dx = col2im(dcol, self.x.shape, self.pool_h, self.pool_w, self.stride, self.pad)
            return dx


    return (Pooling,)


@app.cell
def _(Convolution, Pooling, np):
    x = np.random.rand(2, 3, 7, 7)
    conv = Convolution(np.random.randn(4, 3, 3, 3), np.zeros(4), stride=1, pad=1)
    pool = Pooling(2, 2, stride=2)
    out = pool.forward(conv.forward(x))
    conv.backward(pool.backward(np.ones_like(out)))
    print(out.shape, conv.dW.shape)
    return


@app.cell
def _(Affine, SoftmaxWithLoss, np):
    # 소프트맥스 회귀 학습 (MNIST 대신 무작위 데이터)
    rng = np.random.default_rng(0)
    x_train = rng.standard_normal((500, 64))
    t_train = np.eye(10)[rng.integers(0, 10, 500)]
    affine = Affine(0.01 * rng.standard_normal((64, 10)), np.zeros(10))
    last = SoftmaxWithLoss()
    train_loss_list = []
    for i in range(20000):
        batch = rng.choice(500, 100)
        loss = last.forward(affine.forward(x_train[batch]), t_train[batch])
        affine.backward(last.backward(1))
        affine.W -= 0.1 * affine.dW
        affine.b -= 0.1 * affine.db
        train_loss_list.append(loss)
    print(train_loss_list[-1])
    return (train_loss_list,)


@app.cell
def _(plt, train_loss_list):
    plt.plot(train_loss_list)
    plt.title("train loss")
    plt.gca()
    return


@app.cell
def helpers(np):
    def softmax(x):
        """Row-wise softmax of scores x (N, K), or of a single row (K,)."""
        x = x - np.max(x, axis=-1, keepdims=True)  # same result, and exp() cannot overflow
        e = np.exp(x)
        return e / np.sum(e, axis=-1, keepdims=True)


    def cross_entropy_error(y, t):
        """Mean cross-entropy of probabilities y (N, K) for one-hot t (N, K) or labels t (N,)."""
        if y.ndim == 1:  # a single example
            y = y[np.newaxis, :]
            t = np.asarray(t)[np.newaxis, ...]
        if np.ndim(t) == y.ndim:  # one-hot: keep the index of the 1
            t = np.argmax(t, axis=1)
        batch_size = y.shape[0]
        p = y[np.arange(batch_size), t]  # probability given to the right class
        return -np.sum(np.log(np.maximum(p, 1e-300))) / batch_size  # the floor keeps log(0) finite


    return cross_entropy_error, softmax


if __name__ == "__main__":
    app.run()
