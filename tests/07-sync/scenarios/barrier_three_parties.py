# RULE: wait() returns the arrival index (0 for the first to arrive, parties-1
# for the last), whatever order the parties leave in; n_waiting counts the
# parties waiting in the round being filled.
import asyncio

log = []


async def party(barrier, name):
    index = await barrier.wait()
    log.append(f"{name}:index{index}")


async def main():
    barrier = asyncio.Barrier(3)
    a = asyncio.create_task(party(barrier, "a"))
    b = asyncio.create_task(party(barrier, "b"))
    await asyncio.sleep(0)
    log.append(f"n_waiting {barrier.n_waiting}")
    await party(barrier, "c")
    await asyncio.gather(a, b)
    log.append(f"n_waiting {barrier.n_waiting}")


asyncio.run(main())
print("\n".join(log))
