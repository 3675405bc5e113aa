"""The release transaction and the modes that decide where its commit goes."""
