"""Portal mode: the reads of one pallet passing a dock door become one batch, judged as a
whole against what the ASN expects.

A batch opens with the first tag and closes after ``quiet_s`` without a new tag (or when the
station calls ``close``). The expectation is a plain argument: EPCs (hex or ``urn:epc:id:``
URIs) and/or GTIN counts; the services layer fills it from the ASN.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from lotscan.devices.epc import EpcMeaning, epc_meaning
from lotscan.devices.messages import PortalResult, Sink


@dataclass(frozen=True)
class Expectation:
    epcs: frozenset[str] = frozenset()  # upper-case hex or urn:epc:id:... URIs
    gtins: Mapping[str, int] | None = None  # GTIN-14 -> number of tags expected

    @classmethod
    def of(cls, epcs: Iterable[str] = (), gtins: Mapping[str, int] | None = None) -> Expectation:
        normalised = frozenset(e if e.startswith("urn:") else e.upper() for e in epcs)
        return cls(normalised, dict(gtins or {}))


@dataclass(frozen=True)
class Judgement:
    expected: tuple[str, ...]
    missing: tuple[str, ...]
    unexpected: tuple[str, ...]


def judge(
    tags: Iterable[str],
    expectation: Expectation,
    meaning: Callable[[str], EpcMeaning] = epc_meaning,
) -> Judgement:
    """Split the tags read into expected and unexpected, and list what was expected but missing.

    A tag matches an expected EPC by hex or by its pure-identity URI; otherwise it counts
    against its GTIN's expected quantity. Shortfalls per GTIN are reported as ``GTIN x N``.
    """
    matched: list[str] = []
    unexpected: list[str] = []
    remaining_epcs = set(expectation.epcs)
    gtin_left = Counter(expectation.gtins or {})
    needs_uri = any(e.startswith("urn:") for e in remaining_epcs)
    for tag in sorted(set(tags)):
        if tag in remaining_epcs:
            remaining_epcs.discard(tag)
            matched.append(tag)
            continue
        info = meaning(tag) if (needs_uri or gtin_left) else None
        if info and info.epc_uri and info.epc_uri in remaining_epcs:
            remaining_epcs.discard(info.epc_uri)
            matched.append(tag)
        elif info and info.gtin and gtin_left[info.gtin] > 0:
            gtin_left[info.gtin] -= 1
            matched.append(tag)
        else:
            unexpected.append(tag)
    missing = sorted(remaining_epcs) + [f"{gtin} x{n}" for gtin, n in sorted(gtin_left.items()) if n > 0]
    return Judgement(tuple(matched), tuple(missing), tuple(unexpected))


class Portal:
    def __init__(
        self,
        device_id: str,
        post: Sink,
        *,
        quiet_s: float = 0.5,
        expectation: Expectation | None = None,
        meaning: Callable[[str], EpcMeaning] = epc_meaning,
    ) -> None:
        self.device_id = device_id
        self.post = post
        self.quiet_s = quiet_s
        self.meaning = meaning
        self._expectation = expectation or Expectation()
        self._lock = threading.Lock()
        self._tags: set[str] = set()
        self._started_at: datetime | None = None
        self._last_read = 0.0
        self.batches = 0

    def expect(self, epcs: Iterable[str] = (), gtins: Mapping[str, int] | None = None) -> None:
        """Set what the next pallet should carry (thread-safe; takes effect for open batches)."""
        with self._lock:
            self._expectation = Expectation.of(epcs, gtins)

    def add(self, epc_hex: str, now: float) -> None:
        with self._lock:
            if not self._tags:
                self._started_at = datetime.now(UTC)
            self._tags.add(epc_hex)
            self._last_read = now

    def tick(self, now: float) -> PortalResult | None:
        """Close the batch if the door has been quiet for ``quiet_s``; call it often."""
        with self._lock:
            if not self._tags or now - self._last_read < self.quiet_s:
                return None
        return self.close()

    def close(self) -> PortalResult | None:
        with self._lock:
            if not self._tags:
                return None
            tags, self._tags = self._tags, set()
            started_at = self._started_at or datetime.now(UTC)
            expectation = self._expectation
        began = time.perf_counter()
        verdict = judge(tags, expectation, self.meaning)
        result = PortalResult(
            device_id=self.device_id,
            tags=tuple(sorted(tags)),
            expected=verdict.expected,
            missing=verdict.missing,
            unexpected=verdict.unexpected,
            started_at=started_at,
            ended_at=datetime.now(UTC),
            judge_ms=(time.perf_counter() - began) * 1000,
        )
        self.batches += 1
        self.post(result)
        return result
