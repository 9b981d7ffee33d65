"""README's map of the code ("How it is built") names every module of the engine."""
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _section() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    start = readme.index("## How it is built")
    return readme[start: readme.index("\n## ", start + 1)]


def _named(section: str) -> set[str]:
    """Every module the map names, as a path below grader/ (folders give the path of what they hold)."""
    named, stack = set(), []
    tree = section[section.index("    grader/\n"):]
    for line in tree.splitlines():
        stripped = line.strip()
        if not line.startswith("      ") or not stripped:
            continue
        depth = (len(line) - len(line.lstrip()) - 6) // 2
        entry = stripped.split("  ")[0]
        stack[depth:] = []
        if entry.endswith("/") and "," not in entry:
            stack.append(entry)
            continue
        for name in entry.split(", "):
            named.add("".join(stack) + name)
    return named


def test_the_map_names_every_module_of_the_engine():
    modules = {str(p.relative_to(ROOT / "grader")) for p in (ROOT / "grader").rglob("*.py")}
    named = _named(_section())
    assert sorted(modules - named) == [], "modules missing from README's map"
    assert sorted(named - modules) == [], "README's map names modules that do not exist"


def test_the_map_draws_the_processes():
    section = _section()
    for process in ("grade, the judge", "zygote", "keeper", "student process"):
        assert process in section
