"""Experiments: sweeps, sensitivity analysis and intervention comparisons.

One idea per module:

- ``spec``: the experiment TOML file, checked against the parameter registry;
- ``design``: design points (full factorial, LHS, Sobol, Morris, one at a time);
- ``runs``: one run (scenario + overrides + seed -> metrics) and its key;
- ``executors``: where runs execute (local processes or a Dask cluster);
- ``store``: append-only Parquet parts, manifest, DuckDB queries;
- ``sweep``: the plan of runs, resume, retries and progress;
- ``analysis``: Sobol and Morris indices, seed variance, convergence;
- ``compare``: intervention mixes against the baseline with paired seeds;
- ``report``: one self-contained HTML page;
- ``commands``: the ``sweep``, ``query``, ``analyze``, ``compare`` and
  ``report`` subcommands of ``returnsim``.
"""
