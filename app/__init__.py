"""Atelier: a desktop asset manager for designers and agencies."""

__app_name__ = "Atelier"
__version__ = "0.1.0"
