"""The JSON report, as described in the README."""
import json


def render(report: dict, **options) -> str:
    return json.dumps(report, indent=2, ensure_ascii=False) + "\n"
