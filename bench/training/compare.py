#!/usr/bin/env python3
"""Training throughput of one epoch, Burn (`training benchmark`, burn-train on Flex) against
PyTorch on the CPU (pytorch_epoch.py), the same network, batch size, optimizer and thread count,
no augmentation on either. The two alternate (Burn, PyTorch, Burn, PyTorch, ...) so that a busy
spell on the machine hits both; the medians and their ratio are printed.

    cargo build --release -p training
    python3 bench/training/compare.py --python /path/to/venv-with-torch/bin/python

Run from the repository root after `cargo run -p training --release` has fetched MNIST once.
"""

import argparse
import os
import re
import resource
import statistics
import subprocess
import sys
from pathlib import Path

IMAGES = re.compile(r"^epoch: (\d+) training", re.M)
EPOCH = re.compile(r"^epoch: .*: ([\d.]+) training images/s$", re.M)
# The Burn side's progress lines; the last one of the training split covers all of it.
BURN_TRAIN = re.compile(r"^\s+epoch 1 train\s+\d+%.*?([\d.]+) images/s$", re.M)
TORCH_TRAIN = re.compile(r"^train phase: ([\d.]+) images/s$", re.M)


def run(command, env):
    """The command's output and the CPU seconds it used (user + system, all its threads):
    on a busy machine the wall time mostly measures the neighbours, the CPU time less so."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return result.stdout, cpu


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--python", default=sys.executable, help="a Python with torch installed")
    parser.add_argument("--rounds", type=int, default=2, help="runs of each (at least 2)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--train-images", type=int, help="a shorter epoch: this many training images")
    args = parser.parse_args()

    env = dict(os.environ, RAYON_NUM_THREADS=str(args.threads), OMP_NUM_THREADS=str(args.threads))
    limit = [] if args.train_images is None else ["--train-images", str(args.train_images)]
    contenders = {
        "Burn (Flex, burn-train)": (
            ["target/release/training", "benchmark", "--no-augmentation", *limit],
            BURN_TRAIN,
        ),
        "PyTorch (CPU)": (
            [args.python, "bench/training/pytorch_epoch.py", "--threads", str(args.threads), *limit],
            TORCH_TRAIN,
        ),
    }
    epoch = {name: [] for name in contenders}
    train = {name: [] for name in contenders}
    cpu_ms = {name: [] for name in contenders}
    for round in range(1, args.rounds + 1):
        for name, (command, train_line) in contenders.items():
            output, cpu = run(command, env)
            images = int(IMAGES.findall(output)[-1])
            epoch[name].append(float(EPOCH.findall(output)[-1]))
            train[name].append(float(train_line.findall(output)[-1]))
            cpu_ms[name].append(1000 * cpu / images)
            print(f"round {round}: {name}: epoch {epoch[name][-1]:.0f} images/s, "
                  f"training split {train[name][-1]:.0f} images/s, "
                  f"{cpu_ms[name][-1]:.2f} CPU ms per training image", flush=True)

    print(f"\nmedians of {args.rounds} runs each, {args.threads} threads:\n")
    print("| contender | epoch, images/s | training split only, images/s "
          "| CPU ms per training image | epoch runs, images/s |")
    print("| --- | ---: | ---: | ---: | --- |")
    for name in contenders:
        runs = ", ".join(f"{v:.0f}" for v in epoch[name])
        print(f"| {name} | {statistics.median(epoch[name]):.0f} "
              f"| {statistics.median(train[name]):.0f} "
              f"| {statistics.median(cpu_ms[name]):.2f} | {runs} |")
    burn, torch = (statistics.median(epoch[name]) for name in contenders)
    print(f"\nBurn / PyTorch, epoch images/s: {burn / torch:.2f}x")


if __name__ == "__main__":
    main()
