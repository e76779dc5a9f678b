"""The dashboard rendered by a real browser (headless Chromium): the screenshot must show the charts.

The PNG is decoded with zlib and numpy (no imaging library): pixels in the chart palette, the threshold
red and the ALARM shading are counted and compared with two references — a blank page (the decoder sees
white) and the same dashboard over an empty store (header and tables, no charts).

Needs Debian's `chromium` package. Without it the test is skipped, unless LLM_MONITOR_REQUIRE_BROWSER=1
(CI sets it): then a missing browser is a failure.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import numpy as np
import pytest

from local_runtime.alarm_state import AlarmState
from local_runtime.alarm_timeline import StateChange
from local_runtime.dashboard import ALARM_FILL, PALETTE, THRESHOLD_COLOR, render_dashboard
from local_runtime.store import MetricStore
from monitors.core.alarms import resolve_alarms
from monitors.core.config import MonitoringConfig
from monitors.core.registry import discover

pytestmark = pytest.mark.browser

T0 = 1_795_680_000  # 2026-11-26T08:00:00Z
MODELS = (
    "anthropic.claude-3-haiku-20240307-v1:0",
    "meta.llama3-1-70b-instruct-v1:0",
    "amazon.nova-lite-v1:0",
)
WINDOW = (1400, 2400)


def chromium() -> str:
    found = shutil.which("chromium") or (("/usr/bin/chromium") if Path("/usr/bin/chromium").exists() else None)
    if found:
        return found
    reason = "headless Chromium not installed (apt-get install -y chromium)"
    if os.environ.get("LLM_MONITOR_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason}, and LLM_MONITOR_REQUIRE_BROWSER=1")
    pytest.skip(reason)


def screenshot(browser: str, page: Path, tmp_path: Path) -> np.ndarray:
    png = tmp_path / f"{page.stem}.png"
    command = [
        browser,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / ('profile-' + page.stem)}",
        f"--window-size={WINDOW[0]},{WINDOW[1]}",
        f"--screenshot={png}",
        page.resolve().as_uri(),
    ]
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=180, env={**os.environ, "HOME": str(tmp_path)}
    )
    assert png.is_file(), f"chromium wrote no screenshot (exit {result.returncode}): {result.stderr[-2000:]}"
    return decode_png(png.read_bytes())


def decode_png(data: bytes) -> np.ndarray:
    """An 8-bit RGB or RGBA PNG as an (height, width, 3) uint8 array: zlib plus the five row filters."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, header = 8, bytearray(), None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, chunk = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", chunk)
        elif kind == b"IDAT":
            idat += chunk
    assert header is not None
    width, height, depth, color, _, _, interlace = header
    assert depth == 8 and color in (2, 6) and interlace == 0, f"unsupported PNG {header}"
    bpp = 3 if color == 2 else 4
    stride = width * bpp
    raw = zlib.decompress(bytes(idat))
    out = np.zeros((height, stride), dtype=np.uint8)
    previous = np.zeros(stride, dtype=np.uint8)
    for row in range(height):
        start = row * (stride + 1)
        kind = raw[start]
        line = np.frombuffer(raw, dtype=np.uint8, count=stride, offset=start + 1).copy()
        if kind == 1:  # Sub: running sum per channel, mod 256
            line = np.cumsum(line.reshape(-1, bpp), axis=0, dtype=np.uint8).reshape(-1)
        elif kind == 2:  # Up
            line = line + previous
        elif kind in (3, 4):  # Average, Paeth: each byte depends on the decoded byte to its left
            current = bytearray(line.tobytes())
            above = previous.tobytes()
            for i in range(stride):
                a = current[i - bpp] if i >= bpp else 0
                b = above[i]
                if kind == 3:
                    current[i] = (current[i] + ((a + b) >> 1)) & 0xFF
                    continue
                c = above[i - bpp] if i >= bpp else 0
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                current[i] = (current[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
            line = np.frombuffer(bytes(current), dtype=np.uint8)
        else:
            assert kind == 0, f"bad PNG filter {kind}"
        out[row] = line
        previous = line
    return out.reshape(height, width, bpp)[:, :, :3]


def rgb(hex_color: str) -> np.ndarray:
    return np.array([int(hex_color[i : i + 2], 16) for i in (1, 3, 5)], dtype=np.int32)


def near(image: np.ndarray, color: np.ndarray, tolerance: int = 30) -> int:
    return int((np.abs(image.astype(np.int32) - color).max(axis=2) <= tolerance).sum())


def alarm_fill_on_white() -> np.ndarray:
    r, g, b, a = (float(x) for x in ALARM_FILL[ALARM_FILL.index("(") + 1 : -1].split(","))
    return np.array([round(255 * (1 - a) + c * a) for c in (r, g, b)], dtype=np.int32)


def build(tmp_path: Path, *, with_data: bool) -> Path:
    registry = discover()
    config = MonitoringConfig.from_context({"alarmModelIds": [MODELS[1]]}, registry)
    metrics = [
        (name, metric)
        for name in config.enabled_monitors()
        for metric in registry[name].spec().active_metrics(config.monitors[name].options)
    ]
    alarms = resolve_alarms(config, registry)
    refusal = next(a for a in alarms if a.metric_name == "Refusal" and a.model_id == MODELS[1])
    changes = [
        StateChange(T0 + 900, refusal.name, AlarmState.INSUFFICIENT_DATA, AlarmState.OK, 0.0, "not breaching"),
        StateChange(T0 + 3600, refusal.name, AlarmState.OK, AlarmState.ALARM, 0.5, "3 of 3 breaching"),
        StateChange(T0 + 5400, refusal.name, AlarmState.ALARM, AlarmState.OK, 0.02, "not breaching"),
    ]
    name = "dashboard" if with_data else "empty-dashboard"
    with MetricStore(tmp_path / f"{name}.db") as store:
        if with_data:
            rng = np.random.default_rng(5)
            n = 2000
            ts = T0 + np.sort(rng.uniform(0, 3 * 3600, n))
            model = rng.integers(0, len(MODELS), n)
            store.add_records((f"r{i}", float(ts[i]), MODELS[model[i]], 400, 1200, "Converse") for i in range(n))
            spike = (model == 1) & (ts >= T0 + 2700) & (ts < T0 + 5400)
            values = {
                "Refusal": np.where(spike, rng.random(n) < 0.6, rng.random(n) < 0.04).astype(float),
                "RefusalSimilarity": rng.beta(2, 6, n),
                "PromptCompletionSimilarity": np.clip(rng.normal(0.55, 0.1, n), 0, 1),
                "SentimentNegative": rng.beta(1.2, 4, n),
                "Toxicity": rng.beta(0.4, 9, n),
            }
            monitor_of = {spec.name: m for m, spec in metrics}
            store.add_scores(
                (f"r{i}", monitor_of[metric], metric, MODELS[model[i]], None, float(ts[i]), float(v[i]))
                for metric, v in values.items()
                for i in range(n)
            )
            store.add_pipeline_counts("logs/a.json.gz", {"emitted": n, "skipped.embedding": 40, "malformed": 1})
        return render_dashboard(
            tmp_path / f"{name}.html",
            store=store,
            metrics=metrics,
            alarms=alarms,
            changes=changes,
            title="Browser test dashboard",
        )


def test_screenshot_shows_the_charts(tmp_path: Path) -> None:
    browser = chromium()
    blank = tmp_path / "blank.html"
    blank.write_text("<!DOCTYPE html><html><body style='background:#fff'></body></html>", encoding="utf-8")
    white = screenshot(browser, blank, tmp_path)
    assert white.shape == (WINDOW[1], WINDOW[0], 3)
    assert (white < 250).any(axis=2).sum() == 0, "a blank page should decode to white"

    empty = screenshot(browser, build(tmp_path, with_data=False), tmp_path)
    full = screenshot(browser, build(tmp_path, with_data=True), tmp_path)
    assert full.shape == empty.shape == white.shape

    # Charts are drawn in colour; text, tables and axes are grey. Count saturated pixels.
    def coloured(image: np.ndarray) -> np.ndarray:
        channels = image.astype(np.int32)
        return (channels.max(axis=2) - channels.min(axis=2)) > 40

    assert coloured(full).sum() > 10_000
    assert coloured(full).sum() > 3 * coloured(empty).sum()

    # Every model's series colour is on screen; the empty page has none of them.
    for hex_color in PALETTE[: len(MODELS)]:
        drawn, before = near(full, rgb(hex_color), 24), near(empty, rgb(hex_color), 24)
        assert drawn > 800, f"too few pixels of series colour {hex_color}: {drawn}"
        assert drawn > 20 * max(before, 1), hex_color

    # Threshold lines in red, and the ALARM period shaded.
    assert near(full, rgb(THRESHOLD_COLOR), 40) > 1000
    assert near(full, rgb(THRESHOLD_COLOR), 40) > 2 * near(empty, rgb(THRESHOLD_COLOR), 40)
    shade = alarm_fill_on_white()
    assert near(full, shade, 6) > 2000, "no ALARM shading visible"
    assert near(empty, shade, 6) < 300

    # Charts fill the page, not one corner: coloured pixels in at least 5 of 12 bands below the header.
    bands = np.array_split(coloured(full)[300:], 12)
    assert sum(1 for band in bands if band.sum() > 500) >= 5
