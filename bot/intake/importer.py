"""Read mentions from JSONL and CSV files (the `crisisbot ingest` formats).

Fields: `id` (unique within its source), `source`, `text`, `created_at` (ISO 8601 with offset),
optional `author`, `url`, `author_followers` (int), `brand`, `lang` (the text's language as an ISO
639 code, e.g. "bg": when the platform or sender knows it, it wins over language identification),
`rating` (a review's stars, a whole number from 1 to 5: applied as a connector's stars are,
`detectors.rating`: 1-2 negative, 4-5 not negative, 3 the text decides).
A bad record is reported with its line number and skipped; the rest imports. A file that is not
UTF-8 text (a byte order mark is fine) is refused whole, before anything is read from it.
"""

from __future__ import annotations

import csv
import difflib
import itertools
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from sources.base import Mention

REQUIRED = ("id", "source", "text", "created_at")
OPTIONAL = ("author", "url", "author_followers", "brand", "lang", "rating")
# Columns other tools name differently: an export's "stars" is our `rating`, not a lost column.
SYNONYMS = {"stars": "rating"}
MAX_FOLLOWERS = 2**31 - 1  # the column is a 32-bit integer on PostgreSQL
ENCODING = "utf-8-sig"  # UTF-8, with or without the byte order mark Excel and Notepad write
NOT_UTF8 = (  # Excel's plain "CSV" is in the system's code page: Windows-1251 in Bulgaria
    "not UTF-8 text (Windows-1251 or another encoding? save it as UTF-8, in Excel as "
    "'CSV UTF-8', or convert it: `iconv -f cp1251 -t utf-8`)"
)


class RecordError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Problem:
    line: int
    message: str


@dataclass(frozen=True, slots=True)
class Note:
    """Something the user should know that refuses nothing (columns the import ignores)."""

    line: int
    message: str


def parse_record(obj: Any) -> Mention:
    """Validate one pushed/imported object; RecordError says what is wrong."""
    if isinstance(obj, list):
        raise RecordError("expected a JSON object, not an array (JSON Lines: one object per line)")
    if not isinstance(obj, Mapping):
        raise RecordError("expected a JSON object")
    for key in REQUIRED:
        value = obj.get(key)
        if not isinstance(value, str) or not value.strip():
            raise RecordError(f"`{key}` is missing or not a non-empty string")
    try:
        created = datetime.fromisoformat(obj["created_at"].replace("Z", "+00:00"))
    except ValueError:
        raise RecordError("`created_at` is not an ISO 8601 date-time") from None
    if created.tzinfo is None:
        raise RecordError("`created_at` has no UTC offset (write e.g. 2025-03-14T18:02:11+00:00)")
    try:
        created.astimezone(UTC)  # what the column stores; 0001-01-01T00:00+01:00 has no UTC
    except OverflowError:
        raise RecordError("`created_at` is out of range") from None
    followers = obj.get("author_followers")
    if followers in ("", None):
        followers = None
    elif isinstance(followers, str) and followers.strip().isascii() and followers.strip().isdigit():
        followers = int(followers)
    elif not isinstance(followers, int) or isinstance(followers, bool) or followers < 0:
        raise RecordError("`author_followers` is not a whole number")
    if followers is not None and followers > MAX_FOLLOWERS:
        raise RecordError("`author_followers` is too large")
    for key in ("author", "url", "brand"):
        if obj.get(key) is not None and not isinstance(obj.get(key), str):
            raise RecordError(f"`{key}` is not a string")
    if len(obj["id"]) > 255 or len(obj["source"]) > 40:
        raise RecordError("`id` or `source` is too long")
    lang = obj.get("lang")
    if lang in ("", None):
        lang = None
    elif not isinstance(lang, str) or not (
        2 <= len(lang.strip()) <= 3 and lang.strip().isascii() and lang.strip().isalpha()
    ):
        raise RecordError("`lang` is not an ISO 639 language code like bg or en")
    extra: dict[str, Any] = {}
    if lang:
        extra["lang"] = lang.strip().lower()
    rating = _rating(obj.get("rating"))
    if rating is not None:
        extra["rating"] = rating  # what the review connectors set: ingest applies it alike
    return Mention(
        source=obj["source"].strip(),
        external_id=obj["id"].strip(),
        text=obj["text"],
        created_at=created,
        author=obj.get("author") or None,
        author_followers=followers,
        url=obj.get("url") or None,
        brand=obj.get("brand") or None,
        extra=extra,
    )


_WHOLE = re.compile(r"([0-9]{1,9})(?:\.0*)?")  # "4", and "4.0" as a spreadsheet may write it


def _rating(value: Any) -> int | None:
    """A record's `rating`: the stars 1 to 5 as a whole number (4, 4.0, "4"); None when absent
    or empty. Anything else (0, 6, 2.5, "five", true) is refused, not dropped: a review stored
    without its stars would be judged by its words alone, silently."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    number: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    elif isinstance(value, str) and (whole := _WHOLE.fullmatch(value.strip())):
        number = int(whole.group(1))
    if number is None or not 1 <= number <= 5:
        shown = json.dumps(value, ensure_ascii=False)
        shown = shown if len(shown) <= 30 else shown[:29] + "…"
        raise RecordError(f"`rating` is not a whole number of stars from 1 to 5: {shown}")
    return number


def not_utf8(path: Path) -> Problem | None:
    """The first line of `path` that is not UTF-8 (a Windows-1251 export, a binary file), if any.

    Checked before the import starts: read as it comes, such a file would stop halfway, after
    the batches before the line were stored."""
    with path.open("rb") as stream:
        for number, line in enumerate(stream, start=1):
            try:
                line.decode("utf-8")  # a newline byte is never inside a UTF-8 character
            except UnicodeDecodeError:
                return Problem(number, f"{NOT_UTF8}; nothing imported")
    return None


def utf8_lines(stream: IO[bytes]) -> Iterator[str]:
    """The lines of a byte stream as text (a BOM dropped, CRLF read as LF); NotUTF8 names the
    first line in another encoding, when the lines before it have been taken."""
    for number, raw in enumerate(stream, start=1):
        try:
            line = raw.decode(ENCODING if number == 1 else "utf-8")
        except UnicodeDecodeError:
            raise NotUTF8(number) from None
        yield line[:-2] + "\n" if line.endswith("\r\n") else line


class NotUTF8(ValueError):
    def __init__(self, line: int) -> None:
        super().__init__(f"line {line}: {NOT_UTF8}")
        self.line = line


def loads(text: str | bytes) -> Any:
    """`json.loads`, with nesting too deep for the parser a JSONDecodeError like any other."""
    try:
        return json.loads(text)
    except RecursionError:
        raise json.JSONDecodeError("nested too deeply", "", 0) from None


def _fields_named(header: str, delimiter: str) -> int:
    names = next(csv.reader([header], delimiter=delimiter), [])
    return sum(name.strip().lower() in REQUIRED for name in names)


def _ignored(column: str) -> str:
    name = column.strip().lower()
    close = [SYNONYMS[name]] if name in SYNONYMS else []
    close = close or difflib.get_close_matches(name, REQUIRED + OPTIONAL, n=1)
    return f"{column} (did you mean {close[0]}?)" if close else column


def read_jsonl(stream: IO[str]) -> Iterator[Mention | Problem]:
    first = True
    for number, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        if first and line.strip() in ("[", "{"):  # pretty-printed JSON: every line would be bad
            yield Problem(
                number,
                "one JSON document, not JSON Lines (one mention object per line); nothing imported",
            )
            return
        first = False
        try:
            yield parse_record(loads(line))
        except json.JSONDecodeError as exc:
            yield Problem(number, f"not valid JSON ({exc.msg})")
        except RecordError as exc:
            yield Problem(number, str(exc))


def read_csv(stream: IO[str]) -> Iterator[Mention | Problem | Note]:
    """Comma-separated, or semicolon-separated when the header is (Excel's CSV wherever the
    decimal separator is a comma, Bulgaria's included)."""
    first = stream.readline()
    delimiter = ";" if _fields_named(first, ";") > _fields_named(first, ",") else ","
    reader = csv.DictReader(itertools.chain([first], stream), delimiter=delimiter)
    header = list(reader.fieldnames or [])
    reader.fieldnames = [name.strip().lower() for name in header]  # "ID", " text" are the fields
    missing = [k for k in REQUIRED if k not in reader.fieldnames]
    if missing:
        yield Problem(1, f"the header lacks {', '.join(missing)}")
        return
    ignored = [_ignored(given) for given, name in zip(header, reader.fieldnames, strict=True)
               if name not in REQUIRED + OPTIONAL]  # fmt: skip
    if ignored:  # a platform's extra columns, or a field's name mistyped: its values are lost
        yield Note(1, f"ignored columns: {', '.join(ignored)}")
    width = len(reader.fieldnames or ())
    start = reader.line_num + 1  # where the next record begins (a quoted field may span lines)
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:  # the reader goes on at the next line
            yield Problem(start, f"not valid CSV ({exc})")
            start = reader.line_num + 1
            continue
        if None in row:  # more fields than the header: an unquoted comma shifted them
            fields = width + len(row[None])  # type: ignore[index]
            yield Problem(start, f"{fields} fields, but the header names {width}")
        else:
            try:
                yield parse_record({k: v for k, v in row.items() if v != ""})
            except RecordError as exc:
                yield Problem(start, str(exc))
        start = reader.line_num + 1
