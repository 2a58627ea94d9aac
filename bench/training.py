#!/usr/bin/env python3
"""Training speed on the CPU: `jikken train` against the same ConvNet in Python PyTorch with the same
libtorch, on 10,000 Fashion-MNIST images, batch 64, Adam, the same threads. Two pairs:

- Debian: jikken built against Debian's libtorch 1.13 (build/) and Debian's python3-torch 1.13 (reference
  BLAS), with a compute-only C++ loop beside them;
- PyPI: jikken built against PyPI's torch (build/gpu-torch-VERSION, made by scripts/test-gpu-build.sh: CUDA
  libtorch, run on the CPU here) and Python with the same torch (build/torch-VERSION/bin/python): oneDNN and
  MKL kernels, what a user who `pip install torch` gets. This is the honest anchor.

Run from the repository root after building:
    python3 bench/training.py [--threads N] [--repeats N] [--torch VERSION]"""
import argparse
import json
import os
import statistics
import subprocess
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
IMAGES, EPOCHS = 10000, 2

parser = argparse.ArgumentParser()
parser.add_argument("--threads", type=int, default=os.cpu_count())
parser.add_argument("--repeats", type=int, default=5)
parser.add_argument("--pairs", default="debian,pypi", help="which pairs to run: debian, pypi or both")
parser.add_argument("--torch", default=os.environ.get("JIKKEN_GPU_TORCH", "2.11.0"),
                    help="the PyPI torch version of the second pair (scripts/test-gpu-build.sh's)")
args = parser.parse_args()

DEBIAN_JIKKEN = os.path.join(ROOT, "build/src/companion/jikken")
DEBIAN_PYTHON = "/usr/bin/python3"
COMPUTE_ONLY = os.path.join(ROOT, "build/bench/bench_compute_only")
PYPI_JIKKEN = os.path.join(ROOT, "build/gpu-torch-%s/src/companion/jikken" % args.torch)
PYPI_PYTHON = os.path.join(ROOT, "build/torch-%s/bin/python" % args.torch)


def run(command, env=None):
    return subprocess.run(command, env=env, check=True, capture_output=True, text=True).stdout


def jikken_rate(jikken, scratch):
    env = dict(os.environ, JIKKEN_HOME=os.path.join(scratch, "home"))
    run_id = run([jikken, "train", "--model", "convnet", "--optimizer", "adam", "--batch-size", "64",
                  "--epochs", str(EPOCHS), "--train-limit", str(IMAGES), "--test-limit", "1000",
                  "--threads", str(args.threads), "--log-root", os.path.join(scratch, "logs")], env).split()[0]
    return json.loads(run([jikken, "show", run_id, "--json"], env))["final_metrics"]["images_per_second"]


def python_rate(python, variant):
    env = dict(os.environ)
    if variant == "same-kernels":  # and jikken's allocator settings (src/companion/train/AllocatorTuning.h)
        env.update(MALLOC_MMAP_THRESHOLD_=str(32 << 20), MALLOC_TRIM_THRESHOLD_=str(1 << 30))
    return float(run([python, os.path.join(ROOT, "bench/convnet_baseline.py"), str(IMAGES), str(args.threads),
                      str(EPOCHS), variant], env))


def torch_version(python):
    return run([python, "-c", "import torch; print(torch.__version__)"]).strip()


# (key, label, how to measure): the baseline of each pair first.
debian = [
    ("debian-python", "Python, Debian python3-torch %s (baseline)" % torch_version(DEBIAN_PYTHON),
     lambda s: python_rate(DEBIAN_PYTHON, "idiomatic")),
    ("debian-python-same", "Python, Debian, dense layers as 1x1 convs", lambda s: python_rate(DEBIAN_PYTHON, "same-kernels")),
    ("debian-jikken", "jikken train, Debian libtorch", lambda s: jikken_rate(DEBIAN_JIKKEN, s)),
    ("debian-compute", "C++ compute-only loop, Debian libtorch",
     lambda s: float(run([COMPUTE_ONLY, str(IMAGES), str(args.threads), str(EPOCHS)]))),
]
contenders = debian if "debian" in args.pairs else []
pypi = "pypi" in args.pairs and os.path.exists(PYPI_JIKKEN) and os.path.exists(PYPI_PYTHON)
if pypi:
    version = torch_version(PYPI_PYTHON)
    contenders += [
        ("pypi-python", "Python, PyPI torch %s (baseline)" % version, lambda s: python_rate(PYPI_PYTHON, "idiomatic")),
        ("pypi-python-same", "Python, PyPI, dense layers as 1x1 convs",
         lambda s: python_rate(PYPI_PYTHON, "same-kernels")),
        ("pypi-jikken", "jikken train, PyPI libtorch %s" % version, lambda s: jikken_rate(PYPI_JIKKEN, s)),
    ]

rates = {key: [] for key, _, _ in contenders}
with tempfile.TemporaryDirectory() as scratch:
    # Interleaved, so a slow moment of the machine hits every contender alike.
    for _ in range(args.repeats):
        for key, _, measure in contenders:
            rates[key].append(measure(scratch))

# Best of the repeats: on a shared two-core machine the fastest run is the least disturbed one. The
# medians are printed too, to show the spread.
best = {k: max(v) for k, v in rates.items()}
print(f"ConvNet on {IMAGES} Fashion-MNIST images, batch 64, Adam, {args.threads} threads; "
      f"images/s of the last of {EPOCHS} epochs, best of {args.repeats} interleaved runs\n")
print("| contender                                        | images/s | vs its Python | median |")
print("|--------------------------------------------------|----------|---------------|--------|")
for key, label, _ in contenders:
    baseline = best["pypi-python" if key.startswith("pypi") else "debian-python"]
    print(f"| {label:<48} | {best[key]:8.0f} | {best[key] / baseline:12.3f}x | {statistics.median(rates[key]):6.0f} |")
if contenders and contenders[0] is debian[0]:
    print(f"\nDebian pair: jikken / Python {best['debian-jikken'] / best['debian-python']:.3f}x; "
          f"data loading + logging + registry share of step time "
          f"{(1.0 - best['debian-jikken'] / best['debian-compute']) * 100:.1f}%")
if pypi:
    print(f"PyPI pair (same libtorch, the anchor): jikken / Python {best['pypi-jikken'] / best['pypi-python']:.3f}x "
          f"(goal >= 1.0x); against Python with dense layers as 1x1 convs (Debian's choice) "
          f"{best['pypi-jikken'] / best['pypi-python-same']:.3f}x")
else:
    print(f"(no PyPI pair: {PYPI_JIKKEN} or {PYPI_PYTHON} missing; scripts/test-gpu-build.sh makes them)")
print("raw:", {k: [round(r) for r in v] for k, v in rates.items()})
