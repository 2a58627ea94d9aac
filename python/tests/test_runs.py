"""Scripts that use the package, on a local registry: started by themselves and under `jikken run`."""

import json
import os
import subprocess
import sys
import threading
import unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from support import Scratch, wait_until  # noqa: E402

TRAIN = """
import math, sys
import jikken
args = {"lr": 0.05, "batch_size": 64, "optimizer": "sgd", "milestones": [3, 6], "note": None}
run = jikken.init(method="focalloss", hparams=args, memo="gamma 2", labels=["ablation", "py"],
                  model="resnet18", dataset="fashion-mnist")
print(run.id, run.logdir, flush=True)
for epoch in range(5):
    run.log({"train/loss": 1.0 / (epoch + 1), "test/error": 0.5 - epoch * 0.05}, step=epoch)
run.log({"train/loss": math.nan}, step=5)
if len(sys.argv) > 1 and sys.argv[1] == "raise":
    raise ValueError("loss went the wrong way")
if len(sys.argv) > 1 and sys.argv[1] == "exit":
    sys.exit(3)
run.finish(results={"test_error": 0.3, "best_test_error": 0.3})
"""


def run_id_of(done):
    """The ID `jikken run` names on its first line ("ID: command (logs in …)")."""
    return done.stderr.split(":", 1)[0].strip()


class ScriptRunTest(unittest.TestCase):
    def setUp(self):
        self.scratch = Scratch()
        self.script = self.scratch.script("train.py", TRAIN)
        # The script lives in a git repository of its own, committed: its commit is the run's.
        for command in (["git", "init", "-q"], ["git", "add", "train.py"],
                        ["git", "-c", "user.name=t", "-c", "user.email=t@e", "commit", "-qm", "x"]):
            subprocess.run(command, cwd=self.scratch.work, check=True, stdout=subprocess.DEVNULL)
        self.commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=self.scratch.work, stdout=subprocess.PIPE,
                                     universal_newlines=True, check=True).stdout.strip()

    def tearDown(self):
        self.scratch.close()

    def run_alone(self, *arguments):
        done = self.scratch.python(self.script, *arguments)
        run_id = done.stdout.split()[0] if done.stdout.split() else None
        return done, run_id

    def test_a_script_on_its_own_reserves_an_id_and_reports_everything(self):
        done, run_id = self.run_alone()
        self.assertEqual(done.returncode, 0, done.stderr)
        self.assertRegex(run_id, r"^\d{8}_\d{2}_focalloss$")
        record = self.scratch.show(run_id)
        # The script logged a NaN loss at step 5 and then said it finished: it diverged, and says where.
        self.assertEqual(record["status"], "diverged")
        self.assertEqual(record["status_reason"], "train/loss is nan at step 5")
        self.assertEqual(record["model"], "resnet18")
        self.assertEqual(record["dataset"], "fashion-mnist")
        self.assertEqual(record["hparams"], {"lr": 0.05, "batch_size": 64, "optimizer": "sgd",
                                             "milestones": "[3, 6]"})
        self.assertEqual(record["memo"], "gamma 2")
        self.assertEqual(record["labels"], ["ablation", "py"])
        self.assertEqual(record["final_metrics"], {"test_error": 0.3, "best_test_error": 0.3})
        self.assertEqual(record["git_commit"], self.commit)
        self.assertFalse(record["git_dirty"])
        self.assertEqual(record["log_dir"], os.path.join(self.scratch.work, "logs", run_id))
        self.assertIn("train.py", record["command"])
        self.assertEqual(record["versions"]["python"], "%d.%d.%d" % sys.version_info[:3])
        packages = record["versions"]["packages"]
        self.assertTrue(packages and all("==" in p for p in packages), packages[:5])
        shown = self.scratch.jikken("show", run_id).stdout
        self.assertRegex(shown, r"\npackages +%d installed\n" % len(packages))

        sys.path.insert(0, self.scratch.env["PYTHONPATH"].split(os.pathsep)[0])
        import jikken
        os.environ.update({k: v for k, v in self.scratch.env.items() if k.startswith("JIKKEN_")})
        history = jikken.get(run_id).history("test/error")
        self.assertEqual([step for step, _ in history], [0, 1, 2, 3, 4])
        self.assertAlmostEqual(history[4][1], 0.3, places=6)
        loss = jikken.get(run_id).history("train/loss")
        self.assertEqual(len(loss), 6)
        self.assertNotEqual(loss[5][1], loss[5][1])  # NaN is a value
        tags = {p["tag"] for p in jikken.get(run_id).points()}
        self.assertIn("system/cpu_percent", tags)
        self.assertIn("system/rss_mb", tags)

    def test_an_exception_fails_the_run_with_its_line(self):
        done, run_id = self.run_alone("raise")
        self.assertNotEqual(done.returncode, 0)
        record = self.scratch.show(run_id)
        self.assertEqual(record["status"], "failed")
        self.assertEqual(record["status_reason"], "ValueError: loss went the wrong way")

    def test_sys_exit_fails_the_run_with_its_status(self):
        done, run_id = self.run_alone("exit")
        self.assertEqual(done.returncode, 3)
        record = self.scratch.show(run_id)
        self.assertEqual(record["status"], "failed")
        self.assertEqual(record["status_reason"], "exit status 3")

    def test_a_script_killed_without_a_word_is_failed_by_its_follower(self):
        killed = self.scratch.script("killed.py", """
            import os, signal
            import jikken
            run = jikken.init(method="killed")
            print(run.id, flush=True)
            run.log({"loss": 1.0}, step=1)
            os.kill(os.getpid(), signal.SIGKILL)
        """)
        done = self.scratch.python(killed)
        self.assertEqual(done.returncode, -9)
        run_id = done.stdout.split()[0]
        self.assertTrue(wait_until(lambda: self.scratch.show(run_id)["status"] == "failed", timeout=30))
        self.assertRegex(self.scratch.show(run_id)["status_reason"], r"^process \d+ ended without ending its run")

    def test_under_jikken_run_the_script_joins_its_run(self):
        done = self.scratch.jikken("run", "--method", "focalloss", "--hparam", "lr=0.02", "--hparam", "seed=3",
                                   "--metric", "test/error", "--mode", "min", "--", sys.executable, self.script,
                                   check=False)
        self.assertEqual(done.returncode, 0, done.stderr)
        record = self.scratch.show(run_id_of(done))
        self.assertEqual(record["status"], "diverged")  # the NaN loss at step 5, followed from its event file
        self.assertEqual(record["status_reason"], "train/loss is nan at step 5")
        # --hparam wins over the script's own; the script's others are kept.
        self.assertEqual(record["hparams"]["lr"], 0.02)
        self.assertEqual(record["hparams"]["seed"], 3)
        self.assertEqual(record["hparams"]["batch_size"], 64)
        self.assertEqual(record["model"], "resnet18")
        self.assertEqual(record["git_commit"], self.commit)
        self.assertEqual(record["labels"], ["ablation", "py"])
        # The script's results, over what --metric took from the followed scalars.
        self.assertEqual(record["final_metrics"]["test_error"], 0.3)
        self.assertAlmostEqual(record["final_metrics"]["best_test_error"], 0.3)
        self.assertEqual(record["final_metrics"]["best_step"], 4)
        self.assertIn("jikken run --", record["command"])
        self.assertIn("packages", record["versions"])

    def test_a_plain_script_failing_under_jikken_run_names_its_last_error_line(self):
        script = self.scratch.script("plain.py", """
            import sys
            print("epoch 1 done")
            print("RuntimeError: CUDA out of memory", file=sys.stderr)
            sys.exit(1)
        """)
        done = self.scratch.jikken("run", "--method", "plain", "--model", "lenet", "--dataset", "mnist",
                                   "--hparam", "lr=0.1", "--hparam", "name=x", "--", sys.executable, script,
                                   check=False)
        self.assertEqual(done.returncode, 1)
        record = self.scratch.show(run_id_of(done))
        self.assertEqual(record["status"], "failed")
        self.assertEqual(record["status_reason"], "exit status 1: RuntimeError: CUDA out of memory")
        self.assertEqual(record["model"], "lenet")
        self.assertEqual(record["hparams"], {"lr": 0.1, "name": "x"})

    def test_add_hparams_of_tensorboard_reaches_the_record(self):
        # The HParams plugin's session start, encoded as SummaryWriter.add_hparams writes it: a summary value
        # "_hparams_/session_start_info" whose metadata's plugin data ("hparams") holds HParamsPluginData
        # {version 0, session_start_info {hparams {"lr": 0.25, "opt": "adam", "nesterov": true}}}.
        script = self.scratch.script("hp.py", """
            import os, struct
            from jikken._events import EventFileWriter, _event, _length_delimited as ld, _record
            def entry(name, value):  # map<string, google.protobuf.Value> entry
                if isinstance(value, bool):
                    encoded = b"\\x20" + bytes([value])
                elif isinstance(value, float):
                    encoded = b"\\x11" + struct.pack("<d", value)
                else:
                    encoded = ld(3, value.encode())
                return ld(1, ld(1, name.encode()) + ld(2, encoded))
            start = ld(3, entry("lr", 0.25) + entry("opt", "adam") + entry("nesterov", True))
            content = b"\\x08\\x00" + start
            metadata = ld(1, ld(1, b"hparams") + ld(2, content))
            value = ld(1, b"_hparams_/session_start_info") + ld(9, metadata)
            writer = EventFileWriter(os.environ["JIKKEN_LOGDIR"])
            writer._write(_event(1700000000.0, summary=ld(1, value)))
            writer.add([("loss", 1.0)], step=1)
            writer.close()
        """)
        done = self.scratch.jikken("run", "--method", "hp", "--", sys.executable, script, check=False)
        self.assertEqual(done.returncode, 0, done.stderr)
        record = self.scratch.show(run_id_of(done))
        self.assertEqual(record["hparams"], {"lr": 0.25, "opt": "adam", "nesterov": True})

    def test_the_packages_own_hparams_summary_reads_back(self):
        script = self.scratch.script("own_hp.py", """
            import os
            from jikken._events import EventFileWriter
            writer = EventFileWriter(os.environ["JIKKEN_LOGDIR"])
            writer.add_hparams({"lr": 0.5, "opt": "sgd", "nesterov": False, "depth": 18})
            writer.add([("loss", 1.0)], step=1)
            writer.add_session_end(True)
            writer.close()
        """)
        done = self.scratch.jikken("run", "--method", "hp", "--", sys.executable, script, check=False)
        self.assertEqual(done.returncode, 0, done.stderr)
        record = self.scratch.show(run_id_of(done))
        self.assertEqual(record["hparams"], {"lr": 0.5, "opt": "sgd", "nesterov": False, "depth": 18})
        events = json.loads(self.scratch.jikken("events", record["log_dir"], "--format", "json").stdout)
        self.assertEqual([(p["tag"], p["step"], p["value"]) for p in events], [("loss", 1, 1)])

    def test_ids_from_python_and_the_cli_at_once_never_collide(self):
        reserve = self.scratch.script("reserve.py", """
            import jikken
            run = jikken.init(method="race")
            print(run.id)
            run.finish(wait=120)
        """)
        ids, lock = [], threading.Lock()

        def python():
            done = self.scratch.python(reserve)
            with lock:
                ids.append(done.stdout.strip())

        def cli():
            done = self.scratch.jikken("reserve", "--method", "race")
            with lock:
                ids.append(done.stdout.strip())

        threads = [threading.Thread(target=python if i % 2 else cli) for i in range(12)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(len(ids), 12)
        self.assertEqual(len(set(ids)), 12, ids)
        numbers = sorted(int(i.split("_")[1]) for i in ids)
        self.assertEqual(numbers, list(range(1, 13)))

    def test_bad_input_is_one_clear_exception_naming_the_field(self):
        probe = self.scratch.script("bad.py", """
            import jikken
            run = jikken.init(method="bad")
            for metrics, step in (({"train/loss": "high"}, 0), ({"x": [1]}, 0), ({"x": 1}, -1),
                                  ({"x": 1}, 1.5), ({"": 1}, 0)):
                try:
                    run.log(metrics, step=step)
                    print("accepted", metrics, step)
                except ValueError as error:
                    print(error)
            try:
                run.describe(hparams={"fn": object()})
            except ValueError as error:
                print(error)
            run.log({"ok": float("nan")}, step=0)
            run.finish()
        """)
        done = self.scratch.python(probe)
        self.assertEqual(done.returncode, 0, done.stderr)
        lines = done.stdout.splitlines()
        self.assertEqual(lines, ["train/loss: 'high' is not a number", "x: [1] is not a number",
                                 "step: -1 is not a whole number from 0", "step: 1.5 is not a whole number from 0",
                                 "metrics: '' is not a tag", "hparams['fn']: a object is not a number, text or "
                                                             "true/false"])
        try:
            method_error = subprocess.run([sys.executable, "-c", "import jikken; jikken.init(method='Bad Name')"],
                                          env=self.scratch.env, cwd=self.scratch.work, stderr=subprocess.PIPE,
                                          universal_newlines=True, timeout=60)
        finally:
            pass
        self.assertNotEqual(method_error.returncode, 0)
        self.assertIn("JikkenError", method_error.stderr)
        self.assertIn("method", method_error.stderr.splitlines()[-1])


class QueryTest(unittest.TestCase):
    """`jikken.runs(query)` is `jikken ls --format json` filtered by the same query, run by the registry."""

    def setUp(self):
        self.scratch = Scratch()

    def tearDown(self):
        self.scratch.close()

    def test_runs_equals_ls_filtered(self):
        for lr, model in ((0.1, "resnet18"), (0.01, "resnet18"), (0.02, "lenet"), (0.001, "resnet18")):
            done = self.scratch.jikken("run", "--method", "q", "--model", model, "--hparam", "lr=%s" % lr, "--",
                                       "true")
            self.assertEqual(done.returncode, 0)
        sys.path.insert(0, self.scratch.env["PYTHONPATH"].split(os.pathsep)[0])
        import jikken
        os.environ.update({k: v for k, v in self.scratch.env.items() if k.startswith("JIKKEN_")})
        every = json.loads(self.scratch.jikken("ls", "--format", "json").stdout)
        self.assertEqual(len(every), 4)
        expected = [r for r in every if r["model"] == "resnet18" and r["hparams"]["lr"] < 0.05]
        self.assertEqual(len(expected), 2)
        self.assertEqual(jikken.runs("model:resnet18 lr<0.05"), expected)
        self.assertEqual(jikken.runs("model:resnet18 lr<0.05 status:finished"), expected)
        self.assertEqual(jikken.runs(), every)
        with self.assertRaises(jikken.JikkenError) as refused:
            jikken.runs('memo:"open')
        self.assertIn("query", str(refused.exception))


if __name__ == "__main__":
    unittest.main()
