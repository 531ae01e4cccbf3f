"""interview-coach: a terminal coach for system design interviews."""

__version__ = "0.1.0"
