"""What the package's tests share: a registry of their own, `jikken serve`, a PostgreSQL cluster, scripts.

Every test runs the real `jikken` command (JIKKEN_BIN, set by CTest) on a registry in a scratch folder,
with HOME there too, so that no user's client.json or registry is read.
"""

import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from typing import Dict, List, Optional

PACKAGE_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPOSITORY = os.path.dirname(PACKAGE_ROOT)


def jikken_bin() -> str:
    path = os.environ.get("JIKKEN_BIN")
    if not path or not os.access(path, os.X_OK):
        raise RuntimeError("JIKKEN_BIN must name the built jikken command (CTest sets it)")
    return path


class Scratch:
    """A scratch folder holding HOME, JIKKEN_HOME and the runs' working folder; removed by close()."""

    def __init__(self):
        self.root = tempfile.mkdtemp(prefix="jikken-py-")
        self.home = os.path.join(self.root, "home")
        self.work = os.path.join(self.root, "work")
        os.makedirs(self.home)
        os.makedirs(self.work)
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith("JIKKEN_") and not k.startswith("XDG_") and k != "CUDA_VISIBLE_DEVICES"}
        self.env.update({"HOME": self.home, "JIKKEN_HOME": os.path.join(self.home, "jikken"),
                         "JIKKEN_BIN": jikken_bin(), "JIKKEN_KEYCHAIN": "off",
                         "PYTHONPATH": PACKAGE_ROOT + os.pathsep + os.environ.get("PYTHONPATH", "")})

    def jikken(self, *arguments: str, check: bool = True, env: Optional[Dict[str, str]] = None,
               timeout: float = 120) -> subprocess.CompletedProcess:
        done = subprocess.run([jikken_bin(), *arguments], cwd=self.work, env=env or self.env, timeout=timeout,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
        if check and done.returncode != 0:
            raise AssertionError("jikken %s exited %d: %s" % (" ".join(arguments), done.returncode, done.stderr))
        return done

    def show(self, run_id: str, env: Optional[Dict[str, str]] = None) -> dict:
        return json.loads(self.jikken("show", run_id, "--json", env=env).stdout)

    def script(self, name: str, code: str) -> str:
        path = os.path.join(self.work, name)
        with open(path, "w") as out:
            out.write(textwrap.dedent(code))
        return path

    def python(self, path: str, *arguments: str, env: Optional[Dict[str, str]] = None,
               timeout: float = 180) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, path, *arguments], cwd=self.work, env=env or self.env,
                              timeout=timeout, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              universal_newlines=True)

    def close(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Service:
    """`jikken serve` on loopback over `database` (a SQLite file or a postgresql:// URL), with a write token."""

    def __init__(self, scratch: Scratch, database: str):
        self.scratch = scratch
        self.database = database
        self.port = free_port()
        self.process = None  # type: Optional[subprocess.Popen]
        self.token = scratch.jikken("--registry", database, "token", "create", "--name", "py").stdout.strip()

    @property
    def url(self) -> str:
        return "http://127.0.0.1:%d" % self.port

    def env(self) -> Dict[str, str]:
        env = dict(self.scratch.env)
        env.update({"JIKKEN_REGISTRY": self.url, "JIKKEN_TOKEN": self.token})
        return env

    def start(self) -> None:
        self.process = subprocess.Popen([jikken_bin(), "serve", "--db", self.database, "--listen",
                                         "127.0.0.1:%d" % self.port], cwd=self.scratch.work, env=self.scratch.env,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
        line = self.process.stdout.readline()
        if "http://" not in line:
            self.process.kill()
            raise AssertionError("jikken serve did not start: %s %s" % (line, self.process.stderr.read()))

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=30)
        if self.process:
            self.process.stdout.close()
            self.process.stderr.close()
        self.process = None


def postgres_bin() -> Optional[str]:
    for version in range(17, 12, -1):
        folder = "/usr/lib/postgresql/%d/bin" % version
        if os.path.exists(os.path.join(folder, "initdb")):
            return folder
    return None


class PostgresCluster:
    """A throwaway PostgreSQL cluster on a free loopback port (as the `postgres` user when run as root)."""

    def __init__(self):
        self.bin = postgres_bin()
        if self.bin is None:
            raise AssertionError("initdb is not installed (Debian's postgresql; scripts/setup-debian.sh --tests)")
        self.dir = tempfile.mkdtemp(prefix="jikken-pg-")
        self.data = os.path.join(self.dir, "data")
        self.port = free_port()
        self.databases = 0
        if os.geteuid() == 0:
            user = pwd.getpwnam("postgres")
            os.chown(self.dir, user.pw_uid, user.pw_gid)
        self._as_owner([os.path.join(self.bin, "initdb"), "-D", self.data, "-A", "trust", "-U", "jikken",
                        "--no-sync"])
        self._as_owner([os.path.join(self.bin, "pg_ctl"), "-D", self.data, "-o",
                        "-p %d -k %s -c listen_addresses=127.0.0.1" % (self.port, self.dir), "-l",
                        os.path.join(self.dir, "log"), "-w", "start"])

    def _as_owner(self, command: List[str]) -> None:
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--"] + command
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120)

    def create_database(self) -> str:
        self.databases += 1
        name = "py%d" % self.databases
        subprocess.run([os.path.join(self.bin, "psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "jikken",
                        "-d", "postgres", "-c", "CREATE DATABASE " + name], check=True, stdout=subprocess.DEVNULL,
                       timeout=60)
        return "postgresql://jikken@127.0.0.1:%d/%s" % (self.port, name)

    def close(self) -> None:
        try:
            self._as_owner([os.path.join(self.bin, "pg_ctl"), "-D", self.data, "-m", "immediate", "-w", "stop"])
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)


def wait_until(predicate, timeout: float = 30, interval: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()
