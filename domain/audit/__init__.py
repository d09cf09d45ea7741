"""Audit values: the checks an auditor runs and the differences they find."""
