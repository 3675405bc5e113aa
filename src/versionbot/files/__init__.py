"""Edge: the work tree's files the release reads and writes."""
