#!/usr/bin/env bash
# SweepLab's SLURM submit script template (in the spirit of cryoSPARC's cluster_script.sh). A site may edit it:
# `sweeplab run` copies the template it used to DIR/slurm/template.sh and uses that copy on later submissions
# of the same sweep folder; a template of the site's own is given with --slurm-template FILE or the sweep file's
# `execution: {slurm: {template: FILE}}`.
#
# Every placeholder (one of the names below in double braces) is replaced before submission; a line where any
# placeholder comes out empty is left out entirely (so unset options vanish). An unknown name is an error. Names:
#   job_name           sweeplab-<sweep name>, with -merge for the merge job
#   partition          execution.slurm.partition (empty: the cluster's default partition)
#   account            execution.slurm.account (empty: the user's default account)
#   qos                execution.slurm.qos (empty: the default QOS)
#   time               execution.slurm.time, SLURM's format: minutes, HH:MM:SS or D-HH:MM:SS (empty: partition default)
#   memory             execution.slurm.memory, e.g. 8G (empty: the cluster's default)
#   cpus               execution.slurm.cpus, CPUs per task (default 1)
#   gpus               execution.slurm.gpus, GPUs per task (empty when 0; always empty for the merge job)
#   modules            `module load ...` for execution.slurm.modules (empty when none)
#   setup              execution.slurm.setup: extra shell lines (conda activate, exports), one per line
#   log_file           where SLURM writes the task's output: DIR/slurm/logs/task-%A_%a.out or merge-%j.out
#   sweep_dir          the sweep output folder DIR (must be on a file system every node sees)
#   command            the SweepLab command: the same dotnet + sweeplab.dll (or sweeplab executable) that submitted,
#                      running `worker DIR --task <offset + SLURM_ARRAY_TASK_ID>` or `merge DIR`
# The job array (--array=...%throttle), the task offset (SWEEPLAB_TASK_OFFSET, exported) and the merge job's
# dependency are given on sbatch's command line, which takes precedence over #SBATCH lines.
#SBATCH --job-name={{ job_name }}
#SBATCH --partition={{ partition }}
#SBATCH --account={{ account }}
#SBATCH --qos={{ qos }}
#SBATCH --time={{ time }}
#SBATCH --mem={{ memory }}
#SBATCH --cpus-per-task={{ cpus }}
#SBATCH --gres=gpu:{{ gpus }}
#SBATCH --ntasks=1
#SBATCH --output={{ log_file }}
#SBATCH --chdir={{ sweep_dir }}
set -euo pipefail
{{ modules }}
{{ setup }}
export SWEEPLAB_TASK_OFFSET=${SWEEPLAB_TASK_OFFSET:-0}
echo "sweeplab: job ${SLURM_JOB_ID:-?} array task ${SLURM_ARRAY_TASK_ID:-none} on $(hostname) at $(date -Is)"
{{ command }}
