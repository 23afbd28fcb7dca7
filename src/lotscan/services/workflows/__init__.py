"""One module per workflow; each turns a Run into a Plan (or None when nothing can be done)."""
