"""Feed inputs: files that hold many documents (JSON Lines, WARC), read record by record into ``Record``s.

``stream.FeedStream`` is the entry: files and folders in, a stream of records out (a .txt/.html file is one
record with its usual id). Plain functions over the models: no Prefect, no index.
"""
