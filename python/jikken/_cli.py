"""The ``jikken`` command, which this package drives for everything the registry keeps.

The registry (a local SQLite file, PostgreSQL, or a ``jikken serve`` service through ``JIKKEN_REGISTRY``,
``JIKKEN_TOKEN`` or ``~/.config/jikken/client.json``) is found exactly as the command finds it: the package
never opens the store itself, so IDs, tokens and the query language mean here what they mean there.
"""

import os
import shutil
import subprocess
from typing import List, Optional, Sequence

__all__ = ["JikkenError", "executable", "run_command"]


class JikkenError(RuntimeError):
    """The registry or the ``jikken`` command refused or failed; the message is the command's own line."""


def executable() -> str:
    """The ``jikken`` command: ``$JIKKEN_BIN``, else the first on ``PATH``."""
    chosen = os.environ.get("JIKKEN_BIN") or shutil.which("jikken")
    if not chosen:
        raise JikkenError("the jikken command is not on PATH (install it, or set JIKKEN_BIN to its path)")
    return chosen


def command(arguments: Sequence[str], registry: Optional[str] = None) -> List[str]:
    """The command line of ``jikken ARGUMENTS`` (``--registry`` first when given)."""
    words = [executable()]
    if registry:
        words += ["--registry", registry]
    return words + list(arguments)


def run_command(arguments: Sequence[str], registry: Optional[str] = None, timeout: Optional[float] = 120) -> str:
    """Runs ``jikken ARGUMENTS`` and returns what it printed; its error line as a ``JikkenError``."""
    try:
        done = subprocess.run(command(arguments, registry), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              stdin=subprocess.DEVNULL, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise JikkenError("jikken %s did not answer within %s s" % (arguments[0], timeout)) from None
    except OSError as error:
        raise JikkenError("cannot run the jikken command: %s" % error) from None
    if done.returncode != 0:
        lines = done.stderr.decode("utf-8", "replace").strip().splitlines()
        message = lines[-1] if lines else "jikken %s exited with %d" % (arguments[0], done.returncode)
        raise JikkenError(message[len("jikken: "):] if message.startswith("jikken: ") else message)
    return done.stdout.decode("utf-8")
