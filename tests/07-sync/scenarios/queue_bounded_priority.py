# RULE: a bounded priority queue is full at maxsize items like the others:
# put_nowait then raises QueueFull and stores nothing.
import asyncio

log = []


async def main():
    q = asyncio.PriorityQueue(maxsize=2)
    q.put_nowait((2, "b"))
    q.put_nowait((1, "a"))
    try:
        q.put_nowait((0, "z"))
    except asyncio.QueueFull:
        log.append(f"QueueFull qsize {q.qsize()}")
    log.append(" ".join(q.get_nowait()[1] for _ in range(2)))
    log.append(f"empty {int(q.empty())}")


asyncio.run(main())
print("\n".join(log))
