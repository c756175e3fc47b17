"""core: the vocabulary every other layer speaks.

Errors, exact money, text normalisation, privacy (masking and keyed
pseudonyms), citizen ID numbers, zh/en labels, table schemas declared as data,
recorded figures, lunar dates and working days. Pure Python and pandas; no
file reading beyond the small packaged tables these need.

May import: nothing else in reliefplan.
"""
