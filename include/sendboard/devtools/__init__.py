"""Developer tools: `make run`'s driver (run, summary), the worker `make bench` and the fault tests
start (worker), and the synthetic data generator. Nothing in the pipeline imports from here.
"""
