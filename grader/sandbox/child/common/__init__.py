"""Stand-ins for the book's ``common`` package, offered to student code as ``common``.

Students often paste the book's layers, which begin with
``from common.util import im2col, col2im`` or ``from common.functions import *``.
The child process serves these files under those names so such code runs
unchanged. They use numpy only.
"""
