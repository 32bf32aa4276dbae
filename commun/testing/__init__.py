"""Test tooling: a throwaway PostgreSQL cluster and the browser harness (pytest plugins)."""
