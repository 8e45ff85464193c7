"""Scripts that derive built-in scenarios from public data sets.

Each module reads the raw data (not shipped with plurisim) and writes a scenario
file whose numbers cite their source. Run one with ``python -m`` and the path of the
data, for example ``python -m plurisim.scenarios.derive.montreal --data DIR``.
"""
