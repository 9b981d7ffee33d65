"""Mutants as patches: a course's known mistakes go into its solutions by name, small and robust to
unrelated edits; the built-in course ships its own and each changes only its graded name."""
from __future__ import annotations

import ast
import glob
import sys
import textwrap
from pathlib import Path

import pytest

from builtin_course import ASSIGNMENT_OF, COURSE, MUTANTS, SOLUTIONS, mutated
import grader.judge.mutants as mutants
from grader.judge.mutants import Mutant, MutantError, apply

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]

SOLUTION = '''"""A module of the course."""
import numpy as np


def helper(x):
    return x + 1


class Layer:
    def __init__(self):
        self.x = None

    def forward(self, x):
        self.x = x
        return helper(x)

    def backward(self, dout):
        ### BEGIN SOLUTION
        dx = dout * 1
        return dx
        ### END SOLUTION


def train(layer):
    return layer.backward(np.ones(2))
'''


def patched(mutant: str, solution: str = SOLUTION) -> str:
    return apply(solution, textwrap.dedent(mutant))


def test_a_method_replaces_the_solution_classs_own_in_place_and_the_others_stay():
    result = patched('''
        """Layer.backward doubles the gradient."""


        class Layer:
            def backward(self, dout):
                return dout * 2
        ''')
    assert result == SOLUTION.replace('''        ### BEGIN SOLUTION
        dx = dout * 1
        return dx
        ### END SOLUTION
''', "        return dout * 2\n")
    assert "A module of the course" in result and "Layer.backward doubles" not in result


def test_a_function_replaces_the_solutions_own_where_it_stands():
    result = patched('''
        def helper(x):
            return x - 1
        ''')
    assert result == SOLUTION.replace("return x + 1", "return x - 1")


def test_a_mistake_keeps_the_line_numbers_of_everything_before_it():
    result = patched('''
        class Layer:
            def backward(self, dout):
                raise ValueError("wrong")
        ''')
    raising = result.splitlines().index('        raise ValueError("wrong")') + 1
    assert raising == SOLUTION.splitlines().index("    def backward(self, dout):") + 2


def test_a_helper_the_solution_lacks_goes_just_before_the_definition_that_uses_it():
    result = patched('''
        def halve(x):
            return x / 2


        class Layer:
            def backward(self, dout):
                return halve(dout)
        ''')
    assert result.index("def halve(x):") < result.index("class Layer:")
    assert "return x / 2\n\n\nclass Layer:" in result
    namespace = {}
    exec(compile(result, "layer.py", "exec"), namespace)
    assert namespace["Layer"]().backward(4.0) == 2.0


def test_a_method_the_class_lacks_goes_at_its_end():
    result = patched('''
        class Layer:
            def params(self):
                return []
        ''')
    assert result.index("### END SOLUTION") < result.index("def params(self):") < result.index("def train")
    namespace = {}
    exec(compile(result, "layer.py", "exec"), namespace)
    assert namespace["Layer"]().params() == [] and namespace["Layer"]().backward(3) == 3


def test_an_import_the_solution_has_is_dropped_and_a_new_one_goes_after_its_imports():
    result = patched('''
        import math
        import numpy as np


        def helper(x):
            return math.floor(np.sqrt(x))
        ''')
    assert result.count("import numpy as np") == 1
    assert result.index("import numpy as np") < result.index("import math") < result.index("def helper")


def test_of_two_definitions_of_a_name_the_last_counts_as_in_python():
    result = patched('''
        class Layer:
            def backward(self, dout):
                return dout * 2

            def backward(self, dout):
                return dout * 3
        ''')
    assert "return dout * 3" in result and "return dout * 2" not in result
    assert result.count("def backward") == 1


def test_class_members_take_the_solutions_indentation():
    solution = "class Layer:\n  def backward(self, dout):\n    return dout\n"
    result = apply(solution, "class Layer:\n        def backward(self, dout):\n            return -dout\n")
    assert result == "class Layer:\n  def backward(self, dout):\n      return -dout\n"


def test_a_mutant_follows_unrelated_edits_of_the_solution():
    mutant = '''
        class Layer:
            def backward(self, dout):
                return dout * 2
        '''
    edited = SOLUTION.replace("return x + 1", "return x + 1  # one more").replace(
        "self.x = None", "self.x = None\n        self.calls = 0")
    result = patched(mutant, edited)
    assert "return x + 1  # one more" in result and "self.calls = 0" in result
    assert "return dout * 2" in result and "dx = dout * 1" not in result


@pytest.mark.parametrize("mutant, says", [
    ("print('hello')\n", "line 1: a mutant holds only definitions"),
    ("class Layer:\n    pass\n", "line 2: a class of a mutant holds only methods"),
    ("class Layer(object):\n    def backward(self, dout):\n        return dout\n", "line 1: write the class as"),
    ("def helper(x:\n", "line 1: this is not valid Python"),
])
def test_a_mutant_that_is_not_a_patch_is_refused_with_its_file_and_line(mutant, says):
    with pytest.raises(MutantError, match=f"^mutants/Layer/oops.py, {says}"):
        apply(SOLUTION, mutant, "mutants/Layer/oops.py")


def test_the_docstring_says_the_mistake_and_may_declare_the_diagnosis(tmp_path):
    (tmp_path / "mutants" / "Layer").mkdir(parents=True)
    (tmp_path / "mutants" / "Layer" / "doubled.py").write_text(
        '"""Layer.backward doubles the gradient.\n\nDiagnosis: scaled\n"""\n')
    (tmp_path / "mutants" / "Layer" / "plain.py").write_text('"""Layer.backward forgets dout."""\n')
    doubled, plain = mutants.find(tmp_path)
    assert (doubled.id, doubled.description, doubled.diagnosis) == ("Layer/doubled", "Layer.backward doubles the gradient.",
                                                                    "scaled")
    assert (plain.id, plain.description, plain.diagnosis) == ("Layer/plain", "Layer.backward forgets dout.", None)


def test_a_submission_holds_every_solution_module_with_the_mistake_in_its_own(tmp_path):
    solutions = tmp_path / "solutions"
    solutions.mkdir()
    (solutions / "layers.py").write_text(SOLUTION)
    (solutions / "other.py").write_text("def other():\n    return 1\n")
    (tmp_path / "mutants" / "Layer").mkdir(parents=True)
    path = tmp_path / "mutants" / "Layer" / "doubled.py"
    path.write_text('"""Layer.backward doubles."""\nclass Layer:\n    def backward(self, dout):\n        return dout * 2\n')
    folder = mutants.submission(Mutant(path), solutions, tmp_path / "student")
    assert sorted(p.name for p in folder.iterdir()) == ["layers.py", "other.py"]
    assert (folder / "other.py").read_text() == "def other():\n    return 1\n"
    assert "return dout * 2" in (folder / "layers.py").read_text()
    assert (solutions / "layers.py").read_text() == SOLUTION


def test_a_mutant_of_a_name_no_single_solution_module_defines_is_refused(tmp_path):
    (tmp_path / "a.py").write_text("def twice():\n    pass\n")
    (tmp_path / "b.py").write_text("def twice():\n    pass\n")
    with pytest.raises(MutantError, match="2 modules of .* define twice"):
        mutants.module_defining("twice", tmp_path)
    with pytest.raises(MutantError, match="0 modules of .* define Missing"):
        mutants.module_defining("Missing", tmp_path)


@pytest.mark.parametrize("mutant", MUTANTS, ids=lambda m: m.id)
def test_a_builtin_mutant_changes_its_own_graded_name_and_nothing_else(mutant):
    module = ASSIGNMENT_OF[mutant.name]
    assert mutants.module_defining(mutant.name, SOLUTIONS).stem == module
    solution = ast.parse((SOLUTIONS / f"{module}.py").read_text(encoding="utf-8"))
    result = ast.parse(mutated(mutant))
    before = {getattr(n, "name", None): ast.dump(n) for n in solution.body}
    after = {getattr(n, "name", None): ast.dump(n) for n in result.body}
    assert before[mutant.name] != after[mutant.name]
    changed = {name for name in before if after.get(name) != before[name]}
    assert changed == {mutant.name}, changed
    assert len(mutant.text.splitlines()) <= 40, "a mutant holds what changes, not a copy of the module"


def test_the_package_ships_the_mutants_of_the_builtin_course():
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["courses"]
    shipped = {Path(p) for pattern in patterns for p in glob.glob(pattern, root_dir=ROOT / "courses", recursive=True)}
    assert len(MUTANTS) >= 30
    for mutant in MUTANTS:
        assert mutant.path.relative_to(ROOT / "courses") in shipped, mutant.id
    assert [m.path.parent.parent for m in MUTANTS] == [COURSE.root / mutants.FOLDER] * len(MUTANTS)
