"""Calibration of a scenario to an observed yearly series of returns.

- ``target``: reading the observed series from a CSV file;
- ``fit``: simulated yearly series, fit statistics and the SciPy optimisation;
- ``report``: the output folder (calibrated.toml, fit.json, fit.png).

The ``[calibration]`` table of a scenario file is read with the scenario
(``returnsim.calibration_table``).
"""
