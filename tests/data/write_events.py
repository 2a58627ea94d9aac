#!/usr/bin/env python3
"""A training script of the user's own, as the dispatch tests run it: writes a TensorBoard event file
by hand (no tensorboard package needed) with `loss` and `test/error` for STEPS steps, a point every
DELAY seconds, then exits with EXIT.   usage: write_events.py LOGDIR STEPS DELAY EXIT"""
import os
import socket
import struct
import sys
import time


def crc32c(data):
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 & -(crc & 1))
    return crc ^ 0xFFFFFFFF


def masked(crc):
    return ((((crc >> 15) | (crc << 17)) & 0xFFFFFFFF) + 0xA282EAD8) & 0xFFFFFFFF


def varint(value):
    out = bytearray()
    while True:
        bits = value & 0x7F
        value >>= 7
        if value:
            out.append(bits | 0x80)
        else:
            out.append(bits)
            return bytes(out)


def field(number, wire_type, payload):
    key = varint((number << 3) | wire_type)
    if wire_type == 2:
        return key + varint(len(payload)) + payload
    return key + payload


def event(wall_time, step=None, file_version=None, scalars=()):
    data = field(1, 1, struct.pack("<d", wall_time))
    if step is not None:
        data += field(2, 0, varint(step))
    if file_version is not None:
        data += field(3, 2, file_version.encode())
    if scalars:
        values = b"".join(field(1, 2, field(1, 2, tag.encode()) + field(2, 5, struct.pack("<f", value)))
                          for tag, value in scalars)
        data += field(5, 2, values)
    return data


def record(data):
    length = struct.pack("<Q", len(data))
    return length + struct.pack("<I", masked(crc32c(length))) + data + struct.pack("<I", masked(crc32c(data)))


def main():
    logdir, steps, delay, exit_status = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
    os.makedirs(logdir, exist_ok=True)
    name = "events.out.tfevents.%d.%s" % (int(time.time()), socket.gethostname())
    with open(os.path.join(logdir, name), "ab") as out:
        out.write(record(event(time.time(), file_version="brain.Event:2")))
        out.flush()
        for step in range(steps):
            error = 0.9 / (1 + step)
            out.write(record(event(time.time(), step, scalars=[("loss", 2 * error), ("test/error", error)])))
            out.flush()
            print("step", step, "error", error, flush=True)
            time.sleep(delay)
    sys.exit(exit_status)


main()
