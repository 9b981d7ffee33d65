"""Every report for every known submission, in every format and both languages, is what the golden set says.

A change that alters what users read on purpose regenerates the set
(``python tests/golden_reports.py``) in a commit of its own, so the diff of
``tests/golden/digests.json`` shows exactly which outputs it changed; any
other change must leave every output byte for byte as it was.
"""
import json

import golden_reports


def test_every_output_is_byte_for_byte_the_golden_one():
    expected = json.loads(golden_reports.DIGESTS.read_text())
    found = {name: golden_reports.digest(text) for name, text in golden_reports.outputs().items()}
    assert sorted(found) == sorted(expected), "outputs added or missing: regenerate the golden set on purpose"
    changed = sorted(name for name in found if found[name] != expected[name])
    assert not changed, (f"{len(changed)} outputs changed, first {changed[:10]}; compare "
                         "`python tests/golden_reports.py --write DIR` before and after")
