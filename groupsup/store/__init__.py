"""Where records are kept: the storage interface and its engines."""
