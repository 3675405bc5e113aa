"""Pure values and rules: no I/O, no subprocess, no network, no file access."""
