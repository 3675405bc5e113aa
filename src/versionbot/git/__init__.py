"""Edge: git. The streamed history reader, the writer (commit, tag, atomic push)."""
