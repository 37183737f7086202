"""Helpers the tests share: file builders, the row-rule fixtures, the bad-input corpus, the worker
process the fault tests start, and the services the integration test runs on loopback."""
