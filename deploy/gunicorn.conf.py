"""gunicorn settings for supportdesk: `gunicorn -c deploy/gunicorn.conf.py wsgi:app`.

With PROMETHEUS_MULTIPROC_DIR set (an empty directory, emptied before each start), every worker
writes its metrics there and GET /metrics adds them up; a worker that exits is marked dead so its
gauges stop counting.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "4"))
# Threads overlap a request's waits on PostgreSQL with another's Python and keep client
# connections alive; on 2 cores, 2 workers x 4 threads served the queue page fastest
# (benchmarks/README.md, "Worker class").
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
control_socket_disable = True
graceful_timeout = 30  # SIGTERM: in-flight requests get this long to finish


def child_exit(server, worker):
    """Forget a dead worker's live gauges (multi-process metrics)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
