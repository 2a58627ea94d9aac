"""Jikken from Python: the model registry your own PyTorch scripts report to, and read from.

    import jikken
    run = jikken.init(method="focalloss", hparams=vars(args), model="resnet18", dataset="cifar10")
    for epoch in range(epochs):
        ...
        run.log({"train/loss": loss, "test/error": error}, step=epoch)
    run.finish(results={"test_error": error})

    jikken.runs("model:resnet18 lr<0.05 status:finished")   # the registry's table, as a list of dicts
    jikken.get("20261206_03_focalloss").history("test/error")   # [(step, value), ...]

Standard library only; Python 3.7 or newer. The registry is the one the ``jikken`` command uses (found on
``PATH`` or through ``JIKKEN_BIN``): a ``jikken serve`` service (``JIKKEN_REGISTRY``, ``JIKKEN_TOKEN``,
``~/.config/jikken/client.json``) or the local registry file.
"""

from ._cli import JikkenError
from ._registry import Model, get, runs
from ._run import Run, init

__all__ = ["init", "Run", "runs", "get", "Model", "JikkenError"]
__version__ = "0.1.0"
