# wait rules beyond the shared cases 071-075.
import asyncio
async def val(v, d):
    await asyncio.sleep(d); return v
async def bad(d):
    await asyncio.sleep(d); raise ValueError("bad")
def names(s, m): return sorted(m[t] for t in s)
async def main():
    loop = asyncio.get_running_loop()
    for mode in ("FIRST_COMPLETED", "FIRST_EXCEPTION", "ALL_COMPLETED"):
        ok1 = asyncio.create_task(val("ok1", 1)); b = asyncio.create_task(bad(2)); ok3 = asyncio.create_task(val("ok3", 3))
        m = {ok1: "ok1", b: "bad", ok3: "ok3"}
        t0 = loop.time()
        done, pending = await asyncio.wait([ok1, b, ok3], return_when=getattr(asyncio, mode))
        print(mode, "done", names(done, m), "pending", names(pending, m), f"@{round(loop.time()-t0)}")
        await asyncio.wait([ok1, b, ok3])
        b.exception()
    # FIRST_EXCEPTION: a cancelled future is not an exception
    c = asyncio.create_task(val("c", 5)); s = asyncio.create_task(val("s", 2))
    loop.call_later(1, c.cancel)
    t0 = loop.time()
    done, pending = await asyncio.wait([c, s], return_when=asyncio.FIRST_EXCEPTION)
    print("cancelled child under FIRST_EXCEPTION: done", names(done, {c: "c", s: "s"}), f"@{round(loop.time()-t0)}")
    # empty set and a bad mode
    for args in (([],), ([s], "bogus")):
        try:
            await asyncio.wait(args[0], return_when=args[1] if len(args) > 1 else asyncio.ALL_COMPLETED)
        except ValueError as e:
            print("ValueError:", e)
    # the waiter cancelled: futures are not
    x = asyncio.create_task(val("x", 5))
    async def waiter():
        await asyncio.wait([x])
    w = asyncio.create_task(waiter())
    await asyncio.sleep(1); w.cancel()
    await asyncio.sleep(0); await asyncio.sleep(0)
    print("waiter cancelled:", w.cancelled(), "| x cancelled:", x.cancelled())
    x.cancel()
asyncio.run(main())
