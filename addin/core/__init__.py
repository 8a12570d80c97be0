"""The analysis: pure pandas/numpy rules over whole columns.

Imports nothing but pandas, numpy, pyarrow and :mod:`addin.errors`: no file format, no Excel,
no Google.  Everything else in potentiel is built on it.
"""
