#!/usr/bin/env bash
# Gradescope runs this for every submission. It grades /autograder/submission
# and writes /autograder/results/results.json. It always leaves a results.json
# behind: if grading cannot even start, the student gets score 0 and a message.
# AUTOGRADER_ROOT replaces /autograder (for trying the bundle locally).
ROOT="${AUTOGRADER_ROOT:-/autograder}"
RESULTS="$ROOT/results/results.json"

mkdir -p "$ROOT/results"
rm -f "$RESULTS"
cd "$ROOT"  # python -m looks in the current folder first: only the bundle's grader and course may answer
"$ROOT/venv/bin/python" -m grader.platforms.autograder --root "$ROOT"

if [ ! -s "$RESULTS" ]; then
    echo "The grader did not write $RESULTS; writing a score-0 result instead."
    cat > "$RESULTS" <<'JSON'
{"score": 0.0, "output": "@@NOT_RUN@@", "output_format": "text", "stdout_visibility": "hidden", "tests": []}
JSON
fi
exit 0
