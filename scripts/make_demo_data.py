"""Write the demo data set in config/demo: a biscuit and bakery plant, North Valley Foods.

Deterministic (fixed seed). Dates are relative (+30d) so the demo never goes stale.
Run: python scripts/make_demo_data.py [OUT_DIR]
"""

from __future__ import annotations

import csv
import random
import sys
from pathlib import Path

COMPANY_PREFIX = "9521234"  # GS1 prefix 952 is reserved for demonstrations and examples

RAW = [
    ("FLOUR-T55", "Wheat flour T55, 25 kg sack", "KG", 365, 60),
    ("FLOUR-WW", "Wholewheat flour, 25 kg sack", "KG", 240, 45),
    ("SUGAR-GR", "Granulated sugar, 25 kg sack", "KG", None, None),
    ("SUGAR-ICING", "Icing sugar, 10 kg bag", "KG", 540, 60),
    ("BUTTER-82", "Butter 82% fat, 10 kg block", "KG", 120, 30),
    ("MARG-BAKE", "Bakery margarine, 10 kg", "KG", 180, 30),
    ("EGG-LIQ", "Liquid whole egg, 10 L", "L", 21, 7),
    ("MILK-PWD", "Skimmed milk powder, 25 kg", "KG", 540, 90),
    ("COCOA-22", "Cocoa powder 22/24, 25 kg", "KG", 720, 90),
    ("CHOC-DROPS", "Dark chocolate drops, 10 kg", "KG", 365, 60),
    ("OATS-ROLL", "Rolled oats, 25 kg", "KG", 300, 60),
    ("HONEY", "Honey, 25 kg pail", "KG", 730, 90),
    ("SALT-FINE", "Fine salt, 25 kg", "KG", None, None),
    ("YEAST-DRY", "Dry yeast, 500 g", "EA", 540, 60),
    ("BAKING-PWD", "Baking powder, 5 kg", "KG", 365, 60),
    ("VANILLA-EXT", "Vanilla extract, 1 L", "L", 720, 90),
    ("RAISINS", "Raisins, 12.5 kg", "KG", 365, 60),
    ("HAZELNUT", "Roasted hazelnuts, 10 kg", "KG", 270, 60),
    ("ALMOND-FL", "Almond flakes, 10 kg", "KG", 270, 60),
    ("CINNAMON", "Ground cinnamon, 1 kg", "KG", 720, 90),
    ("GINGER", "Ground ginger, 1 kg", "KG", 720, 90),
    ("SYRUP-GLU", "Glucose syrup, 25 kg", "KG", 540, 60),
    ("OIL-SUN", "Sunflower oil, 20 L", "L", 365, 60),
    ("CREAM-UHT", "UHT cream 35%, 1 L", "L", 90, 21),
    ("JAM-RASP", "Raspberry jam, 12 kg", "KG", 365, 60),
]
PACK = [
    ("FILM-FLOW", "Flow-wrap film, 500 m reel", "EA"),
    ("CARTON-12", "Shipper carton, 12 packs", "EA"),
    ("TRAY-PET", "PET tray, 200 g", "EA"),
    ("LABEL-ROLL", "Product labels, 2000/roll", "EA"),
    ("PALLET-EUR", "EUR pallet", "EA"),
]
FINISHED = [
    ("FG-CHOCCHIP", "Chocolate chip cookies 200 g", 180),
    ("FG-OATRAISIN", "Oat and raisin cookies 200 g", 180),
    ("FG-SHORTBREAD", "Butter shortbread 150 g", 240),
    ("FG-GINGERNUT", "Ginger nuts 250 g", 270),
    ("FG-HAZELBAR", "Hazelnut bars 6 x 30 g", 200),
    ("FG-JAMTART", "Raspberry jam tarts 6 pack", 30),
    ("FG-HONEYCAKE", "Honey cake 400 g", 60),
    ("FG-CINROLL", "Cinnamon rolls 4 pack", 10),
    ("FG-BROWNIE", "Cocoa brownies 4 pack", 45),
    ("FG-ALMONDBIS", "Almond biscotti 180 g", 300),
    ("FG-WHOLEDIG", "Wholewheat digestives 400 g", 240),
    ("FG-VANWAFER", "Vanilla wafers 175 g", 300),
    ("FG-CREAMPUFF", "Cream puffs 6 pack (chilled)", 5),
    ("FG-GIFTBOX", "Assorted biscuit gift box 500 g", 270),
    ("FG-MINICOOK", "Mini cookies 12 x 25 g", 180),
    ("FG-BREADSTK", "Breadsticks 125 g", 365),
    ("FG-CRACKER", "Salted crackers 200 g", 300),
    ("FG-RUSK", "Rusks 250 g", 365),
    ("FG-SPONGE", "Sponge fingers 200 g", 240),
    ("FG-MUFFIN", "Chocolate muffins 4 pack", 14),
]


def check_digit(body: str) -> str:
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return str((10 - total % 10) % 10)


def gtin14(n: int, indicator: str = "0") -> str:
    body = indicator + COMPANY_PREFIX + f"{n:05d}"
    return body + check_digit(body)


def gln(n: int) -> str:
    body = COMPANY_PREFIX + f"{n:05d}"
    return body + check_digit(body)


def sscc(n: int) -> str:
    body = "0" + COMPANY_PREFIX + f"{n:09d}"
    return body + check_digit(body)


def write(out: Path, name: str, header: list[str], rows: list[list[object]]) -> None:
    with (out / f"{name}.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def bracketed(gtin: str, lot: str, expiry_days: int | None, qty: float | None = None) -> str:
    text = f"(01){gtin}"
    if expiry_days is not None:
        text += f"(17){{expiry:{expiry_days}}}"
    text += f"(10){lot}"
    if qty is not None:
        text += f"(30){int(qty)}"
    return text


def main(out: Path) -> None:
    rng = random.Random(7)
    out.mkdir(parents=True, exist_ok=True)
    write(
        out,
        "sites",
        ["code", "name", "gln", "time_zone"],
        [["PLANT1", "North Valley Foods, Main Plant", gln(1), "America/Chicago"]],
    )
    # Every business the demo's records name (FSMA 204 location descriptions): our plant, the
    # suppliers on the ASN, PO and lots, the customer, a farm and a carrier. Example addresses.
    # fmt: off
    parties = [
        ["PLANT1", "site", "North Valley Foods Main Plant", "100 Orchard Way", "Springfield", "62701", "US", "+1 217 555 0100", gln(1), "10987654321"],
        ["MILLERS", "supplier", "Millers Ltd", "12 Mill Lane", "Decatur", "62521", "US", "+1 217 555 0142", gln(901), "11122233344"],
        ["DAIRYCOOP", "supplier", "Dairy Co-op", "8 Creamery Road", "Peoria", "61602", "US", "+1 309 555 0177", gln(902), ""],
        *[
            [f"SUP-{c}", "supplier", f"Supplier {c}", f"{n} Commerce Drive", "Champaign", "61820", "US", f"+1 217 555 02{n:02d}", gln(910 + n), ""]
            for n, c in enumerate("ABCDE", start=1)
        ],
        ["FRESHMART12", "customer", "FreshMart DC 12", "400 Distribution Pkwy", "Bloomington", "61704", "US", "+1 309 555 0190", gln(903), ""],
        ["SUNNYFIELD", "farm", "Sunnyfield Farm", "RR 2 Box 17", "Lincoln", "62656", "US", "+1 217 555 0161", "", ""],
        ["PRAIRIEFREIGHT", "carrier", "Prairie Freight", "55 Depot Street", "Springfield", "62703", "US", "+1 217 555 0123", "", ""],
    ]
    # fmt: on
    write(
        out,
        "parties",
        ["code", "kind", "name", "street", "city", "postal_code", "country", "phone", "gln", "ffrn"],
        parties,
    )

    locations: list[list[object]] = [
        ["DOCK-IN", "PLANT1", gln(10), "Receiving dock", "no", "no"],
        ["DOCK-OUT", "PLANT1", gln(11), "Dispatch staging", "no", "no"],
        ["QA-HOLD", "PLANT1", gln(12), "Quality hold cage", "no", "yes"],
        ["LINE-1", "PLANT1", gln(13), "Production line 1", "no", "no"],
        ["LINE-2", "PLANT1", gln(14), "Production line 2", "no", "no"],
    ]
    racks = [f"RM-A{n:02d}" for n in range(1, 13)] + [f"FG-B{n:02d}" for n in range(1, 13)]
    locations += [[code, "PLANT1", "", f"Rack {code}", "yes", "no"] for code in racks]
    write(out, "locations", ["code", "site", "gln", "name", "pickable", "is_hold"], locations)

    items: list[list[object]] = []
    item_gtin: dict[str, str] = {}
    shelf: dict[str, int | None] = {}
    number = 100
    for code, desc, unit, life, minimum in RAW:
        number += 1
        item_gtin[code] = gtin14(number, "1")
        shelf[code] = life
        items.append(
            [
                code,
                item_gtin[code],
                desc,
                unit,
                "yes",
                "yes" if life else "no",
                life or "",
                minimum or "",
                "released",
            ]
        )
    for code, desc, unit in PACK:
        number += 1
        item_gtin[code] = gtin14(number, "1")
        shelf[code] = None
        items.append([code, item_gtin[code], desc, unit, "no", "no", "", "", "released"])
    for code, desc, life in FINISHED:
        number += 1
        item_gtin[code] = gtin14(number)
        shelf[code] = life
        items.append(
            [
                code,
                item_gtin[code],
                desc,
                "EA",
                "yes",
                "yes",
                life,
                max(life // 3, 2),
                "quarantine" if life <= 14 else "released",
            ]
        )
    write(
        out,
        "items",
        [
            "code",
            "gtin",
            "description",
            "unit",
            "lot_tracked",
            "expiry_required",
            "shelf_life_days",
            "min_remaining_days",
            "receive_status",
        ],
        items,
    )

    write(
        out,
        "operators",
        ["badge", "name", "role", "pin"],
        [
            ["1001", "Alice Dock", "operator", ""],
            ["1002", "Bob Line", "operator", ""],
            ["1003", "Carla Picker", "operator", ""],
            ["9001", "Sam Supervisor", "supervisor", "4321"],
        ],
    )

    lots: list[list[object]] = []
    stock: list[list[object]] = []
    statuses = ["released"] * 16 + ["quarantine", "hold", "recalled", "rejected"]
    lot_index: dict[str, list[tuple[str, int | None, str]]] = {}
    tracked = [r[0] for r in RAW] + [f[0] for f in FINISHED]
    for code in tracked:
        life = shelf[code]
        for n in range(rng.randint(6, 14)):
            lot = f"{code.split('-')[0][:3]}{rng.randint(1000, 9999)}{chr(65 + n)}"
            expiry = rng.randint(-20, (life or 720)) if life else None
            status = rng.choice(statuses)
            lots.append(
                [
                    code,
                    lot,
                    status,
                    f"{expiry:+d}d" if expiry is not None else "",
                    "-" + str(rng.randint(1, 60)) + "d",
                    "Supplier " + rng.choice("ABCDE")
                    if code in dict((r[0], 1) for r in RAW)
                    else "",
                    "",
                ]
            )
            lot_index.setdefault(code, []).append((lot, expiry, status))
            rack = rng.choice(racks[:12] if not code.startswith("FG-") else racks[12:])
            stock.append([code, lot, rack, rng.choice([5, 10, 20, 25, 40, 50, 100, 120])])
            if rng.random() < 0.3:
                stock.append([code, lot, rng.choice(racks), rng.choice([2, 5, 8, 12])])
    write(
        out,
        "lots",
        ["item", "lot", "status", "expiry", "received", "supplier", "supplier_lot"],
        lots,
    )
    write(out, "stock", ["item", "lot", "location", "qty"], stock)

    tasks = [
        ["ASN-1001", "asn", "open", "Millers Ltd", "today", "", "", "", "DOCK-IN"],
        ["PO-2001", "po", "open", "Dairy Co-op", "+2d", "", "", "", "DOCK-IN"],
        ["WO-3001", "work_order", "open", "", "today", "FG-CHOCCHIP", 480, "L1", "LINE-1"],
        ["WO-3002", "work_order", "open", "", "+1d", "FG-SHORTBREAD", 300, "L2", "LINE-2"],
        ["PL-4001", "pick_list", "open", "FreshMart DC 12", "today", "", "", "", "DOCK-OUT"],
        ["SHP-5001", "shipment", "open", "FreshMart DC 12", "today", "", "", "", "DOCK-OUT"],
    ]
    write(
        out,
        "tasks",
        ["code", "kind", "status", "partner", "due", "item", "planned_qty", "line", "location"],
        tasks,
    )
    lines = [
        ["ASN-1001", 1, "FLOUR-T55", 500, 0, "", ""],
        ["ASN-1001", 2, "SUGAR-GR", 250, 0, "", ""],
        ["ASN-1001", 3, "FLOUR-T55", 1000, 0, "FL24117", sscc(1)],
        ["PO-2001", 1, "BUTTER-82", 200, 0, "", ""],
        ["PO-2001", 2, "EGG-LIQ", 100, 0, "", ""],
        ["WO-3001", 1, "FLOUR-T55", 200, 0, "", ""],
        ["WO-3001", 2, "SUGAR-GR", 90, 0, "", ""],
        ["WO-3001", 3, "BUTTER-82", 80, 0, "", ""],
        ["WO-3001", 4, "CHOC-DROPS", 60, 0, "", ""],
        ["WO-3002", 1, "FLOUR-T55", 150, 0, "", ""],
        ["WO-3002", 2, "BUTTER-82", 100, 0, "", ""],
        ["WO-3002", 3, "SUGAR-ICING", 50, 0, "", ""],
        ["PL-4001", 1, "FG-GINGERNUT", 30, 0, "", ""],
        ["PL-4001", 2, "FG-CRACKER", 20, 0, "", ""],
        ["SHP-5001", 1, "FG-GINGERNUT", 30, 0, "", ""],
        ["SHP-5001", 2, "FG-CRACKER", 20, 0, "", ""],
    ]
    write(
        out,
        "task_lines",
        ["task", "line_no", "item", "qty_expected", "qty_done", "lot", "sscc"],
        lines,
    )

    def fefo_pair(code: str) -> tuple[tuple[str, int | None, str], tuple[str, int | None, str]]:
        usable = sorted(
            (entry for entry in lot_index[code] if entry[2] == "released" and (entry[1] or 0) >= 0),
            key=lambda e: e[1] if e[1] is not None else 10**6,
        )
        return usable[0], usable[-1]

    first, last = fefo_pair("FG-GINGERNUT")
    held = next(e for e in lot_index["FLOUR-T55"] if e[2] in ("hold", "recalled", "quarantine"))
    flour_ok, _ = fefo_pair("FLOUR-T55")
    barcodes = [
        ("Sign in (operator)", "OP:1001"),
        ("Sign in (supervisor, PIN 4321)", "OP:9001"),
        ("ASN to receive against", "ASN:ASN-1001"),
        (
            "Receive: new flour lot, good shelf life",
            bracketed(item_gtin["FLOUR-T55"], "FL25001", 300, 100),
        ),
        ("Receive: sugar, no expiry needed", f"(01){item_gtin['SUGAR-GR']}(10)SG25002(30)50"),
        (
            "Receive: flour with short shelf life (warning)",
            bracketed(item_gtin["FLOUR-T55"], "FL25003", 20, 50),
        ),
        ("Receive: pallet by SSCC (listed on the ASN)", f"(00){sscc(1)}"),
        ("Work order", "WO:WO-3001"),
        ("Consume: released flour lot", f"(01){item_gtin['FLOUR-T55']}(10){flour_ok[0]}"),
        (
            f"Consume: flour lot that is {held[2].upper()} (rejected)",
            f"(01){item_gtin['FLOUR-T55']}(10){held[0]}",
        ),
        ("Pick list", "PL:PL-4001"),
        (
            "Pick: the FEFO lot of ginger nuts (accepted)",
            f"(01){item_gtin['FG-GINGERNUT']}(10){first[0]}",
        ),
        (
            "Pick: a later-expiring ginger nut lot (NOT_FEFO)",
            f"(01){item_gtin['FG-GINGERNUT']}(10){last[0]}",
        ),
        ("Location label", "LOC:RM-A01"),
        ("Location by GLN (AI 414)", f"(414){gln(12)}"),
    ]
    with (out / "barcodes.md").open("w", encoding="utf-8") as handle:
        handle.write(
            "# Demo barcodes\n\n"
            "Type or paste these at the station prompt. `{expiry:N}` in a label stands for the\n"
            "date N days from today as YYMMDD; `lotscan demo` prints this list with real dates.\n"
            "The GS1 strings are in the bracketed form, which the station reads like a scan.\n\n"
            "| what | scan |\n|---|---|\n"
        )
        for what, code in barcodes:
            handle.write(f"| {what} | `{code}` |\n")


if __name__ == "__main__":
    main(
        Path(sys.argv[1])
        if len(sys.argv) > 1
        else Path(__file__).resolve().parent.parent / "config" / "demo"
    )
