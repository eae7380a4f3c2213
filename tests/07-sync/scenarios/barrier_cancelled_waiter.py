# RULE: a task cancelled while it waits in Barrier.wait() just leaves: the
# barrier is not broken and the next parties fill the round.
import asyncio

async def main():
    b = asyncio.Barrier(2)
    async def party(name):
        try:
            print(name, "index", await b.wait())
        except asyncio.CancelledError:
            print(name, "cancelled; n_waiting", b.n_waiting, "broken", b.broken)
            raise
    t = asyncio.create_task(party("a"))
    await asyncio.sleep(0)
    print("n_waiting", b.n_waiting)
    t.cancel()
    await asyncio.gather(t, return_exceptions=True)
    await asyncio.gather(party("b"), party("c"))
    print("parties", b.parties, "broken", b.broken)

asyncio.run(main())
