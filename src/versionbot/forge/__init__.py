"""Edge: the forge's releases and pull requests (GitHub)."""
