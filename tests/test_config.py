import pytest

from server.config import Config, ConfigError


def test_defaults_put_everything_in_the_instance_folder(tmp_path):
    config = Config.from_env({"FARMPATROL_INSTANCE": str(tmp_path)})
    assert config.database_url == f"sqlite:///{tmp_path / 'farmpatrol.db'}"
    assert config.photo_store == str(tmp_path / "photos")
    assert len(config.secret_key) == 64
    assert Config.from_env({"FARMPATROL_INSTANCE": str(tmp_path)}).secret_key == config.secret_key


def test_environment_overrides(tmp_path):
    config = Config.from_env({"FARMPATROL_INSTANCE": str(tmp_path), "DATABASE_URL": "postgres://u@h/db",
                              "MAX_PHOTO_BYTES": "1000", "FARMPATROL_TESTING": "yes"})
    assert config.database_url == "postgresql+psycopg://u@h/db"
    assert config.max_photo_bytes == 1000 and config.testing is True


@pytest.mark.parametrize("env", [{"MAX_PHOTO_BYTES": "lots"}, {"MAX_PHOTO_BYTES": "0"},
                                 {"DATABASE_URL": "mysql://x"}])
def test_bad_settings_fail_at_start_up(tmp_path, env):
    with pytest.raises(ConfigError):
        Config.from_env({"FARMPATROL_INSTANCE": str(tmp_path), **env})
