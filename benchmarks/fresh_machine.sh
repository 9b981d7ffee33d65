#!/usr/bin/env bash
# The README's two set-up commands on a fresh machine, timed: a new Debian bookworm root (debootstrap:
# minimal, plus python3, python3-venv, git and ca-certificates), a fresh clone of this repository's
# branch in it, no cached wheels; then, inside it as a container runs (a mount namespace of its own whose
# root it is, by pivot_root), as root:
#   1. a venv, the project installed into it, and `grade` (the student's first run);
#   2. .ci/run: Debian's Chromium and a Korean font, the test extras, and the whole test suite.
# Needs root and debootstrap (apt-get install debootstrap); takes 20 to 40 minutes on 2 cores.
#   benchmarks/fresh_machine.sh [ROOT_FOLDER] [BRANCH] 2>&1 | tee ROOT_FOLDER.log
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
root="${1:-/tmp/fresh-bookworm}"
branch="${2:-$(git -C "$repo" rev-parse --abbrev-ref HEAD)}"
mirror="$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -1)"
mirror="${mirror:-http://deb.debian.org/debian}"

seconds() { date +%s.%N; }
took() { printf '%s: %.0f s\n' "$1" "$(echo "$(seconds) - $2" | bc)"; }

for folder in sys dev proc; do
    if mountpoint -q "$root/$folder" 2>/dev/null; then umount -R -l "$root/$folder"; fi
done
if grep -q " $root/" /proc/self/mountinfo; then echo "$root still has mounts: not removing it" >&2; exit 1; fi
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
mount --rbind /dev "$root/dev"
mount --rbind /sys "$root/sys"
trap 'umount -R -l "$root/sys" "$root/dev" "$root/proc" 2>/dev/null || true' EXIT

git clone --quiet --branch "$branch" "$repo" "$root/home/grader"  # a fresh clone, as `git clone URL` makes
# As a container runs: the root made the real root of a mount namespace of its own (pivot_root), not a
# chroot, inside which the kernel refuses user namespaces and so the sandbox's own confinement; and a PID
# namespace of its own. This machine's other graders (as root) share its uid slots for student code, as
# one machine's graders do: without that, the two sides would give children the same user id and each
# side's clean-up by user id would kill the other's children.
mkdir -p -m 700 /run/backprop-grader-uids "$root/run/backprop-grader-uids"
# The machine's own settings that numpy needs here (OpenBLAS kernels for this processor), as its shell has
machine_env() { env | grep -E '^OPENBLAS_(CORETYPE|L2_SIZE)=' | tr '\n' ' ' || true; }
# setsid: the session and process group of the commands are in the namespace, as a container's are
inside() {
    unshare --mount --pid --fork --propagation private /bin/bash -c '
        mount --bind /run/backprop-grader-uids "$1/run/backprop-grader-uids" &&
        mount --rbind "$1" "$1" && cd "$1" && mkdir -p .old-root && pivot_root . .old-root && cd / &&
        umount -l /.old-root && rmdir /.old-root && mount -t proc proc /proc &&
        exec setsid /usr/bin/env -i HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
            LANG=C.UTF-8 TERM=dumb $3 bash -c "cd /home/grader && $2"' sh "$root" "$1" "$(machine_env)"
}

start=$(seconds)
inside 'python3 -m venv .venv && . .venv/bin/activate && pip install -e . && grade'
took "command 1 (venv, install, grade)" "$start"

start=$(seconds)
status=0
inside '.ci/run' || status=$?
took "command 2 (.ci/run: Chromium, Korean fonts, test extras, the tests), exit status $status" "$start"
exit "$status"
