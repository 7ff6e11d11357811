"""The disclosure ledger: the person's own record of what each shop was given, or refused."""
