"""piccolo's configuration module (PICCOLO_CONF): the engine comes from the settings.

The app and the tests bind the engine at run time with ``mediathek.db.use_engine``; ``DB``
answers with that engine, or with the settings' engine for the ``piccolo`` command line.
``DB`` is looked up on first use, not made on import: a SQLite engine creates its file.
"""

from piccolo.conf.apps import AppRegistry
from piccolo.engine.base import Engine

from mediathek import db

APP_REGISTRY = AppRegistry(apps=["mediathek.piccolo_app"])


def __getattr__(name: str) -> Engine:
    # Module attribute hook (PEP 562): piccolo reads ``DB`` with getattr when it needs it.
    if name == "DB":
        return db.configured_engine()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
