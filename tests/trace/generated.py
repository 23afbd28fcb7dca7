"""A generated multi-level genealogy pushed through central's real push path, and an independent
brute-force model of it (plain Python over the generated events) to check trace and recall by.

Raw lots are received from suppliers, consumed into intermediates, intermediates into finished
goods; finished goods are split, merged, relabelled, palletised and shipped to customers.
"""

from __future__ import annotations

import json
import random
import uuid
from collections import defaultdict, deque
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from lotscan.central.db import write_tx
from lotscan.central.importing import import_into_central
from lotscan.central.push import push
from lotscan.central.tokens import StationIdentity, add_station
from lotscan.protocol import EventIn, PushRequest
from lotscan.services.importer import read_source

LotKey = tuple[str, str]


def gtin_with_check(body13: str) -> str:
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body13)))
    return body13 + str((10 - total % 10) % 10)


ITEMS = {
    "RAW-A": ("Raw oats", "KG", gtin_with_check("0952123400101")),
    "RAW-B": ("Raw honey", "KG", gtin_with_check("0952123400102")),
    "INT": ("Oat mix", "KG", gtin_with_check("0952123400201")),
    "FG": ("Oat bars, box of 12", "EA", gtin_with_check("0952123400301")),
}
SITES = {"P1": gtin_with_check("952123400001"), "P2": gtin_with_check("952123400002")}
SUPPLIERS = ["Mill & Co", "Honey Farm"]
CUSTOMERS = ["Shop North", "Shop South", "Wholesale"]
TIME_ZONES = {"P1": "America/Chicago", "P2": "Europe/Berlin"}


def _party(code: str, kind: str, name: str, n: int, **extra: Any) -> dict[str, Any]:
    return {
        "code": code,
        "kind": kind,
        "name": name,
        "street": f"{n} Mill Road",
        "city": "Springfield",
        "postal_code": f"6270{n}",
        "country": "US",
        "phone": f"+1 217 555 01{n:02d}",
        **extra,
    }


def parties() -> list[dict[str, Any]]:
    """Every site and partner of the generated plant, with address and phone; GLNs for some,
    an FDA registration number for P1 and the mill."""
    found = [
        _party("P1", "site", "Plant P1", 1, gln=SITES["P1"], ffrn="11223344556"),
        _party("P2", "site", "Plant P2", 2, gln=SITES["P2"]),
        _party("MILL", "supplier", SUPPLIERS[0], 3, gln=gtin_with_check("952123409001"), ffrn="99887766554"),
        _party("HONEY", "farm", SUPPLIERS[1], 4),
    ]
    found += [
        _party(f"C{i}", "customer", c, 5 + i, gln=gtin_with_check(f"95212340910{i}"))
        for i, c in enumerate(CUSTOMERS)
    ]
    return found


# FSMA 204 records from a farm and a vessel: the first-land-based receiving record lacks its
# reference document number (1.1335(g)), so exports must name it as missing.
KDE_RECORDS = [
    {
        "cte": "harvesting",
        "tlc": "H-001",
        "commodity_variety": "Honey, wildflower",
        "qty": 400,
        "unit": "KG",
        "event_date": "2026-02-20",
        "recipient": "P1",
        "farm": "HONEY",
        "field_name": "North apiary",
        "harvest_date": "2026-02-20",
        "doc_type": "Harvest log",
        "doc_number": "HL-7",
    },
    {
        "cte": "cooling",
        "tlc": "H-001",
        "commodity_variety": "Honey, wildflower",
        "qty": 400,
        "unit": "KG",
        "event_date": "2026-02-21",
        "recipient": "P1",
        "farm": "HONEY",
        "cooling_location": "HONEY",
        "cooling_date": "2026-02-21",
        "doc_type": "Cooling log",
        "doc_number": "CL-3",
    },
    {
        "cte": "initial_packing",
        "tlc": "RH-2602",
        "product": "Raw honey",
        "commodity_variety": "Honey, wildflower",
        "qty": 380,
        "unit": "KG",
        "event_date": "2026-02-22",
        "location": "HONEY",
        "previous_source": "HONEY",
        "farm": "HONEY",
        "field_name": "North apiary",
        "harvester": "HONEY",
        "harvest_date": "2026-02-20",
        "cooling_location": "HONEY",
        "cooling_date": "2026-02-21",
        "tlc_source": "HONEY",
        "doc_type": "Packing record",
        "doc_number": "PR-11",
    },
    {
        "cte": "first_land_based_receiving",
        "tlc": "FLB-1",
        "product": "Atlantic cod, whole",
        "qty": 1200,
        "unit": "KG",
        "event_date": "2026-02-15",
        "harvest_date": "2026-02-10..2026-02-14",
        "farm": "NMFS area 514",
        "tlc_source": "P1",
        "doc_type": "Landing record",
    },
]


def plant() -> dict[str, list[dict[str, Any]]]:
    locations = []
    for site in SITES:
        for kind in ("DOCK", "STORE", "LINE", "OUT"):
            gln = gtin_with_check(f"952123400{len(locations):03d}") if kind != "STORE" else None
            locations.append({"code": f"{kind}-{site}", "site": site, "gln": gln, "name": f"{kind} {site}"})
    return {
        "parties": parties(),
        "kde_records": KDE_RECORDS,
        "sites": [
            {"code": s, "name": f"Plant {s}", "gln": g, "time_zone": TIME_ZONES[s]} for s, g in SITES.items()
        ],
        "locations": locations,
        "operators": [{"badge": f"op-{n}", "name": f"Operator {n}", "site": "*"} for n in range(1, 5)],
        "items": [
            {"code": c, "gtin": g, "description": d, "unit": u, "expiry_required": "no"}
            for c, (d, u, g) in ITEMS.items()
        ],
        "tasks": [
            *({"code": f"ASN-{i}", "kind": "asn", "partner": s} for i, s in enumerate(SUPPLIERS)),
            *({"code": f"SHP-{i}", "kind": "shipment", "partner": c} for i, c in enumerate(CUSTOMERS)),
            *({"code": f"WO-{s}", "kind": "work_order"} for s in SITES),
        ],
    }


@dataclass
class Generated:
    events: list[tuple[str, EventIn]] = field(default_factory=list)  # (site, event)
    raw_lots: list[LotKey] = field(default_factory=list)
    intermediates: list[LotKey] = field(default_factory=list)
    finished: list[LotKey] = field(default_factory=list)
    pallets: dict[str, list[LotKey]] = field(default_factory=dict)


class Generator:
    def __init__(self, seed: int, start: datetime):
        self.random = random.Random(seed)
        self.clock = start
        self.seqs: dict[str, int] = defaultdict(int)
        self.out = Generated()
        self.stock: dict[tuple[str, str, str], float] = defaultdict(float)
        self.homes: dict[LotKey, str] = {}

    def event(self, site: str, event_type: str, payload: dict[str, Any]) -> None:
        self.clock += timedelta(minutes=self.random.randint(1, 90))
        self.seqs[site] += 1
        event = EventIn(
            id=str(uuid.UUID(int=self.random.getrandbits(128))),
            seq=self.seqs[site],
            operator=f"op-{self.random.randint(1, 4)}",
            occurred_at=self.clock,
            type=event_type,
            task_code=payload.get("task"),
            lot_code=payload.get("lot"),
            payload=payload,
        )
        self.out.events.append((site, event))

    def run(self, raw: int, intermediates: int, finished: int) -> Generated:
        r = self.random
        for n in range(raw):
            site = r.choice(list(SITES))
            item = r.choice(["RAW-A", "RAW-B"])
            supplier = r.randrange(len(SUPPLIERS))
            lot = f"R{n:03d}"
            self.event(
                site,
                "stock.received",
                {
                    "task": f"ASN-{supplier}",
                    "item": item,
                    "lot": lot,
                    "qty": 100.0,
                    "unit": "KG",
                    "location": f"DOCK-{site}",
                    "supplier": SUPPLIERS[supplier],
                    "supplier_lot": f"S{lot}",
                    "expiry": (self.clock + timedelta(days=200)).date().isoformat(),
                },
            )
            self.out.raw_lots.append((item, lot))
            self.stock[(item, lot, site)] += 100.0
            self.homes[(item, lot)] = site
        for n in range(intermediates):
            self._produce(
                "INT", f"I{n:03d}", self.out.raw_lots, self.out.intermediates, "KG", r.randint(1, 3)
            )
        for n in range(finished):
            self._produce("FG", f"F{n:03d}", self.out.intermediates, self.out.finished, "EA", r.randint(1, 2))
        self._reshape()
        self._ship()
        return self.out

    def _site_of(self, lot: LotKey) -> str:
        return self.homes[lot]

    def _produce(
        self, item: str, lot: str, sources: list[LotKey], made: list[LotKey], unit: str, k: int
    ) -> None:
        site = self.random.choice(list(SITES))
        local = [s for s in sources if self.stock.get((*s, site), 0) > 0]
        inputs = self.random.sample(local, min(k, len(local)))
        if not inputs:
            return
        listed = []
        for source in inputs:
            qty = float(self.random.randint(1, 10))
            self.event(
                site,
                "stock.consumed",
                {
                    "task": f"WO-{site}",
                    "item": source[0],
                    "lot": source[1],
                    "qty": qty,
                    "location": f"DOCK-{site}",
                },
            )
            self.stock[(*source, site)] -= qty
            # Some work orders do not know how much of an input went in: the edge says so.
            listed.append(
                {"item": source[0], "lot": source[1], "qty": qty if self.random.random() < 0.8 else None}
            )
        self.event(
            site,
            "lot.produced",
            {
                "task": f"WO-{site}",
                "item": item,
                "lot": lot,
                "qty": 50.0,
                "unit": unit,
                "location": f"DOCK-{site}",
                "inputs": listed,
                "expiry": (self.clock + timedelta(days=180)).date().isoformat(),
            },
        )
        self.stock[(item, lot, site)] += 50.0
        made.append((item, lot))
        self.homes[(item, lot)] = site

    def _reshape(self) -> None:
        r = self.random
        finished = list(self.out.finished)
        if len(finished) >= 3:
            item, lot = finished[0]
            site = self._site_of(finished[0])
            outputs = [{"lot": f"{lot}-S1", "qty": 10.0}, {"lot": f"{lot}-S2", "qty": 5.0}]
            self.event(
                site, "lot.split", {"item": item, "lot": lot, "location": f"DOCK-{site}", "outputs": outputs}
            )
            for o in outputs:
                self.out.finished.append((item, o["lot"]))
                self.stock[(item, o["lot"], site)] += o["qty"]
                self.homes[(item, o["lot"])] = site
            item, lot = finished[1]
            site = self._site_of(finished[1])
            self.event(
                site,
                "lot.relabelled",
                {"item": item, "lot": lot, "new_lot": f"{lot}-R", "location": f"DOCK-{site}"},
            )
            self.out.finished.append((item, f"{lot}-R"))
            self.homes[(item, f"{lot}-R")] = site
            self.stock[(item, f"{lot}-R", site)] += self.stock.pop((item, lot, site))
        by_site: dict[str, list[LotKey]] = defaultdict(list)
        for key in self.out.intermediates:
            by_site[self._site_of(key)].append(key)
        for site, lots in by_site.items():
            if len(lots) >= 2:
                pair = r.sample(lots, 2)
                merged = ("INT", f"M-{site}")
                inputs = [{"lot": p[1], "qty": 2.0} for p in pair]
                self.event(
                    site,
                    "lot.merged",
                    {"item": "INT", "lot": merged[1], "location": f"DOCK-{site}", "inputs": inputs},
                )
                self.out.intermediates.append(merged)
                self.homes[merged] = site
                self.stock[(*merged, site)] += 4.0
                break
        fg_sites: dict[str, list[LotKey]] = defaultdict(list)
        for key in self.out.finished:
            fg_sites[self._site_of(key)].append(key)
        for site, lots in fg_sites.items():
            if len(lots) >= 2:
                sscc = f"09521234{len(self.out.pallets):09d}0"
                contents = [{"item": k[0], "lot": k[1], "qty": 1.0} for k in lots[:2]]
                self.event(
                    site, "pallet.built", {"sscc": sscc, "location": f"DOCK-{site}", "contents": contents}
                )
                self.out.pallets[sscc] = lots[:2]

    def _ship(self) -> None:
        for key in self.out.finished:
            site = self._site_of(key)
            for _ in range(self.random.randint(0, 2)):
                customer = self.random.randrange(len(CUSTOMERS))
                qty = float(self.random.randint(1, 3))
                self.event(
                    site,
                    "stock.shipped",
                    {
                        "task": f"SHP-{customer}",
                        "customer": CUSTOMERS[customer],
                        "item": key[0],
                        "lot": key[1],
                        "qty": qty,
                        "unit": "EA",
                        "location": f"DOCK-{site}",
                    },
                )
                self.stock[(*key, site)] -= qty


def generate(seed: int = 7, raw: int = 30, intermediates: int = 20, finished: int = 25) -> Generated:
    return Generator(seed, datetime(2026, 3, 1, 6, 0, tzinfo=UTC)).run(raw, intermediates, finished)


def load(engine: Engine, generated: Generated, directory: Path) -> dict[str, StationIdentity]:
    """Import the plant and push every event through central's push path, in batches."""
    source = directory / "plant.json"
    source.write_text(json.dumps(plant()), encoding="utf-8")
    with write_tx(engine) as conn:
        import_into_central(conn, read_source(source))
        stations = {site: StationIdentity(add_station(conn, site)[0], site) for site in SITES}
    per_site: dict[str, list[EventIn]] = defaultdict(list)
    for site, event in generated.events:
        per_site[site].append(event)
    for site, events in per_site.items():
        for start in range(0, len(events), 50):
            batch = events[start : start + 50]
            with write_tx(engine) as conn:
                response = push(
                    conn, stations[site], PushRequest(station_time=batch[-1].occurred_at, events=batch)
                )
            failed = [r for r in response.results if r.outcome not in ("applied", "flagged")]
            assert not failed, failed
    return stations


# --------------------------------------------------------------------------- the brute-force model


@dataclass
class Model:
    children: dict[LotKey, list[tuple[LotKey, float | None]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    parents: dict[LotKey, list[tuple[LotKey, float | None]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    stock: dict[tuple[str, str, str], float] = field(default_factory=lambda: defaultdict(float))
    shipments: dict[LotKey, list[tuple[str, float, str]]] = field(default_factory=lambda: defaultdict(list))
    receipts: dict[LotKey, list[tuple[str, float, str]]] = field(default_factory=lambda: defaultdict(list))

    def walk(self, roots: list[LotKey], forward: bool, depth: int | None = None) -> dict[LotKey, int]:
        """Breadth-first, shortest distance from the roots: the obvious, slow way."""
        graph = self.children if forward else self.parents
        seen = {root: 0 for root in roots}
        queue = deque(roots)
        while queue:
            lot = queue.popleft()
            if depth is not None and seen[lot] >= depth:
                continue
            for nxt, _ in graph.get(lot, []):
                if nxt not in seen:
                    seen[nxt] = seen[lot] + 1
                    queue.append(nxt)
        return seen


def model(generated: Generated) -> Model:
    m = Model()

    def edge(parent: LotKey, child: LotKey, qty: float | None) -> None:
        m.children[parent].append((child, qty))
        m.parents[child].append((parent, qty))

    for _site, e in generated.events:
        p = e.payload
        when = e.occurred_at.replace(tzinfo=None).isoformat()
        if e.type == "stock.received":
            m.stock[(p["item"], p["lot"], p["location"])] += p["qty"]
            m.receipts[(p["item"], p["lot"])].append((p["supplier"], p["qty"], when))
        elif e.type == "stock.consumed":
            m.stock[(p["item"], p["lot"], p["location"])] -= p["qty"]
        elif e.type == "lot.produced":
            m.stock[(p["item"], p["lot"], p["location"])] += p["qty"]
            for i in p["inputs"]:
                edge((i["item"], i["lot"]), (p["item"], p["lot"]), i["qty"])
        elif e.type == "lot.split":
            for o in p["outputs"]:
                m.stock[(p["item"], p["lot"], p["location"])] -= o["qty"]
                m.stock[(p["item"], o["lot"], p["location"])] += o["qty"]
                edge((p["item"], p["lot"]), (p["item"], o["lot"]), o["qty"])
        elif e.type == "lot.merged":
            for i in p["inputs"]:
                m.stock[(p["item"], i["lot"], p["location"])] -= i["qty"]
                m.stock[(p["item"], p["lot"], p["location"])] += i["qty"]
                edge((p["item"], i["lot"]), (p["item"], p["lot"]), i["qty"])
        elif e.type == "lot.relabelled":
            qty = m.stock.pop((p["item"], p["lot"], p["location"]), 0.0)
            m.stock[(p["item"], p["lot"], p["location"])] = 0.0
            m.stock[(p["item"], p["new_lot"], p["location"])] += qty
            edge((p["item"], p["lot"]), (p["item"], p["new_lot"]), qty)
        elif e.type == "stock.shipped":
            m.stock[(p["item"], p["lot"], p["location"])] -= p["qty"]
            m.shipments[(p["item"], p["lot"])].append((p["customer"], p["qty"], when))
    return m
