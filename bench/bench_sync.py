"""bench_sync.py — CPython asyncio's side of Lab 07's rows in bench/run.sh.

    python3 bench_sync.py WORKLOAD N     prints the best of 3 runs, in seconds

The same workloads as bench/bench_sync.c: queue_pingpong (N round trips
between two tasks through two queues) and lock_contended (1,000 tasks hand
one lock around N times, each holding it across one yield, timed from the
moment all 1,000 tasks have started to the last one's end).
"""
import asyncio
import sys
import time

CONTENDERS = 1000


async def pingpong(n):
    there, back = asyncio.Queue(), asyncio.Queue()

    async def ping():
        for _ in range(n):
            await there.put(n)
            await back.get()

    async def pong():
        for _ in range(n):
            await back.put(await there.get())

    b = asyncio.create_task(pong())
    a = asyncio.create_task(ping())
    await a
    await b


async def contended(n):
    lock, go = asyncio.Lock(), asyncio.Event()

    async def contender():
        await go.wait()
        for _ in range(n // CONTENDERS):
            async with lock:
                await asyncio.sleep(0)

    tasks = [asyncio.create_task(contender()) for _ in range(CONTENDERS)]
    await asyncio.sleep(0)  # every contender starts and waits on `go`
    t0 = time.perf_counter()
    go.set()
    for t in tasks:
        await t
    return time.perf_counter() - t0


def run_one(workload, n):
    coro = {"queue_pingpong": pingpong, "lock_contended": contended}[workload](n)
    t = time.perf_counter()
    timed = asyncio.run(coro)
    return timed if timed is not None else time.perf_counter() - t


def main():
    if len(sys.argv) != 3:
        raise SystemExit("usage: bench_sync.py WORKLOAD N")
    workload, n = sys.argv[1], int(sys.argv[2])
    print(f"{min(run_one(workload, n) for _ in range(3)):.6f}")


if __name__ == "__main__":
    main()
