"""The loop every background worker runs (`scan --loop`, `remind --loop`).

One pass without `--loop`: a pass that fails raises, so the command exits non-zero and
cron or a service manager sees it. With `--loop`: a failed pass is logged and retried
at the next interval; database connections are closed between passes, so a restarted
database or a dropped connection costs one pass, not the worker; SIGTERM or SIGINT lets
the current pass finish, then the worker stops.
"""

import logging
import signal
import threading

from django.db import connections

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def run_worker(one_pass, *, loop, interval, name, on_failure=None):
    """Run `one_pass()` once, or every `interval` seconds until told to stop."""
    log = logging.getLogger(f"followthrough.{name}")
    if not loop:
        _attempt(one_pass, log, name, on_failure, reraise=True)
        return
    stop = threading.Event()
    previous = _on_stop_signals(stop)
    try:
        while not stop.is_set():
            _attempt(one_pass, log, name, on_failure, reraise=False)
            connections.close_all()
            stop.wait(interval)
    finally:
        _restore(previous)
    log.info("%s worker stopped", name)


def _attempt(one_pass, log, name, on_failure, *, reraise):
    try:
        one_pass()
    except Exception as exc:
        log.exception("%s pass failed", name)
        if on_failure is not None:
            on_failure(exc)
        if reraise:
            raise


def _on_stop_signals(stop):
    # Signal handlers can only be set from the main thread; a worker started elsewhere
    # (a test's thread) is stopped the way its starter chooses.
    if threading.current_thread() is not threading.main_thread():
        return {}
    previous = {}
    for number in STOP_SIGNALS:
        previous[number] = signal.signal(number, lambda signum, frame: stop.set())
    return previous


def _restore(previous):
    for number, handler in previous.items():
        signal.signal(number, handler)
