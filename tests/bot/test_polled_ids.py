"""What a platform names a post by, as the database can hold it, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from sqlalchemy import select

from bot.core.config import Brand, Config, SourceConfig
from bot.intake.polling import poll_all
from bot.testing import Stack
from models import Mention
from tests.local_server import serving
from tests.sources.conftest import FakePlatform, Reply, _handler

FEED = "/news/rss.xml"
# Google News and many news sites link their items with long tracking addresses, and a feed
# without guids names each item by its link.
LONG = "https://news.example.bg/acme-outage?" + "&".join(f"utm_p{i}=x" * 3 for i in range(25))


def _feed(*links: str) -> str:
    items = "".join(
        f"<item><title>Акме: срив {n}</title><link>{link.replace('&', '&amp;')}</link>"
        f"<pubDate>Fri, 14 Mar 2025 18:0{n}:00 +0000</pubDate></item>"
        for n, link in enumerate(links)
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>N</title>{items}</channel></rss>'
    )


def test_a_post_named_by_an_address_longer_than_the_id_column_is_stored_once(
    stack: Stack,
) -> None:
    """`mentions.external_id` holds 255 characters. An RSS item's id is its guid or link, and
    links of 300-odd characters are common: PostgreSQL refused the whole batch (the poll failed
    on every try, the feed's other items lost with it) and SQLite stored what PostgreSQL could
    not. Such an id is now stored as its start and a digest of the whole: within the column,
    the same on every poll (so stored once), and two links alike for 255 characters stay two."""
    assert len(LONG) > 300
    platform = FakePlatform()
    with serving(_handler(platform)) as base_url:
        platform.reply(FEED, Reply(200, _feed(LONG + "&a=1", LONG + "&a=2", "https://n.bg/1")))
        source = SourceConfig(type="rss", name="news", feed=base_url + FEED)
        stack.bot.config = Config(brands=(Brand("Acme", terms=("Акме",)),), sources=(source,))

        (first,) = poll_all(stack.bot, force=True)
        assert first.ok, first.error
        assert first.new == 3
        with stack.bot.transaction() as session:
            stored = session.scalars(select(Mention.external_id).order_by(Mention.id)).all()
        assert len(stored) == 3 and all(len(i) <= 255 for i in stored)
        assert "https://n.bg/1" in stored  # a short id is stored as it is

        platform.reply(FEED, Reply(200, _feed(LONG + "&a=1", "https://n.bg/2")))
        platform.take(FEED)  # the new feed from now on
        (second,) = poll_all(stack.bot, force=True)
        assert second.ok and second.new == 1
