"""The event vocabulary: every event a station records, and the rows each one touches."""
