"""Serving the station to handhelds: browsers (--web) and terminal emulation over SSH (--ssh)."""
