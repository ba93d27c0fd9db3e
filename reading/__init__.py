"""The read side of the archive: search, documents, similar articles, export, entities and statistics over an
index folder, read-only. One entry, ``Archive``; requests are typed values (``SearchRequest``)."""
