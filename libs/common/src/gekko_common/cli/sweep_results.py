"""A finished sweep's results as ``gekko sweep`` reads them: each result kept as the JSON the gateway
sent, and only what ranking reads decoded.

Imported while the sweep runs (msgspec's import is not on the way to the submission). A 1,000-point
answer is about 0.8 MB: decoding every result into objects and encoding each again for ``--output``
cost about 10 ms of a command that takes about 0.25 s; the ranked JSON file is the gateway's own
encoding of each result, in rank order. Full objects are decoded only for the printed rows, and for
every row when CSV, Parquet or a heatmap is asked for.
"""

from __future__ import annotations

from typing import Any, TypedDict

import msgspec

from gekko_common.sweep import score


class _Finished(TypedDict, total=False):
    """The fields of a sweep's record the command reads, its results left undecoded."""

    finished: bool
    error: str | None
    objective: list[str]
    stoppedEarly: bool | None
    results: list[msgspec.Raw]


class _Scored(TypedDict, total=False):
    """What ranking reads of a result."""

    objectives: dict[str, Any] | None
    oos: dict[str, Any] | None


class _ScoredRecord(TypedDict, total=False):
    results: list[_Scored]


class Results:
    """A sweep's results in point order: their JSON and what ranking reads."""

    def __init__(self, raw: list[msgspec.Raw], scored: list[_Scored]) -> None:
        self.raw = raw
        self.scored = scored

    def __len__(self) -> int:
        return len(self.raw)

    @property
    def out_of_sample(self) -> bool:
        """Whether any result has out-of-sample figures."""
        return any("oos" in s for s in self.scored)

    def ranked(self, objective: str) -> list[int]:
        """Positions of the results, best first by ``objective`` (in-sample; ties keep point order)."""
        scores = [score(s.get("objectives") or {}, objective) for s in self.scored]
        return sorted(range(len(scores)), key=scores.__getitem__, reverse=True)

    def row(self, position: int) -> dict[str, Any]:
        """One result as an object."""
        decoded: dict[str, Any] = msgspec.json.decode(self.raw[position])
        return decoded

    def json_lines(self, order: list[int]) -> bytes:
        """The results in ``order`` as a JSON list, one result a line."""
        return b"[\n" + b",\n".join(self.raw[i] for i in order) + b"\n]\n"


def decode_record(content: bytes, results: bool) -> dict[str, Any]:
    """A ``GET /api/sweeps/{id}`` answer; with ``results``, the record's ``results`` as :class:`Results`."""
    if not results:
        record: dict[str, Any] = msgspec.json.decode(content)
        return record
    finished = msgspec.json.decode(content, type=_Finished)
    scored = msgspec.json.decode(content, type=_ScoredRecord).get("results", [])
    return {**finished, "results": Results(finished.get("results", []), scored)}
