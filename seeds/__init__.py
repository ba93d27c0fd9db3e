"""The five seed articles: real scraped news, the default corpus of `newsdex ingest` (shipped as package data)."""
