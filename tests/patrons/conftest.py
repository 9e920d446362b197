from tests.notifications_fixtures import mail_settings, smtp_server  # noqa: F401
