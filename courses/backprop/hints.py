"""What to tell a student whose gradient is wrong, layer by layer, in the course's words.

Shared by the public and hidden suites; the keys of the dicts are the array
names (``dx`` for the input, then the parameter names ``W`` and ``b``). Marked
for the catalogue; the comparison translates a hint when it shows it.
"""
from grader.api import N_

MUL = N_("a multiply gate swaps its inputs: dx = dout * y, dy = dout * x.")
ADD = N_("an add gate passes dout through unchanged to both inputs.")
RELU = N_("ReLU passes dout where x > 0 and blocks it (0) where x <= 0: use the mask saved in forward.")
SIGMOID = N_("the local gradient of the sigmoid is out * (1 - out), using the output saved in forward.")
AFFINE = {
    "dx": N_("dx = dout @ W.T, reshaped to the shape x had in forward."),
    "W": N_("dW = x.T @ dout, with x flattened to (N, D) as in forward."),
    "b": N_("db = dout summed over the batch (axis 0)."),
}
SOFTMAX = N_("dx = (softmax(x) - one_hot(t)) / N, with N the batch size.")
STABLE_SOFTMAX = N_("subtract each row's maximum before exp, as the stable softmax does.")
CONV = {
    "dx": N_("dx = col2im(dcol): each input pixel collects dout times the weights of every window it was in; "
             "drop the padding."),
    "W": N_("dW[f, c, i, j] sums x[n, c, i + stride*y, j + stride*x] * dout[n, f, y, x] over n, y, x."),
    "b": N_("db sums dout over the batch and every output position: shape (FN,)."),
}
POOL = N_("max pooling sends each window's dout to the position of that window's maximum; the rest get 0.")
NUMERICAL_GRADIENT = N_("central differences: for each index, grad[idx] = (f(x with x[idx] + h) - "
                        "f(x with x[idx] - h)) / (2 * h) with h = 1e-4, then put x[idx] back.")
GRADIENT_DESCENT = N_("repeat step_num times: x = x - lr * numerical_gradient(f, x); return the final x.")
SIGMOID_LOSS = N_("dx = (sigmoid(x) - t) / N: the (a - y) of logistic regression, divided by the batch size N.")
