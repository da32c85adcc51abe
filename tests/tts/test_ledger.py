"""The text ledger: what was sent, what the server spoke, what a reconnect resends."""

from __future__ import annotations

from specwire._tts.ledger import TextLedger


def test_pieces_are_acknowledged_oldest_first() -> None:
    ledger = TextLedger()
    ledger.add("Hello, ")
    assert ledger.take(final=False) == "Hello, "
    ledger.add("world.")
    assert ledger.take(final=False) == "world."
    ledger.unacked_audio = 40
    ledger.ack_pieces(1)
    assert list(ledger.inflight) == ["world."] and ledger.acked_chars == 7
    assert ledger.unacked_audio == 0


def test_sentences_acknowledge_up_to_their_end() -> None:
    ledger = TextLedger()
    for piece in ["One fish. Tw", "o fish! Red"]:
        ledger.add(piece)
        ledger.take(final=False)
    assert ledger.ack_text("One fish.")
    assert ledger.ack_text(" Two fish!")  # leading space trimmed by the server or not
    assert "".join(ledger.inflight) == " Red"
    assert not ledger.ack_text("Blue fish.")  # not sent: nothing acknowledged
    assert "".join(ledger.inflight) == " Red"


def test_requeue_puts_unspoken_text_first_and_skips_delivered_audio() -> None:
    ledger = TextLedger()
    ledger.add("A.")
    ledger.take(final=False)
    ledger.add(" B.")
    ledger.take(final=False)
    ledger.unacked_audio = 24
    ledger.add(" C.")  # queued while the socket was down
    ledger.requeue()
    assert ledger.pending == ["A. B.", " C."] and not ledger.inflight
    assert ledger.skip == 24
    # A second drop before the skip was used up keeps counting what was handed out.
    assert ledger.take(final=False) == "A. B. C."
    ledger.unacked_audio = 10
    ledger.skip = 14
    ledger.requeue()
    assert ledger.skip == 24


def test_whitespace_waits_for_words_and_is_dropped_at_the_end() -> None:
    ledger = TextLedger()
    ledger.add("  ")
    assert ledger.take(final=False) == ""
    assert ledger.pending == ["  "]
    assert ledger.take(final=True) == "" and ledger.settled
