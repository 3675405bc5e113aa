"""``bot init``: a configuration proposed from what a repository holds, peers migrated."""
