"""The encrypted personal vault: what the person may choose to share, readable only while unlocked."""
