"""Tables to files: streaming CSV and XLSX writers (one header row, ISO dates, sortable).

Pure Python with no knowledge of lots or events: central's trace, FSMA and recall reports and
the CLI hand them rows."""
