"""The station's pop-up screens: mode menu, choice lists, help."""
