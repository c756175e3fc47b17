"""reliefplan: plan, cost and report Spring Festival relief campaigns (春节送温暖).

The library holds all logic as plain functions over pandas DataFrames; the
notebooks in ``notebooks/`` only call it and show the results.
"""

__version__ = "0.1.0"

from reliefplan.core import string_storage as _string_storage

_string_storage.apply()   # Python text storage, Arrow in batch kernels that share inputs: see that module
