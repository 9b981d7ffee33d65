"""``grader new-exercise``: the files of a new exercise, with TODOs for its author.

An exercise is course files only. This writes them into the course in use:

    solutions/NAME.py        a class (or function) per graded name, the answer between solution markers
    solutions/NAME.md        the notebook's text, one section per graded name
    tests/public/NAME.py     a test per graded name that students see
    tests/hidden/NAME.py     a test per graded name kept for grading
    reference.py             (appended) the forward pass the tests differentiate
    course.toml              (appended) the assignment's entry: module, title, graded names and points

Every generated file runs as it is: ``grader release`` works at once, and
``grade`` on the solution fails with the author's TODOs until they are
written. Nothing is overwritten: an existing file or assignment stops it.
"""
from __future__ import annotations

from pathlib import Path

from grader.judge.course import COURSE_FILE, Course, CourseError, load
from grader.lang import _


class ScaffoldError(Exception):
    """The exercise cannot be created as asked; the message says why."""


def _is_function(name: str) -> bool:
    return name[:1].islower()


def _reference_name(name: str) -> str:
    return "".join("_" + c.lower() if c.isupper() and i else c.lower() for i, c in enumerate(name))


def _solution(module: str, names: list[str], params: list[str], random: bool) -> str:
    parts = [f'"""{module}: TODO (author): what the student builds here, and a check they can do by hand."""\n'
             "import numpy as np\n"]
    for name in names:
        if _is_function(name):
            parts.append(f"""

def {name}(x):
    ### BEGIN SOLUTION
    ### TODO: return what {name} computes from x (TODO (author): say what, and its shape).
    raise NotImplementedError("TODO (author): the answer goes here")
    ### END SOLUTION
""")
        else:
            parts.append(_class(name, params, random))
    return "".join(parts)


def _class(name: str, params: list[str], random: bool) -> str:
    """A layer's class: ``params`` are constructor arguments whose gradients backward sets (``self.d<param>``);
    a ``random`` layer draws ``self.mask`` in forward, which the tests read back for the reference."""
    arguments = "".join(f", {p}" for p in params)
    kept = "".join(f"        self.{p} = {p}\n        self.d{p} = None\n" for p in params)
    forward = ("        self.mask = np.random.rand(*x.shape) > 0.5  # TODO (author): the random draw; tests read it back\n"
               if random else "")
    mask = ", mask=self.mask" if random else ""
    sets = "".join(f" set self.d{p} (shaped like {p})," for p in params)
    return f"""

class {name}:
    def __init__(self{arguments}):
{kept}        self.x = None

    def forward(self, x):
        self.x = x
{forward}        # TODO (author): the forward pass students are given (the same as
        # reference.{_reference_name(name)}(x{arguments}{mask}))
        raise NotImplementedError("TODO (author): {name}.forward")

    def backward(self, dout):
        ### BEGIN SOLUTION
        ### TODO: {name}.backward:{sets} return dx, the gradient of the loss with respect to x, shaped like x.
        raise NotImplementedError("TODO (author): the answer goes here")
        ### END SOLUTION
"""


def _notebook(module: str, title: str, names: list[str]) -> str:
    sections = "".join(f"""
## {name}

TODO (author): the idea and the formula of {name} (math in $...$ works).

```stub:{name}
```
""" for name in names)
    return f"""# {title}

TODO (author): what this notebook is about. Run the cells from top to bottom;
in each cell marked `# YOUR CODE HERE`, replace the `raise NotImplementedError(...)`
with your code. You may work in `{module}` instead; submit one of the two.

```stub:header
```
{sections}"""


def _tests(module: str, names: list[str], points: dict[str, float], visibility: str, params: list[str] = (),
           random: bool = False) -> str:
    body = [f'"""{visibility.capitalize()} tests for {module}. TODO (author): document values, edge cases."""\n'
            "import numpy as np\n\n"
            "from grader.api import as_array, check, check_layer, expect_close\n\n"
            "from course import reference as ref\n"]
    for name in names:
        reference = _reference_name(name)
        public = round(points[name] * 0.4, 6)
        worth = public if visibility == "public" else round(points[name] - public, 6)
        if _is_function(name):
            body.append(f'''

@check("{name}", points={worth:g}, kind="numeric")
def numeric_{visibility}(student, rng):
    """{name} on a random input, against the reference."""
    x = rng.standard_normal((3, 4))
    got = as_array(student.function("{name}")(x), "{name} result")
    expect_close("{name}(x)", got, ref.{reference}(x))
''')
        else:
            given = "".join(f'"{p}": rng.standard_normal(4), ' for p in params).rstrip(", ")
            arguments = (f",\n                params={{{given}}}" if params else "") + (', read_back=("mask",)' if random else "")
            checked = "dx" + "".join(f" and d{p}" for p in params)
            body.append(f'''

@check("{name}", points={worth:g}, kind="numeric")
def numeric_{visibility}(student, rng):
    """Gradient check of {checked} on a random batch."""
    check_layer(student, rng, "{name}", ref.{reference}, rng.standard_normal((3, 4)){arguments},
                check_output=True)
''')
    return "".join(body)


def _reference(names: list[str], params: list[str] = (), random: bool = False) -> str:
    def arguments(name):
        return "x" + ("" if _is_function(name) else "".join(f", {p}" for p in params) + (", mask" if random else ""))

    return "".join(f'''

def {_reference_name(name)}({arguments(name)}):
    """TODO (author): the forward pass of {name}, as a plain function of its inputs."""
    raise NotImplementedError("TODO (author): reference.{_reference_name(name)}")
''' for name in names)


def _course_entry(module: str, title: str, points: dict[str, float]) -> str:
    graded = ", ".join(f"{name} = {value:g}" for name, value in points.items())
    return f'\n[[assignment]]\nmodule = "{module}"\ntitle = "{title}"\ngraded = {{ {graded} }}\n'


def new_exercise(course: Course, name: str, names: list[str], points: float = 10.0,
                 title: str | None = None, *, params: list[str] = (), random: bool = False) -> list[Path]:
    """Create the exercise ``name`` grading ``names`` (classes or functions) in ``course``; returns the files.
    The classes take ``params`` (learned parameters, whose ``d<param>`` the tests check); ``random`` ones draw
    ``self.mask`` in forward, which the tests read back and give to the reference."""
    if not name.isidentifier() or not name.islower():
        raise ScaffoldError(_("{name} cannot be a module name: use lower case letters, digits and _").format(
            name=repr(name)))
    if not names or any(not n.isidentifier() for n in names):
        raise ScaffoldError(_("--names takes one or more Python names of classes or functions"))
    if any(not p.isidentifier() for p in params):
        raise ScaffoldError(_("--params takes Python names of the layers' parameters (gamma, beta)"))
    if name in course.names:
        raise ScaffoldError(_("{file} already has an assignment {name}").format(file=course.file, name=name))
    taken = {g for a in course.assignments for g in a.graded} & set(names)
    if taken:
        raise ScaffoldError(_("{name} is already graded by another assignment").format(name=sorted(taken)[0]))
    module, title = f"{name}.py", title or name.replace("_", " ").capitalize()
    each = {n: round(points / len(names), 6) for n in names}
    files = {
        course.solutions / module: _solution(module, names, list(params), random),
        course.solutions / f"{name}.md": _notebook(module, title, names),
        course.tests / "public" / module: _tests(module, names, each, "public", params, random),
        course.tests / "hidden" / module: _tests(module, names, each, "hidden", params, random),
    }
    existing = [p for p in files if p.exists()]
    if existing:
        raise ScaffoldError(_("{path} exists already; nothing was written").format(path=existing[0]))
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
    with open(course.root / "reference.py", "a", encoding="utf-8", newline="\n") as handle:
        handle.write(_reference(names, params, random))
    with open(course.file, "a", encoding="utf-8", newline="\n") as handle:
        handle.write(_course_entry(module, title, each))
    try:
        load(course.root)
    except CourseError as error:  # should not happen; say so rather than leave a broken course silently
        raise ScaffoldError(_("the course file no longer reads after adding {name}: {error}").format(
            name=name, error=error)) from None
    return [*files, course.root / "reference.py", course.root / COURSE_FILE]
