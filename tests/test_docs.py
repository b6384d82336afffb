"""What README.md, CONTRIBUTING.md and crisisbot.example.toml show is what the code does: every
TOML snippet loads with the playbook's loader, every `crisisbot …` line parses, the `/crisis`
lists and aliases are the grammar's, and the environment table is what the settings read.

A ```toml block of the README that is a fragment (sources naming the brand "Acme", a `[plan]`
alone) is loaded inside a minimal playbook (`CONTEXT`); one that is deliberately partial, not
meant to load, is preceded by the line `<!-- toml: partial -->` and only has to be valid TOML.
"""

from __future__ import annotations

import argparse
import itertools
import re
import tomllib
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

from bot.cli import _parser
from bot.core import i18n
from bot.core.config import load_config
from bot.core.settings import Settings
from bot.slack import commands

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
CONTRIBUTING = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
EXAMPLE = ROOT / "crisisbot.example.toml"
DOCS = {"README.md": README, "CONTRIBUTING.md": CONTRIBUTING}

PARTIAL = "<!-- toml: partial -->"
# What a fragment is loaded in: the brand the README's sources name.
CONTEXT = '\n[[brands]]\nname = "Acme"\nterms = ["acme"]\n'

_FENCE = re.compile(r"^```(\w*)\n(.*?)^```$", re.M | re.S)


def _blocks(text: str, lang: str) -> Iterator[tuple[int, str, bool]]:
    """(line, body, marked partial) of every fenced block of `lang`."""
    for match in _FENCE.finditer(text):
        if match.group(1) == lang:
            before = text[: match.start()].rstrip("\n").rsplit("\n", 1)[-1]
            line = text.count("\n", 0, match.start()) + 1
            yield line, match.group(2), before.strip() == PARTIAL


TOML_BLOCKS = list(_blocks(README, "toml"))


def test_the_readme_has_toml_snippets() -> None:
    assert len(TOML_BLOCKS) >= 4  # the extraction itself works


@pytest.mark.parametrize(
    ("body", "partial"),
    [pytest.param(body, partial, id=f"README.md:{line}") for line, body, partial in TOML_BLOCKS],
)
def test_every_toml_snippet_of_the_readme_loads(body: str, partial: bool, tmp_path: Path) -> None:
    data = tomllib.loads(body)  # valid TOML, partial or not
    if partial:
        return
    text = body if "brands" in data else body + CONTEXT
    path = tmp_path / "crisisbot.toml"
    path.write_text(text, encoding="utf-8")
    config = load_config(path, required=True)
    assert config.path == str(path)
    for key in data.get("sources", []):  # each [[sources]] shown is one the loader kept
        assert key["type"] in {s.type for s in config.sources}


# A commented line of the example that is TOML by itself (`# key = value`, `# [[sources]]`)
# is an option a team may uncomment; the lines around in prose are not.
def _commented_code(line: str) -> str | None:
    if not line.startswith("#"):
        return None
    body = line[1:].removeprefix(" ")
    if not body.strip():
        return None
    try:
        tomllib.loads(body)
    except tomllib.TOMLDecodeError:
        return None
    return body


def _uncommented_variants() -> Iterator[tuple[int, str]]:
    """The example with each run of commented-out option lines uncommented in turn; a live key
    of the same table that the run sets again (`keywords`) is dropped, as a team would do."""
    lines = EXAMPLE.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        if _commented_code(lines[i]) is None:
            i += 1
            continue
        start = i
        while i < len(lines) and _commented_code(lines[i]) is not None:
            i += 1
        run = [_commented_code(line) or "" for line in lines[start:i]]
        keys = {code.split("=")[0].strip() for code in run if "=" in code}
        variant = list(lines)
        if not run[0].startswith("["):  # options of the table above: drop what they replace
            for j in range(start - 1, -1, -1):
                if variant[j].startswith("["):
                    break
                if "=" in variant[j] and variant[j].split("=")[0].strip() in keys:
                    variant[j] = ""
        variant[start:i] = run
        yield start + 1, "\n".join(variant) + "\n"


def test_the_example_playbook_loads_with_each_commented_option_uncommented(
    tmp_path: Path,
) -> None:
    path = tmp_path / "crisisbot.toml"
    path.write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    base = load_config(path, required=True)
    variants = list(_uncommented_variants())
    # timezone, keywords by language, a source's name/brand/base_url, the three review
    # sources, update_minutes, updates_channel: each one loads once uncommented.
    assert len(variants) >= 8
    for line, text in variants:
        path.write_text(text, encoding="utf-8")
        config = load_config(path, required=True)
        assert config != base, f"crisisbot.example.toml:{line}: uncommented, it changed nothing"


# ---- the command line -----------------------------------------------------------------------

_PLACEHOLDERS = {
    "N": "7",  # an incident, a day count, a batch size
    "PATH": "mentions.jsonl",
    "DATE": "2026-11-01",
    "NAME": "bluesky-acme",
    "PACE": "0",
    "DIR": "crisisbot-demo",
}


def _command_lines() -> Iterator[tuple[str, str]]:
    """(where, `crisisbot …` as documented): code spans, and lines of sh and cron blocks."""
    for name, text in DOCS.items():
        for span in re.findall(r"`(crisisbot [a-z][^`]*)`", text):
            yield name, span
        for lang in ("sh", "cron"):
            for _line, body, _partial in _blocks(text, lang):
                for row in body.splitlines():
                    code = row.split("  #")[0]  # a comment, not a cron line's fields
                    match = re.search(r"(?<![\w/.-])crisisbot [^>]*", code)
                    if match:
                        yield name, match.group(0).strip()


def _argvs(line: str) -> list[list[str]]:
    """The argument lists a usage line stands for: every optional part given, each choice of
    `a|b` in turn, placeholders (N, PATH, DATE) as values."""
    import shlex

    line = line.replace("\\|", "|").replace("[", " ").replace("]", " ")
    words = shlex.split(line)[1:]
    choices = [word.split("|") if "|" in word else [word] for word in words]
    return [
        [_PLACEHOLDERS.get(word, word) for word in picked] for picked in itertools.product(*choices)
    ]


COMMAND_LINES = sorted(set(_command_lines()))


def test_the_docs_show_command_lines() -> None:
    assert len(COMMAND_LINES) >= 20


@pytest.mark.parametrize(("where", "line"), COMMAND_LINES)
def test_every_documented_command_line_parses(where: str, line: str) -> None:
    parser = _parser()
    if len(line.split()) == 2:  # the command named in prose ("`crisisbot export` carries …")
        assert line.split()[1] in _commands(), f"{where}: `{line}` is no command"
        return
    for argv in _argvs(line):
        try:
            parser.parse_args(argv)
        except SystemExit:
            pytest.fail(f"{where}: `{line}` does not parse as {argv}")


def _commands() -> dict[str, argparse.ArgumentParser]:
    sub = next(a for a in _parser()._actions if isinstance(a, argparse._SubParsersAction))
    return dict(sub.choices)


@pytest.mark.parametrize("name", sorted(_commands()))
def test_every_commands_help_shows(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        _parser().parse_args([name, "--help"])
    assert done.value.code == 0
    assert capsys.readouterr().out.startswith(f"usage: crisisbot {name}")


def test_every_command_is_documented_in_the_readme() -> None:
    documented = {line.split()[1] for where, line in COMMAND_LINES if where == "README.md"}
    assert set(_commands()) == documented


def test_every_option_of_a_command_is_in_the_readmes_table() -> None:
    """The table of "Command line" gives each command's options (--verbose is said once)."""
    table = _section(README, "## Command line").strip().split("\n\n")[0]
    for name, parser in _commands().items():
        rows = [row for row in table.splitlines() if row.startswith(f"| `crisisbot {name}")]
        if name in ("serve", "worker", "run"):  # shown by the Procfile's block, no options
            assert not rows
            continue
        shown = " ".join(row.split("`")[1] for row in rows)  # the first cell's code
        for action in parser._actions:
            for flag in action.option_strings:
                if flag.startswith("--") and flag not in ("--help", "--verbose"):
                    assert flag in shown, f"crisisbot {name} {flag} is not in the README's table"


def _section(text: str, heading: str) -> str:
    return text.split(heading + "\n", 1)[1].split("\n## ", 1)[0]


def test_the_opening_scripts_exist() -> None:
    for script in re.findall(r"^\./scripts/(\w+)", README + CONTRIBUTING, re.M):
        path = ROOT / "scripts" / script
        assert path.is_file() and path.stat().st_mode & 0o111, path


# ---- /crisis --------------------------------------------------------------------------------


def _synopsis(name: str) -> str:
    match = re.match(r"`/crisis ([^`]*)`", commands.USAGE[name])
    assert match, name
    return match.group(1)


def test_the_readmes_list_of_subcommands_is_the_grammars() -> None:
    """ "`/crisis help` lists the subcommands: …": each as the help writes it, and all of them."""
    listed = README.split("`/crisis help` lists the subcommands:", 1)[1].split("(N is", 1)[0]
    shown = re.findall(r"`([^`]+)`", listed)
    expected = [_synopsis(name) for name in commands.USAGE if name != "help"]
    assert shown == expected


def test_the_readmes_bulgarian_aliases_are_the_grammars() -> None:
    text = README.split("each also has a Bulgarian alias", 1)[1].split(".\n", 1)[0]
    pairs = dict(re.findall(r"`([^`\s]+)`\s+\((\w+)\)", text))
    assert pairs == commands.ALIASES


@pytest.mark.parametrize("locale", i18n.LOCALES)
def test_the_help_lists_every_subcommand(locale: str) -> None:
    with i18n.using(locale):
        text = commands.help_text()
    for name in commands.USAGE:
        assert f"`/crisis {name}" in text
    if locale != i18n.SOURCE_LOCALE:
        for alias in commands.ALIASES:
            assert f"`/crisis {alias}`" in text


def _examples(line: str) -> list[str]:
    """A `/crisis …` line of the README as texts to send: N, F, DATE and <text> filled in, an
    optional [part] left out, and each choice of [a|b] tried."""
    line = line.removeprefix("/crisis").strip()
    line = re.sub(r"<[^>]+>", "some words", line)
    line = re.sub(r"\[[^\]|]*\]", "", line)
    words = re.sub(r"[\[\]]", " ", line).split()
    fill = {"N": "42", "F": "F3", "DATE": "2026-12-11", "@owner": "@maria"}
    options = [w.split("|") if "|" in w else [fill.get(w, w)] for w in words]
    return [" ".join(picked) for picked in itertools.product(*options)]


CRISIS_LINES = sorted(set(re.findall(r"`(/crisis(?: [^`]*)?)`", README + CONTRIBUTING)))


def test_the_readme_shows_crisis_commands() -> None:
    assert len(CRISIS_LINES) >= 15


@pytest.mark.parametrize("line", CRISIS_LINES)
def test_every_crisis_command_the_docs_show_parses(line: str) -> None:
    for text in _examples(line):
        try:
            commands.parse(text)
        except commands.UsageError as exc:
            pytest.fail(f"`{line}` as `/crisis {text}`: {exc.text}")


# ---- the environment ------------------------------------------------------------------------


class _Recording(Mapping[str, str]):
    """An empty environment that notes every variable looked up."""

    def __init__(self) -> None:
        self.asked: set[str] = set()

    def __getitem__(self, key: str) -> str:
        self.asked.add(key)
        raise KeyError(key)

    def get(self, key: str, default: object = None) -> object:  # type: ignore[override]
        self.asked.add(key)
        return default

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0


def test_the_readmes_environment_table_is_what_the_settings_read() -> None:
    table = re.findall(r"^\| `([A-Z][A-Z0-9_]*)` \|", README, re.M)
    env = _Recording()
    Settings.from_env(env)
    assert sorted(table) == sorted(env.asked)


def test_every_setting_the_readme_names_is_in_its_table() -> None:
    table = set(re.findall(r"^\| `([A-Z][A-Z0-9_]*)` \|", README, re.M))
    named = set(re.findall(r"\b(?:SLACK|CRISIS|DATABASE|LOG)_[A-Z_]+\b", README + CONTRIBUTING))
    assert named <= table


# ---- the playbook's lists ---------------------------------------------------------------------


def test_the_source_types_listed_are_the_registrys() -> None:
    """`type = "…"  # appstore, bluesky, …`: the README's and the example's list of types."""
    import sources

    for where, text in (("README.md", README), (EXAMPLE.name, EXAMPLE.read_text("utf-8"))):
        lists = re.findall(r'^#? ?type = "\w+" +# ([a-z]+(?:, [a-z]+)+)$', text, re.M)
        assert lists, where
        for listed in lists:
            assert listed.split(", ") == sorted(sources.SOURCE_TYPES), where


def test_the_mention_record_fields_are_the_importers() -> None:
    from bot.intake import importer

    text = README.split("Mention records (`ingest`, `POST /ingest`):", 1)[1]
    required, optional = text.split("optional", 1)
    optional = optional.split("Each stored", 1)[0]
    while re.search(r"\([^()]*\)", optional):  # a field's explanation names other words
        optional = re.sub(r"\([^()]*\)", "", optional)
    assert re.findall(r"`(\w+)`", required) == list(importer.REQUIRED)
    assert re.findall(r"`(\w+)`", optional) == list(importer.OPTIONAL)


def test_the_drill_scenarios_named_are_the_bundled_ones() -> None:
    from bot.detection.drills import SCENARIOS

    named = re.search(r"replays a bundled\s+scenario \(([^)]*)\)", README)
    assert named
    assert re.findall(r"`(\w+)`", named.group(1)) == list(SCENARIOS)
