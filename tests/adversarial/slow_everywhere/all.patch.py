import inspect as _inspect
import time as _time


def _slow(cls):
    """The same class, but every method call takes most of the per-test time limit (1 s)."""

    class Slow(cls):
        def forward(self, *args, **kwargs):
            _time.sleep(0.45)
            return super().forward(*args, **kwargs)

        def backward(self, *args, **kwargs):
            _time.sleep(0.45)
            return super().backward(*args, **kwargs)

    Slow.__name__ = Slow.__qualname__ = cls.__name__
    return Slow


for _name, _value in list(globals().items()):
    if _inspect.isclass(_value) and _value.__module__ == __name__ and hasattr(_value, "backward"):
        globals()[_name] = _slow(_value)
