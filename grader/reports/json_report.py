"""The JSON report, as described in the README and ``docs/report.schema.json``.

The report's dict is written as it is, key order included (``Report.to_dict()``
makes it). One test per line: as easy to read as an indented file, and
written by Python's fast (C) encoder, which a whole-document indent would
bypass.
"""
import json


def render(report, **options) -> str:
    if not isinstance(report, dict):
        report = report.to_dict()
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
