"""The Microsoft Teams adapter: botbuilder's CloudAdapter at POST /api/messages (`app`), activities to
neutral events (`translate`), neutral messages to Adaptive Cards 1.5 (`render`), the outbox sender that
reaches people through stored ConversationReferences (`sender`, `throttle`), cached Bot Framework
credentials (`credentials`) and the Teams app package (`manifest`). Only `adapters.web` and the CLI
import it; it imports `bot` and never the other adapters.
"""
