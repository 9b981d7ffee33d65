"""gradient_descent scales the gradient by lr twice.

Diagnosis: wrong_values
"""


def gradient_descent(f, init_x, lr=0.01, step_num=100):
    x = init_x
    for _ in range(step_num):
        x -= lr * lr * numerical_gradient(f, x)
    return x
