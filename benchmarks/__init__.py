"""plurisim benchmarks: run ``python -m benchmarks`` (or ``make bench``) from the repository root."""
