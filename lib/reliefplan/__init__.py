"""reliefplan: plan, cost and report Spring Festival relief campaigns (春节送温暖).

The library holds all logic as plain functions over pandas DataFrames; the
notebooks in ``notebooks/`` only call it and show the results.
"""

__version__ = "0.1.0"
