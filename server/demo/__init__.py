"""A deterministic synthetic county for the README's run command, tests and benchmarks."""
