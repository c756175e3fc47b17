"""A slowed kernel for tests/test_app_browser.py: every widget change sent by the page waits before it is handled.

Put on the kernels' PYTHONPATH by the ``voila`` fixture when RELIEFPLAN_TEST_KERNEL_DELAY is set (seconds,
e.g. 0.5). It makes the page run ahead of the kernel, as a loaded server does, but every time: the races
between a control and its kernel's answer that a busy machine showed now and then show on each run.
"""

import os

DELAY = float(os.environ.get("RELIEFPLAN_TEST_KERNEL_DELAY") or 0)

if DELAY > 0:
    import time

    from ipywidgets.widgets import widget as _widget

    _handle_msg = _widget.Widget._handle_msg

    def _slow_handle_msg(self, msg):
        if msg["content"]["data"].get("method") == "update":  # a change made in the page, not a state request
            time.sleep(DELAY)
        return _handle_msg(self, msg)

    _widget.Widget._handle_msg = _slow_handle_msg
