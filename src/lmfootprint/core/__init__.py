"""Shared core: config, ids, errors, atomic io, logs, units, validation, schema base."""
