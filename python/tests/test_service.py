"""The package against a real `jikken serve`, over SQLite and over PostgreSQL: what a script reports arrives
once, even when the service stops in the middle of the run."""

import json
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from support import PostgresCluster, Scratch, Service, wait_until  # noqa: E402

# Logs POINTS points of two tags; between the halves it waits for the file GATE to appear.
TRAIN = """
import os, sys, time
import jikken
points, gate = int(sys.argv[1]), sys.argv[2]
run = jikken.init(method="svc", hparams={"lr": 0.1}, memo="over the service", labels=["svc"], model="convnet")
print(run.id, flush=True)
for step in range(points):
    if step == points // 2:
        open(gate + ".half", "w").close()
        while not os.path.exists(gate):
            time.sleep(0.05)
    run.log({"train/loss": 1.0 / (step + 1), "test/error": 0.5 - step * 0.001}, step=step)
run.finish(results={"test_error": 0.25}, wait=float(sys.argv[3]))
"""


class ServiceMixin:
    database = None  # type: str

    def make_database(self) -> str:
        raise NotImplementedError

    def setUp(self):
        self.scratch = Scratch()
        self.service = Service(self.scratch, self.make_database())
        self.service.start()
        self.script = self.scratch.script("train.py", TRAIN)

    def tearDown(self):
        self.service.stop()
        self.scratch.close()

    def points(self, run_id, env):
        return json.loads(self.scratch.jikken("scalars", run_id, "--tag", "train/loss", "--format", "json",
                                              env=env).stdout)

    def test_a_script_reports_through_the_service(self):
        gate = os.path.join(self.scratch.work, "gate")
        open(gate, "w").close()
        done = self.scratch.python(self.script, "40", gate, "60", env=self.service.env())
        self.assertEqual(done.returncode, 0, done.stderr)
        run_id = done.stdout.split()[0]
        record = self.scratch.show(run_id, env=self.service.env())
        self.assertEqual(record["status"], "finished")
        self.assertEqual(record["hparams"], {"lr": 0.1})
        self.assertEqual(record["memo"], "over the service")
        self.assertEqual(record["labels"], ["svc"])
        self.assertEqual(record["model"], "convnet")
        self.assertEqual(record["final_metrics"], {"test_error": 0.25})
        self.assertEqual([p["step"] for p in self.points(run_id, self.service.env())], list(range(40)))

    def test_a_service_stopped_mid_run_loses_nothing_and_applies_nothing_twice(self):
        import subprocess
        gate = os.path.join(self.scratch.work, "gate")
        script = subprocess.Popen([sys.executable, self.script, "400", gate, "5"], cwd=self.scratch.work,
                                  env=self.service.env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  universal_newlines=True)
        try:
            self.assertTrue(wait_until(lambda: os.path.exists(gate + ".half"), timeout=60))
            run_id = script.stdout.readline().split()[0]
            env = self.service.env()
            # Half the points reached the service; then it goes away and the script goes on without it.
            self.assertTrue(wait_until(lambda: len(self.points(run_id, env)) == 200, timeout=30))
            self.service.stop()
            open(gate, "w").close()
            out, err = script.communicate(timeout=120)
            self.assertEqual(script.returncode, 0, err)
        finally:
            if script.poll() is None:
                script.kill()
        logdir = os.path.join(self.scratch.work, "logs", run_id)
        journal = os.path.join(logdir, "registry-journal.jsonl")
        self.assertTrue(os.path.exists(journal) and os.path.getsize(journal) > 0, "the reports wait in the journal")
        # The service back: `jikken sync` delivers what waited, and once only.
        self.service.start()
        self.assertTrue(wait_until(lambda: self.scratch.jikken("sync", logdir, check=False,
                                                               env=env).returncode == 0, timeout=60))
        self.scratch.jikken("sync", logdir, env=env)  # again: nothing is applied twice
        record = self.scratch.show(run_id, env=env)
        self.assertEqual(record["status"], "finished")
        self.assertEqual(record["final_metrics"], {"test_error": 0.25})
        steps = [p["step"] for p in self.points(run_id, env)]
        self.assertEqual(steps, list(range(400)))


class SqliteServiceTest(ServiceMixin, unittest.TestCase):
    def make_database(self):
        return os.path.join(self.scratch.home, "served.sqlite")


class PostgresServiceTest(ServiceMixin, unittest.TestCase):
    cluster = None

    @classmethod
    def setUpClass(cls):
        cls.cluster = PostgresCluster()

    @classmethod
    def tearDownClass(cls):
        cls.cluster.close()

    def make_database(self):
        return self.cluster.create_database()


if __name__ == "__main__":
    unittest.main()
