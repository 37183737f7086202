"""The projection stage: where EHC plans are heading (issue 31). It reads the warehouse and published
figures, so it sits above publish; the board pack reads only what it publishes.

- `annual`: the method on annual series of plans in force each January, the DfE's form, and its check
  against the benchmark on the real release (`python -m sendboard.projection IN.csv OUT.csv`).
"""
