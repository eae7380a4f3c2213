# RULE: with parties=1 every arrival is the last one: wait() returns 0 at once,
# round after round, without yielding to the loop.
import asyncio

log = []


async def main():
    barrier = asyncio.Barrier(1)
    asyncio.get_running_loop().call_soon(log.append, "callback")
    first = await barrier.wait()
    second = await barrier.wait()
    log.append(f"index {first} index {second} n_waiting {barrier.n_waiting}")
    await asyncio.sleep(0)


asyncio.run(main())
print("\n".join(log))
