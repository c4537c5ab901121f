"""Front-line map from news reports: articles → places → events → areas → maps."""

__version__ = "0.1.0"
