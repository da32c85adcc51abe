"""Incremental decoders for the streaming formats providers use.

Each decoder is fed raw bytes as they arrive, in pieces of any size, and returns the
complete items those bytes finish. Work is linear in the bytes fed: the pieces of a
partial line are kept in a list and joined once, by the piece that completes the line
(a 16 MiB base64 image in one event costs one join, however finely it arrives).
"""

from __future__ import annotations

from typing import NamedTuple


class SseEvent(NamedTuple):
    """One server-sent event. ``data`` stays bytes so a JSON parser can take it as is."""

    event: str | None
    data: bytes


_new_event = tuple.__new__  # SseEvent(...) without NamedTuple's Python-level __new__
_EVENT_NAMES: dict[bytes, str] = {}  # event names decoded once (a provider uses a handful)


class SseDecoder:
    """Server-sent events (WHATWG): LF, CRLF or CR line ends, ``:`` comments, multi-line
    ``data``, ``event`` names; ``id`` and ``retry`` fields are read and ignored."""

    __slots__ = ("_data", "_event", "_pending", "_start", "_tail_cr")

    def __init__(self) -> None:
        self._pending: list[bytes] = []  # pieces of a line not yet ended
        self._data: list[bytes] = []
        self._event: str | None = None
        self._tail_cr = False
        self._start = True  # before the first byte: a leading BOM is dropped (WHATWG)

    def feed(self, chunk: bytes) -> list[SseEvent]:
        """Decode ``chunk``; return the events it completes."""
        if self._start and chunk:
            self._start = False
            if chunk.startswith(b"\xef\xbb\xbf"):
                chunk = chunk[3:]  # else the first line would be "\ufeffdata: ..." and lost
        if chunk[-2:] == b"\n\n" and not self._pending and not self._data:
            # The common provider framing, a whole event in one piece with nothing
            # pending (``data: ...`` or ``event: ...`` then ``data: ...``): decoded
            # without the general line loop.
            end = len(chunk) - 2
            first = chunk.find(b"\n")
            if chunk[:6] == b"data: " and first == end and b"\r" not in chunk:
                self._tail_cr = False
                self._event = None
                return [_new_event(SseEvent, (None, chunk[6:end]))]
            if (
                chunk[:7] == b"event: "
                and chunk[first + 1 : first + 7] == b"data: "
                and chunk.find(b"\n", first + 1) == end
                and b"\r" not in chunk
            ):
                name = chunk[7:first]
                event = _EVENT_NAMES.get(name)
                if event is None:
                    event = name.decode("utf-8", "replace")
                    if len(_EVENT_NAMES) < 256:
                        _EVENT_NAMES[name] = event
                self._tail_cr = False
                self._event = None
                return [_new_event(SseEvent, (event, chunk[first + 7 : end]))]
        if self._tail_cr and chunk.startswith(b"\n"):
            chunk = chunk[1:]  # the LF of a CRLF split across two pieces
        self._tail_cr = chunk.endswith(b"\r")
        has_cr = b"\r" in chunk
        if not has_cr and b"\n" not in chunk:
            if chunk:
                self._pending.append(chunk)  # still inside one line
            return []
        pending = self._pending
        if pending:
            pending.append(chunk)
            buf = b"".join(pending)
            pending.clear()
            has_cr = has_cr or b"\r" in buf
        else:
            buf = chunk
        if has_cr:
            buf = buf.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        lines = buf.split(b"\n")
        last = lines.pop()
        if last:
            pending.append(last)
        out: list[SseEvent] = []
        for line in lines:
            if not line:
                if self._data:
                    data = self._data[0] if len(self._data) == 1 else b"\n".join(self._data)
                    out.append(_new_event(SseEvent, (self._event, data)))
                    self._data = []
                self._event = None
                continue
            if line.startswith(b"data:"):
                value = line[5:]
                self._data.append(value[1:] if value[:1] == b" " else value)
            elif line[0] == 58:  # ":" comment / keep-alive
                continue
            else:
                name, _, value = line.partition(b":")
                if value[:1] == b" ":
                    value = value[1:]
                if name == b"event":
                    # a name in broken UTF-8 still names its event; never a decode error
                    self._event = value.decode("utf-8", "replace")
                elif name == b"data":  # "data" with no colon: an empty data line
                    self._data.append(b"")
        return out

    def close(self) -> list[SseEvent]:
        """End of stream: dispatch an event left without its blank line."""
        out = self.feed(b"\n\n") if (self._pending or self._data) else []
        return out


class NdjsonDecoder:
    """Newline-delimited JSON: one item per non-blank line."""

    __slots__ = ("_pending",)

    def __init__(self) -> None:
        self._pending: list[bytes] = []  # pieces of a line not yet ended

    def feed(self, chunk: bytes) -> list[bytes]:
        """Decode ``chunk``; return the complete lines it finishes."""
        pending = self._pending
        if b"\n" not in chunk:
            if chunk:
                pending.append(chunk)
            return []
        if pending:
            pending.append(chunk)
            buf = b"".join(pending)
            pending.clear()
        else:
            buf = chunk
        lines = buf.split(b"\n")
        last = lines.pop()
        if last:
            pending.append(last)
        return [line for line in lines if line.strip()]

    def close(self) -> list[bytes]:
        """End of stream: the last line, if it had no newline."""
        rest = b"".join(self._pending)
        self._pending.clear()
        return [rest] if rest.strip() else []


class JsonArrayDecoder:
    """A JSON array streamed element by element (``[{...},{...}]``), as Gemini sends
    without ``alt=sse``. Returns each top-level element's bytes once it is complete."""

    __slots__ = ("_buf", "_depth", "_escape", "_in_string", "_pos", "_start", "_started")

    def __init__(self) -> None:
        self._buf = bytearray()
        self._pos = 0
        self._depth = 0
        self._in_string = False
        self._escape = False
        self._start = -1
        self._started = False

    def feed(self, chunk: bytes) -> list[bytes]:
        """Decode ``chunk``; return the array elements it completes."""
        buf = self._buf
        buf += chunk
        out: list[bytes] = []
        i, n = self._pos, len(buf)
        depth, in_string, escape, start = self._depth, self._in_string, self._escape, self._start
        while i < n:
            c = buf[i]
            if in_string:
                if escape:
                    escape = False
                elif c == 92:  # backslash
                    escape = True
                elif c == 34:  # quote
                    in_string = False
                i += 1
                continue
            if c == 34:
                in_string = True
            elif c in (123, 91):  # { [
                if c == 91 and not self._started:
                    self._started = True
                else:
                    if depth == 0:
                        start = i
                    depth += 1
            elif c in (125, 93):  # } ]
                if depth == 0:
                    i += 1
                    continue  # the closing bracket of the outer array
                depth -= 1
                if depth == 0:
                    out.append(bytes(buf[start : i + 1]))
                    start = -1
            i += 1
        # drop what has been consumed, keeping a started element
        keep_from = start if start >= 0 else n
        del buf[:keep_from]
        self._pos = n - keep_from
        self._depth, self._in_string, self._escape = depth, in_string, escape
        self._start = 0 if start >= 0 else -1
        return out

    def close(self) -> list[bytes]:
        """End of stream; a torn trailing element is dropped by the caller's checks."""
        return []
