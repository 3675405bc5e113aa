"""Edge: OCI registries and image builders."""
