"""docker-compose.yml ships no secret: each one must come from the environment or .env."""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
REQUIRED = re.compile(r"\$\{(\w+):\?[^}]*\.env[^}]*\}")


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_requires_every_secret_from_the_environment_with_a_clear_message():
    app = compose()["services"]["app"]["environment"]
    db = compose()["services"]["db"]["environment"]
    assert REQUIRED.fullmatch(app["MEDIATHEK_SECRET_KEY"]).group(1) == "MEDIATHEK_SECRET_KEY"
    assert REQUIRED.fullmatch(db["POSTGRES_PASSWORD"]).group(1) == "POSTGRES_PASSWORD"
    assert "${POSTGRES_PASSWORD:?" in app["MEDIATHEK_DATABASE_URL"]
    assert app["MEDIATHEK_PRODUCTION"] == "1"  # the app itself refuses a missing key, too


def test_compose_has_no_fallback_values_for_secrets():
    text = (ROOT / "docker-compose.yml").read_text()
    assert not re.search(r"\$\{\w*(SECRET|PASSWORD|KEY)\w*:?-", text)
    assert "change-me" not in text and ":mediathek@" not in text


def test_the_example_env_file_names_the_secrets_and_env_is_never_committed():
    example = (ROOT / ".env.example").read_text()
    assert "MEDIATHEK_SECRET_KEY=\n" in example and "POSTGRES_PASSWORD=\n" in example
    assert ".env" in (ROOT / ".gitignore").read_text().splitlines()
