"""Workflows: a Scan plus its context become a Verdict, and accepted scans become events."""
