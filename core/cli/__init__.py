"""Command-line layer: the `atlas` console script and its sub-commands."""
