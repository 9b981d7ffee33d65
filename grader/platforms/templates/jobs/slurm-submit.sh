#!/bin/bash
# Submits the array of shards, and the merge to run once every task has ended (whatever its outcome: the merge
# names a shard that is missing).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
array="$(sbatch --parsable slurm/grade.sbatch)"
sbatch --dependency="afterany:${array%%;*}" slurm/merge.sbatch
