"""Mediathek: lending system for the media library of an integration centre."""

import os

# piccolo finds its engine through this module path (also used by the `piccolo` CLI).
os.environ.setdefault("PICCOLO_CONF", "mediathek.piccolo_conf")

__version__ = "0.1.0"
