"""Settings from the environment and the TOML playbook: bad input is named precisely."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from bot.core.config import ConfigError, load_config, parse_config
from bot.core.settings import Settings, SettingsError

EXAMPLE = Path(__file__).resolve().parents[2] / "crisisbot.example.toml"


def test_defaults_need_nothing() -> None:
    s = Settings.from_env({})
    assert (s.database_url, s.port, s.slack_api_url) == (
        "sqlite:///crisisbot.db",
        3000,
        "https://slack.com/api/",
    )


def test_values_are_read_and_normalised() -> None:
    s = Settings.from_env({
        "SLACK_BOT_TOKEN": "xoxb-1", "SLACK_API_URL": "http://127.0.0.1:9/api",
        "DATABASE_URL": "postgresql://u@h/db", "CRISIS_CHANNEL": "C0123ABC",
        "CRISIS_APPROVERS": "U01, S02 ,", "PORT": "8080",
    })  # fmt: skip
    assert s.slack_api_url == "http://127.0.0.1:9/api/"
    assert s.database_url.startswith("postgresql+psycopg://")
    assert s.crisis_approvers == ("U01", "S02")
    assert s.port == 8080


def test_the_sentiment_model_is_on_unless_switched_off() -> None:
    assert Settings.from_env({}).sentiment_model
    assert Settings.from_env({"CRISIS_SENTIMENT_MODEL": " ON "}).sentiment_model
    assert not Settings.from_env({"CRISIS_SENTIMENT_MODEL": "off"}).sentiment_model
    assert not Settings.from_env({"CRISIS_SENTIMENT_MODEL": "0"}).sentiment_model


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SLACK_BOT_TOKEN", "not-a-token"),
        ("SLACK_APP_TOKEN", "xoxb-wrong-kind"),
        ("SLACK_API_URL", "slack.com/api"),
        ("DATABASE_URL", "mysql://x/y"),
        ("DATABASE_URL", "::::"),
        ("DATABASE_URL", "sqlite://"),  # in memory: an import would be lost as the command ends
        ("DATABASE_URL", "sqlite:///"),
        ("CRISIS_CHANNEL", "#crisis"),
        ("CRISIS_APPROVERS", "U01,@bob"),
        ("PORT", "70000"),
        ("CRISIS_SENTIMENT_MODEL", "maybe"),
        ("LOG_LEVEL", "LOUD"),
    ],
)
def test_a_malformed_setting_is_named(name: str, value: str) -> None:
    with pytest.raises(SettingsError) as info:
        Settings.from_env({name: value})
    assert info.value.name == name


def test_the_example_playbook_loads() -> None:
    config = load_config(EXAMPLE)
    assert config.brands[0].name == "Acme"
    assert [lvl.name for lvl in config.levels] == [
        "Social team",
        "Comms lead",
        "Legal and executives",
    ]
    assert config.sources[2].credentials == {
        "handle": "BLUESKY_HANDLE",
        "app_password": "BLUESKY_APP_PASSWORD",
    }
    assert config.brand_for("Why is ACME down?") == "Acme"


def test_the_example_playbooks_review_sources_load_once_uncommented() -> None:
    """They are commented out (their ids are placeholders); what a team uncomments must load."""
    text = EXAMPLE.read_text(encoding="utf-8")
    block = text.split("# Reviews and comments")[1].split("\n\n")[0]
    lines = [line.removeprefix("# ").removeprefix("#") for line in block.splitlines()[1:]]
    data = tomllib.loads("\n".join(lines))

    sources = parse_config(data, "crisisbot.example.toml").sources

    assert [s.type for s in sources] == ["appstore", "trustpilot", "youtube"]
    assert sources[0].options == {"app_id": "284882215", "country": "gb"}
    assert sources[2].credentials == {"api_key": "YOUTUBE_API_KEY"}
    # A review seldom names the brand ("the app crashes at check-in"): without `brand` the
    # reviews were stored for no brand, outside the brand's storm and its keywords.
    assert [s.brand for s in sources] == ["Acme", "Acme", "Acme"]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"brand": []}, "unknown key 'brand'"),
        (
            {"escalation": {"unclaimed_minutes": "15"}},
            "escalation.unclaimed_minutes must be a whole number",
        ),
        ({"locale": 5}, "locale must be a string"),
        (
            {"detection": {"intreval": 60}},
            "unknown key 'detection.intreval' (did you mean 'interval'?)",
        ),
        (
            {"brands": [{"name": "Acme", "term": ["a"]}]},
            "unknown key 'brands[0].term' (did you mean 'terms'?)",
        ),
        ({"escalation": {"unclaimed_minutes": 0}}, "must be a positive number"),
        # Huge values crashed later: OverflowError in the scheduler, IndexError in detection.
        ({"detection": {"interval": 10**18}}, "detection.interval must be at most 86400"),
        (
            {"sources": [{"type": "hackernews", "query": "a", "interval": 10**18}]},
            "sources[0].interval must be at most 86400",
        ),
        ({"detection": {"bin_minutes": 1440}}, "detection.bin_minutes must be at most 720"),
        (
            {"escalation": {"reminder_minutes": 10**18}},
            "escalation.reminder_minutes must be at most 43200",
        ),
        (
            {"detection": {"bin_minutes": 60, "window_minutes": 5}},
            "detection.window_minutes (5) must be at least bin_minutes (60)",
        ),
        (
            {"detection": {"lookback_days": 1, "window_minutes": 2880}},
            "detection.window_minutes (2880) must fit in lookback_days (1)",
        ),
        ({"sources": [{"type": "myspace", "query": "x"}]}, "sources[0].type must be one of"),
        (
            {
                "sources": [
                    {
                        "type": "x",
                        "query": "a",
                        "credentials": {"bearer_token": "AAAA-secret value"},
                    }
                ]
            },
            "must name an environment variable",
        ),
        ({"digest": {"day": "someday"}}, "digest.day must be a weekday"),
        (
            {"sources": [{"type": "rss", "feed": "example.com/feed"}]},
            "sources[0].feed must be an http(s) address, not 'example.com/feed'",
        ),
        (
            {"sources": [{"type": "mastodon", "query": "acme", "base_url": "ftp://m.example"}]},
            "sources[0].base_url must be an http(s) address, not 'ftp://m.example'",
        ),
        ({"brands": [{"terms": ["a"]}]}, "brands[0].name is required"),
        # Two entries for one brand: the second's terms and keywords were silently never used.
        (
            {"brands": [{"name": "Acme"}, {"name": "Виваком"}, {"name": " acme"}]},
            "brands[2].name: 'Acme' is already a brand",
        ),
        ({"brands": [{"name": " "}]}, "brands[0].name must not be empty"),
        # "бг" passed as a language code: those keywords never met a mention (stored as "bg").
        (
            {"brands": [{"name": "Акме", "keywords": {"бг": ["срив"]}}]},
            "brands[0].keywords.бг: keys are ISO 639 codes like en or bg",
        ),
        # "@comms-lead" became <@@comms-lead> in the escalation message: nobody was paged.
        (
            {"escalation": {"levels": [{"name": "Comms", "notify": ["U0BOB", "@comms-lead"]}]}},
            "escalation.levels[0].notify[1]: '@comms-lead' is not a Slack user (U…) or "
            "user-group (S…) ID",
        ),
        (
            {"plan": {"spokespeople": ["Jane Doe"]}},
            "plan.spokespeople[0]: 'Jane Doe' is not a Slack user ID",
        ),
        # A mistyped brand on a source made a second brand, without the first's keywords.
        (
            {
                "brands": [{"name": "Acme"}],
                "sources": [{"type": "hackernews", "query": "acme", "brand": "Acmee"}],
            },
            "sources[0].brand: 'Acmee' is not a [[brands]] name (Acme)",
        ),
        (
            {
                "brands": [{"name": "Acme"}, {"name": "Beta"}],
                "sources": [{"type": "hackernews", "query": "acme", "brand": "ACME "}],
            },
            "sources[0].brand: 'ACME ' is not a [[brands]] name (Acme, Beta); did you mean 'Acme'?",
        ),
        # Two levels of one name: "escalated to Comms lead" twice, the team unsure who was paged.
        (
            {
                "escalation": {
                    "levels": [
                        {"name": "Social team"},
                        {"name": "Comms lead"},
                        {"name": "comms lead"},
                    ]
                }
            },
            "escalation.levels[2].name: 'Comms lead' is already a level; "
            "give each level its own name",
        ),
        (
            {"escalation": {"levels": [{"name": " "}]}},
            "escalation.levels[0].name must not be empty",
        ),
        # Two templates of one name: the draft form listed both, one indistinguishable option.
        (
            {
                "templates": [
                    {"name": "Holding statement", "text": "a"},
                    {"name": "Outage", "text": "b"},
                    {"name": "Holding statement", "text": "c"},
                ]
            },
            "templates[2].name: 'Holding statement' is already a template;",
        ),
        ({"templates": [{"name": "", "text": "a"}]}, "templates[0].name must not be empty"),
        # Two sources of one name shared one cursor; the message did not say which name.
        (
            {
                "sources": [
                    {"type": "hackernews", "query": "acme"},
                    {"type": "reddit", "query": "acme", "name": "hn"},
                    {"type": "hackernews", "query": "acme"},
                ]
            },
            "sources[2].name: 'hackernews:acme' is already a source; "
            "give each [[sources]] entry a unique `name`",
        ),
        # An empty term is in every text: every mention was stamped with the brand.
        ({"brands": [{"name": "Acme", "terms": ["acme", ""]}]}, "brands[0].terms[1] is empty"),
        (
            {"brands": [{"name": "Acme", "keywords": {"bg": ["срив", " "]}}]},
            "brands[0].keywords.bg[1] is empty",
        ),
        # A language no mention is ever stored in: its keywords were silently never matched.
        (
            {"brands": [{"name": "Acme", "keywords": {"en": ["outage"], "bgg": ["срив"]}}]},
            "brands[0].keywords.bgg: keys are ISO 639 codes like en or bg; brand 'Acme' lists "
            "keywords under 'bgg', not a language mentions are stored in (did you mean 'bg'?); "
            "languages accepted: ace, af, am,",
        ),
        (
            {"brands": [{"name": "Beta"}, {"name": "Acme", "keywords": {"xx": ["outage"]}}]},
            "brands[1].keywords.xx: keys are ISO 639 codes like en or bg; brand 'Acme' lists "
            "keywords under 'xx', not a language mentions are stored in; languages accepted: ",
        ),
    ],
)
def test_playbook_errors_name_the_key_and_the_file(data: dict, expected: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_config(data, "team.toml")
    assert str(info.value).startswith("team.toml: ")
    assert expected in str(info.value)


def test_a_missing_playbook_is_an_error_only_when_named(tmp_path: Path) -> None:
    assert load_config(tmp_path / "nope.toml").brands == ()
    with pytest.raises(ConfigError, match="file not found"):
        load_config(tmp_path / "nope.toml", required=True)
    (tmp_path / "bad.toml").write_text("[[brands]\nname=")
    with pytest.raises(ConfigError, match=r"bad\.toml"):
        load_config(tmp_path / "bad.toml")


def test_a_folder_named_as_the_playbook_is_called_a_folder(tmp_path: Path) -> None:
    (tmp_path / "crisisbot.toml").mkdir()
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path / "crisisbot.toml")
    assert str(info.value) == (
        f"{tmp_path / 'crisisbot.toml'}: is a folder; the playbook is a file (crisisbot.toml)"
    )


def test_a_term_two_brands_share_is_accepted() -> None:
    """A parent name shared by sub-brands ("Acme Group" for "Acme Bank" and "Acme Mobile"):
    a mention naming it is stored for each of them (bot.intake.ingest)."""
    data = {
        "brands": [
            {"name": "Acme Bank", "terms": ["acme bank", "Acme Group"]},
            {"name": "Acme Mobile", "terms": ["acme mobile", "acme group"]},
            {"name": "Acme Group", "terms": ["acme"]},
            {"name": "Acme"},
        ]
    }
    config = parse_config(data, "team.toml")
    assert [b.name for b in config.brands] == ["Acme Bank", "Acme Mobile", "Acme Group", "Acme"]


def test_a_source_may_stamp_any_brand_when_the_playbook_lists_none() -> None:
    data = {"sources": [{"type": "hackernews", "query": "acme", "brand": "Acme"}]}
    assert parse_config(data, "team.toml").sources[0].brand == "Acme"


def test_a_playbook_saved_with_a_bom_loads_and_one_in_cp1251_is_named(tmp_path: Path) -> None:
    text = 'locale = "bg"\n[[brands]]\nname = "Акме"\n'
    (tmp_path / "notepad.toml").write_bytes("\ufeff".encode() + text.encode())
    assert load_config(tmp_path / "notepad.toml").brands[0].name == "Акме"
    (tmp_path / "cp1251.toml").write_bytes(text.encode("cp1251"))
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path / "cp1251.toml")
    assert str(info.value).startswith(f"{tmp_path / 'cp1251.toml'}:3: not UTF-8 text")


def test_keywords_take_every_language_a_mention_is_stored_in() -> None:
    """The accepted languages are those mentions are identified in; the README's and the
    example's en and bg among them."""
    from detectors.language import LANGUAGES

    assert {"en", "bg", "ru", "de", "uk"} <= LANGUAGES and "zxx" not in LANGUAGES
    config = parse_config(
        {"brands": [{"name": "Acme", "keywords": {lang: ["срив"] for lang in LANGUAGES}}]}, "t"
    )
    assert {lang for lang, _ in config.brands[0].keywords_by_language} == LANGUAGES
    with pytest.raises(ConfigError) as info:
        parse_config({"brands": [{"name": "Acme", "keywords": {"bgg": ["срив"]}}]}, "t")
    assert str(info.value).endswith(", ".join(sorted(LANGUAGES)))
