"""Commun: a cooperative of commons that runs itself by its charter."""
