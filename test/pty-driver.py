#!/usr/bin/python3
"""Run a command in a pseudo-terminal, as a person at a terminal would, and report what happened.

The tests of prompts (hidden input, menus, confirmations, Ctrl-C) need a real terminal: the command
must see a TTY on stdin, and Ctrl-C must go through the terminal's line discipline (a SIGINT to the
foreground process group in cooked mode, a 0x03 byte in raw mode), exactly as when a person presses
it. Node has no pseudo-terminal without a native addon, so this small driver uses Python's `pty`.

Input (JSON on stdin):
  {"argv": [...], "env": {...}, "cwd": "...", "timeout": 60,
   "steps": [{"expect": "text"}, {"send": "keys"}, {"signal": "SIGTERM"}, {"sleep": 0.2}]}
  - expect: wait until TEXT appears in the output after the previous match (fails on timeout);
  - send: write the keys to the terminal ("\r" is Enter, "\u0003" Ctrl-C, "\u0004" Ctrl-D);
  - signal: send the signal to the command's process;
  - sleep: wait that many seconds.
Output (JSON on stdout):
  {"status": exit status or null, "signal": signal name or null, "output": everything the command
   wrote to the terminal, "failed": null or a description of the step that did not happen}

With --serve: one session per line of stdin (the JSON above on one line), its result on one line
of stdout, until stdin ends; one Python start for a whole test file instead of one per session.
"""
import json
import os
import pty
import select
import signal
import sys
import time


def session(spec):
    """Run one session described by `spec`; its result as a dict."""
    deadline = time.monotonic() + float(spec.get("timeout", 60))
    pid, fd = pty.fork()
    if pid == 0:  # the child: the pty is its controlling terminal and stdin/stdout/stderr
        try:
            if spec.get("cwd"):
                os.chdir(spec["cwd"])
            os.execve(spec["argv"][0], spec["argv"], spec.get("env", dict(os.environ)))
        finally:
            os._exit(127)

    out = bytearray()
    mark = 0
    eof = False
    failed = None

    def pump(until):
        """Read what the command writes until `until()` holds, EOF, or the deadline; True if it held."""
        nonlocal eof
        while not until():
            if eof:
                return False
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            ready, _, _ = select.select([fd], [], [], min(left, 0.05))
            if ready:
                try:
                    chunk = os.read(fd, 65536)
                except OSError:  # EIO: every process holding the terminal has exited
                    chunk = b""
                if not chunk:
                    eof = True
                else:
                    out.extend(chunk)
        return True

    for step in spec.get("steps", []):
        if "expect" in step:
            want = step["expect"].encode()
            if not pump(lambda: out.find(want, mark) >= 0):
                failed = "expected %r, not seen" % step["expect"]
                break
            mark = out.find(want, mark) + len(want)
        elif "send" in step:
            os.write(fd, step["send"].encode())
        elif "signal" in step:
            os.kill(pid, getattr(signal, step["signal"]))
        elif "sleep" in step:
            end = time.monotonic() + float(step["sleep"])
            pump(lambda: time.monotonic() >= end)

    pump(lambda: False)  # drain until EOF or the deadline
    status = None
    sig = None
    while True:
        done, code = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() > deadline:
            failed = failed or "timed out"
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            code = None
            break
        time.sleep(0.02)
    os.close(fd)
    if code is not None:
        if os.WIFEXITED(code):
            status = os.WEXITSTATUS(code)
        elif os.WIFSIGNALED(code):
            sig = signal.Signals(os.WTERMSIG(code)).name
    return {"status": status, "signal": sig, "output": out.decode("utf-8", "replace"), "failed": failed}


def main():
    if sys.argv[1:] == ["--serve"]:
        for line in sys.stdin:
            if line.strip():
                sys.stdout.write(json.dumps(session(json.loads(line))) + "\n")
                sys.stdout.flush()
        return
    json.dump(session(json.load(sys.stdin)), sys.stdout)


if __name__ == "__main__":
    main()
