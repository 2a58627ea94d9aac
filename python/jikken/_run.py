"""A training script's run: its ID, its event file, and what it tells the registry about itself."""

import atexit
import json
import math
import numbers
import os
import pathlib
import subprocess
import sys
import threading
import traceback
import warnings
from typing import Any, Dict, Iterable, List, Mapping, Optional

from ._cli import JikkenError, command, run_command
from ._events import EventFileWriter
from ._provenance import describe_process

__all__ = ["Run", "init", "REPORTS_FILE"]

#: What the script says of itself, one JSON object a line, in its logdir; `jikken run` follows it.
REPORTS_FILE = "script-reports.jsonl"


def _number(field: str, value: Any) -> float:
    """``value`` as a float (NaN and ±inf are values), or a ValueError naming ``field``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        item = getattr(value, "item", None)  # a one-element tensor or array
        if callable(item) and not isinstance(value, (str, bytes)):
            try:
                value = item()
            except (TypeError, ValueError, RuntimeError):
                pass
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise ValueError("%s: %r is not a number" % (field, value))
    return float(value)


def _hparam(name: str, value: Any) -> Any:
    """A hyperparameter as the registry keeps it: a number, text or true/false (None: not kept)."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        number = float(value)
        return number if math.isfinite(number) else str(number)  # JSON has no NaN
    if isinstance(value, pathlib.PurePath):
        return str(value)
    if isinstance(value, (list, tuple)) and all(v is None or isinstance(v, (bool, str, numbers.Real)) for v in value):
        return json.dumps([_hparam(name, v) for v in value])
    raise ValueError("hparams[%r]: a %s is not a number, text or true/false" % (name, type(value).__name__))


def _text_list(field: str, values: Optional[Iterable[str]]) -> Optional[List[str]]:
    if values is None:
        return None
    if isinstance(values, str):
        raise ValueError("%s: give a list of text, not one text" % field)
    out = list(values)
    for value in out:
        if not isinstance(value, str):
            raise ValueError("%s: %r is not text" % (field, value))
    return out


def _json_results(results: Mapping[str, Any]) -> Dict[str, Any]:
    if not isinstance(results, Mapping):
        raise ValueError("results: want a dict of name -> number")
    out = {}  # type: Dict[str, Any]
    for name, value in results.items():
        if not isinstance(name, str) or not name:
            raise ValueError("results: %r is not a name" % (name,))
        if isinstance(value, str):
            out[name] = value
        else:
            number = _number("results[%r]" % name, value)
            out[name] = number if math.isfinite(number) else None  # JSON has no NaN
    return out


class Run:
    """A run of this script under one model ID. Log scalars with ``log``; end it with ``finish`` or ``fail``
    (or use it as a context manager; an exception ends it failed). A run not ended when the script exits is
    ended then: finished, or failed with the exception or exit status that ended the script.

    Scalars go into the run's TensorBoard event file in ``logdir``; the registry learns everything through
    ``jikken run``, which follows the logdir and reports through its journal: a registry that is away never
    blocks the script, and what waited is delivered later (or by ``jikken sync``)."""

    def __init__(self, run_id: str, logdir: str, follower: Optional[subprocess.Popen] = None):
        self.id = run_id
        self.logdir = logdir
        self._follower = follower
        self._lock = threading.Lock()
        self._events = EventFileWriter(logdir)
        self._reports = open(os.path.join(logdir, REPORTS_FILE), "a", encoding="utf-8")
        self._next_step = 0
        self._hparams = {}  # type: Dict[str, Any]
        self._ended = False

    # What the registry shows -------------------------------------------------------------------------
    def _report(self, report: Dict[str, Any]) -> None:
        line = json.dumps(report, ensure_ascii=False, allow_nan=False)
        with self._lock:
            if self._ended:
                raise JikkenError("%s has ended; nothing more can be reported" % self.id)
            self._reports.write(line + "\n")
            self._reports.flush()

    def describe(self, hparams: Optional[Mapping[str, Any]] = None, model: Optional[str] = None,
                 dataset: Optional[str] = None) -> None:
        """Sets the run's hyperparameters (merged over those given before), model and dataset."""
        fields = {}  # type: Dict[str, Any]
        if hparams is not None:
            if not isinstance(hparams, Mapping):
                raise ValueError("hparams: want a dict (vars(args) for argparse)")
            kept = {}
            for name, value in hparams.items():
                if not isinstance(name, str) or not name:
                    raise ValueError("hparams: %r is not a name" % (name,))
                converted = _hparam(name, value)
                if converted is not None:
                    kept[name] = converted
            self._hparams.update(kept)
            fields["hparams"] = dict(self._hparams)
        for name, value in (("model", model), ("dataset", dataset)):
            if value is not None:
                if not isinstance(value, str):
                    raise ValueError("%s: %r is not text" % (name, value))
                fields[name] = value
        if fields:
            self._report({"describe": fields})

    def set_memo(self, memo: str) -> None:
        if not isinstance(memo, str):
            raise ValueError("memo: %r is not text" % (memo,))
        self._report({"memo": memo})

    def set_labels(self, labels: Iterable[str]) -> None:
        """Replaces the run's labels (``tag:x`` in a query)."""
        self._report({"labels": _text_list("labels", labels)})

    # Scalars -----------------------------------------------------------------------------------------
    def log(self, metrics: Mapping[str, Any], step: Optional[int] = None) -> None:
        """Logs every ``tag: number`` of ``metrics`` at ``step`` (default: one after the last step logged).
        NaN and ±inf are values; anything that is not a number is a ValueError naming its tag."""
        if not isinstance(metrics, Mapping):
            raise ValueError("metrics: want a dict of tag -> number")
        if step is None:
            step = self._next_step
        elif isinstance(step, bool) or not isinstance(step, numbers.Integral) or not 0 <= step < 2 ** 63:
            raise ValueError("step: %r is not a whole number from 0" % (step,))
        points = []
        for tag, value in metrics.items():
            if not isinstance(tag, str) or not tag:
                raise ValueError("metrics: %r is not a tag" % (tag,))
            points.append((tag, _number(tag, value)))
        with self._lock:
            if self._ended:
                raise JikkenError("%s has ended; nothing more can be logged" % self.id)
            self._events.add(points, int(step))
            self._next_step = max(self._next_step, int(step) + 1)

    # The end -----------------------------------------------------------------------------------------
    def finish(self, results: Optional[Mapping[str, Any]] = None, wait: float = 60) -> None:
        """Ends the run as finished, with ``results`` (the final metrics: ``{"test_error": 0.21}``)."""
        self._end("finished", "", results, wait)

    def fail(self, reason: str, results: Optional[Mapping[str, Any]] = None, wait: float = 60) -> None:
        """Ends the run as failed, with ``reason``."""
        self._end("failed", str(reason), results, wait)

    def _end(self, status: str, reason: str, results: Optional[Mapping[str, Any]], wait: float) -> None:
        if self._ended:
            return
        if results is not None:
            self._report({"results": _json_results(results)})
        self._report({"end": {"status": status, "reason": reason[:2000]}})
        with self._lock:
            self._ended = True
        if status != "stopped":  # a stopped run may go on: TensorBoard keeps it running
            self._events.add_session_end(status == "finished")
        with self._lock:
            self._events.close()
            self._reports.close()
        _active.discard(self)
        self._wait_for_follower(wait)

    def _wait_for_follower(self, wait: float) -> None:
        if self._follower is None:
            return  # `jikken run` started this script: it ends the run when the script exits
        try:
            code = self._follower.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            warnings.warn("%s: the registry has not taken the run's end yet; it goes on in the background" % self.id)
            return
        if code == 75:
            warnings.warn("%s: some reports wait in %s for the registry (jikken sync %s sends them)"
                          % (self.id, self.logdir, self.logdir))
        elif code not in (0, 130):
            warnings.warn("%s: jikken run ended with %d (see %s)" % (self.id, code, self._follower_log()))

    def _follower_log(self) -> str:
        return os.path.join(self.logdir, "output.log")

    def __enter__(self) -> "Run":
        return self

    def __exit__(self, kind, error, trace) -> None:
        if kind is None:
            self.finish()
        elif issubclass(kind, KeyboardInterrupt):
            self._end("stopped", "interrupted (KeyboardInterrupt)", None, 60)
        else:
            self.fail(_exception_line(kind, error))

    def __repr__(self) -> str:
        return "<jikken.Run %s in %s>" % (self.id, self.logdir)


def _exception_line(kind, error) -> str:
    return traceback.format_exception_only(kind, error)[-1].strip()


# Runs not ended when the script exits are ended by how it exits ----------------------------------------
_active = set()  # type: set
_exit_state = {"code": None, "exception": None}


def _note_exception(kind, error, trace):
    _exit_state["exception"] = (kind, error)
    _previous_excepthook(kind, error, trace)


def _note_exit(code=0):
    _exit_state["code"] = code
    _previous_exit(code)


def _end_active_runs():
    for run in list(_active):
        exception = _exit_state["exception"]
        code = _exit_state["code"]
        try:
            if exception is not None and issubclass(exception[0], KeyboardInterrupt):
                run._end("stopped", "interrupted (KeyboardInterrupt)", None, 60)
            elif exception is not None:
                run.fail(_exception_line(*exception))
            elif code not in (None, 0):
                run.fail("exit status %s" % code if isinstance(code, int) else str(code))
            else:
                run.finish()
        except Exception as error:  # the script is exiting: say it, do not raise
            print("jikken: could not end %s: %s" % (run.id, error), file=sys.stderr)


_previous_excepthook = sys.excepthook
_previous_exit = sys.exit
sys.excepthook = _note_exception
sys.exit = _note_exit
atexit.register(_end_active_runs)


def init(method: Optional[str] = None, hparams: Optional[Mapping[str, Any]] = None, memo: Optional[str] = None,
         labels: Optional[Iterable[str]] = None, model: Optional[str] = None, dataset: Optional[str] = None,
         log_root: Optional[str] = None, registry: Optional[str] = None) -> Run:
    """Starts this script's run: joins the one `jikken run` (or a dispatch) started it under (``JIKKEN_ID``),
    or reserves a new ID for ``method`` and has `jikken run --follow-pid` report it.

    ``log_root``: where ``logs/<id>`` goes (default: the working folder). ``registry``: as ``--registry``."""
    labels = _text_list("labels", labels)
    if memo is not None and not isinstance(memo, str):
        raise ValueError("memo: %r is not text" % (memo,))
    joined_id = os.environ.get("JIKKEN_ID")
    joined_logdir = os.environ.get("JIKKEN_LOGDIR")
    if joined_id and joined_logdir:
        run = Run(joined_id, joined_logdir)
    else:
        if not isinstance(method, str) or not method:
            raise ValueError("method: give the method part of the ID (e.g. method=\"focalloss\")")
        run_id = run_command(["reserve", "--method", method], registry).strip()
        logdir = os.path.abspath(os.path.join(log_root or os.getcwd(), "logs", run_id))
        os.makedirs(logdir, exist_ok=True)
        follower = subprocess.Popen(
            command(["run", "--id", run_id, "--logdir", logdir, "--follow-pid", str(os.getpid())], registry),
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True)  # Ctrl-C reaches the script, which says so; not its follower
        run = Run(run_id, logdir, follower)
    run._report({"describe": describe_process()})
    run.describe(hparams=hparams, model=model, dataset=dataset)
    # TensorBoard's HParams tab sees the run with its hyperparameters as init gave them (the registry takes
    # later describe() calls too).
    run._events.add_hparams(run._hparams)
    if memo is not None:
        run.set_memo(memo)
    if labels is not None:
        run.set_labels(labels)
    _active.add(run)
    return run
