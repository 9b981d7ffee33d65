"""What to tell a student whose gradient is wrong, layer by layer, in the course's words.

Shared by the public and hidden suites; the keys of the dicts are the array
names (``dx`` for the input, then the parameter names ``W`` and ``b``).
"""

MUL = "a multiply gate swaps its inputs: dx = dout * y, dy = dout * x."
ADD = "an add gate passes dout through unchanged to both inputs."
RELU = "ReLU passes dout where x > 0 and blocks it (0) where x <= 0: use the mask saved in forward."
SIGMOID = "the local gradient of the sigmoid is out * (1 - out), using the output saved in forward."
AFFINE = {
    "dx": "dx = dout @ W.T, reshaped to the shape x had in forward.",
    "W": "dW = x.T @ dout, with x flattened to (N, D) as in forward.",
    "b": "db = dout summed over the batch (axis 0).",
}
SOFTMAX = "dx = (softmax(x) - one_hot(t)) / N, with N the batch size."
CONV = {
    "dx": "dx = col2im(dcol): each input pixel collects dout times the weights of every window it was in; "
          "drop the padding.",
    "W": "dW[f, c, i, j] sums x[n, c, i + stride*y, j + stride*x] * dout[n, f, y, x] over n, y, x.",
    "b": "db sums dout over the batch and every output position: shape (FN,).",
}
POOL = "max pooling sends each window's dout to the position of that window's maximum; the rest get 0."
NUMERICAL_GRADIENT = ("central differences: for each index, grad[idx] = (f(x with x[idx] + h) - "
                      "f(x with x[idx] - h)) / (2 * h) with h = 1e-4, then put x[idx] back.")
GRADIENT_DESCENT = "repeat step_num times: x = x - lr * numerical_gradient(f, x); return the final x."
SIGMOID_LOSS = "dx = (sigmoid(x) - t) / N: the (a - y) of logistic regression, divided by the batch size N."
