"""gunicorn settings for Ketenregie behind a TLS-terminating reverse proxy (see docs/deploy.md).

    gunicorn --config deploy/gunicorn.conf.py ketenregie.wsgi

Options given on the command line win over these, and so does GUNICORN_CMD_ARGS.
"""

import multiprocessing
import os

# Listen on loopback (or a private address the proxy reaches); never expose gunicorn directly.
bind = os.environ.get("KETENREGIE_BIND", "127.0.0.1:8000")

# Synchronous workers: one request each. Two per core, plus one, is a good start.
workers = int(os.environ.get("KETENREGIE_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"

# Load the application once in the master and fork the workers from it: less memory, and a worker
# that dies (or is killed) is replaced within milliseconds. Deploy new code with a restart.
# ketenregie.wsgi imports every view and freezes the loaded heap (ketenregie/common/runtime.py).
preload_app = True

# A request that takes longer than this is killed (the PDF of a long plan takes a few seconds).
timeout = 60
graceful_timeout = 30
# Keep connections from the proxy open for a few seconds.
keepalive = 5

# Replace each worker after a while, so slow leaks never build up.
max_requests = 2000
max_requests_jitter = 200

# gunicorn 27 opens a control socket in the home folder by default; the service needs none.
control_socket_disable = True

# Addresses whose X-Forwarded-* headers gunicorn trusts: the reverse proxy only.
forwarded_allow_ips = os.environ.get("KETENREGIE_PROXY_IPS", "127.0.0.1,::1")

# Logs to standard output and error (journald collects them). The access log leaves out the query
# string, which can hold search terms such as a youth's name, and shows the request id the
# application returns in X-Request-Id, which also appears in the audit log.
accesslog = "-"
errorlog = "-"
loglevel = "info"
access_log_format = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms id=%({x-request-id}o)s'
