"""bench_executors.py — CPython's side of Lab 08's rows in bench/run.sh.

    python3 bench/bench_executors.py rie|threadsafe|procpool N    best of 3, in seconds

rie prints two figures, like the C side: the best wall time, then the best CPU
time of the whole process (time.process_time, all threads), which a busy
machine disturbs much less.

The same workloads as bench/bench_executors.c, written as an asyncio program
would write them.
"""
import asyncio
import concurrent.futures
import sys
import threading
import time


def noop():
    return None


def square(x):
    return x * x


async def rie(n):
    loop = asyncio.get_running_loop()
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as ex:
        t = time.perf_counter()
        for _ in range(n):
            await loop.run_in_executor(ex, noop)
        return time.perf_counter() - t


def run_rie(n):
    return asyncio.run(rie(n))


def run_threadsafe(n):
    loop = asyncio.new_event_loop()
    target = n - n % 2
    count = 0

    def bump():
        nonlocal count
        count += 1
        if count == target:
            loop.stop()

    def caller():
        for _ in range(target // 2):
            loop.call_soon_threadsafe(bump)

    threads = [threading.Thread(target=caller) for _ in range(2)]
    t = time.perf_counter()
    for th in threads:
        th.start()
    loop.run_forever()
    t = time.perf_counter() - t
    for th in threads:
        th.join()
    loop.close()
    return t


def run_procpool(n):
    with concurrent.futures.ProcessPoolExecutor(max_workers=2) as ex:
        ex.submit(noop).result()  # the workers are up, as the C pool's are
        t = time.perf_counter()
        futures = [ex.submit(square, i) for i in range(n)]
        for f in futures:
            f.result()
        return time.perf_counter() - t


def timed(fn, n):
    """fn(n)'s own wall time, and the CPU time of the whole call."""
    c = time.process_time()
    t = fn(n)
    return t, time.process_time() - c


if __name__ == "__main__":
    work, n = sys.argv[1], int(sys.argv[2])
    fn = {"rie": run_rie, "threadsafe": run_threadsafe, "procpool": run_procpool}[work]
    if work == "rie":
        runs = [timed(fn, n) for _ in range(3)]
        print(f"{min(r[0] for r in runs):.6f} {min(r[1] for r in runs):.6f}")
    else:
        print(f"{min(fn(n) for _ in range(3)):.6f}")
