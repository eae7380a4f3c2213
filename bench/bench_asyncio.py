"""bench_asyncio.py — CPython asyncio's side of the benchmarks in bench/run.sh.

    python3 bench/bench_asyncio.py WORKLOAD N     prints the best of 3 runs, in seconds

The workloads are the same as bench/bench_tasks.c's, written the way an
asyncio program would write them.
"""
import asyncio
import sys
import time


def run_callbacks(n):
    loop = asyncio.new_event_loop()
    count = 0

    def bump():
        nonlocal count
        count += 1

    t = time.perf_counter()
    for _ in range(n):
        loop.call_soon(bump)
    loop._run_once()  # one iteration, as kt_loop_run_once
    t = time.perf_counter() - t
    assert count == n
    loop.close()
    return t


async def return_at_once():
    return None


async def spawner(n):
    tasks = [asyncio.create_task(return_at_once()) for _ in range(n)]
    for t in tasks:
        await t


async def player(court, me, n):
    loop = asyncio.get_running_loop()
    while True:
        v = await court["ball"][me]
        court["ball"][me] = None
        if v == "stop":
            return
        court["count"] += 1
        if court["count"] >= n:
            court["ball"][1 - me].set_result("stop")
            return
        court["ball"][me] = loop.create_future()
        court["ball"][1 - me].set_result("go")


async def match(n):
    loop = asyncio.get_running_loop()
    court = {"ball": [loop.create_future(), loop.create_future()], "count": 0}
    a = asyncio.create_task(player(court, 0, n))
    b = asyncio.create_task(player(court, 1, n))
    court["ball"][0].set_result("go")
    await a
    await b


def delays(n):
    seed = 12345
    out = []
    for _ in range(n):
        seed = (seed * 1103515245 + 12345) & 0xFFFFFFFF
        out.append(((seed >> 8) % 1000) * 1e-6)
    return out


async def timers_main(ds):
    tasks = [asyncio.create_task(asyncio.sleep(d)) for d in ds]
    for t in tasks:
        await t


async def scale_main(n):
    tasks = [asyncio.create_task(asyncio.sleep(1.0)) for _ in range(n)]
    for t in tasks:
        await t


def peak_rss_kib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return -1


def timed_run(coro):
    t = time.perf_counter()
    asyncio.run(coro)
    return time.perf_counter() - t


def run_one(workload, n):
    if workload == "callbacks":
        return run_callbacks(n)
    if workload == "tasks":
        return timed_run(spawner(n))
    if workload == "switches":
        return timed_run(match(n))
    if workload == "timers":
        ds = delays(n)
        return timed_run(timers_main(ds))
    raise SystemExit(f"bench_asyncio: unknown workload {workload}")


def main():
    if len(sys.argv) != 3:
        raise SystemExit("usage: bench_asyncio.py WORKLOAD N")
    workload, n = sys.argv[1], int(sys.argv[2])
    if workload == "scale":  # one run: "seconds peak-RSS-KiB"
        t = timed_run(scale_main(n))
        print(f"{t:.6f} {peak_rss_kib()}")
        return
    print(f"{min(run_one(workload, n) for _ in range(3)):.6f}")


if __name__ == "__main__":
    main()
