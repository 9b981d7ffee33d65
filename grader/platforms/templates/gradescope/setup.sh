#!/usr/bin/env bash
# Gradescope runs this once, as root, when it builds the autograder image.
# It makes a virtual environment with the pinned dependencies of
# requirements.txt and puts the grader of this bundle and its course (hidden
# tests included) on its path. Nothing is built, so the grader needs no network of its own.
#
# Settings (all optional; tests use them to install into a temporary folder):
#   AUTOGRADER_ROOT      instead of /autograder
#   AUTOGRADER_PYTHON    the interpreter for the environment (default: python3)
#   GRADER_VENV_OPTIONS  extra options for `python -m venv`
set -euo pipefail

ROOT="${AUTOGRADER_ROOT:-/autograder}"
SOURCE="$ROOT/source"
VENV="$ROOT/venv"
PYTHON="${AUTOGRADER_PYTHON:-python3}"
read -r -a VENV_OPTIONS <<< "${GRADER_VENV_OPTIONS:-}"

make_venv() {
    rm -rf "$VENV"
    "$PYTHON" -m venv "${VENV_OPTIONS[@]}" "$VENV"
}

if ! command -v "$PYTHON" >/dev/null || ! make_venv; then
    echo "Installing Python and venv with apt-get..."
    apt-get update
    apt-get install -y --no-install-recommends python3 python3-venv python3-pip
    make_venv
fi

"$VENV/bin/python" -m pip install --disable-pip-version-check --no-input -r "$SOURCE/requirements.txt"

SITE="$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
echo "$SOURCE" > "$SITE/backprop_grader.pth"

# Fail here, while the instructor watches, rather than on the first submission.
"$VENV/bin/python" -c 'import grader, grader.judge.engine; from grader.judge.course import default; from grader.judge.suites import collect; n = len(collect(default())); print("grader", grader.__version__, "is ready with", n, "tests")'

# The course this bundle ships passed its check (grader check) with this very
# grader: its certificate says so for these files, and nothing has changed since.
"$VENV/bin/python" - "$SOURCE"/courses/*/ <<'VERIFY'
import sys
from grader.judge.course import load
from grader.platforms.coursecheck import certificates
for folder in sys.argv[1:]:
    if certificates.find(load(folder)) is None:
        sys.exit(f"{folder}: no valid certificate of the course check (grader check) for these files and this "
                 "grader: build the bundle again with grader bundle")
print("the course passed its check (its certificate is valid for these files and this grader)")
VERIFY

# Student code runs under its own unprivileged user id, in a root of its own (a
# kernel namespace, or chroot where Docker refuses namespaces); keep the grader
# and the hidden tests unreadable to it besides.
chmod -R go-rwx "$SOURCE"

# Fail the image build, while the instructor watches, if student code could
# read the hidden tests or write what runs for the next student on this image.
"$VENV/bin/python" -c 'from grader.cli.launch import grader; grader()' probe
