import pytest

from mediathek.settings import ConfigurationError, Settings


def test_defaults_to_a_sqlite_file_and_berlin_time():
    s = Settings.from_env({})
    assert s.is_sqlite and s.database_url.startswith("sqlite:///")
    assert s.timezone == "Europe/Berlin"


def test_production_without_secret_key_is_refused_with_a_clear_message():
    with pytest.raises(ConfigurationError, match="MEDIATHEK_SECRET_KEY"):
        Settings.from_env({"MEDIATHEK_PRODUCTION": "1"})


def test_production_with_a_long_secret_starts():
    s = Settings.from_env({"MEDIATHEK_PRODUCTION": "true", "MEDIATHEK_SECRET_KEY": "x" * 40})
    assert s.production and s.secret_key == "x" * 40


def test_postgres_url_is_taken_from_the_environment():
    s = Settings.from_env({"MEDIATHEK_DATABASE_URL": "postgresql://u@db:5432/mediathek"})
    assert not s.is_sqlite


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("MEDIATHEK_DATABASE_URL", "mysql://x"),
        ("MEDIATHEK_SMTP_PORT", "abc"),
        ("MEDIATHEK_SMTP_SECURITY", "ssl3"),
        ("MEDIATHEK_TIMEZONE", "Mars/Olympus"),
    ],
)
def test_malformed_settings_are_refused(name, value):
    with pytest.raises(ConfigurationError):
        Settings.from_env({name: value})


def test_https_base_url_makes_cookies_secure():
    assert Settings.from_env({"MEDIATHEK_BASE_URL": "https://mediathek.example"}).secure_cookies
    assert not Settings.from_env({}).secure_cookies


def test_no_proxy_is_trusted_unless_configured_and_tokens_last_90_days():
    s = Settings.from_env({})
    assert s.trusted_proxies == () and s.api_token_days == 90


def test_trusted_proxies_and_token_days_come_from_the_environment():
    s = Settings.from_env(
        {"MEDIATHEK_TRUSTED_PROXIES": "127.0.0.1, 172.16.0.0/12", "MEDIATHEK_API_TOKEN_DAYS": "30"}
    )
    assert [str(n) for n in s.trusted_proxies] == ["127.0.0.1/32", "172.16.0.0/12"]
    assert s.api_token_days == 30


@pytest.mark.parametrize(
    ("name", "value"),
    [("MEDIATHEK_TRUSTED_PROXIES", "proxy.local"), ("MEDIATHEK_API_TOKEN_DAYS", "0")],
)
def test_a_bad_proxy_or_token_lifetime_is_refused_with_its_name(name, value):
    with pytest.raises(ConfigurationError, match=name):
        Settings.from_env({name: value})


def test_the_upload_limit_is_ten_mb_unless_set():
    assert Settings.from_env({}).max_upload_bytes == 10 * 1024 * 1024
    assert Settings.from_env({"MEDIATHEK_MAX_UPLOAD_MB": "3"}).max_upload_bytes == 3 * 1024 * 1024
    for bad in ("0", "-1", "2000", "zehn"):
        with pytest.raises(ConfigurationError, match="MEDIATHEK_MAX_UPLOAD_MB"):
            Settings.from_env({"MEDIATHEK_MAX_UPLOAD_MB": bad})
