"""The JSON report of SPEC section 4, with a few extra fields."""
import json


def render(report: dict, **options) -> str:
    return json.dumps(report, indent=2, ensure_ascii=False) + "\n"
