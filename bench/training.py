#!/usr/bin/env python3
"""Training speed: `jikken train` against the same ConvNet in Python (Debian's python3-torch) and
against a compute-only C++ loop, on 10,000 Fashion-MNIST images, batch 64, Adam, the same threads.
Run from the repository root after building: python3 bench/training.py [--threads N] [--repeats N]"""
import argparse
import json
import os
import statistics
import subprocess
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
JIKKEN = os.path.join(ROOT, "build/src/companion/jikken")
COMPUTE_ONLY = os.path.join(ROOT, "build/bench/bench_compute_only")
IMAGES, EPOCHS = 10000, 2

parser = argparse.ArgumentParser()
parser.add_argument("--threads", type=int, default=os.cpu_count())
parser.add_argument("--repeats", type=int, default=5)
args = parser.parse_args()


def jikken_rate(home, logs):
    env = dict(os.environ, JIKKEN_HOME=home)
    run_id = subprocess.run(
        [JIKKEN, "train", "--model", "convnet", "--optimizer", "adam", "--batch-size", "64",
         "--epochs", str(EPOCHS), "--train-limit", str(IMAGES), "--test-limit", "1000",
         "--threads", str(args.threads), "--log-root", logs],
        env=env, check=True, capture_output=True, text=True).stdout.split()[0]
    shown = subprocess.run([JIKKEN, "show", run_id, "--json"], env=env, check=True,
                           capture_output=True, text=True).stdout
    return json.loads(shown)["final_metrics"]["images_per_second"]


def python_rate(variant):
    env = dict(os.environ)
    if variant == "same-kernels":  # and jikken's allocator settings (src/companion/train/AllocatorTuning.h)
        env.update(MALLOC_MMAP_THRESHOLD_=str(32 << 20), MALLOC_TRIM_THRESHOLD_=str(1 << 30))
    out = subprocess.run(["/usr/bin/python3", os.path.join(ROOT, "bench/convnet_baseline.py"),
                          str(IMAGES), str(args.threads), str(EPOCHS), variant], env=env,
                         check=True, capture_output=True, text=True).stdout
    return float(out)


def compute_only_rate():
    out = subprocess.run([COMPUTE_ONLY, str(IMAGES), str(args.threads), str(EPOCHS)],
                         check=True, capture_output=True, text=True).stdout
    return float(out)


with tempfile.TemporaryDirectory() as scratch:
    rates = {"python": [], "python-same": [], "jikken": [], "compute": []}
    # Interleaved, so a slow moment of the machine hits every contender alike.
    for i in range(args.repeats):
        rates["compute"].append(compute_only_rate())
        rates["jikken"].append(jikken_rate(os.path.join(scratch, "home"), os.path.join(scratch, "logs")))
        rates["python"].append(python_rate("idiomatic"))
        rates["python-same"].append(python_rate("same-kernels"))

# Best of the repeats: on a shared two-core machine the fastest run is the least disturbed one. The
# medians are printed too, to show the spread.
med = {k: max(v) for k, v in rates.items()}
print(f"ConvNet on {IMAGES} Fashion-MNIST images, batch 64, Adam, {args.threads} threads; "
      f"images/s of the last of {EPOCHS} epochs, best of {args.repeats} interleaved runs\n")
print("| contender                                  | images/s | vs Python | vs compute-only | median |")
print("|--------------------------------------------|----------|-----------|-----------------|--------|")
for name, label in [("python", "Python, python3-torch (baseline)"),
                    ("python-same", "Python, with jikken's kernel choices"),
                    ("jikken", "jikken train (data, logging, registry)"),
                    ("compute", "C++ compute-only loop")]:
    print(f"| {label:<42} | {med[name]:8.0f} | {med[name] / med['python']:8.3f}x | "
          f"{med[name] / med['compute']:14.3f}x | {statistics.median(rates[name]):6.0f} |")
overhead = 1.0 - med["jikken"] / med["compute"]
print(f"\njikken train / Python: {med['jikken'] / med['python']:.3f}x (target >= 1.05x); "
      f"against Python with the same kernels: {med['jikken'] / med['python-same']:.3f}x")
print(f"data loading + logging + registry share of step time: {overhead * 100:.1f}% (target <= 3%)")
print("raw:", {k: [round(r) for r in v] for k, v in rates.items()})
