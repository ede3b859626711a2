"""The log as a DataFrame: `load` (rows -> columns), `arrow` and `arrow_types` (through
Arrow, ``data`` extra), `cache` (the columnar copy) and `jsonarray` (lazy JSON columns).
"""
