"""Inbound email: support addresses, the log of received mail, attachments, and the one code path
(`service.receive_email`) that turns a raw RFC 5322 message into a ticket or a reply."""
