"""The drill's processes: start them, kill them, restart them, and the faults, on one timeline.

Used by benchmarks/drill.py. Every process runs in its own process group (a SIGKILL takes its
children too) with its output in WORK/logs/NAME.log.
"""

# ruff: noqa: S603, S607, S108  (a developer tool that runs nginx, redis-server, gunicorn and flask)

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
from redis import Redis
from redis.exceptions import RedisError

ROOT = Path(__file__).resolve().parent.parent


def ok(url: str) -> bool:
    """True when GET `url` answers 200 within 2 s."""
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def until(condition, what: str, seconds: float) -> None:
    """Poll `condition` every 0.2 s; raise after `seconds`."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError(f"gave up waiting for {what}")
        time.sleep(0.2)


class Fleet:
    """Every process of the installation; starts, kills, restarts, and says what it did when."""

    def __init__(self, work: Path, env: dict[str, str], ports: dict[str, int]) -> None:
        self.work, self.env, self.ports = work, env, ports
        self.processes: dict[str, subprocess.Popen] = {}
        self.deliberate: set[str] = set()  # stopped or killed on purpose: not a crash
        self.timeline: list[str] = []
        self.windows: dict[str, tuple[float, float]] = {}  # fault -> (start, end), load clock
        self.crashes: list[str] = []
        self.readiness: list[str] = []
        self.started = time.monotonic()
        self._stop = threading.Event()
        self._lock = threading.Lock()

    def say(self, text: str) -> None:
        line = f"[{time.monotonic() - self.started:6.1f} s] {text}"
        self.timeline.append(line)
        print(line, flush=True)

    def command(self, name: str) -> list[str]:
        py, p = sys.executable, self.ports
        flask = [py, "-m", "flask", "--app", "supportdesk"]
        sinks = [py, str(ROOT / "benchmarks" / "drill_sinks.py")]
        return {
            "redis": [
                shutil.which("redis-server") or "/usr/bin/redis-server",
                "--port",
                str(p["redis"]),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            "smtp": [
                *sinks,
                "smtp",
                "--port",
                str(p["smtp"]),
                "--record",
                str(self.work / "smtp.jsonl"),
                "--fail-flag",
                str(self.work / "smtp.fail"),
            ],
            "hooks": [
                *sinks,
                "webhooks",
                "--port",
                str(p["hooks"]),
                "--record",
                str(self.work / "webhooks.jsonl"),
            ],
            "web1": [py, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "wsgi:app"],
            "web2": [py, "-m", "gunicorn", "-c", "deploy/gunicorn.conf.py", "wsgi:app"],
            "nginx": [
                shutil.which("nginx") or "/usr/sbin/nginx",
                "-p",
                str(self.work),
                "-c",
                str(self._nginx_conf()),
                "-e",
                str(self.work / "logs" / "nginx-error.log"),
                "-g",
                "daemon off;",
            ],
            "worker1": [*flask, "worker"],
            "worker2": [*flask, "worker"],
            "cron": [*flask, "cron"],
        }[name]

    def start(self, name: str) -> None:
        env = dict(self.env)
        if name.startswith("web"):
            env["GUNICORN_BIND"] = f"127.0.0.1:{self.ports[name]}"
        with (self.work / "logs" / f"{name}.log").open("ab") as log:
            self.processes[name] = subprocess.Popen(
                self.command(name),
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: a kill takes its children too
            )
        self.deliberate.discard(name)

    def start_all(self) -> None:
        self.start("redis")
        client = Redis(port=self.ports["redis"], socket_connect_timeout=1)
        until(lambda: _answers(client), "redis-server", 30)
        for name in ("smtp", "hooks", "web1", "web2", "nginx", "worker1", "worker2", "cron"):
            self.start(name)
        for name in ("web1", "web2"):
            until(lambda n=name: ok(f"http://127.0.0.1:{self.ports[n]}/healthz"), name, 120)
        self.say("all started: nginx, web1, web2, worker1, worker2, cron, redis, smtp, webhooks")

    def kill(self, name: str) -> None:
        self.deliberate.add(name)
        process = self.processes[name]
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()

    def supervise(self) -> None:
        """Restart a process that exits by itself, as systemd's Restart=always would; note it."""

        def watch() -> None:
            while not self._stop.wait(1):
                with self._lock:
                    for name, process in list(self.processes.items()):
                        if name not in self.deliberate and process.poll() is not None:
                            self.crashes.append(f"{name} exited by itself ({process.returncode})")
                            self.say(f"UNEXPECTED: {name} exited ({process.returncode}); restarted")
                            self.start(name)

        threading.Thread(target=watch, daemon=True).start()

    def watch_readiness(self, name: str) -> None:
        """Poll /readyz of one web instance every 2 s; say when its answer changes and why.

        An answer slower than 5 s (a load balancer's usual check timeout) is marked "slow".
        """

        def watch() -> None:
            last = None
            while not self._stop.wait(2):
                started = time.monotonic()
                try:
                    answer = httpx.get(f"http://127.0.0.1:{self.ports[name]}/readyz", timeout=30)
                    checks = answer.json().get("checks", {})
                    failing = [f"{k}: {v['detail']}" for k, v in checks.items() if not v["ok"]]
                    now = f"{answer.status_code}" + (f" ({'; '.join(failing)})" if failing else "")
                except (httpx.HTTPError, ValueError) as exc:
                    now = type(exc).__name__
                if time.monotonic() - started > 5:
                    now += " slow"
                if now != last:
                    self.say(f"{name} /readyz: {now}")
                    self.readiness.append(now)
                    last = now

        threading.Thread(target=watch, daemon=True).start()

    def run_faults(self, duration: float, smtp_outage: float) -> None:
        """The four failures, spread over the load (times relative to its start)."""
        load_started = time.monotonic()

        def at(fraction: float) -> None:
            time.sleep(max(0.0, load_started + duration * fraction - time.monotonic()))

        def now() -> float:
            return time.monotonic() - load_started

        at(0.15)
        begin = now()
        with self._lock:
            self.kill("web1")
        self.say("SIGKILL web1 (gunicorn master and its workers)")
        time.sleep(10)
        with self._lock:
            self.start("web1")
        until(lambda: ok(f"http://127.0.0.1:{self.ports['web1']}/healthz"), "web1", 120)
        self.windows["web1 killed"] = (begin, now() + 2)
        self.say("web1 started again and answering")

        at(0.35)
        begin = now()
        with self._lock:
            self.kill("worker1")
        self.say("SIGKILL worker1 (mid-job, most likely)")
        time.sleep(5)
        with self._lock:
            self.start("worker1")
        self.windows["worker1 killed"] = (begin, now())
        self.say("worker1 started again")

        at(0.5)
        begin = now()
        with self._lock:
            self.deliberate.add("redis")
            self.processes["redis"].terminate()
            self.processes["redis"].wait()
        self.say("Redis stopped (no persistence: queues, locks and registrations are gone)")
        time.sleep(5)
        with self._lock:
            self.start("redis")
        self.windows["Redis restart"] = (begin, now() + 2)
        self.say("Redis started again, empty")

        at(0.6)
        begin = now()
        flag = self.work / "smtp.fail"
        flag.touch()
        self.say(f"SMTP server answers 451 to every recipient for {smtp_outage:.0f} s")
        time.sleep(smtp_outage)
        flag.unlink()
        self.windows["SMTP failing"] = (begin, now())
        self.say("SMTP server accepts mail again")

    def stop_all(self) -> dict[str, int | None]:
        """SIGTERM everything (the graceful stop) and collect exit codes."""
        self._stop.set()
        with self._lock:
            order = (
                "nginx",
                "web1",
                "web2",
                "worker1",
                "worker2",
                "cron",
                "smtp",
                "hooks",
                "redis",
            )
            codes = {}
            for name in order:
                self.deliberate.add(name)
                process = self.processes[name]
                if process.poll() is None:
                    process.terminate()
                try:
                    codes[name] = process.wait(timeout=90)
                except subprocess.TimeoutExpired:
                    codes[name] = None
        self.say("stopped with SIGTERM: " + ", ".join(f"{n} {c}" for n, c in codes.items()))
        return codes

    def kill_all(self) -> None:
        self._stop.set()
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()

    def _nginx_conf(self) -> Path:
        path = self.work / "nginx.conf"
        p = self.ports
        path.write_text(
            f"""
worker_processes 1;
pid {self.work}/nginx.pid;
events {{ worker_connections 256; }}
http {{
    access_log {self.work}/logs/nginx-access.log;
    client_body_temp_path {self.work}/nginx-body;
    proxy_temp_path {self.work}/nginx-proxy;
    fastcgi_temp_path {self.work}/nginx-fastcgi;
    uwsgi_temp_path {self.work}/nginx-uwsgi;
    scgi_temp_path {self.work}/nginx-scgi;
    upstream supportdesk {{
        server 127.0.0.1:{p["web1"]} max_fails=1 fail_timeout=5s;
        server 127.0.0.1:{p["web2"]} max_fails=1 fail_timeout=5s;
    }}
    server {{
        listen 127.0.0.1:{p["nginx"]};
        location / {{
            proxy_pass http://supportdesk;
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_next_upstream error timeout http_502 http_503;
            proxy_connect_timeout 2s;
        }}
    }}
}}
"""
        )
        return path


def _answers(client: Redis) -> bool:
    try:
        return bool(client.ping())
    except RedisError:
        return False
