"""Realtime (live voice and text) sessions: the model base, the session engine, typed
events and the wire dialects (OpenAI Realtime and its copies, Gemini Live)."""
