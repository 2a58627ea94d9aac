"""The event files the package writes, read by `jikken events` exactly: every point, NaN and ±inf included."""

import json
import math
import os
import struct
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from jikken._events import EventFileWriter, crc32c  # noqa: E402
from support import Scratch  # noqa: E402


def as_float32(value: float) -> float:
    try:
        return struct.unpack("<f", struct.pack("<f", value))[0]
    except OverflowError:
        return math.copysign(math.inf, value)


def decoded(value):
    return {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}.get(value, value)


class EventFileTest(unittest.TestCase):
    def setUp(self):
        self.scratch = Scratch()
        self.logdir = os.path.join(self.scratch.work, "logs", "run")

    def tearDown(self):
        self.scratch.close()

    def test_crc32c_is_castagnoli(self):
        # RFC 3720's check value, and the masked CRC TensorBoard's reader verifies.
        self.assertEqual(crc32c(b"123456789"), 0xE3069283)
        self.assertEqual(crc32c(b""), 0)

    def test_every_point_reads_back_exactly(self):
        values = [0.0, -0.0, 1.0, -2.5, 0.1, 1e-45, 3.4e38, 1e39, -1e39, math.nan, math.inf, -math.inf, 123456789.123]
        writer = EventFileWriter(self.logdir)
        for step, value in enumerate(values):
            writer.add([("train/loss", value), ("test/error", value / 2 if math.isfinite(value) else value)],
                       step=step * 1000, wall_time=1700000000.25 + step)
        writer.add([("big/step", 1.5)], step=2 ** 62)
        writer.close()
        self.assertTrue(os.path.basename(writer.path).startswith("events.out.tfevents."))

        # "-0" is how the reader writes negative zero; json would read it as the integer 0.
        read = json.loads(self.scratch.jikken("events", self.logdir, "--format", "json").stdout,
                          parse_int=lambda text: -0.0 if text == "-0" else int(text))
        by_tag = {}
        for point in read:
            by_tag.setdefault(point["tag"], []).append(point)
        self.assertEqual(sorted(by_tag), ["big/step", "test/error", "train/loss"])
        self.assertEqual(len(by_tag["train/loss"]), len(values))
        for step, (value, point) in enumerate(zip(values, by_tag["train/loss"])):
            self.assertEqual(point["step"], step * 1000)
            self.assertEqual(point["wall_time"], 1700000000.25 + step)
            expected, got = as_float32(value), decoded(point["value"])
            if math.isnan(expected):
                self.assertTrue(isinstance(got, float) and math.isnan(got), point)
            else:
                self.assertEqual(got, expected, point)
                self.assertEqual(math.copysign(1, got), math.copysign(1, expected), point)  # -0 stays -0
        self.assertEqual(by_tag["big/step"][0]["step"], 2 ** 62)

    def test_a_file_cut_mid_record_reads_up_to_its_last_whole_record(self):
        writer = EventFileWriter(self.logdir)
        for step in range(10):
            writer.add([("loss", float(step))], step=step)
        writer.close()
        with open(writer.path, "r+b") as events:
            events.truncate(os.path.getsize(writer.path) - 3)
        read = json.loads(self.scratch.jikken("events", self.logdir, "--format", "json").stdout)
        self.assertEqual([p["step"] for p in read], list(range(9)))


if __name__ == "__main__":
    unittest.main()
