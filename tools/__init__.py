"""Developer tools, not installed with newsdex: the scripts that build the data files shipped in tasks/data/
(build_gazetteer, build_names, train_line_model), and what benchmarks and tests share: the corpus generator
(corpus, boilerplate), the evaluation data beside the checkout (evaldata), CoNLL scoring (conll) and merge
comparison (merge_check). Run from the repository root as modules, e.g. `python -m tools.train_line_model --help`."""
