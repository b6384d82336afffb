from __future__ import annotations

import sys

import httpx
import pytest

import sources
from sources import CREDENTIAL_KEYS, OPTIONS, REQUIRED, SOURCE_TYPES, Source, create_source

# An example of every option that names what a source reads; each type takes its own.
EXAMPLE_OPTIONS = {
    "app_id": "284882215",
    "business_unit_id": "46d6a890000064000500e0c3",
    "channel_id": "UCacmeAirlinesOfficial00",
}


def test_every_type_is_documented_and_validated() -> None:
    assert set(SOURCE_TYPES) == set(REQUIRED) == set(CREDENTIAL_KEYS) == set(OPTIONS)
    for type_name in SOURCE_TYPES:
        assert f"\n{type_name} " in (sources.__doc__ or "")
        assert set(REQUIRED[type_name]) <= set(OPTIONS[type_name])
        assert set(sources.ONE_OF.get(type_name, ())) <= set(OPTIONS[type_name])


@pytest.mark.parametrize("type_name", sorted(SOURCE_TYPES))
def test_it_builds_each_type(type_name: str, client: httpx.Client) -> None:
    credentials = {key: "secret" for key in sources.REQUIRED_CREDENTIALS[type_name]}

    source = create_source(
        type_name,
        client=client,
        brand="Acme",
        query="acme",
        feed="https://feeds.example/acme.xml",
        credentials=credentials,
        **EXAMPLE_OPTIONS,
    )

    assert isinstance(source, Source)
    assert source.name == type_name


def test_it_imports_a_connector_on_first_use(client: httpx.Client) -> None:
    sys.modules.pop("sources.reddit", None)

    create_source("reddit", client=client, brand=None, query="acme")

    assert "sources.reddit" in sys.modules


def test_it_refuses_an_unknown_type(client: httpx.Client) -> None:
    with pytest.raises(ValueError, match="unknown source type 'myspace'"):
        create_source("myspace", client=client, brand=None, query="acme")


def test_it_names_a_missing_option(client: httpx.Client) -> None:
    with pytest.raises(ValueError, match="'hackernews' needs query"):
        create_source("hackernews", client=client, brand=None)


def test_it_refuses_a_credential_the_type_does_not_take(client: httpx.Client) -> None:
    with pytest.raises(ValueError, match="no credential api_key"):
        create_source("reddit", client=client, brand=None, query="a", credentials={"api_key": "x"})


def test_it_names_a_missing_credential(client: httpx.Client) -> None:
    with pytest.raises(ValueError, match="'x' needs credential bearer_token"):
        create_source("x", client=client, brand=None, query="acme")


def test_it_passes_credentials_to_the_connector(client: httpx.Client) -> None:
    source = create_source(
        "x", client=client, brand="Acme", query="acme", credentials={"bearer_token": "abc"}
    )

    assert source.name == "x"


def test_bluesky_credentials_come_as_a_pair(client: httpx.Client) -> None:
    with pytest.raises(ValueError, match="needs credential app_password"):
        create_source(
            "bluesky", client=client, brand=None, query="acme", credentials={"handle": "a.b"}
        )


@pytest.mark.parametrize(
    ("type_name", "options", "message"),
    [
        ("appstore", {}, "'appstore' needs app_id"),
        ("appstore", {"app_id": "id284882215"}, "app_id must be the app's number"),
        ("appstore", {"app_id": "284882215", "country": "usa"}, "country must be a two-letter"),
        ("trustpilot", {}, "'trustpilot' needs business_unit_id"),
        ("trustpilot", {"business_unit_id": "../../x"}, "business_unit_id must be the business"),
        ("youtube", {}, "channel_id or video_id is required"),
        (
            "youtube",
            {"channel_id": "UCacmeAirlinesOfficial00", "video_id": "dQw4w9WgXcQ"},
            "video_id cannot be given with channel_id",
        ),
        ("youtube", {"channel_id": "@acmeairlines"}, "channel_id must be the channel's ID"),
        ("youtube", {"video_id": "https://youtu.be/dQw4w9WgXcQ"}, "video_id must be the video's"),
    ],
)
def test_it_names_what_is_wrong_with_an_option(
    client: httpx.Client, type_name: str, options: dict[str, str], message: str
) -> None:
    credentials = {key: "secret" for key in sources.REQUIRED_CREDENTIALS[type_name]}

    with pytest.raises(ValueError, match=message):
        create_source(type_name, client=client, brand=None, credentials=credentials, **options)


@pytest.mark.parametrize("type_name", ["trustpilot", "youtube"])
def test_the_review_and_comment_apis_need_their_key(client: httpx.Client, type_name: str) -> None:
    with pytest.raises(ValueError, match=f"'{type_name}' needs credential api_key"):
        create_source(type_name, client=client, brand=None, **EXAMPLE_OPTIONS)
