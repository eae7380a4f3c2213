"""bench_combinators.py — CPython asyncio's side of Lab 06's rows in bench/run.sh.

    python3 bench/bench_combinators.py WORKLOAD N     prints the best of 3 runs, in seconds

The same workloads as bench/bench_combinators.c: `gather` (N tasks that
return at once, gathered and awaited) and `taskgroup` (N such tasks created
in a TaskGroup, which the block's exit waits for).
"""
import asyncio
import sys
import time


async def return_at_once():
    return None


async def gather_main(n):
    tasks = [asyncio.create_task(return_at_once()) for _ in range(n)]
    await asyncio.gather(*tasks)


async def taskgroup_main(n):
    async with asyncio.TaskGroup() as tg:
        for _ in range(n):
            tg.create_task(return_at_once())


def timed_run(coro):
    t = time.perf_counter()
    asyncio.run(coro)
    return time.perf_counter() - t


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("gather", "taskgroup"):
        raise SystemExit("usage: bench_combinators.py gather|taskgroup N")
    fn = gather_main if sys.argv[1] == "gather" else taskgroup_main
    n = int(sys.argv[2])
    print(f"{min(timed_run(fn(n)) for _ in range(3)):.6f}")


if __name__ == "__main__":
    main()
