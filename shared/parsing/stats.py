"""Counts of what parsing did, by outcome: the numbers behind 'nothing lost silently'."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

# Locations of malformed lines kept for the report; counting goes on past this.
MAX_REPORTED_LOCATIONS = 100


@dataclass
class ParseStats:
    emitted: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    unknown_shapes: Counter[str] = field(default_factory=Counter)  # model id -> records of unknown shape
    malformed: int = 0
    malformed_locations: list[tuple[str, int, str]] = field(default_factory=list)  # (source, line, reason)
    sources: int = 0

    def count_malformed(self, source: str, line: int, reason: str) -> None:
        self.malformed += 1
        if len(self.malformed_locations) < MAX_REPORTED_LOCATIONS:
            self.malformed_locations.append((source, line, reason))

    def merge(self, other: ParseStats) -> None:
        self.emitted += other.emitted
        self.skipped.update(other.skipped)
        self.unknown_shapes.update(other.unknown_shapes)
        self.malformed += other.malformed
        room = MAX_REPORTED_LOCATIONS - len(self.malformed_locations)
        self.malformed_locations.extend(other.malformed_locations[: max(room, 0)])
        self.sources += other.sources

    def to_dict(self) -> dict[str, object]:
        return {
            "sources": self.sources,
            "emitted": self.emitted,
            "skipped": dict(sorted(self.skipped.items())),
            "unknownShapeByModel": dict(sorted(self.unknown_shapes.items())),
            "malformedLines": self.malformed,
            "malformedLocations": [{"source": s, "line": n, "reason": r} for s, n, r in self.malformed_locations],
        }

    def summary(self) -> str:
        """A few human-readable lines (no record content)."""
        lines = [f"sources read: {self.sources}", f"records emitted: {self.emitted}"]
        for reason, n in sorted(self.skipped.items()):
            lines.append(f"skipped ({reason}): {n}")
        for model, n in sorted(self.unknown_shapes.items()):
            lines.append(f"  unknown body shape from model {model or '(none)'}: {n}")
        lines.append(f"malformed lines: {self.malformed}")
        for source, line, reason in self.malformed_locations:
            lines.append(f"  {source}:{line}: {reason}")
        if self.malformed > len(self.malformed_locations):
            lines.append(f"  ... and {self.malformed - len(self.malformed_locations)} more")
        return "\n".join(lines)
