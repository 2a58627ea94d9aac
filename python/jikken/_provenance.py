"""Where a run comes from: the script's git state, the host, the GPU, the command and the versions."""

import os
import platform
import shlex
import socket
import subprocess
import sys
from typing import Any, Dict, Optional

__all__ = ["describe_process"]


def _git(folder: str, *arguments: str) -> Optional[str]:
    try:
        done = subprocess.run(["git", *arguments], cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                              stdin=subprocess.DEVNULL, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.decode("utf-8", "replace").strip() if done.returncode == 0 else None


def _script_folder() -> str:
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    return os.path.dirname(os.path.abspath(path)) if path else os.getcwd()


def _torch_version() -> Optional[str]:
    """The torch the script imported, else the one installed (read from its metadata: importing torch here
    would cost seconds and memory); none without torch."""
    torch = sys.modules.get("torch")
    if torch is not None:
        return str(getattr(torch, "__version__", "")) or None
    try:
        from importlib import metadata  # Python 3.8+
        return metadata.version("torch")
    except Exception:  # 3.7, or no torch: nothing to record
        return None


def describe_process() -> Dict[str, Any]:
    """The ``describe`` fields this process knows of itself."""
    folder = _script_folder()
    description = {
        "host": os.environ.get("JIKKEN_HOST") or socket.gethostname(),
        "command": " ".join(shlex.quote(word) for word in [os.path.basename(sys.executable) or "python"] + sys.argv),
        "versions": {"python": platform.python_version()},
    }  # type: Dict[str, Any]
    torch = _torch_version()
    if torch:
        description["versions"]["torch"] = torch
    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    if visible:
        description["device"] = "cuda:" + visible
    commit = _git(folder, "rev-parse", "HEAD")
    if commit:
        description["git_commit"] = commit
        status = _git(folder, "status", "--porcelain", "--untracked-files=no")
        description["git_dirty"] = bool(status)
    return description
