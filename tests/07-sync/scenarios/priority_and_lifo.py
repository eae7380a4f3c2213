# RULE: PriorityQueue returns the lowest priority first; LifoQueue the last
# item put. heapq is not stable, so equal priorities need a counter to keep
# their put order: (priority, count, item).
import asyncio, itertools

async def main():
    pq = asyncio.PriorityQueue()
    count = itertools.count()
    for prio, item in ((2, "b1"), (1, "a1"), (2, "b2"), (1, "a2"), (0, "z"), (2, "b3")):
        pq.put_nowait((prio, next(count), item))
    print("priority:", [pq.get_nowait()[2] for _ in range(pq.qsize())])
    lq = asyncio.LifoQueue()
    for i in range(4):
        lq.put_nowait(i)
    print("lifo:", [lq.get_nowait() for _ in range(lq.qsize())])

asyncio.run(main())
