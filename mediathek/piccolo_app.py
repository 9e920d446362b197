"""The one piccolo app: every table of the domain, migrations in ../migrations."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from mediathek.audit import AuditLog
from mediathek.catalogue.tables import (
    Component,
    Copy,
    ImportJob,
    Title,
    TitleLanguage,
    TitleTopic,
    Topic,
)
from mediathek.circulation.tables import (
    AppliedRequest,
    CategoryLimit,
    Closure,
    Loan,
    LoanRule,
    OpeningDay,
)
from mediathek.core_tables import JobLock, SiteSetting
from mediathek.notifications.tables import LoanNotice, Notification
from mediathek.patrons.tables import (
    Account,
    ApiToken,
    LoginThrottle,
    OneTimeToken,
    Patron,
    WebSession,
)
from mediathek.reports.tables import Stocktake, StocktakeScan
from mediathek.reservations.tables import BasketItem, Booking, Hold, TitleSet, TitleSetItem

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"

# Ordered so that a table comes after the tables it references (used for TRUNCATE/seed order).
TABLES = [
    Patron,
    Account,
    WebSession,
    ApiToken,
    OneTimeToken,
    LoginThrottle,
    Title,
    TitleLanguage,
    Topic,
    TitleTopic,
    Component,
    Copy,
    ImportJob,
    LoanRule,
    CategoryLimit,
    OpeningDay,
    Closure,
    Loan,
    AppliedRequest,
    Hold,
    Booking,
    BasketItem,
    TitleSet,
    TitleSetItem,
    Notification,
    LoanNotice,
    JobLock,
    AuditLog,
    SiteSetting,
    Stocktake,
    StocktakeScan,
]

APP_CONFIG = AppConfig(
    app_name="mediathek",
    migrations_folder_path=str(MIGRATIONS_DIR),
    table_classes=TABLES,
)
