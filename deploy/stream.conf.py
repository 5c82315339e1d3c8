"""gunicorn settings for the stream process: `gunicorn -c deploy/stream.conf.py wsgi:app`.

The load balancer sends `/live/` (the agents' event streams, supportdesk.live) here and
everything else to the web process (deploy/gunicorn.conf.py). One gevent worker holds thousands
of open streams: each is a greenlet waiting on its queue, and all of them share the worker's one
Redis pub/sub connection. README.md, "The live console", says why and what it measured.
"""

import os

bind = os.environ.get("STREAM_BIND", "0.0.0.0:8001")
workers = int(os.environ.get("STREAM_WORKERS", "1"))
worker_class = "gevent"
worker_connections = int(os.environ.get("STREAM_WORKER_CONNECTIONS", "4000"))
# Streams are long by design: gunicorn must not kill a worker whose requests take minutes.
timeout = 0
keepalive = 75
control_socket_disable = True
graceful_timeout = 5  # streams end at once on SIGTERM; browsers reconnect elsewhere
