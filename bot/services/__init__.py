"""Use cases: async functions with their dependencies passed in."""
