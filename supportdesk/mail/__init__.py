"""Mail: everything about email, in one package. Read it in this order.

- `identity/` what is ours: support addresses (models.py), `ownership.is_ours` (the one answer,
  used by mail going out and mail coming in), signed reply addresses and Message-IDs
  (signing.py), verifying an outside support address (verification.py). Imports neither of the
  other two.
- `rules.py` which event mails whom with which template: the one table. Domains record events
  (supportdesk.events); they never compose mail.
- `outbound/` the outbox: who (recipients.py), what (letters.py: one ticket context), queueing
  with loop and bounce protection (service.py), rendering and MIME (compose.py, headers.py),
  sending (transport.py; the job is supportdesk/jobs/email.py).
- `inbound/` received mail: `service.receive_email` stores the raw message, parses it, decides
  (routing.py, loops.py, automatic.py) and records the decision with its reason.

Interfaces stay in their own packages: supportdesk/inbound (HTTP endpoint, LMTP server),
console/mail.py, admin/mail.py, admin/outbound_mail.py, cli/mail.py.
"""
