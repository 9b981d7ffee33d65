"""The JSON report, as described in the README.

One test per line: as easy to read as an indented file, and written by
Python's fast (C) encoder, which a whole-document indent would bypass.
"""
import json


def render(report: dict, **options) -> str:
    fields = []
    for key, value in report.items():
        if key == "tests" and isinstance(value, list) and value:
            tests = ",\n    ".join(_compact(test) for test in value)
            fields.append(f'  {_compact(key)}: [\n    {tests}\n  ]')
        else:
            fields.append(f"  {_compact(key)}: {_compact(value)}")
    return "{\n" + ",\n".join(fields) + "\n}\n"


def _compact(value) -> str:
    return json.dumps(value, ensure_ascii=False)
