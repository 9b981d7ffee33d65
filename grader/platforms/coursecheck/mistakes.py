"""The course check's mutation analysis: known mistakes, made on the solutions, must lose points as themselves.

Two kinds. The mistakes of the diagnosis vocabulary (:mod:`grader.judge.mutation`),
made by the judge on what each graded name gives back, for every name and
every code that applies to it: each must lose points, be diagnosed as
itself (the diagnosis its failed tests get most often is its code), and
never make a test fail inside the grader. And the course's own mutants
(``mutants/<Name>/<mistake>.py``, :mod:`grader.judge.mutants`): each must
lose points on its own name, and on no other name but those whose solution uses it, and get the diagnosis it declares, if it
declares one.
"""
from __future__ import annotations

import ast
import collections
import tempfile
from pathlib import Path

import grader.judge.mutants as mutants
from grader.judge.mutating import MutatingRunner
from grader.judge.mutation import MISTAKES
from grader.judge.record import TestResult
from grader.platforms.coursecheck.structure import problem
from grader.platforms.coursecheck.trials import UNSETTLED, run, runner_for


def gradients(solutions: Path) -> dict[str, set[str]]:
    """For each class of the solutions, the ``d<param>`` attributes its ``backward`` sets (``self.dW = ...``)."""
    found: dict[str, set[str]] = collections.defaultdict(set)
    for path in sorted(solutions.glob("*.py")):
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"))
        except (SyntaxError, UnicodeDecodeError):
            continue  # the stubs' check says what is wrong with it
        for cls in (node for node in tree.body if isinstance(node, ast.ClassDef)):
            for method in (node for node in cls.body if isinstance(node, ast.FunctionDef) and node.name == "backward"):
                found[cls.name] |= {target.attr for node in ast.walk(method) for target in _targets(node)
                                    if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name)
                                    and target.value.id == "self" and target.attr[:1] == "d" and len(target.attr) > 1}
    return dict(found)


def users(solutions: Path) -> dict[str, set[str]]:
    """For each name the solutions define at module level, the names of the same module its code uses:
    ``gradient_descent`` uses ``numerical_gradient``, so a mutant of the one may cost points on the other."""
    found: dict[str, set[str]] = collections.defaultdict(set)
    for path in sorted(solutions.glob("*.py")):
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"))
        except (SyntaxError, UnicodeDecodeError):
            continue
        defined = {node.name for node in tree.body if isinstance(node, (ast.ClassDef, ast.FunctionDef))}
        for node in tree.body:
            if isinstance(node, (ast.ClassDef, ast.FunctionDef)):
                used = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)} & defined - {node.name}
                found[node.name] |= used
    return dict(found)


def _targets(node) -> list:
    if isinstance(node, ast.Assign):
        return node.targets
    return [node.target] if isinstance(node, (ast.AugAssign, ast.AnnAssign)) else []


def _verdict(results: list[TestResult], expected: str | None) -> tuple[list[TestResult], str | None]:
    """The tests that lost points, and the diagnosis they got most often (None if none lost any): ``expected``
    if no other diagnosis was given more often."""
    lost = [r for r in results if r.status != "passed"]
    counts = collections.Counter(r.diagnosis.code if r.diagnosis else "wrong_values" for r in lost)
    if not counts:
        return lost, None
    most = max(counts.values())
    return lost, expected if counts.get(expected) == most else counts.most_common(1)[0][0]


def checked_values(check, name: str, runner, seed: int, attributes) -> frozenset[int]:
    """Which of ``name``'s values ``check`` checks (indexes in the order it reads them): those whose spoiling
    alone costs the test its points. A document test that compares ``dW`` and not the ``dx`` its backward
    also returns is judged on ``dW`` only."""
    spoil = MISTAKES["wrong_values"]
    counting = MutatingRunner(runner, name, spoil, attributes, only=frozenset())
    run([check], counting, seed)
    found = set()
    for index in range(counting.values):
        probe = MutatingRunner(runner, name, spoil, attributes, only=frozenset({index}))
        if run([check], probe, seed)[0].status != "passed":
            found.add(index)
    return frozenset(found)


def generated(course, checks, runner, seed: int, names) -> tuple[list[dict], dict]:
    """Every mistake of the vocabulary on every graded name of ``names`` (those the solutions pass), made on
    the values each test checks."""
    attributes = gradients(course.solutions)
    found, results = [], {}
    for name in names:
        mine = [c for c in checks if c.layer == name]
        looked_at = {c.name: checked_values(c, name, runner, seed, attributes.get(name, ())) for c in mine}
        results[name] = {}
        for mistake_ in MISTAKES.values():
            outcome = _try(mistake_, name, mine, runner, seed, attributes.get(name, ()), looked_at)
            if outcome is not None:
                results[name][mistake_.code] = outcome
                found += _judged(name, mistake_, outcome)
    return found, results


def _try(mistake_, name: str, checks, runner, seed: int, attributes, looked_at: dict) -> dict | None:
    tests, applied = [], 0
    for check in checks:
        proxy = MutatingRunner(runner, name, mistake_, attributes, only=looked_at[check.name])
        result = run([check], proxy, seed)[0]
        tests.append((check, result, proxy.applied > 0))
        applied += proxy.applied
    if not applied:
        return None
    lost, verdict = _verdict([result for _, result, _ in tests], mistake_.code)
    crashed = [r for r in lost if r.status == "error"]
    wrong = [r for r in lost if r.diagnosis and r.diagnosis.code != mistake_.code]
    return {"applied": sum(applied for *_, applied in tests), "caught": len(lost), "verdict": verdict,
            "right": verdict == mistake_.code,
            "crashed": [{"test": r.name, "error": (r.diagnosis.params.get("error", "") if r.diagnosis else "")}
                        for r in crashed],
            "first_wrong": {"test": wrong[0].name, "diagnosis": wrong[0].diagnosis.code} if wrong else None,
            "diagnoses": dict(collections.Counter(r.diagnosis.code for r in lost if r.diagnosis))}


def _judged(name: str, mistake_, outcome: dict) -> list[dict]:
    fields = {"name": name, "diagnosis": mistake_.code, "what": mistake_.what}
    if outcome["crashed"]:
        return [problem("mistake_crashed", **fields, **outcome["crashed"][0])]
    if not outcome["caught"]:
        return [problem("uncaught", **fields)]
    if not outcome["right"]:
        example = outcome["first_wrong"] or {}
        return [problem("misdiagnosed", **fields, got=outcome["verdict"], test=example.get("test", ""))]
    return []


def course_mutants(course, checks, grading, seed: int) -> tuple[list[dict], list[dict]]:
    """Every mutant of the course's ``mutants/`` folder graded: each must lose points on its name only."""
    found, results = [], []
    using = users(course.solutions)
    with tempfile.TemporaryDirectory(prefix="grader-check-mutants-") as scratch:
        for number, mutant in enumerate(mutants.find(course.root)):
            try:
                module, _text = mutants.assemble(mutant, course.solutions)
                folder = mutants.submission(mutant, course.solutions, Path(scratch) / str(number), module)
            except (mutants.MutantError, OSError) as error:
                found.append(problem("mutant", mutant=mutant.id, error=str(error)))
                continue
            mine = [c for c in checks if c.assignment == module[:-3]]
            with runner_for(folder, grading) as runner:
                outcome = _mutant_outcome(mutant, run(mine, runner, seed), using)
            results.append(outcome)
            found += _mutant_judged(outcome)
    return found, results


def _mutant_outcome(mutant, results: list[TestResult], using: dict[str, set[str]]) -> dict:
    """What the mutant's grading shows; points lost on a name whose solution uses the mutated one are its due."""
    lost, verdict = _verdict([r for r in results if r.layer == mutant.name], mutant.diagnosis)
    elsewhere = [r for r in results if r.status != "passed" and r.layer != mutant.name
                 and mutant.name not in using.get(r.layer, ()) and not _unsettled(r)]
    declared = mutant.diagnosis
    # right if some test that caught it names it as declared: which shapes a seed draws decides how often
    named = {r.diagnosis.code for r in lost if r.diagnosis}
    return {"mutant": mutant.id, "name": mutant.name, "description": mutant.description, "caught": len(lost),
            "declared": declared, "verdict": declared if declared in named else verdict,
            "right": bool(lost) and (declared is None or declared in named),
            "elsewhere": [{"test": r.name, "name": r.layer} for r in elsewhere]}


def _unsettled(result: TestResult) -> bool:
    """A crash or a timeout that outlived the retries: the machine's doing as likely as the mutant's."""
    return result.diagnosis is not None and result.diagnosis.code in UNSETTLED


def _mutant_judged(outcome: dict) -> list[dict]:
    fields = {"mutant": outcome["mutant"], "description": outcome["description"]}
    if not outcome["caught"]:
        return [problem("mutant_free", **fields)]
    if outcome["elsewhere"]:
        return [problem("mutant_elsewhere", **fields, **outcome["elsewhere"][0])]
    if not outcome["right"]:
        return [problem("mutant_misdiagnosed", **fields, declared=outcome["declared"], got=outcome["verdict"])]
    return []
