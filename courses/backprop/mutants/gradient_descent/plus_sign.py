"""gradient_descent climbs: x += lr * grad.

Diagnosis: wrong_values
"""


def gradient_descent(f, init_x, lr=0.01, step_num=100):
    x = init_x
    for _ in range(step_num):
        x += lr * numerical_gradient(f, x)
    return x
