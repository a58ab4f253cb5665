"""Ingest layer: read, validate and normalise reference data and the programme inventory, then build the database."""
