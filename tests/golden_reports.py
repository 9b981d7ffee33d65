"""The golden set: every report the grader writes, for every submission the tests know, in every format.

    python tests/golden_reports.py            # regenerate tests/golden/digests.json
    python tests/golden_reports.py --write DIR  # also write every output to DIR, to diff two versions

A change that is not meant to alter what users read (a restructuring, a
speed-up) must leave every digest as it is (``tests/test_golden.py``); a change
that alters report text on purpose regenerates the set in a commit of its own.
The submissions: the course's solutions and stubs, every mutant of the course, every
correct variant of ``tests/submissions`` and every habit of the corpus, each
graded in Korean and English with one seed and rendered in every format; a
class of them through ``grader batch`` (gradebook and class report); and
``--help`` of every command in both languages. What depends on the machine
or the clock (timings, ``isolation``, ``schema_version``, the temporary
folder) is normalised away before the digest.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
DIGESTS = HERE / "golden" / "digests.json"
SEED = 7
LANGUAGES = ("ko", "en")
FORMATS = ("text", "json", "markdown", "junit", "gradescope", "html")
TIMINGS = ("execution_time", "duration_seconds")
MACHINE = ("isolation", "schema_version", "grader_version")


def submissions(folder: Path) -> dict[str, Path]:
    """Every submission of the set, written into ``folder``: name -> what to give ``--submission``."""
    from builtin_course import MUTANTS, SOLUTIONS, mutant_submission
    from corpus.habits import HABITS

    stubs = folder / "stubs"
    shutil.copytree(ROOT / "assignments", stubs)
    for path in stubs.iterdir():  # as a fresh release: .py and .ipynb saved at the same moment
        os.utime(path, (1_700_000_000, 1_700_000_000))
    found = {"solutions": SOLUTIONS, "stubs": stubs}
    for mutant in MUTANTS:
        found[f"mutant/{mutant.id}"] = mutant_submission(folder / "mutants" / mutant.name / mutant.mistake, mutant)
    for variant in sorted(p for p in (HERE / "submissions").iterdir() if p.is_dir()):
        found[f"variant/{variant.name}"] = variant
    for name, build in sorted(HABITS.items()):
        found[f"habit/{name}"] = build(folder / "habits" / name).submit
    return found


def normalised(report: dict, folder: Path) -> dict:
    """The report without what depends on the machine, the clock or where the submissions were written."""
    text = json.dumps(report, ensure_ascii=False).replace(str(folder), "<tmp>").replace(str(ROOT), "<root>")
    report = json.loads(text)
    for key in TIMINGS + MACHINE:
        report.pop(key, None)
    for test in report.get("tests", []):
        for key in TIMINGS:
            test.pop(key, None)
    return report


def graded(path: Path, language: str, folder: Path) -> dict[str, str]:
    """Every format of the report of ``path`` in ``language``."""
    import grader.lang as i18n
    from grader.judge.engine import grade_submission
    from grader.reports import render

    i18n.set_language(language)
    report = normalised(grade_submission(path, suite="all", seed=SEED), folder)
    return {fmt: render(report, fmt, **({"width": 100} if fmt == "text" else {})) for fmt in FORMATS}


def helps() -> dict[str, str]:
    """``--help`` of every command, in both languages."""
    from click.testing import CliRunner

    from grader.cli import grade, grader

    outputs = {}
    commands = [("grade", grade, [])] + [(f"grader {name}", grader, [name]) for name in sorted(grader.commands)]
    commands.append(("grader", grader, []))
    for language in LANGUAGES:
        for label, command, prefix in commands:
            result = CliRunner().invoke(command, ["--lang", language, *prefix, "--help"], terminal_width=100,
                                        env={"COLUMNS": "100"})
            outputs[f"help/{label}/{language}"] = result.output
    return outputs


def class_outputs(paths: dict[str, Path], folder: Path) -> dict[str, str]:
    """``grader batch`` of a class (the solutions, the stubs and every mutant): gradebook and class report."""
    from grader.platforms.batch import run_batch

    classroom = folder / "class"
    for name, path in paths.items():
        if name == "stubs" or name.startswith(("mutant/", "solutions")):
            shutil.copytree(path, classroom / re.sub(r"\W", "_", name), ignore=shutil.ignore_patterns("*.md"))
    out = folder / "class-out"
    outputs = {}
    for language in LANGUAGES:
        import grader.lang as i18n

        i18n.set_language(language)
        shutil.rmtree(out, ignore_errors=True)
        run_batch(classroom, out, seed=SEED, jobs=2)
        for name in ("gradebook.csv", "class-report.csv", "class-report.html"):
            text = (out / name).read_text(encoding="utf-8-sig")
            outputs[f"class/{name}/{language}"] = text.replace(str(folder), "<tmp>")
    return outputs


def outputs() -> dict[str, str]:
    """Every output of the golden set, by name."""
    os.environ.pop("GRADER_IN_PROCESS", None)
    folder = Path(tempfile.mkdtemp(prefix="golden-"))
    try:
        paths = submissions(folder)
        found = {}
        for name, path in paths.items():
            for language in LANGUAGES:
                for fmt, text in graded(path, language, folder).items():
                    found[f"{name}/{language}.{fmt}"] = text
        found.update(class_outputs(paths, folder))
        found.update(helps())
        return found
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", type=Path, help="also write every output to this folder")
    args = parser.parse_args()
    found = outputs()
    if args.write:
        for name, text in found.items():
            target = args.write / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8", errors="surrogatepass")
    DIGESTS.parent.mkdir(exist_ok=True)
    DIGESTS.write_text(json.dumps({k: digest(v) for k, v in sorted(found.items())}, indent=1) + "\n")
    print(f"{len(found)} outputs; digests written to {DIGESTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
