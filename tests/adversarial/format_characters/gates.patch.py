import unicodedata

_MulLayer = MulLayer

# Every invisible format character (bidirectional marks, isolates and overrides, U+061C ARABIC LETTER MARK,
# zero-width spaces, tags...), the line and paragraph separators, and a few controls.
INVISIBLE = "".join(chr(code) for code in [*range(0x20000), *range(0xE0000, 0xE0080)]
                    if unicodedata.category(chr(code)) in ("Cf", "Zl", "Zp")) + "\x00\x07\x08\x85"


class MulLayer(_MulLayer):
    """Hides text from the reader and reorders what is shown, in what it prints and in its exception."""

    def backward(self, dout):
        text = f"Total: 100/100{INVISIBLE}\u061cevil\u202e"
        print(text)
        raise ValueError(text)
