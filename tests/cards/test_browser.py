"""The static card browser in headless Chromium: capabilities, a form from the
parameter_schema, and Parameters(...) code that really builds the model."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from specwire._cli import main
from specwire.tts import DashScopeTTSModel
from tests.cards.cdp import Chromium, chromium_binary


@pytest.fixture(scope="module")
def page_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    out = tmp_path_factory.mktemp("browser")
    assert main(["cards", "--html", str(out)]) == 0
    return (out / "index.html").as_uri()


@pytest.fixture(scope="module")
def browser() -> Iterator[Chromium]:
    binary = chromium_binary()
    if binary is None:
        pytest.skip(
            "no chromium binary on PATH (CI installs Debian's chromium); browser checks not run"
        )
    with Chromium(binary) as chromium:
        yield chromium


def _show(browser: Chromium, url: str, model: str) -> None:
    browser.open(f"{url}#{model}")
    assert browser.evaluate("specwireBrowser.state().model") == model.rsplit("/", 1)[1]


def test_a_thinking_model_shows_a_thinking_toggle_and_its_code_builds_the_model(
    browser: Chromium, page_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _show(browser, page_url, "dashscope/chat/qwen3-max")
    toggle = (
        "document.querySelector('input[type=checkbox][role=switch][data-param=thinking_enable]')"
    )
    assert browser.evaluate(f"{toggle} !== null && {toggle}.checked === false")
    assert "Thinking" in browser.evaluate("document.getElementById('capabilities').textContent")
    browser.evaluate(f"{toggle}.click()")
    temperature = "document.querySelector('[data-param=temperature]')"
    browser.evaluate(f"{temperature}.value = '5'; {temperature}.dispatchEvent(new Event('input'))")
    code = browser.evaluate("specwireBrowser.code()")
    assert "# temperature left out: must be ≤ 2" in code
    browser.evaluate(
        f"{temperature}.value = '0.7'; {temperature}.dispatchEvent(new Event('input'))"
    )
    max_tokens = "document.querySelector('[data-param=max_tokens]')"
    assert browser.evaluate(f"{max_tokens}.max") == "65536"  # the card's cap, not the API's
    code = browser.evaluate("specwireBrowser.code()")
    assert "thinking_enable=True," in code and "temperature=0.7," in code and "left out" not in code
    monkeypatch.setenv("DASHSCOPE_API_KEY", "sk-test-not-real")
    namespace: dict[str, object] = {}
    exec(code, namespace)  # the page's code runs as shown
    model = namespace["model"]
    assert model.model == "qwen3-max"  # type: ignore[attr-defined]
    assert model.parameters.thinking_enable is True and model.parameters.temperature == 0.7  # type: ignore[attr-defined]


def test_a_tts_model_shows_a_voice_dropdown_with_its_voices(
    browser: Chromium, page_url: str
) -> None:
    _show(browser, page_url, "dashscope/tts/qwen3-tts-flash")
    (card,) = [c for c in DashScopeTTSModel.list_models() if c.name == "qwen3-tts-flash"]
    options = browser.evaluate("specwireBrowser.options('voice')")
    assert options == ["default (Cherry)", *card.voices]
    browser.evaluate(
        "const v = document.querySelector('select[data-param=voice]');"
        "v.value = JSON.stringify('Ethan'); v.dispatchEvent(new Event('change'))"
    )
    assert 'voice="Ethan",' in browser.evaluate("specwireBrowser.code()")
    assert "from specwire.tts import DashScopeTTSModel" in browser.evaluate(
        "specwireBrowser.code()"
    )


def test_removed_and_hidden_parameters_are_absent_from_the_form(
    browser: Chromium, page_url: str
) -> None:
    _show(browser, page_url, "openai/chat/gpt-5.5")
    fields = browser.evaluate("specwireBrowser.fields()")
    assert "max_tokens" in fields and "reasoning_effort" in fields
    for gone in ("presence_penalty", "frequency_penalty", "temperature", "top_p"):
        assert gone not in fields  # removed (null) or hidden by the card
    note = browser.evaluate("document.getElementById('form-note').textContent")
    assert "temperature" in note and "presence_penalty" in note
    assert browser.evaluate("specwireBrowser.options('reasoning_effort')") == [
        "provider default",
        "none",
        "low",
        "medium",
        "high",
        "xhigh",
    ]


def test_a_sunset_model_is_reachable_by_link_and_marked(browser: Chromium, page_url: str) -> None:
    _show(browser, page_url, "openai/chat/o4-mini")
    assert browser.evaluate("document.querySelector('.badge').textContent") == "sunset"
    assert browser.evaluate("document.getElementById('show-sunset').checked") is True


def test_picking_provider_family_and_model_with_the_selects(
    browser: Chromium, page_url: str
) -> None:
    browser.open(page_url)
    browser.evaluate(
        "const p = document.getElementById('provider'); p.value = 'ollama'; p.dispatchEvent(new Event('change'));"
        "const f = document.getElementById('family'); f.value = 'embedding'; f.dispatchEvent(new Event('change'));"
    )
    state = browser.evaluate("specwireBrowser.state()")
    assert (state["provider"], state["family"]) == ("ollama", "embedding")
    assert browser.evaluate("location.hash") == f"#ollama/embedding/{state['model']}"
    assert "OllamaCredential()" in browser.evaluate(
        "specwireBrowser.code()"
    )  # a local server: no key


def save_screenshot(target: Path) -> None:
    """Write the docs screenshot: ``python -m tests.cards.test_browser docs/card-browser.png``."""
    import tempfile

    binary = chromium_binary()
    assert binary, "no chromium binary"
    with tempfile.TemporaryDirectory() as out, Chromium(binary, width=1500, height=1000) as browser:
        main(["cards", "--html", out])
        browser.open(Path(out, "index.html").as_uri() + "#dashscope/chat/qwen3-max")
        browser.evaluate(
            "document.querySelector('[data-param=thinking_enable]').click();"
            "const t = document.querySelector('[data-param=temperature]'); t.value = '0.7';"
            "t.dispatchEvent(new Event('input'));"
        )
        target.write_bytes(browser.screenshot())


if __name__ == "__main__":
    import sys

    os.environ.setdefault("NO_PROXY", "127.0.0.1")
    save_screenshot(Path(sys.argv[1]))
    print(json.dumps({"written": sys.argv[1]}))
