"""Traceability on central: genealogy, trace, recall, FSMA 204 and EPCIS exports, the audit chain."""
