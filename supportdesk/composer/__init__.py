"""The agent's composer: Markdown replies and notes, Cc, drafts, time spent, send-and-next."""
