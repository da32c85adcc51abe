"""The text ledger of a realtime utterance: what is queued, what the server is still
speaking, what it has spoken, and the audio bookkeeping that lets a reconnect resend
only unspoken text without losing or repeating audio."""

from __future__ import annotations

from collections import deque


class TextLedger:
    """The text of one utterance: pending (not sent yet), in flight (sent, its audio
    not complete) and acknowledged (spoken), plus the audio bookkeeping a resend needs."""

    __slots__ = ("acked_chars", "had_text", "inflight", "pending", "skip", "unacked_audio")

    def __init__(self) -> None:
        self.pending: list[str] = []
        self.inflight: deque[str] = deque()
        self.acked_chars = 0
        self.unacked_audio = 0
        """Audio bytes received for the in-flight text (handed out or skipped)."""
        self.skip = 0
        """Audio bytes still to drop after a resend (already handed out before it)."""
        self.had_text = False

    @property
    def settled(self) -> bool:
        """Nothing waits to be sent or spoken."""
        return not self.pending and not self.inflight

    def add(self, text: str) -> None:
        """Queue ``text`` to be sent."""
        if text:
            self.pending.append(text)
            self.had_text = True

    def pending_text(self) -> str:
        """The text not sent yet."""
        return "".join(self.pending)

    def take(self, final: bool) -> str:
        """The pending text as one piece to send (now in flight). Whitespace alone is
        kept back (servers may refuse it, and it has no sound); at the end it is dropped."""
        text = "".join(self.pending)
        if not text.strip():
            if final and text:
                self.pending.clear()
                self.acked_chars += len(text)
            return ""
        self.pending.clear()
        self.inflight.append(text)
        return text

    def ack_pieces(self, count: int = 1) -> None:
        """The server finished speaking the oldest ``count`` sent pieces."""
        for _ in range(min(count, len(self.inflight))):
            self.acked_chars += len(self.inflight.popleft())
        self._synced()

    def ack_text(self, spoken: str) -> bool:
        """The server finished speaking ``spoken`` (a sentence it cut from the sent text):
        everything in flight up to its end is acknowledged. False when it cannot be found
        (the server rewrote it); the text then stays in flight, which is safe."""
        wanted = spoken.strip()
        if not wanted or not self.inflight:
            return False
        sent = "".join(self.inflight)
        at = sent.find(wanted)
        if at < 0:
            return False
        end = at + len(wanted)
        self.inflight.clear()
        if end < len(sent):
            self.inflight.append(sent[end:])
        self.acked_chars += end
        self._synced()
        return True

    def requeue(self) -> None:
        """A new connection: in-flight text goes back in front of the pending text (to
        be sent again) and the audio already received for it is to be skipped."""
        if self.inflight:
            self.pending.insert(0, "".join(self.inflight))
            self.inflight.clear()
        # Handed out so far for this text: what the last connection delivered beyond its
        # own skip, plus the part of that skip it never reached.
        self.skip += self.unacked_audio
        self.unacked_audio = 0

    def _synced(self) -> None:
        # All audio so far belongs to acknowledged text: nothing to count or skip.
        self.unacked_audio = 0
        self.skip = 0
