"""The station's widgets."""
