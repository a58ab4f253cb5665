"""Core of the Community Mental Health Atlas: data model, ingest, queries, analytics and builders."""
