"""A whole crisisbot against the local Slack emulator: used by the tests, the demo and the
benchmarks, so all of them exercise the same code paths (HTTP endpoint, signing, outbox).
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx

from bot.app import Crisisbot
from bot.core.clock import Clock
from bot.core.config import Config
from bot.core.settings import Settings
from bot.emulator import SignedSlackClient, SlackEmulator
from bot.slack.gateway import SlackGateway
from bot.web import RunningServer, WebApp

SIGNING_SECRET = "emulator-signing-secret-0123456789"
CHANNEL = "C0CRISIS"


@dataclass
class Stack:
    emulator: SlackEmulator
    bot: Crisisbot
    server: RunningServer
    slack: SignedSlackClient

    def stop(self) -> None:
        self.slack.close()
        self.server.stop()
        self.bot.close()
        self.emulator.stop()

    def channel_messages(self) -> list[dict[str, Any]]:
        return self.emulator.messages(CHANNEL)

    def push(self, records: list[dict[str, Any]]) -> httpx.Response:
        """POST `records` to the bot's /ingest endpoint with its ingest token."""
        return httpx.post(
            f"{self.server.url}/ingest",
            json=records,
            headers={"Authorization": f"Bearer {self.bot.settings.ingest_token}"},
            timeout=30,
        )


def start_stack(
    database_url: str,
    *,
    clock: Clock,
    config: Config | None = None,
    approvers: tuple[str, ...] = ("U0CAROL", "S0COMMS"),
    courier: bool = True,
    min_post_interval: float = 0.0,
    ingest_token: str | None = "ingest-token",
    emulator: SlackEmulator | None = None,
) -> Stack:
    from handlers import create_bolt_app

    emu = emulator or SlackEmulator().start()
    settings = Settings(
        slack_bot_token=emu.bot_token,
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=emu.api_url,
        database_url=database_url,
        crisis_channel=CHANNEL,
        crisis_approvers=approvers,
        ingest_token=ingest_token,
    )
    assert emu.bot_token is not None  # the emulator checks a token: give the bot that one
    gateway = SlackGateway(
        emu.bot_token, emu.api_url, min_post_interval=min_post_interval, timeout=5
    )
    bot = Crisisbot(settings, config=config or Config(), clock=clock, gateway=gateway)
    server = RunningServer(WebApp(bot, create_bolt_app(bot))).start()
    if courier:
        bot.start_courier()
    client = SignedSlackClient(f"{server.url}/slack/events", SIGNING_SECRET, emu)
    return Stack(emu, bot, server, client)


CALM = {
    "en": (
        "Picked up my {b} order today, smooth as always",
        "Does {b} ship to Canada?",
        "{b} support sorted my question quickly",
        "New {b} store opening downtown next month",
        "Comparing {b} and the others for my next purchase",
    ),
    "bg": (
        "Взех си поръчката от {b} днес, всичко мина гладко",
        "{b} доставят ли до Варна?",
        "Поддръжката на {b} ми отговори бързо, благодаря",
        "Нов магазин на {b} отваря в центъра следващия месец",
        "Сравнявам {b} с другите за следващата си покупка",
    ),
}
STORM = {
    "en": (
        "{b} charged me twice and support is not answering. Still no refund!",
        "Is {b} down? The app has been broken all morning #outage",
        "Three hours on hold with {b}. Worst customer service ever.",
        "{b} leaked my data?? Reports of a breach everywhere. Lawsuit incoming",
        "Never buying from {b} again. Boycott.",
        "Lost my order and {b} won't respond. Unacceptable.",
    ),
    "bg": (
        "{b} ми взеха парите два пъти, а поддръжката не отговаря. Още няма възстановяване!",
        "{b} пак ли не работи? Приложението е блокирало от сутринта #срив",
        "Три часа чакане на телефона с {b}. Ужасно обслужване.",
        "Изтекоха данните на клиентите на {b}?? Навсякъде пишат за теч на данни, скандал",
        "Никога повече няма да купя от {b}. Бойкот.",
        "Загубиха ми поръчката и {b} не отговарят. Недопустимо.",
        "uzhasno obsluzhvane ot {b}, nikoga poveche",  # Bulgarian in Latin letters
    ),
}
BG_STORM_ENGLISH_EVERY = 8  # a Bulgarian storm carries some English: one mention in eight


def sample_storm(
    now: datetime,
    *,
    brand: str = "Acme",
    calm_days: int = 7,
    seed: int = 7,
    language: str = "en",
    tag_language: bool = False,
) -> Iterator[dict[str, Any]]:
    """A week of calm mentions, then a storm of complaints in the last 40 minutes.

    `language="bg"`: the same in Bulgarian, one storm mention in eight in English. The bot
    identifies each mention's language; `tag_language` also writes it in the records' `lang`
    (the ingest format's optional field, for a sender that knows it)."""
    rng = random.Random(seed)
    calm = CALM[language]
    start = now - timedelta(days=calm_days)
    i = 0
    t = start
    while t < now - timedelta(minutes=40):
        t += timedelta(minutes=rng.expovariate(1 / 45))
        i += 1
        tag = language if tag_language else None
        yield _record(i, rng.choice(calm).format(b=brand), t, rng, brand, tag)
    for k in range(90):
        at = now - timedelta(minutes=40) + timedelta(seconds=k * 26)
        i += 1
        lang = language
        if language != "en" and k % BG_STORM_ENGLISH_EVERY == 0:
            lang = "en"
        text = rng.choice(STORM[lang]).format(b=brand)
        yield _record(i, text, at, rng, brand, lang if tag_language else None)


def calm_stream(
    source: str, start: datetime, end: datetime, per_hour: float, seed: int
) -> list[dict[str, Any]]:
    """Calm English mentions of Acme from one source, at random times (`per_hour` on average)
    between `start` and `end`: the building block of the new-source tests and benchmark."""
    rng = random.Random(seed)
    out: list[dict[str, Any]] = []
    t, i = start, 0
    while True:
        t += timedelta(minutes=rng.expovariate(per_hour / 60))
        if t >= end:
            return out
        i += 1
        out.append({"id": f"{source}-{seed}-{i}", "source": source, "brand": "Acme",
                    "text": rng.choice(CALM["en"]).format(b="Acme"), "created_at": t.isoformat(),
                    "author": f"u{rng.randint(1, 9000)}", "author_followers": 120})  # fmt: skip


def _record(
    i: int, text: str, at: datetime, rng: random.Random, brand: str, lang: str | None = None
) -> dict[str, Any]:
    author = f"user{rng.randint(1, 5000)}"
    return {
        "id": f"{brand.lower()}-{i}",
        "source": "bluesky",
        "text": text,
        "created_at": at.isoformat(),
        "author": author,
        "url": f"https://bsky.app/profile/{author}.bsky.social/post/{i}",
        "author_followers": rng.choice([12, 150, 900, 4_000, 27_000, 310_000]),
        "brand": brand,
        **({"lang": lang} if lang else {}),
    }


def storm_jsonl(now: datetime, **kwargs: Any) -> str:
    return "".join(json.dumps(r) + "\n" for r in sample_storm(now, **kwargs))
