"""primes.py — the Python twin of solutions/08-executors/apps/primes.c.

    python3 bench/primes.py [N]        (N defaults to 200000: CPython is slower)

Counts the primes below N five ways, as the C demo does: inline, 2 threads,
2 processes, inline on the loop while a 10 ms timer ticks, and on the loop
through run_in_executor with a pool of 2 threads. The GIL lets one thread
run Python code at a time, so 2 threads take as long as one; 2 processes
each have their own interpreter and GIL (book §8.5).
"""
import asyncio
import concurrent.futures
import sys
import time


def is_prime(n):
    if n < 2:
        return False
    if n % 2 == 0:
        return n == 2
    d = 3
    while d * d <= n:
        if n % d == 0:
            return False
        d += 2
    return True


def count_range(lo, hi):
    return sum(1 for n in range(lo, hi) if is_prime(n))


def halves(n):
    mid = int(n * 0.55)
    return [(0, mid), (mid, n)]


def with_pool(pool_class, n):
    with pool_class(max_workers=2) as ex:
        return sum(ex.map(count_range, *zip(*halves(n))))


class Ticker:
    def __init__(self, loop, stop_loop):
        self.loop, self.stop_loop = loop, stop_loop
        self.last, self.worst, self.ticks, self.done = time.monotonic(), 0.0, 0, False
        loop.call_later(0.010, self.tick)

    def tick(self):
        now = time.monotonic()
        self.worst = max(self.worst, now - self.last)
        self.last = now
        self.ticks += 1
        if self.done and self.stop_loop:
            self.loop.stop()
        elif not self.done:
            self.loop.call_later(0.010, self.tick)


def on_loop_inline(n):
    loop = asyncio.new_event_loop()
    ticker = Ticker(loop, stop_loop=True)
    box = {}

    def count_inline():
        box["count"] = count_range(0, n)  # the loop waits for this
        ticker.done = True

    loop.call_later(0.025, count_inline)
    loop.run_forever()
    loop.close()
    return box["count"], ticker


async def with_executor(n):
    loop = asyncio.get_running_loop()
    ticker = Ticker(loop, stop_loop=False)
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as ex:
        parts = await asyncio.gather(*(loop.run_in_executor(ex, count_range, lo, hi) for lo, hi in halves(n)))
    ticker.done = True
    return sum(parts), ticker


def row(way, secs, count, ticker=None):
    line = f"{way:<18} {secs:9.3f} s {count:10d}"
    if ticker is not None:
        line += f"   timer: {ticker.ticks} ticks, longest gap {ticker.worst * 1e3:.0f} ms"
    print(line)


def timed(fn, *args):
    t = time.perf_counter()
    result = fn(*args)
    return time.perf_counter() - t, result


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200000
    print(f"primes below {n}, counted five ways (CPython {sys.version.split()[0]})\n")
    print(f"{'way':<18} {'time':>11} {'primes':>10}")
    secs, c = timed(count_range, 0, n)
    row("inline", secs, c)
    secs, c = timed(with_pool, concurrent.futures.ThreadPoolExecutor, n)
    row("2 threads", secs, c)
    secs, c = timed(with_pool, concurrent.futures.ProcessPoolExecutor, n)
    row("2 processes", secs, c)
    secs, (c, ticker) = timed(on_loop_inline, n)
    row("on the loop", secs, c, ticker)
    secs, (c, ticker) = timed(asyncio.run, with_executor(n))
    row("loop + executor", secs, c, ticker)


if __name__ == "__main__":
    main()
