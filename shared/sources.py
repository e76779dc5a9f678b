"""Where invocation logs come from: local files and directories, or an S3 prefix.

A source knows how to open its byte stream and how to resolve bodies Bedrock offloaded under `data/`.
Offloaded objects can land after the record that points at them, so the S3 resolver retries with backoff
within a bounded time budget before it gives up.
"""

from __future__ import annotations

import functools
import gzip
import io
import logging
import os
import random
import re
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Literal, Protocol, Required, TypedDict

from shared.errors import (
    ConfigurationError,
    OffloadedBodyMissing,
    OffloadedBodyUnreadable,
    RetryableDownstreamError,
    SourceError,
)
from shared.limits import OFFLOADED_BODY_DIR, OFFLOADED_BODY_PREFIX_MARKER
from shared.parsing.invocation import BodyResolver
from shared.untrusted_json import loads as json_loads

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

logger = logging.getLogger(__name__)

LOG_SUFFIXES = (".json.gz", ".json", ".jsonl", ".jsonl.gz")


class GetObjectOutput(TypedDict):
    """The part of a GetObject response we read."""

    Body: BinaryIO  # botocore's StreamingBody: read() and close() are all we use


class S3ObjectSummary(TypedDict, total=False):
    """One entry of a ListObjectsV2 page's `Contents`."""

    Key: Required[str]
    Size: int


class ListObjectsV2Page(TypedDict, total=False):
    Contents: list[S3ObjectSummary]


class ListObjectsV2Paginator(Protocol):
    def paginate(self, *, Bucket: str, Prefix: str) -> Iterable[ListObjectsV2Page]: ...


class S3Reader(Protocol):
    """The part of boto3's S3 client that reads objects (tests pass moto's or a fake)."""

    def get_object(self, *, Bucket: str, Key: str) -> GetObjectOutput: ...


class S3Client(S3Reader, Protocol):
    """The part of boto3's S3 client we use: read objects and list a prefix."""

    def get_paginator(self, operation_name: Literal["list_objects_v2"]) -> ListObjectsV2Paginator: ...


def split_s3_uri(uri: str) -> tuple[str, str]:
    if not uri.startswith("s3://"):
        raise SourceError(f"not an S3 URI: {uri}")
    bucket, _, key = uri[5:].partition("/")
    if not bucket:
        raise SourceError(f"S3 URI has no bucket: {uri}")
    return bucket, key


#: A bucket name S3 (and botocore's check) could accept; an access-point ARN or anything else is not where
#: Bedrock writes offloaded bodies.
_BUCKET_NAME = re.compile(r"^[A-Za-z0-9._-]{1,255}$")
S3_KEY_MAX_BYTES = 1024


def offloaded_body_location(uri: object) -> tuple[str, str]:
    """(bucket, key) of an offloaded body's `s3://bucket/key`.

    A log line may hold anything there: OffloadedBodyUnreadable (that record is a counted skip, the rest
    of the file goes on) when it is not an S3 URI of a plain bucket and a non-empty key.
    """
    if not isinstance(uri, str) or not uri.startswith("s3://"):
        raise OffloadedBodyUnreadable(str(uri), "not an S3 URI")
    bucket, _, key = uri[5:].partition("/")
    if not _BUCKET_NAME.match(bucket):
        raise OffloadedBodyUnreadable(uri, "no valid bucket name in the S3 URI")
    if not key or len(key.encode("utf-8", "replace")) > S3_KEY_MAX_BYTES:
        raise OffloadedBodyUnreadable(uri, "no valid object key in the S3 URI")
    return bucket, key


#: Where Bedrock writes in a bucket: `[<keyPrefix>/]AWSLogs/<account>/BedrockModelInvocationLogs/`, log files
#: and the offloaded bodies (in `data/` folders further down) alike. Other AWS logs (CloudTrail, ELB, ...)
#: share `AWSLogs/<account>/` in a shared bucket.
BEDROCK_LOG_ROOT = "AWSLogs"
BEDROCK_LOG_DIR = "BedrockModelInvocationLogs"
_BEDROCK_LOG_KEY = re.compile(rf"{BEDROCK_LOG_ROOT}/\d{{12}}/{BEDROCK_LOG_DIR}/")
#: Characters allowed in a configured key prefix: S3's "safe" characters without `*` (a wildcard in IAM
#: resources) and with `/` between segments.
_KEY_PREFIX = re.compile(r"^[A-Za-z0-9!_.'()-]+(/[A-Za-z0-9!_.'()-]+)*$")
KEY_PREFIX_MAX_CHARS = 900  # Bedrock allows 1,024; the rest of the key follows it


def parse_key_prefix(value: object, *, key: str) -> str:
    """A bucket key prefix as Bedrock's `s3Config.keyPrefix` takes it: no slash at either end ("" for none).

    ConfigurationError naming `key` for a prefix S3 notifications, IAM resources or Bedrock would not take
    as written (empty segments, `.`/`..` segments, characters outside S3's safe set, over 900 characters).
    """
    text = "" if value is None else str(value).strip().strip("/")
    if not text:
        return ""
    if len(text) > KEY_PREFIX_MAX_CHARS:
        raise ConfigurationError(key, f"is longer than {KEY_PREFIX_MAX_CHARS} characters")
    if not _KEY_PREFIX.match(text) or any(part in (".", "..") for part in text.split("/")):
        raise ConfigurationError(
            key,
            "must be folder names of letters, digits and !_.'()- separated by single '/' "
            f"(no '.' or '..' folders), got {text!r}",
        )
    return text


def bedrock_log_prefix(account: str, key_prefix: str = "") -> str:
    """The prefix under which Bedrock writes one account's invocation logs (and their offloaded bodies)."""
    root = f"{key_prefix}/" if key_prefix else ""
    return f"{root}{BEDROCK_LOG_ROOT}/{account}/{BEDROCK_LOG_DIR}/"


def is_log_key(key: str, *, key_prefix: str | None = None) -> bool:
    """A log object, not an offloaded body under `data/`.

    With `key_prefix` (the bucket's configured prefix, "" for none) the key must also be where Bedrock
    writes: `[<key_prefix>/]AWSLogs/<account>/BedrockModelInvocationLogs/...`, so CloudTrail and other AWS
    logs in a shared bucket are not log objects, and a prefix that happens to hold a `data` folder does
    not hide every log. Without it (a local replay of an arbitrary S3 prefix) any log file name is one.
    """
    if key_prefix is not None:
        root = f"{key_prefix}/" if key_prefix else ""
        if not key.startswith(root) or not _BEDROCK_LOG_KEY.match(key, len(root)):
            return False
        key = key[len(root) :]
    if OFFLOADED_BODY_PREFIX_MARKER in "/" + key:
        return False
    return key.endswith(LOG_SUFFIXES)


def decode_body(data: bytes, *, uri: str) -> object:
    """An offloaded body: gzipped or plain JSON; a logged stream may also be JSON lines of chunks.

    OffloadedBodyUnreadable (counted by the parser, never retried) when it is neither.
    """
    try:
        if data[:2] == b"\x1f\x8b":
            data = gzip.decompress(data)
        try:
            return json_loads(data)
        except ValueError:
            return [json_loads(line) for line in data.splitlines() if line.strip()]
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise OffloadedBodyUnreadable(uri, f"gzip data truncated or corrupt ({exc.__class__.__name__})") from None
    except RecursionError:
        raise OffloadedBodyUnreadable(uri, "JSON nested too deeply") from None
    except ValueError:  # incl. UnicodeDecodeError
        raise OffloadedBodyUnreadable(uri, "not JSON") from None


#: What S3 answers for a key that is not there (yet): 404 NoSuchKey, or 403 AccessDenied when the caller
#: may not list the bucket (S3 will not say whether the key exists). Either way the body may still land.
MISSING_CODES = frozenset({"NoSuchKey", "404", "NotFound", "AccessDenied", "403"})
#: What S3 answers for a key that is certainly not there, to a caller that may list the bucket (the
#: dispatcher may): a log object announced as created and now gone was deleted, and will not come back.
GONE_CODES = frozenset({"NoSuchKey", "404", "NotFound"})
#: 403 answers: in the log bucket they mean "not landed yet" (above); anywhere else they never heal (the
#: reader's role or credentials are not granted that bucket), so the record is a counted skip.
DENIED_CODES = frozenset({"AccessDenied", "403", "AllAccessDisabled"})
#: S3 answers that no wait or retry will change: the record is a counted skip, the rest is read.
PERMANENT_CODES = frozenset(
    {
        "NoSuchBucket",
        "InvalidBucketName",
        "AllAccessDisabled",
        "InvalidObjectState",  # archived (Glacier, Deep Archive): needs a restore first
        "PermanentRedirect",
        "301",
        "InvalidArgument",
        "InvalidRequest",
        "InvalidURI",
        "KeyTooLongError",
        "AuthorizationHeaderMalformed",
        "400",
    }
)
#: botocore's own refusals of a request before it is sent (a bucket name or key it will not take).
_CLIENT_SIDE_REFUSALS = frozenset(
    {"ParamValidationError", "UnsupportedS3ArnError", "UnsupportedS3AccesspointConfigurationError"}
)


@dataclass
class S3BodyResolver:
    """Fetches offloaded bodies from S3, waiting for late objects up to `budget_seconds` in total."""

    client: S3Reader
    budget_seconds: float = 30.0
    base_delay: float = 0.25
    max_delay: float = 5.0
    sleep: Callable[[float], None] | None = None  # time.sleep, looked up when called
    clock: Callable[[], float] = time.monotonic
    #: Bodies already waited for as long as the caller ever will: fetched once, and if still missing the
    #: record is given up (OffloadedBodyMissing with `final`), not waited for again.
    give_up_on: frozenset[str] = frozenset()
    #: The log bucket(s), where 403 means "not landed yet"; elsewhere 403 is a counted skip. Empty: every
    #: bucket is treated as a log bucket.
    log_buckets: frozenset[str] = frozenset()

    def fetch(self, uri: str) -> object:
        bucket, key = offloaded_body_location(uri)
        final = uri in self.give_up_on
        deadline = self.clock() + (0.0 if final else self.budget_seconds)
        attempt = 0
        last_code = ""
        while True:
            attempt += 1
            try:
                response = self.client.get_object(Bucket=bucket, Key=key)
            except Exception as exc:  # botocore ClientError; imported lazily to keep cold start small
                code = s3_error_code(exc)
                foreign = bool(self.log_buckets) and bucket not in self.log_buckets
                if code in PERMANENT_CODES or (foreign and code in DENIED_CODES):
                    raise OffloadedBodyUnreadable(uri, f"S3 answered {code}") from None
                if exc.__class__.__name__ in _CLIENT_SIDE_REFUSALS:
                    raise OffloadedBodyUnreadable(uri, "not a bucket and key S3 accepts") from None
                if code not in MISSING_CODES:
                    if code:  # a service's answer (throttling, 5xx after botocore's retries): retry later
                        raise RetryableDownstreamError(f"offloaded body {uri}: S3 answered {code}") from exc
                    raise
                last_code = code
            else:
                return decode_body(response["Body"].read(), uri=uri)
            delay = min(self.max_delay, self.base_delay * 2 ** (attempt - 1)) * random.uniform(0.5, 1.0)
            if self.clock() + delay > deadline:
                raise OffloadedBodyMissing(uri, attempt, last_code, final=final)
            logger.info("offloaded body not there yet, retrying", extra={"uri": uri, "attempt": attempt})
            (self.sleep or time.sleep)(delay)


def s3_error_code(exc: BaseException) -> str:
    """The error code of a botocore ClientError ("NoSuchKey", "403", ...); "" for anything else."""
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        return str(response.get("Error", {}).get("Code", ""))
    return ""


@dataclass
class LocalBodyResolver:
    """Finds offloaded bodies in a local mirror of the log bucket (e.g. after `aws s3 sync`).

    `s3://bucket/AWSLogs/.../data/x.json.gz` resolves to `<base>/<a suffix of the key>` for `base` the
    first root, or an ancestor of it, that holds the file. Only suffixes that keep the key's `data/`
    folder are tried, and a key with `..`, `.` or empty parts is refused, so a log line cannot point
    the resolver at a file outside a log mirror.
    """

    roots: Sequence[Path]

    def fetch(self, uri: str) -> object:
        _, key = offloaded_body_location(uri)
        parts = tuple(key.split("/"))
        if not key or any(part in ("", ".", "..") for part in parts) or "\\" in key:
            raise OffloadedBodyUnreadable(uri, "not a plain S3 key")
        data_dirs = [i for i, part in enumerate(parts[:-1]) if part == OFFLOADED_BODY_DIR]
        if not data_dirs:
            raise OffloadedBodyUnreadable(uri, f"not under a {OFFLOADED_BODY_DIR}/ folder")
        for root in self.roots:
            for base in (root, *root.parents):
                for start in range(data_dirs[-1] + 1):
                    candidate = base.joinpath(*parts[start:])
                    if candidate.is_file():
                        try:
                            data = candidate.read_bytes()
                        except OSError as exc:
                            raise OffloadedBodyUnreadable(uri, exc.strerror or exc.__class__.__name__) from None
                        return decode_body(data, uri=uri)
        raise OffloadedBodyMissing(uri, attempts=1)


@dataclass(frozen=True)
class LogSource:
    """One log file or object: a name for reports (never content), a way to open it, its resolver."""

    name: str
    open: Callable[[], BinaryIO]
    resolver: BodyResolver
    size: int | None = None


_WARNED_DATA_FOLDERS: set[Path] = set()


def local_sources(path: Path) -> Iterator[LogSource]:
    """Log files at `path` (a file, or a directory searched recursively, offloaded bodies excluded).

    Names are resolved absolute paths, so the same file reached as `logs`, `./logs` or `/abs/logs` is one
    source (its pipeline counts are replaced, not added, when it is read again).
    """
    files: list[Path] = []
    if path.is_file():
        files.append(path)
    elif path.is_dir():
        bodies: list[Path] = []
        for p in path.rglob("*"):
            if p.is_file() and p.name.endswith(LOG_SUFFIXES):
                (bodies if "data" in p.relative_to(path).parts[:-1] else files).append(p)
        files.sort()
        foreign = [b for b in bodies if BEDROCK_LOG_DIR not in b.resolve().parts]
        if foreign and path not in _WARNED_DATA_FOLDERS:  # outside Bedrock's layout: maybe the user's own logs
            _WARNED_DATA_FOLDERS.add(path)  # once per process (`watch` rescans every few seconds)
            logger.warning(
                "%d file(s) under folders named data in %s were left out as Bedrock's offloaded bodies "
                "(read only when a record points to them), e.g. %s",
                len(foreign),
                path,
                foreign[0],
            )
    elif path.exists():
        raise SourceError(f"not a regular file or directory: {path}")
    else:
        raise SourceError(f"no such file or directory: {path}")
    root = (path if path.is_dir() else path.parent).resolve()
    resolver = LocalBodyResolver([root])
    for file in files:
        resolved = file.resolve()
        yield LogSource(str(resolved), functools.partial(_open_local, resolved), resolver, _size(resolved))


def _open_local(path: Path) -> BinaryIO:
    try:
        return open(path, "rb")
    except OSError as exc:
        raise SourceError(f"cannot read {path}: {exc.strerror or exc.__class__.__name__}") from None


def _size(path: Path) -> int | None:
    try:
        return path.stat().st_size
    except OSError:
        return None


def source_failure(exc: BaseException) -> str:
    """A one-line reason a source stopped being readable (never its content)."""
    if isinstance(exc, SourceError):
        return str(exc)
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc) or exc.__class__.__name__


class _S3Body(io.RawIOBase):
    """An S3 object's streaming body whose read failures (time-outs, a dropped connection) surface as
    OSError, like a local file's, so every reader treats an unreadable source one way."""

    def __init__(self, body: BinaryIO, uri: str) -> None:
        self._body = body
        self._uri = uri

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer, /) -> int:
        view = memoryview(buffer)
        try:
            data = self._body.read(len(view))
        except Exception as exc:  # noqa: BLE001 (botocore's streaming errors are not OSError)
            raise OSError(f"reading {self._uri} failed: {exc.__class__.__name__}") from None
        view[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._body.close()
        super().close()


def s3_sources(uri: str, client: S3Client, *, body_wait_seconds: float = 10.0) -> Iterator[LogSource]:
    bucket, prefix = split_s3_uri(uri)
    resolver = S3BodyResolver(client, budget_seconds=body_wait_seconds, log_buckets=frozenset({bucket}))
    paginator = client.get_paginator("list_objects_v2")
    try:
        pages = list(paginator.paginate(Bucket=bucket, Prefix=prefix))
    except Exception as exc:
        raise SourceError(f"cannot list {uri}: {exc}") from exc
    for page in pages:
        for obj in page.get("Contents", []):
            key = obj["Key"]
            if not is_log_key(key):
                continue
            yield LogSource(
                f"s3://{bucket}/{key}",
                functools.partial(_open_s3, client, bucket, key),
                resolver,
                obj.get("Size"),
            )


def _open_s3(client: S3Reader, bucket: str, key: str) -> BinaryIO:
    uri = f"s3://{bucket}/{key}"
    try:
        body = client.get_object(Bucket=bucket, Key=key)["Body"]
    except Exception as exc:  # noqa: BLE001 (botocore ClientError, imported lazily)
        raise SourceError(f"cannot read {uri}: {s3_error_code(exc) or exc.__class__.__name__}") from None
    return io.BufferedReader(_S3Body(body, uri))


def discover(paths: Sequence[str], *, s3_client: Callable[[], S3Client] | None = None) -> list[LogSource]:
    """Every log source named by the arguments; SourceError for one that does not exist."""
    sources: list[LogSource] = []
    for raw in paths:
        if raw.startswith("s3://"):
            client = s3_client() if s3_client is not None else _default_s3_client()
            sources.extend(s3_sources(raw, client))
        else:
            sources.extend(local_sources(Path(os.path.expanduser(raw))))
    return sources


def _default_s3_client() -> S3Client:
    import boto3
    from botocore.config import Config

    client: S3Client = boto3.client("s3", config=Config(retries={"mode": "adaptive", "max_attempts": 8}))
    return client
