"""TensorBoard event files written with the standard library alone.

An event file is a sequence of TFRecords (length, masked CRC32C of the length, the record, masked CRC32C
of the record), each an ``Event`` protocol buffer. The first record names the file version
(``brain.Event:2``); each scalar record holds a ``Summary`` whose values carry ``simple_value`` (a
float32), as PyTorch's ``SummaryWriter.add_scalar`` writes them. TensorBoard, ``jikken events`` and the
viewer read these files as they read PyTorch's.
"""

import math
import os
import socket
import struct
import threading
import time
from typing import Iterable, Optional, Tuple

__all__ = ["EventFileWriter", "crc32c"]


def _crc32c_table():
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1
        table.append(crc)
    return table


_TABLE = _crc32c_table()


def _crc32c_python(data: bytes) -> int:
    crc = 0xFFFFFFFF
    table = _TABLE
    for byte in data:
        crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


try:  # a C implementation where one is installed; the result is the same
    from crc32c import crc32c as _crc32c_native  # type: ignore

    def crc32c(data: bytes) -> int:
        """CRC-32C (Castagnoli) of ``data``."""
        return _crc32c_native(data)

except ImportError:  # pragma: no cover - depends on the machine
    crc32c = _crc32c_python


def _masked(crc: int) -> int:
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def _varint(value: int) -> bytes:
    value &= 0xFFFFFFFFFFFFFFFF  # negative int64s are ten bytes, as protobuf writes them
    out = bytearray()
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def _length_delimited(field: int, payload: bytes) -> bytes:
    return _varint(field << 3 | 2) + _varint(len(payload)) + payload


def _scalar_value(tag: str, value: float) -> bytes:
    """A ``Summary.Value`` with ``tag`` (1) and ``simple_value`` (2, float32)."""
    return _length_delimited(1, tag.encode("utf-8")) + b"\x15" + struct.pack("<f", value)


def _event(wall_time: float, step: Optional[int] = None, summary: Optional[bytes] = None,
           file_version: Optional[str] = None) -> bytes:
    out = b"\x09" + struct.pack("<d", wall_time)  # wall_time (1, double)
    if step:
        out += b"\x10" + _varint(step)  # step (2, int64); 0 is protobuf's default and is left out
    if file_version is not None:
        out += _length_delimited(3, file_version.encode("ascii"))
    if summary is not None:
        out += _length_delimited(5, summary)
    return out


def _hparam_value(value) -> bytes:
    """A ``google.protobuf.Value``: bool_value (4), number_value (2) or string_value (3)."""
    if isinstance(value, bool):
        return b"\x20" + (b"\x01" if value else b"\x00")
    if isinstance(value, (int, float)):
        return b"\x11" + struct.pack("<d", float(value))
    return _length_delimited(3, str(value).encode("utf-8"))


def _hparams_summary(tag: str, plugin_data: bytes) -> bytes:
    """A ``Summary`` of one value whose metadata's plugin data is the HParams plugin's."""
    metadata = _length_delimited(1, _length_delimited(1, b"hparams") + _length_delimited(2, plugin_data))
    return _length_delimited(1, _length_delimited(1, tag.encode("ascii")) + _length_delimited(9, metadata))


def _record(data: bytes) -> bytes:
    header = struct.pack("<Q", len(data))
    return header + struct.pack("<I", _masked(crc32c(header))) + data + struct.pack("<I", _masked(crc32c(data)))


def _float32(value: float) -> float:
    """``value`` as float32 keeps it: an overflow becomes ±inf, as numpy and TensorBoard make it."""
    try:
        return struct.unpack("<f", struct.pack("<f", value))[0]
    except OverflowError:
        return math.copysign(math.inf, value)


class EventFileWriter:
    """Appends scalar events to a new event file in ``logdir`` (made if missing), named as PyTorch names
    its files: ``events.out.tfevents.<10-digit time>.<host>.<pid>.<n>``. Every ``add`` reaches the file
    at once (flushed), so that a follower (``jikken run``) sees it within its poll. Thread-safe."""

    _count = 0
    _count_lock = threading.Lock()

    def __init__(self, logdir: str):
        os.makedirs(logdir, exist_ok=True)
        with EventFileWriter._count_lock:
            EventFileWriter._count += 1
            number = EventFileWriter._count
        name = "events.out.tfevents.%010d.%s.%s.%s" % (time.time(), socket.gethostname(), os.getpid(), number)
        self.path = os.path.join(logdir, name)
        self._lock = threading.Lock()
        self._file = open(self.path, "ab")
        self._write(_event(time.time(), file_version="brain.Event:2"))

    def _write(self, data: bytes) -> None:
        self._file.write(_record(data))
        self._file.flush()

    def add(self, scalars: Iterable[Tuple[str, float]], step: int, wall_time: Optional[float] = None) -> None:
        """One event at ``step`` holding every ``(tag, value)`` pair (values stored as float32)."""
        summary = b"".join(_length_delimited(1, _scalar_value(tag, _float32(value))) for tag, value in scalars)
        data = _event(time.time() if wall_time is None else wall_time, step=step, summary=summary)
        with self._lock:
            self._write(data)

    def add_hparams(self, hparams: dict, start_time: Optional[float] = None) -> None:
        """The HParams plugin's session start (``HParamsPluginData.session_start_info``: the hyperparameters
        and the start time), as ``SummaryWriter.add_hparams`` writes it: TensorBoard's HParams tab lists
        the run with them, and the viewer's Hyperparameters tab too."""
        now = time.time() if start_time is None else start_time
        entries = b"".join(_length_delimited(1, _length_delimited(1, name.encode("utf-8")) +
                                             _length_delimited(2, _hparam_value(value)))
                           for name, value in hparams.items())
        start = _length_delimited(3, entries + b"\x29" + struct.pack("<d", now))  # start_time_secs (5)
        with self._lock:
            self._write(_event(now, summary=_hparams_summary("_hparams_/session_start_info", start)))

    def add_session_end(self, success: bool, end_time: Optional[float] = None) -> None:
        """The HParams plugin's session end: status SUCCESS (1) or FAILURE (2), and the end time."""
        now = time.time() if end_time is None else end_time
        end = _length_delimited(4, b"\x08" + (b"\x01" if success else b"\x02") + b"\x11" + struct.pack("<d", now))
        with self._lock:
            self._write(_event(now, summary=_hparams_summary("_hparams_/session_end_info", end)))

    def close(self) -> None:
        with self._lock:
            if not self._file.closed:
                self._file.close()
