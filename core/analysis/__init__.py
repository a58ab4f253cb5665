"""Analysis layer: the methods (coverage, need, gap, funding, impact, siting, small numbers) on plain tables."""
