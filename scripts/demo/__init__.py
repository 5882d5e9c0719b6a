"""Local demo tooling (not deployed): the deterministic demo province and the event simulator.

- :mod:`scripts.demo.province` -- the Khánh Hòa 2025 organisation registry and campaign record;
- :mod:`scripts.demo.simulator` -- a month of signed document events sent over HTTP
  (``python -m scripts.demo.simulator --help``).
"""
