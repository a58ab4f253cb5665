"""Store layer: the only code that opens DuckDB; the schema, the named queries and where the files live."""
