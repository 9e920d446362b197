from mediathek.piccolo_conf import *  # noqa: F403  (shim for the piccolo CLI)
from mediathek.piccolo_conf import APP_REGISTRY, DB  # noqa: F401
