# The piccolo command line looks for piccolo_conf in the working directory; this hands over to
# the app's configuration, including its lazy DB (made on first use, not on import).
from mediathek.piccolo_conf import APP_REGISTRY, __getattr__  # noqa: F401
