"""One exception family, so the workflow can print a single clear line for any user error."""


class LmFootprintError(Exception):
    """A problem the user can fix (bad config, bad input file); printed without a traceback."""


class ConfigError(LmFootprintError):
    """The workflow configuration does not match its schema."""


class ModelNotFoundError(LmFootprintError):
    """A configured model resolves to neither a local directory nor the shipped snapshot."""


class TableValidationError(LmFootprintError):
    """A table failed its pandera schema at a stage boundary."""
