"""Mail that comes back to us: bounces (DSNs and their non-standard cousins) tied to the message
they are about by its return path, and calendar replies (iTIP REPLY) to our invites.

models.py (what is recorded), dsn.py (reading a bounce), bounces.py (recording one, suppression),
replies.py (a METHOD:REPLY), status.py (an address's email_status), receive.py (one message from
any door), listener.py (the SMTP listener), imap.py (the IMAP poller), cli.py (`flask inbound`,
and the commit per message both doors share).
"""
