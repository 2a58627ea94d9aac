"""examples/pytorch/train_focalloss.py, a plain PyTorch script, for one short epoch under `jikken run`."""

import json
import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from support import REPOSITORY, Scratch  # noqa: E402

EXAMPLE = os.path.join(REPOSITORY, "examples", "pytorch", "train_focalloss.py")


class ExampleTest(unittest.TestCase):
    def setUp(self):
        self.scratch = Scratch()

    def tearDown(self):
        self.scratch.close()

    def test_the_example_under_jikken_run_shows_everything_a_native_run_does(self):
        done = self.scratch.jikken("run", "--method", "focalloss", "--metric", "test/error", "--", sys.executable,
                                   EXAMPLE, "--epochs", "1", "--train-size", "3000", "--test-size", "1000",
                                   "--memo", "one short epoch", check=False, timeout=600)
        self.assertEqual(done.returncode, 0, done.stderr[-2000:])
        run_id = done.stderr.split(":", 1)[0].strip()
        record = self.scratch.show(run_id)
        self.assertEqual(record["status"], "finished")
        self.assertEqual(record["model"], "lenet")
        self.assertEqual(record["dataset"], "fashion-mnist")
        self.assertEqual(record["memo"], "one short epoch")
        self.assertEqual(record["hparams"]["lr"], 0.05)
        self.assertEqual(record["hparams"]["gamma"], 2.0)
        self.assertEqual(record["hparams"]["train_size"], 3000)
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPOSITORY, stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, universal_newlines=True)
        if head.returncode == 0:
            self.assertEqual(record["git_commit"], head.stdout.strip())
        self.assertIn("torch", record["versions"])
        self.assertTrue(any(p.lower().startswith("torch==") for p in record["versions"]["packages"]),
                        record["versions"]["packages"][:20])
        results = record["final_metrics"]
        self.assertLess(results["test_error"], 0.9)  # one epoch of 3,000 images learns something
        self.assertEqual(results["best_test_error"], results["test_error"])
        self.assertIsNotNone(record["latest_test_error"])
        tags = {p["tag"] for p in json.loads(self.scratch.jikken("scalars", run_id, "--format", "json").stdout)}
        self.assertTrue({"train/loss", "test/error", "test/loss", "system/cpu_percent", "system/rss_mb"} <= tags,
                        tags)
        # TensorBoard's view of the same run: the event file holds the same points.
        events = json.loads(self.scratch.jikken("events", record["log_dir"], "--format", "json").stdout)
        self.assertIn("test/error", {p["tag"] for p in events})


if __name__ == "__main__":
    unittest.main()
