#!/usr/bin/env bash
# The README's two set-up commands on a fresh machine, timed: a new Debian bookworm root (debootstrap:
# minimal, plus python3, python3-venv, git and ca-certificates), a fresh clone of this repository's
# branch in it, no cached wheels; then, inside it with chroot, as root as a container is:
#   1. a venv, the project installed into it, and `grade` (the student's first run);
#   2. .ci/run: Debian's Chromium and a Korean font, the test extras, and the whole test suite.
# Needs root and debootstrap (apt-get install debootstrap); takes 20 to 40 minutes on 2 cores.
#   benchmarks/fresh_machine.sh [ROOT_FOLDER] [BRANCH]      (the log goes to ROOT_FOLDER.log)
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
root="${1:-/tmp/fresh-bookworm}"
branch="${2:-$(git -C "$repo" rev-parse --abbrev-ref HEAD)}"
mirror="$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)"
mirror="${mirror:-http://deb.debian.org/debian}"

seconds() { date +%s.%N; }
took() { printf '%s: %.0f s\n' "$1" "$(echo "$(seconds) - $2" | bc)"; }

if mountpoint -q "$root/proc" 2>/dev/null; then umount -l "$root/proc" "$root/dev/pts" "$root/dev" || true; fi
rm -rf "$root"
start=$(seconds)
debootstrap --variant=minbase --include=python3,python3-venv,git,ca-certificates bookworm "$root" "$mirror"
took "debootstrap (a fresh Debian bookworm root)" "$start"

cp /etc/resolv.conf "$root/etc/resolv.conf"
# the machine's own certificate authorities (a proxy's) and pip's use of them: its network, not the project
cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/" 2>/dev/null || true
chroot "$root" update-ca-certificates >/dev/null 2>&1 || true
[ -f /etc/pip.conf ] && cp /etc/pip.conf "$root/etc/pip.conf"
cp -a /etc/apt/sources.list.d/debian.sources "$root/etc/apt/sources.list.d/" 2>/dev/null || true
mount -t proc proc "$root/proc"
mount --bind /dev "$root/dev"
mount --bind /dev/pts "$root/dev/pts"
trap 'umount -l "$root/dev/pts" "$root/dev" "$root/proc" 2>/dev/null || true' EXIT

git clone --quiet --branch "$branch" "$repo" "$root/home/grader"  # a fresh clone, as `git clone URL` makes
inside() { chroot "$root" /usr/bin/env -i HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    LANG=C.UTF-8 TERM=dumb bash -c "cd /home/grader && $1"; }

start=$(seconds)
inside 'python3 -m venv .venv && . .venv/bin/activate && pip install -e . && grade'
took "command 1 (venv, install, grade)" "$start"

start=$(seconds)
inside '.ci/run'
took "command 2 (.ci/run: Chromium, Korean fonts, test extras, the tests)" "$start"
