import time


def _hang(*args, **kwargs):
    while True:
        time.sleep(0.01)


for _class in [v for v in list(globals().values()) if isinstance(v, type) and v.__module__ == __name__]:
    for _name in ("__init__", "forward", "backward"):
        setattr(_class, _name, _hang)
