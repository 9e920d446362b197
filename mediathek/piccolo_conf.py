"""piccolo's configuration module (PICCOLO_CONF): the engine comes from the settings.

The app and the tests rebind the engine at run time with ``mediathek.db.use_engine``;
this module-level DB serves the ``piccolo`` command line and the default start.
"""

from piccolo.conf.apps import AppRegistry

from mediathek.db import make_engine
from mediathek.settings import Settings

DB = make_engine(Settings.from_env().database_url)

APP_REGISTRY = AppRegistry(apps=["mediathek.piccolo_app"])
