# RULE: reset() while a released round still drains breaks the parties that have
# not left yet (asyncio: RESETTING), and the barrier is usable again after.
import asyncio

log = []
async def party(b, name):
    try:
        log.append(f"{name}:index{await b.wait()}")
    except asyncio.BrokenBarrierError:
        log.append(f"{name}:BROKEN")
async def main():
    b = asyncio.Barrier(2)
    ta = asyncio.create_task(party(b, "a"))
    await asyncio.sleep(0)
    await party(b, "b")       # b is last: the round drains, a has not left yet
    await b.reset()           # a is still inside: RESETTING
    log.append(f"after reset: broken={int(b.broken)} nw={b.n_waiting}")
    await ta
    log.append(f"end: broken={int(b.broken)} nw={b.n_waiting}")
    tc = asyncio.create_task(party(b, "c"))
    await party(b, "d")
    await tc
asyncio.run(main())
print(" ".join(log))
