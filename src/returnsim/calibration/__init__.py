"""Calibration of a scenario to an observed yearly series of returns.

- ``spec``: the optional ``[calibration]`` table of a scenario (validated);
- ``target``: reading the observed series from a CSV file;
- ``fit``: simulated yearly series, fit statistics and the SciPy optimisation;
- ``report``: the output folder (calibrated.toml, fit.json, fit.png).

Kept free of imports here: ``scenario.py`` imports ``spec`` while loading.
"""
