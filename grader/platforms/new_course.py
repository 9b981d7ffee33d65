"""``grader new-course DIR``: a course of one's own, with one worked example exercise that passes ``grader check``.

The example (``scale.py``: a layer ``Scale`` with a learned weight ``w``,
``out = x * w``) shows every part a course has: the course file, the
solution between solution markers and the notebook's text, public and
hidden tests built on ``check_layer`` (with a parameter, so ``self.dw`` is
checked too), the reference forward pass, hints by array, the student
README (``students.md``) and an empty catalogue folder for translations.
``grader new-exercise`` adds the next exercise; docs/authoring.md walks
through the rest.
"""
from __future__ import annotations

from pathlib import Path

from grader.lang import _


class NewCourseError(Exception):
    """The course cannot be created as asked; the message says why."""


COURSE = '''\
# {title}: the course file. Everything the grader knows about the course comes
# from here: the assignments in order, the names each one grades and their points.
title = {title_toml}
language = "{language}"
# `grader release` writes the stubs and notebooks here (relative to this file).
release = "release"

[[assignment]]
module = "scale.py"
title = "A layer with a learned weight"
graded = {{ Scale = 10 }}
'''

INIT = '''"""The course {title}: imported by the grader as the package ``course`` (``from course import reference``)."""
'''

SOLUTION = '''\
"""scale.py: a layer that multiplies each feature by a learned weight: out = x * w."""
import numpy as np


class Scale:
    def __init__(self, w):
        self.w = w
        self.x = None
        self.dw = None

    def forward(self, x):
        self.x = x
        return x * self.w

    def backward(self, dout):
        ### BEGIN SOLUTION
        ### TODO: Scale.backward: set self.dw (shaped like w: sum over the batch) and return dx (shaped like x).
        self.dw = np.sum(dout * self.x, axis=0)
        return dout * self.w
        ### END SOLUTION
'''

NOTEBOOK = '''\
# A layer with a learned weight

Run the cells from top to bottom; in each cell marked `# YOUR CODE HERE`,
replace the `raise NotImplementedError(...)` with your code. You may work in
`scale.py` instead; submit one of the two.

```stub:header
```

## Scale

`Scale` multiplies feature `j` of every sample by `w[j]`: `out = x * w`.
Its backward returns `dx = dout * w` and sets `self.dw`, the sum over the
batch of `dout * x`.

```stub:Scale
```
'''

TESTS = '''\
"""{visibility} tests for scale.py."""
import numpy as np

from grader.api import check, check_layer

from course import hints, reference as ref


@check("Scale", points={first}, kind="numeric")
def numeric_{visibility_lower}(student, rng):
    """Gradient check of dx and dw: a batch of {batch} samples of {features} features."""
    x = rng.standard_normal(({batch}, {features}))
    check_layer(student, rng, "Scale", ref.scale, x, params={{"w": rng.standard_normal({features})}},
                hints=hints.SCALE, check_output=True)


@check("Scale", points={second}, kind="numeric")
def numeric_{visibility_lower}_wide(student, rng):
    """Gradient check on a wider batch, with weights away from 0."""
    x = rng.standard_normal(({wide_batch}, {wide}))
    w = rng.uniform(0.5, 2.0, {wide}) * rng.choice([-1.0, 1.0], {wide})
    check_layer(student, rng, "Scale", ref.scale, x, params={{"w": w}}, hints=hints.SCALE)
'''

REFERENCE = '''\
"""The forward passes the tests differentiate, as plain functions of their inputs (never a student's code)."""
import numpy as np


def scale(x, w):
    """Scale's forward pass."""
    return x * w
'''

HINTS = '''\
"""What to tell a student whose gradient is wrong, by array: "dx" for the input, then each parameter's name."""
from grader.api import N_

SCALE = {
    "dx": N_("dx = dout * w: each feature's gradient is scaled by its weight."),
    "w": N_("dw = (dout * x) summed over the batch (axis 0): one number per feature."),
}
'''

STUDENTS = '''\
<!-- The student README of a release: the text under the title, then the
course's notes at the end (after the grader's own sections). "## Notes" starts the notes. -->
You will write the backward passes of the layers of this course in numpy.
Every forward pass is given; every `backward` is yours. A grader checks your
work against numerical gradients.

## Notes

Ask your questions in the course forum.
'''

LOCALE = '''\
Translations of the course's own texts (test descriptions, hints, notebooks):
locale/<language>/LC_MESSAGES/course.po (public) and hidden.po (hidden tests).
'''


def _toml_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def files(title: str, language: str) -> dict[str, str]:
    """The course's files, by path relative to its folder."""
    public = TESTS.format(visibility="Public", visibility_lower="public", first=2, second=2, batch=4, features=3,
                          wide_batch=5, wide=6)
    hidden = TESTS.format(visibility="Hidden", visibility_lower="hidden", first=3, second=3, batch=6, features=5,
                          wide_batch=3, wide=7)
    return {
        "course.toml": COURSE.format(title=title, title_toml=_toml_string(title), language=language),
        "__init__.py": INIT.format(title=title),
        "solutions/scale.py": SOLUTION,
        "solutions/scale.md": NOTEBOOK,
        "tests/public/scale.py": public,
        "tests/hidden/scale.py": hidden,
        "reference.py": REFERENCE,
        "hints.py": HINTS,
        "students.md": STUDENTS,
        "locale/README.txt": LOCALE,
    }


def new_course(folder: Path | str, *, title: str | None = None, language: str = "en") -> list[Path]:
    """Write a new course into ``folder`` (absent or empty); returns the files written."""
    folder = Path(folder)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise NewCourseError(_("{folder} exists and is not an empty folder; nothing was written").format(
            folder=folder))
    if language not in ("ko", "en"):
        raise NewCourseError(_("--language must be ko or en"))
    written = []
    for relative, text in files(title or folder.resolve().name, language).items():
        path = folder / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
        written.append(path)
    return written
