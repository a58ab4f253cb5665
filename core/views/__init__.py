"""Views layer: page models that turn analysis results into tables, sentences, maps and charts for the pages."""
