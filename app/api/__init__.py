"""The HTTP front door (Starlette): identity, chat endpoints, SSE streaming. No Ray here."""
