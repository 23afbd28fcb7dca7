"""GS1 lot labels: GS1-128 and GS1 DataMatrix with GTIN, expiry, lot and quantity, drawn as PNG,
SVG or ZPL from a template in config/labels/, and printed on a raw TCP port, a CUPS queue or a
file. The station calls ``lotscan.labels.printing.print_lot_label``; see docs/labels.md."""
