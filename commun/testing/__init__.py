"""Test tooling (pytest plugins): a throwaway PostgreSQL cluster, the browser harness, the
append-only checks and the role × action matrices."""
