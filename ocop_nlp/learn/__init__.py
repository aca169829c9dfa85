"""The learned half: an annotated corpus of real meeting reports, clause-type models, a gate.

`corpus` joins stand-off annotations (`corpora/annotations/*.jsonl`) with the shared article
text at load time; `annotate` is the labelling tool; `features` and `runtime` are what the
pipeline needs at run time (they import nothing from `extract/`); `train` and `evaluate` build
and measure the model (`ocop train`, `ocop evaluate`).
"""
