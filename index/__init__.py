"""Storage of newsdex: the index folder and its one owner, ``store.IndexStore`` (the only code that writes it),
and the Whoosh it writes (the read side, ``newsdex.reading``, stands beside it and reads what it wrote).
Everything lives under one folder:

    <index>/current      -> gens/000001   symlink to the live Whoosh generation (swapped atomically)
    <index>/gens/NNNNNN/                  Whoosh generations; a full rebuild writes a new one
    <index>/manifest.sqlite               one row per input: hashes, rules version, status, the enriched doc
    <index>/raw/ab/<sha256>.gz            every input's bytes, kept so re-cleaning needs no re-scraping
    <index>/write.lock                    one writer at a time (a kernel lock: released if the holder dies)
"""
