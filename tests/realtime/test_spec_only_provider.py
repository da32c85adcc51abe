"""An OpenAI-compatible realtime server (vLLM and others copy the protocol) is a spec
file and nothing else: the generator turns it into a credential and a realtime class
that hold a live session against a server speaking the protocol."""

from __future__ import annotations

import base64
import shutil
import sys
from typing import Any

import pytest

from codegen.render import render
from specwire._testing.realtime_server import RealtimeLoopbackServer, hear
from tests.conftest import ROOT

SPEC = """\
provider: vllm
label: vLLM
credential:
  class_name: VLLMCredential
  type: vllm_credential
  title: vLLM server
  base_url: http://localhost:8000/v1
  fields:
    - {name: api_key, secret: true, required: false, description: "The server's --api-key, if any."}
  auth: {placement: header, field: api_key, name: Authorization, scheme: Bearer}
models:
  - family: realtime
    class_name: VLLMRealtimeModel
    type: vllm_realtime
    endpoint:
      dialect: openai_realtime
      path: /realtime
      stream: {format: websocket, query: {model: "{model}"}}
      fixed_body: {session: {type: realtime}}
      options:
        restore_history: true
        audio: {input_sample_rates: [24000], output_sample_rates: [24000]}
    parameters:
      properties:
        max_output_tokens: {type: integer, title: Max output tokens, minimum: 1, x-wire: session.max_output_tokens}
"""


@pytest.fixture(scope="module")
def vllm_package(tmp_path_factory: pytest.TempPathFactory) -> Any:
    spec_dir = tmp_path_factory.mktemp("spec")
    shutil.copytree(ROOT / "spec" / "schema", spec_dir / "schema")
    (spec_dir / "providers").mkdir()
    (spec_dir / "providers" / "vllm.yaml").write_text(SPEC)
    out = tmp_path_factory.mktemp("out")
    package = out / "vllm_generated"
    package.mkdir()
    (package / "__init__.py").write_text("")
    for rel, text in render(spec_dir).items():
        if rel.parent.name == "_generated" and rel.name.startswith("vllm"):
            (package / rel.name).write_text(text)
    sys.path.insert(0, str(out))
    try:
        import vllm_generated.vllm as module

        yield module
    finally:
        sys.path.remove(str(out))
        for name in [m for m in sys.modules if m.startswith("vllm_generated")]:
            del sys.modules[name]


async def test_a_spec_only_realtime_provider_holds_a_session(vllm_package: Any) -> None:
    credential_cls = vllm_package.VLLMCredential
    model_cls = credential_cls.get_realtime_model_class()
    assert model_cls.__name__ == "VLLMRealtimeModel"
    async with RealtimeLoopbackServer() as server:
        credential = credential_cls(api_key="token", base_url=server.openai_base_url)
        model = model_cls(credential=credential, model="Qwen/Qwen2.5-Omni-7B")
        async with model.connect(max_output_tokens=200) as session:
            await session.send_text("hello vllm")
            async for event in session:
                if event.type == "response_done":
                    break
    assert event.finish_reason == "stop"
    assert event.response.content[-1].text == "echo: hello vllm"
    audio = next(b for b in event.response.content if b.type == "data")
    assert hear(base64.b64decode(audio.source.data)) == "echo: hello vllm"
    sent = server.connections[0].received[0]["session"]
    assert sent["max_output_tokens"] == 200
    assert server.connections[0].query == {"model": "Qwen/Qwen2.5-Omni-7B"}
