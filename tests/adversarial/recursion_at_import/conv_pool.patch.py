def _forever(n):
    return _forever(n + 1)


_forever(0)
