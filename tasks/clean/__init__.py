"""Stage **clean**: raw text or HTML in, the article's lines kept and every removed line with its rule out.

Entry point: ``stage.clean_document`` / ``stage.clean_batch``. The rules file is read by ``rules``; the text
path is ``text`` (rules, structure, the learned ``line_model`` with its ``context``, ``records``); the HTML path
is ``html`` (with ``rescue``); ``reclean`` re-applies new rules to stored inputs; ``mining`` proposes rules.
"""
