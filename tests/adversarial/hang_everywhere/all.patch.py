import time


def _hang(*args, **kwargs):
    while True:
        time.sleep(0.01)


for _class in [v for v in list(globals().values()) if isinstance(v, type) and v.__module__ == __name__]:
    for _name in ("__init__", "forward", "backward"):
        setattr(_class, _name, _hang)

for _name, _value in list(globals().items()):
    if callable(_value) and not isinstance(_value, type) and getattr(_value, "__module__", None) == __name__ \
            and not _name.startswith("_"):
        globals()[_name] = _hang
