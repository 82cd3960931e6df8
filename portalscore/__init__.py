"""portalscore: evaluate and rank Vietnamese online public-service portals."""

__version__ = "0.1.0"
