"""Stage **enrich**: named entities per document, one canonical name per entity across spellings.

Entry point: ``stage.enrich_documents``. spaCy's model runs with the ``pipe`` component (rules over its spans:
``document``, ``gazetteer``, ``lexicon``, ``spans``); ``resolve`` groups mentions into entities and
``canonical`` names them (no spaCy import: the search command uses it).
"""
