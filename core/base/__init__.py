"""Bottom layer: plain helpers every layer may use (errors, number formats, palettes, percentiles, CSV export)."""
