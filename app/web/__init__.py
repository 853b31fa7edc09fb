"""The people's side: three pages served by the same application as the chat API.

- `/`            customer chat (app/web/static/chat.*)
- `/console`     support console: escalation queue, take-over (role `agent`)
- `/console/kb`  knowledge-base management (role `agent`)

Static HTML, CSS and vanilla JavaScript (no build step); `routes.mount_web` adds the pages and
their JSON/SSE endpoints to the FastAPI app that `app.api.http.create_chat_app` builds.
"""
