#!/usr/bin/env python3
"""run.log from Python: 100,000 points, beside writing them with nothing but the event file.

    python3 bench/python_log.py [--jikken build/src/companion/jikken] [--points 100000]

Each row is a script of its own (a fresh interpreter, as a user's script is): the event file alone; a run on
the local registry file; a run through a `jikken serve` on loopback; and the same with the service killed
right after `jikken.init` (the reports wait in the run's journal). 'log' is the loop of run.log calls,
'script' the whole script (start, init, the loop, finish and its wait for the registry). Ratios are
against the event file alone, measured in the same invocation.
"""

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PACKAGE = os.path.join(os.path.dirname(HERE), "python")

SCRIPT = r"""
import json, os, sys, time
started = time.perf_counter()
points, mode = int(sys.argv[1]), sys.argv[2]
import jikken
from jikken._events import EventFileWriter
if mode == "events":
    writer = EventFileWriter(os.path.join(os.getcwd(), "logs", "plain"))
    log = lambda metrics, step: writer.add(metrics.items(), step)
else:
    run = jikken.init(method="bench", hparams={"points": points})
    log = run.log
    if mode == "away":
        open("init-done", "w").close()
        while not os.path.exists("service-gone"):
            time.sleep(0.01)
loop = time.perf_counter()
for step in range(points):
    log({"train/loss": 1.0 / (step + 1)}, step=step)
looped = time.perf_counter() - loop
if mode == "events":
    writer.close()
else:
    run.finish(wait=120)
print(json.dumps({"log": looped, "script": time.perf_counter() - started}))
"""


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jikken", default=os.path.join(os.path.dirname(HERE), "build", "src", "companion", "jikken"))
    parser.add_argument("--points", type=int, default=100000)
    args = parser.parse_args()
    jikken_bin = os.path.abspath(args.jikken)
    root = tempfile.mkdtemp(prefix="jikken-bench-")
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith("JIKKEN_")}
        env.update({"HOME": root, "JIKKEN_HOME": os.path.join(root, "registry"), "JIKKEN_BIN": jikken_bin,
                    "JIKKEN_KEYCHAIN": "off", "PYTHONPATH": PACKAGE})
        script = os.path.join(root, "bench_script.py")
        with open(script, "w") as out:
            out.write(SCRIPT)

        def measure(mode, extra_env=None, during=None):
            work = tempfile.mkdtemp(dir=root)
            process = subprocess.Popen([sys.executable, script, str(args.points), mode], cwd=work,
                                       env=dict(env, **(extra_env or {})), stdout=subprocess.PIPE,
                                       stderr=subprocess.PIPE, universal_newlines=True)
            if during:
                during(work)
            out, err = process.communicate(timeout=900)
            if process.returncode != 0:
                raise SystemExit("bench %s failed: %s" % (mode, err))
            return json.loads(out.strip().splitlines()[-1])

        rows = [("event file only", measure("events")), ("local registry", measure("local"))]

        database = os.path.join(root, "served.sqlite")
        token = subprocess.run([jikken_bin, "--registry", database, "token", "create", "--name", "bench"], env=env,
                               stdout=subprocess.PIPE, check=True, universal_newlines=True).stdout.strip()
        port = free_port()

        def serve():
            process = subprocess.Popen([jikken_bin, "serve", "--db", database, "--listen", "127.0.0.1:%d" % port],
                                       env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                       universal_newlines=True)
            process.stdout.readline()
            return process

        service_env = {"JIKKEN_REGISTRY": "http://127.0.0.1:%d" % port, "JIKKEN_TOKEN": token}
        service = serve()
        rows.append(("service reachable", measure("service", service_env)))

        def kill_after_init(work):
            while not os.path.exists(os.path.join(work, "init-done")):
                time.sleep(0.01)
            service.send_signal(signal.SIGKILL)
            service.wait()
            open(os.path.join(work, "service-gone"), "w").close()

        rows.append(("service away after init", measure("away", service_env, kill_after_init)))
        if service.poll() is None:
            service.kill()

        base = rows[0][1]["log"]
        print("run.log of %d points from Python (%s)" % (args.points, sys.version.split()[0]))
        print("| %-24s | %10s | %12s | %10s | %12s |" % ("row", "log (s)", "points/s", "x events", "script (s)"))
        print("|%s|%s|%s|%s|%s|" % ("-" * 26, "-" * 12, "-" * 14, "-" * 12, "-" * 14))
        for name, row in rows:
            print("| %-24s | %10.2f | %12.0f | %10.2f | %12.2f |"
                  % (name, row["log"], args.points / row["log"], row["log"] / base, row["script"]))
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
