"""Reading the registry: its table (with the filter box's query language) and one model's points."""

import json
import math
from typing import Any, Dict, List, Optional, Tuple

from ._cli import run_command

__all__ = ["runs", "get", "Model"]

_NON_FINITE = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


def runs(query: str = "", registry: Optional[str] = None) -> List[Dict[str, Any]]:
    """The registry's runs that ``query`` matches (``model:resnet18 lr<0.05 status:finished tag:ablation``;
    empty: all), oldest first, each a dict as ``jikken ls --format json`` prints it: what
    ``pandas.DataFrame(...)`` takes (``pandas.json_normalize(...)`` makes ``hparams.lr`` columns)."""
    if not isinstance(query, str):
        raise ValueError("query: %r is not text" % (query,))
    arguments = ["ls", "--format", "json"]
    if query.strip():
        arguments += ["--query", query]
    return json.loads(run_command(arguments, registry))


def get(run_id: str, registry: Optional[str] = None) -> "Model":
    """One model of the registry by its ID; a ``JikkenError`` when there is none."""
    if not isinstance(run_id, str):
        raise ValueError("run_id: %r is not text" % (run_id,))
    return Model(json.loads(run_command(["show", run_id, "--json"], registry)), registry)


class Model:
    """A model as the registry keeps it when read: ``record`` is ``jikken show --json``'s object, its fields
    also readable as items (``model["status"]``)."""

    def __init__(self, record: Dict[str, Any], registry: Optional[str] = None):
        self.record = record
        self.id = record["id"]  # type: str
        self._registry = registry

    def __getitem__(self, field: str) -> Any:
        return self.record[field]

    def history(self, tag: str) -> List[Tuple[int, float]]:
        """Every point of ``tag``, by step: ``[(step, value), ...]`` (NaN and ±inf as floats)."""
        return [(point["step"], point["value"]) for point in self.points([tag])]

    def points(self, tags: Optional[List[str]] = None) -> List[Dict[str, Any]]:
        """Every point of ``tags`` (all when None): dicts of tag, step, wall_time and value."""
        arguments = ["scalars", self.id, "--format", "json"]
        for tag in tags or []:
            arguments += ["--tag", tag]
        points = json.loads(run_command(arguments, self._registry))
        for point in points:
            for key in ("value", "wall_time"):
                if isinstance(point[key], str):
                    point[key] = _NON_FINITE[point[key]]
        return points

    def __repr__(self) -> str:
        return "<jikken.Model %s %s>" % (self.id, self.record.get("status", ""))
